"""Spec → wire: the request bodies of every product write (API.md §7.3–7.7, §7.12).

The planner speaks in normalised specs (engine.catalog.spec conventions); this is the one
place that knows the Open API's body shapes:

    create_body(spec, ...)                 Create: every field, `category_version` v2,
                                           `listing_platforms`, `save_mode`, annotation
    edit_body(spec, ...)                   full Edit: the whole product (live + declared
                                           overlay, merged by the planner) + the live fields
                                           the catalog does not model (`extra`); SKU ids of
                                           kept SKUs (an existing SKU id not sent is deleted)
    partial_edit_body(spec, fields, ...)   Partial Edit: whole top-level `fields` only
    listing_check_body(spec)               Check Product Listing (Create shape, no save_mode)
    price_skus / inventory_skus            Update Price / Update Inventory `skus[]`

Values: prices as IDR decimal strings (`{"amount": "150000", "currency": "IDR"}`), weight in
KILOGRAM, dimensions as whole-centimetre strings, inventory per warehouse, `pre_sale` as
PRE_ORDER with handling days (`{"type": "NONE"}` turns a pre-order SKU back into a regular
one), shipping insurance only when Tokopedia is among the platforms (the API refuses it
otherwise). References the plan left as names (brand, product attribute) are looked up in
the shop metadata; one that cannot be resolved, or a local image without an uploaded uri,
raises `Unsendable` — the executor reports that product as failed without calling the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from engine.catalog.spec import ImageRef, ProductAttribute, ProductSpec, Ref, SalesAttribute, SkuSpec
from engine.plan.model import PriceUpdate, StockUpdate
from engine.plan.payload import Known

CATEGORY_VERSION = "v2"  # SEA shops must use the v2 category tree (API.md §7.3, 12052217)
CURRENCY = "IDR"
WEIGHT_UNIT = "KILOGRAM"
DIMENSION_UNIT = "CENTIMETER"
TOKOPEDIA = "TOKOPEDIA"
# ProductSpec field → the body field(s) a Partial Edit sends for it.
PARTIAL_FIELDS = {
    "title": ("title",), "description": ("description",), "brand": ("brand_id",),
    "main_images": ("main_images",), "product_attributes": ("product_attributes",),
    "package_weight": ("package_weight",), "package_dimensions": ("package_dimensions",),
    "is_cod_allowed": ("is_cod_allowed",), "listing_platforms": ("listing_platforms",), "skus": ("skus",),
    "external_product_id": ("external_product_id",),
}
SKU_EXTRA_FIELDS = ("external_sku_id",)  # per-SKU live values a full Edit sends back (Indonesia)


class Unsendable(ValueError):
    """A spec value that cannot be put on the wire (unknown name, image not uploaded)."""


# --------------------------------------------------------------------------- whole bodies
def create_body(spec: ProductSpec, *, platforms: Iterable[str], external_product_id: str = "",
                save_mode: str = "", known: Known | None = None) -> dict[str, Any]:
    """Create Product body (the idempotency_key is added by ShopClient.create_product)."""
    platforms = tuple(platforms)
    body = _content(spec, known, platforms)
    body["category_version"] = CATEGORY_VERSION
    body["skus"] = [sku_body(sku) for sku in spec.skus]
    if platforms:
        body["listing_platforms"] = list(platforms)
    if save_mode:
        body["save_mode"] = save_mode
    if external_product_id:
        body["external_product_id"] = external_product_id
    return body


def listing_check_body(spec: ProductSpec, *, known: Known | None = None) -> dict[str, Any]:
    """Check Product Listing body: the Create shape without save_mode / category_version."""
    platforms = spec.listing_platforms
    body = _content(spec, known, platforms)
    body["skus"] = [sku_body(_in_stock(sku)) for sku in spec.skus]
    if platforms:
        body["listing_platforms"] = list(platforms)
    return body


def _in_stock(sku: SkuSpec) -> SkuSpec:
    """The check takes the Create shape (stock 1-99,999): an existing SKU sold out in a warehouse
    (0, which the edit does not send) is checked as 1 there. A new SKU never has 0 here: the
    plan refuses it (engine.plan.context.new_sku_stock_errors)."""
    if all(quantity >= 1 for _, quantity in sku.inventory):
        return sku
    return replace(sku, inventory=tuple((warehouse, max(quantity, 1)) for warehouse, quantity in sku.inventory))


def edit_body(spec: ProductSpec, *, sku_ids: Iterable[tuple[str, str]] = (), extra: Iterable[tuple[str, Any]] = (),
              external_product_id: str = "", present: Iterable[str] = (), known: Known | None = None,
              clear_pre_sale: Iterable[str] = (), save_mode: str = "") -> dict[str, Any]:
    """Full Edit body: everything (omitted fields are cleared). `spec.listing_platforms` empty =
    not sent (the product stays where it is: `present`)."""
    platforms = spec.listing_platforms or tuple(present)
    body = _content(spec, known, platforms)
    body["category_version"] = CATEGORY_VERSION
    extras = dict(extra)
    for name, value in sorted(extras.items()):
        if name != "skus" and name not in body:
            body[name] = value
    body["skus"] = _skus(spec.skus, dict(sku_ids), extras.get("skus") or {}, set(clear_pre_sale))
    if spec.listing_platforms:
        body["listing_platforms"] = list(spec.listing_platforms)
    if external_product_id:
        body["external_product_id"] = external_product_id
    if save_mode:
        body["save_mode"] = save_mode
    return body


def partial_edit_body(spec: ProductSpec, fields: Iterable[str], *, sku_ids: Iterable[tuple[str, str]] = (),
                      external_product_id: str = "", present: Iterable[str] = (), known: Known | None = None,
                      clear_pre_sale: Iterable[str] = (), save_mode: str = "") -> dict[str, Any]:
    """Partial Edit body: only the whole top-level `fields` (a field not sent stays as it is);
    `save_mode` AS_DRAFT keeps a never-listed draft a draft."""
    fields = tuple(fields)
    unknown = [f for f in fields if f not in PARTIAL_FIELDS]
    if unknown:
        raise Unsendable(f"Partial Edit cannot change {', '.join(unknown)} (a full Edit is needed)")
    body: dict[str, Any] = {}
    for name in fields:
        if name == "external_product_id":
            if external_product_id:
                body["external_product_id"] = external_product_id
        elif name == "skus":
            body["skus"] = _skus(spec.skus, dict(sku_ids), {}, set(clear_pre_sale))
        elif name == "listing_platforms":
            body["listing_platforms"] = list(spec.listing_platforms)
        elif name == "brand":
            body["brand_id"] = brand_id(spec.brand, known) or ""  # "" clears the brand
        else:
            value = _field(name, spec, known)
            if value is not None:
                body[PARTIAL_FIELDS[name][0]] = value
    if save_mode:
        body["save_mode"] = save_mode
    return body


def price_skus(prices: Iterable[PriceUpdate]) -> list[dict[str, Any]]:
    return [{"id": p.sku_id, "price": money(p.price)} for p in prices]


def inventory_skus(stock: Iterable[StockUpdate]) -> list[dict[str, Any]]:
    return [{"id": s.sku_id, "inventory": inventory(s.inventory)} for s in stock]


# --------------------------------------------------------------------------- fields
def _content(spec: ProductSpec, known: Known | None, platforms: Iterable[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in ("title", "description", "category_id", "brand", "main_images", "product_attributes",
                 "package_weight", "package_dimensions", "is_pre_owned", "minimum_order_quantity",
                 "is_cod_allowed", "delivery_option_ids"):
        value = _field(name, spec, known)
        if value is not None:
            body["brand_id" if name == "brand" else name] = value
    insurance = spec.shipping_insurance_requirement
    if insurance is not None and TOKOPEDIA in tuple(platforms):
        body["shipping_insurance_requirement"] = insurance
    return body


def _field(name: str, spec: ProductSpec, known: Known | None) -> Any:
    value = getattr(spec, name)
    if value is None:
        return None
    if name == "brand":
        return brand_id(value, known)
    if name == "main_images":
        return main_images(value)
    if name == "product_attributes":
        return product_attributes(value, spec.category_id, known)
    if name == "package_weight":
        return {"value": value, "unit": WEIGHT_UNIT}
    if name == "package_dimensions":
        length, width, height = value
        return {"length": str(length), "width": str(width), "height": str(height), "unit": DIMENSION_UNIT}
    if name == "delivery_option_ids":
        return sorted(value)
    return value


def brand_id(brand: Ref | None, known: Known | None) -> str | None:
    if brand is None:
        return None
    if brand.id is not None:
        return brand.id
    found = known.brands.get(brand) if known is not None else None
    if found is None or found.id is None:
        raise Unsendable(f"brand {brand.name!r} is not a brand this shop can use (Get Brands): check the "
                         "spelling, or authorize the brand in Seller Center")
    return found.id


def main_images(images: Iterable[ImageRef]) -> list[dict[str, str]]:
    out = []
    for image in images:
        if not image.uri:
            raise Unsendable(f"image {image.path} has not been uploaded")
        out.append({"uri": image.uri})
    return out


def product_attributes(attrs: Iterable[ProductAttribute], category_id: str | None,
                       known: Known | None) -> list[dict[str, Any]]:
    definitions = known.attributes.get(category_id, ()) if known is not None and category_id else ()
    out = []
    for attr in attrs:
        definition = next((d for d in definitions if (attr.id is not None and d.id == attr.id)
                           or (attr.id is None and d.name == attr.name)), None)
        attr_id = attr.id or (definition.id if definition else None)
        if attr_id is None:
            raise Unsendable(f"product attribute {attr.name!r} is not an attribute of category {category_id} "
                             "(Get Attributes): check the spelling")
        values = []
        for value in attr.values:
            known_value = next((v for v in (definition.values if definition else ())
                                if value.id is None and v.name == value.name), None)
            value_id = value.id or (known_value.id if known_value else None)
            values.append({"id": value_id} if value_id else {"name": value.name or ""})
        out.append({"id": attr_id, "values": values})
    return out


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": CURRENCY}


def inventory(stock: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"warehouse_id": warehouse, "quantity": quantity} for warehouse, quantity in stock]


# --------------------------------------------------------------------------- SKUs
def _skus(skus: Iterable[SkuSpec], ids: Mapping[str, str], extras: Mapping[str, Any],
          clear_pre_sale: set[str]) -> list[dict[str, Any]]:
    """An edit's `skus[]`: an existing SKU (its id) without `inventory` — left out, its stock
    stays as it is (API.md §7.4); Edit takes 1-99,999 and a sold-out SKU has 0, so the planner
    sends stock changes through Update Inventory. A new SKU carries its stock."""
    return [sku_body(sku, ids.get(sku.seller_sku), extras.get(sku.seller_sku),
                     clear_pre_sale=sku.seller_sku in clear_pre_sale) for sku in skus]


def sku_body(sku: SkuSpec, sku_id: str | None = None, extra: Mapping[str, Any] | None = None, *,
             clear_pre_sale: bool = False) -> dict[str, Any]:
    """One `skus[]` entry; `sku_id` keeps an existing SKU (Edit deletes ids not sent) and leaves
    its stock out."""
    extra = extra or {}
    body: dict[str, Any] = {}
    if sku_id:
        body["id"] = sku_id
    body["seller_sku"] = sku.seller_sku
    body["price"] = money(sku.price)
    if not sku_id:  # an existing SKU's stock is not sent (see _skus)
        body["inventory"] = inventory(sku.inventory)
    if sku.sales_attributes:
        images = extra.get("sales_attribute_images") or {}
        body["sales_attributes"] = [sales_attribute(a, images) for a in sku.sales_attributes]
    if sku.pre_sale_days is not None:
        body["pre_sale"] = {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": sku.pre_sale_days}}
    elif clear_pre_sale:
        body["pre_sale"] = {"type": "NONE"}
    if sku.identifier_code is not None:
        kind, code = sku.identifier_code
        body["identifier_code"] = {"code": code, "type": kind}
    for name in SKU_EXTRA_FIELDS:
        if extra.get(name) not in (None, ""):
            body[name] = extra[name]
    return body


def sales_attribute(attr: SalesAttribute, images: Mapping[str, Any]) -> dict[str, Any]:
    """Ids when known (built-in, or assigned to a custom one at create) and the names: a custom
    attribute's id alone is not enough, the shop matches it with its name."""
    out: dict[str, Any] = {}
    if attr.id:
        out["id"] = attr.id
    if attr.name or not attr.id:
        out["name"] = attr.name or ""
    if attr.value_id:
        out["value_id"] = attr.value_id
    if attr.value or not attr.value_id:
        out["value_name"] = attr.value or ""
    for key in (attr.id, attr.name):
        if key and key in images:
            out.update(images[key])
            break
    return out
