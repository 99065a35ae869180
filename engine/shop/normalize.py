"""Wire → model: Get Product / Search item JSON → `LiveProduct` (engine.plan.live).

The spec follows engine/catalog/spec.py conventions exactly (canonical decimals, sorted
tuples, references with both id and name), so the planner compares like with like.

Decisions (API.md §6, §7.1, §7.2):
- Price. For a local (ID) seller, Get Product documents `sale_price` as the display price
  for all sellers and `tax_exclusive_price` as the global sellers' pre-tax price, while
  Search 202502 documents `tax_exclusive_price` as the local display price. So Get Product
  → `sale_price` (falling back to `tax_exclusive_price`), Search → `tax_exclusive_price`
  (falling back to `sale_price`).
- Platforms. `status` present ⇒ on TIKTOK_SHOP; `integrated_platform_statuses[TOKOPEDIA]`
  ⇒ on TOKOPEDIA. `listing_platforms` = platforms whose status is not deactivated/deleted;
  `status` = deleted when deleted everywhere, active when listed and not deactivated on
  at least one platform, otherwise inactive. The raw statuses stay in `platform_statuses`.
- Images keep the platform's order (the first is the cover); everything else is sorted.
- Weight is converted to KILOGRAM, dimensions to whole CENTIMETRES.
- `extra` holds Get Product fields the spec does not model, already in the shape a full
  Edit sends back (video, size_chart, certifications, shipping_template_id, manufacturer /
  responsible person ids, per-SKU extras such as external_sku_id and sales-attribute images).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.catalog.spec import (
    PLATFORMS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    canonical_decimal,
    parse_external_product_id,
)
from engine.plan.live import DEACTIVATED, DELETED, AuditFailure, LiveProduct
from engine.shop.models import as_mapping

NOT_LISTED = frozenset({*DEACTIVATED, DELETED})
GRAMS_PER_KILOGRAM = Decimal(1000)
POUND_IN_KILOGRAMS = Decimal("0.45359237")
INCH_IN_CENTIMETRES = Decimal("2.54")
SKU_EXTRA_FIELDS = ("external_sku_id", "sku_unit_count", "external_urls", "fees", "extra_identifier_codes",
                    "list_price", "external_list_prices")


# --------------------------------------------------------------------------- statuses
def platform_statuses(raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    statuses: dict[str, str] = {}
    if raw.get("status"):
        statuses["TIKTOK_SHOP"] = str(raw["status"])
    for entry in raw.get("integrated_platform_statuses") or ():
        if isinstance(entry, Mapping) and entry.get("platform") and entry.get("status"):
            statuses[str(entry["platform"])] = str(entry["status"])
    return tuple(sorted(statuses.items()))


def listing_platforms(statuses: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(sorted(p for p, s in statuses if s not in NOT_LISTED and p in PLATFORMS))


def spec_status(statuses: tuple[tuple[str, str], ...]) -> str:
    if statuses and all(s == DELETED for _, s in statuses):
        return "deleted"
    if any(s not in NOT_LISTED for _, s in statuses):
        return "active"
    return "inactive"


def sku_ids(raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({(str(s.get("seller_sku") or ""), str(s.get("id") or ""))
                         for s in raw.get("skus") or () if isinstance(s, Mapping)}))


def _audit(raw: Mapping[str, Any]) -> str | None:
    audit = raw.get("audit")
    return str(audit["status"]) if isinstance(audit, Mapping) and audit.get("status") else None


def audit_failures(raw: Mapping[str, Any]) -> tuple[AuditFailure, ...]:
    out = []
    for entry in raw.get("audit_failed_reasons") or ():
        if not isinstance(entry, Mapping):
            continue
        out.append(AuditFailure(platform=str(entry.get("listing_platform") or "TIKTOK_SHOP"),
                                reasons=tuple(str(r) for r in entry.get("reasons") or ()),
                                suggestions=tuple(str(s) for s in entry.get("suggestions") or ()),
                                position=str(entry.get("position") or "")))
    return tuple(sorted(out))


# --------------------------------------------------------------------------- Search item
def from_search(item: Mapping[str, Any]) -> LiveProduct:
    """A LiveProduct from a Search Products item alone (spec None: FREEZE, DELETED, unmanaged)."""
    statuses = platform_statuses(item)
    return LiveProduct(
        product_id=str(item.get("id") or ""), update_time=int(item.get("update_time") or 0),
        title=str(item.get("title") or ""), status=item.get("status") or None,
        platform_statuses=statuses, audit_status=_audit(item), has_draft=bool(item.get("has_draft")),
        sku_ids=sku_ids(item))


def search_sku_state(item: Mapping[str, Any]) -> dict[str, tuple[str | None, tuple[tuple[str, int], ...]]]:
    """seller_sku → (canonical price, inventory) as Search reports them (fresher than a cache)."""
    out = {}
    for sku in item.get("skus") or ():
        if isinstance(sku, Mapping) and sku.get("seller_sku"):
            price = as_mapping(sku.get("price"))
            out[str(sku["seller_sku"])] = (_price(price, "tax_exclusive_price", "sale_price"),
                                           _inventory(sku.get("inventory")))
    return out


# --------------------------------------------------------------------------- Get Product
def from_get(raw: Mapping[str, Any], key: str | None = None) -> LiveProduct:
    """A LiveProduct with its full spec from Get Product `data`. `key` = the catalog key
    that claims it (defaults to the key in `external_product_id`, else the product id)."""
    statuses = platform_statuses(raw)
    external = raw.get("external_product_id") or None
    last_applied = parse_external_product_id(external)
    product_id = str(raw.get("id") or "")
    spec_key = key or (last_applied[0] if last_applied else product_id)
    return LiveProduct(
        product_id=product_id, update_time=int(raw.get("update_time") or 0),
        title=str(raw.get("title") or ""), status=raw.get("status") or None,
        platform_statuses=statuses, audit_status=_audit(raw), audit_failures=audit_failures(raw),
        has_draft=bool(raw.get("has_draft")), last_applied=last_applied, external_product_id=external,
        sku_ids=sku_ids(raw), spec=to_spec(raw, spec_key, statuses), extra=extras(raw))


def to_spec(raw: Mapping[str, Any], key: str, statuses: tuple[tuple[str, str], ...]) -> ProductSpec:
    return ProductSpec(
        key=key, title=raw.get("title"), description=raw.get("description"),
        category_id=leaf_category(raw.get("category_chains")), brand=_brand(raw.get("brand")),
        main_images=tuple(ImageRef(uri=str(i["uri"])) for i in raw.get("main_images") or ()
                          if isinstance(i, Mapping) and i.get("uri")),
        product_attributes=_attributes(raw.get("product_attributes")),
        package_weight=_weight(raw.get("package_weight")),
        package_dimensions=_dimensions(raw.get("package_dimensions")),
        listing_platforms=listing_platforms(statuses), status=spec_status(statuses),
        shipping_insurance_requirement=raw.get("shipping_insurance_requirement") or None,
        is_pre_owned=_opt_bool(raw.get("is_pre_owned")),
        minimum_order_quantity=_opt_int(raw.get("minimum_order_quantity")),
        is_cod_allowed=_opt_bool(raw.get("is_cod_allowed")),
        delivery_option_ids=tuple(sorted({str(d["id"]) for d in raw.get("delivery_options") or ()
                                          if isinstance(d, Mapping) and d.get("id")})) or None,
        skus=tuple(sorted((_sku(s) for s in raw.get("skus") or () if isinstance(s, Mapping)),
                          key=lambda s: s.seller_sku)))


def leaf_category(chains: object) -> str | None:
    items = [c for c in chains or () if isinstance(c, Mapping) and c.get("id")] if isinstance(chains, list) else []
    leaves = [c for c in items if c.get("is_leaf")]
    chosen = leaves[-1] if leaves else (items[-1] if items else None)
    return str(chosen["id"]) if chosen else None


def _brand(raw: object) -> Ref | None:
    if not isinstance(raw, Mapping) or not (raw.get("id") or raw.get("name")):
        return None
    return Ref(id=str(raw["id"]) if raw.get("id") else None, name=raw.get("name") or None)


def _ref_key(ref: Ref) -> tuple[str, str]:
    return (ref.id or ref.name or "", ref.name or "")


def _attributes(raw: object) -> tuple[ProductAttribute, ...]:
    out = []
    for attr in raw or () if isinstance(raw, list) else ():
        if not isinstance(attr, Mapping):
            continue
        values = tuple(sorted((Ref(id=str(v["id"]) if v.get("id") else None, name=v.get("name") or None)
                               for v in attr.get("values") or () if isinstance(v, Mapping)), key=_ref_key))
        out.append(ProductAttribute(id=str(attr["id"]) if attr.get("id") else None,
                                    name=attr.get("name") or None, values=values))
    return tuple(sorted(out, key=lambda a: (a.id or a.name or "", a.name or "")))


def _weight(raw: object) -> str | None:
    if not isinstance(raw, Mapping) or raw.get("value") in (None, ""):
        return None
    try:
        value = Decimal(str(raw["value"]).strip())
    except InvalidOperation:
        return None
    unit = str(raw.get("unit") or "KILOGRAM").upper()
    if unit == "GRAM":
        value = value / GRAMS_PER_KILOGRAM
    elif unit == "POUND":
        value = value * POUND_IN_KILOGRAMS
    return canonical_decimal(value)


def _dimensions(raw: object) -> tuple[int, int, int] | None:
    if not isinstance(raw, Mapping):
        return None
    factor = INCH_IN_CENTIMETRES if str(raw.get("unit") or "").upper() == "INCH" else Decimal(1)
    try:
        dims = tuple(int((Decimal(str(raw[k]).strip()) * factor).to_integral_value())
                     for k in ("length", "width", "height"))
    except (KeyError, InvalidOperation, ValueError):
        return None
    return dims  # type: ignore[return-value]


def _price(price: Mapping[str, Any], *fields: str) -> str | None:
    for name in fields:
        value = price.get(name)
        if value not in (None, ""):
            try:
                return canonical_decimal(value)
            except ValueError:
                return None
    return None


def _inventory(raw: object) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for entry in raw or () if isinstance(raw, list) else ():
        if isinstance(entry, Mapping):
            wid = str(entry.get("warehouse_id") or "")
            totals[wid] = totals.get(wid, 0) + int(entry.get("quantity") or 0)
    return tuple(sorted(totals.items()))


def _sku(raw: Mapping[str, Any]) -> SkuSpec:
    price = as_mapping(raw.get("price"))
    sales = tuple(sorted(
        (SalesAttribute(name=a.get("name") or None, value=a.get("value_name") or None,
                        id=str(a["id"]) if a.get("id") else None,
                        value_id=str(a["value_id"]) if a.get("value_id") else None)
         for a in raw.get("sales_attributes") or () if isinstance(a, Mapping)),
        key=lambda a: (a.name or "", a.value or "", a.id or "", a.value_id or "")))
    pre_sale = as_mapping(raw.get("pre_sale"))
    days = None
    if pre_sale.get("type") == "PRE_ORDER":
        fulfillment = as_mapping(pre_sale.get("fulfillment_type"))
        days = _opt_int(fulfillment.get("handling_duration_days"))
    ident = as_mapping(raw.get("identifier_code"))
    return SkuSpec(seller_sku=str(raw.get("seller_sku") or ""),
                   price=_price(price, "sale_price", "tax_exclusive_price") or "0",
                   inventory=_inventory(raw.get("inventory")), sales_attributes=sales,
                   pre_sale_days=days,
                   identifier_code=(str(ident.get("type") or ""), str(ident["code"])) if ident.get("code") else None)


# --------------------------------------------------------------------------- extras
def extras(raw: Mapping[str, Any]) -> tuple[tuple[str, object], ...]:
    """Fields a full Edit must send back that the spec does not model, in Edit request shape."""
    out: dict[str, object] = {}
    video = raw.get("video")
    if isinstance(video, Mapping) and video.get("id"):
        out["video"] = {"id": str(video["id"])}
    size_chart = raw.get("size_chart")
    if isinstance(size_chart, Mapping):
        chart = {}
        if isinstance(size_chart.get("image"), Mapping) and size_chart["image"].get("uri"):
            chart["image"] = {"uri": size_chart["image"]["uri"]}
        if isinstance(size_chart.get("template"), Mapping) and size_chart["template"].get("id"):
            chart["template"] = {"id": size_chart["template"]["id"]}
        if chart:
            out["size_chart"] = chart
    certs = [_certification(c) for c in raw.get("certifications") or () if isinstance(c, Mapping) and c.get("id")]
    if certs:
        out["certifications"] = certs
    for name in ("shipping_template_id", "manufacturer_ids", "responsible_person_ids"):
        if raw.get(name):
            out[name] = raw[name]
    skus = {str(s.get("seller_sku") or ""): extra for s in raw.get("skus") or ()
            if isinstance(s, Mapping) and (extra := _sku_extra(s))}
    if skus:
        out["skus"] = dict(sorted(skus.items()))
    return tuple(sorted(out.items()))


def _certification(raw: Mapping[str, Any]) -> dict:
    cert: dict[str, object] = {"id": str(raw["id"])}
    images = [{"uri": i["uri"]} for i in raw.get("images") or () if isinstance(i, Mapping) and i.get("uri")]
    files = [{k: f[k] for k in ("id", "name", "format") if f.get(k)} for f in raw.get("files") or ()
             if isinstance(f, Mapping) and f.get("id")]
    if images:
        cert["images"] = images
    if files:
        cert["files"] = files
    if raw.get("expiration_date"):
        cert["expiration_date"] = raw["expiration_date"]
    return cert


def _sku_extra(raw: Mapping[str, Any]) -> dict:
    extra = {name: raw[name] for name in SKU_EXTRA_FIELDS if raw.get(name) not in (None, "", [], {})}
    images = {}
    for attr in raw.get("sales_attributes") or ():
        if not isinstance(attr, Mapping):
            continue
        entry: dict[str, Any] = {}
        if isinstance(attr.get("sku_img"), Mapping) and attr["sku_img"].get("uri"):
            entry["sku_img"] = {"uri": attr["sku_img"]["uri"]}
        supplementary = [{"uri": i["uri"]} for i in attr.get("supplementary_sku_images") or ()
                         if isinstance(i, Mapping) and i.get("uri")]
        if supplementary:
            entry["supplementary_sku_images"] = supplementary
        if entry:
            images[str(attr.get("id") or attr.get("name") or "")] = entry
    if images:
        extra["sales_attribute_images"] = dict(sorted(images.items()))
    return extra


def _opt_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _opt_int(value: object) -> int | None:
    if not isinstance(value, (int, float, str)) or value == "":
        return None
    try:
        return int(value)
    except (ValueError, OverflowError):
        return None
