"""Live products → the catalog's own YAML: what `catalog import` writes (pure, no I/O).

    exporter = Exporter(ExportContext(warehouses=shop.warehouses, defaults=shop.defaults, ...))
    product = exporter.export(spec, key="batik-parang", statuses=(("TIKTOK_SHOP", "ACTIVATE"),),
                              sku_order=("BATIK-M", "BATIK-L"))
    product.document     a ruamel CommentedMap, fields in the catalog's order (text: export_yaml.document_text)
    product.templates    ((name, text), ...) description files for templates/
    product.problems     why this product cannot be written (a SKU without seller_sku, no weight...)
    product.shop_problems  what shop.yaml must say first (a warehouse it does not name)

What is written, so that `catalog plan` right after the import changes nothing:
- Only what matters. A field the platform fills with its default (insurance OPTIONAL, MOQ 1,
  not pre-owned, no COD, active, the warehouses' default delivery options — taken to be every
  option the products read in the run show, as a product that names none shows them all) or that shop.yaml
  `defaults` already gives is left out; an omitted field is not managed, so it never plans a
  change. A default the live product does not match is written explicitly (or `null`, which
  takes the default away when the platform has no value at all).
- Platforms and status come from the per-platform statuses: listed (live, in review, review
  failed, frozen) platforms with `status: active`; a product listed nowhere (drafts,
  deactivated) keeps the platforms it is on, with `status: inactive`.
- Names where they are unambiguous: warehouses by their shop.yaml NAME, brand by name,
  attributes by name (the list form with ids when a name is missing or shared in the
  category), sales attributes by name. Images keep their platform URIs.
- Prices and weights as plain numbers: integers stay integers, decimals keep their exact value.
- Stock as the shop's `manage:` says: under `stock: on_create` (the default) the shop owns the
  stock of existing SKUs, so no `inventory` is written; under `stock: always` the live stock per
  warehouse name is.
- A long description (more than LONG_DESCRIPTION characters or LONG_LINES lines) goes to
  templates/<key>.html.j2, a template without variables (`{% raw %}` when the HTML holds Jinja
  syntax); a short one stays inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from engine.catalog.spec import (
    MANAGED_FIELDS,
    PLATFORMS,
    ProductAttribute,
    ProductSpec,
    Ref,
    SkuSpec,
    canonical_decimal,
)

LONG_DESCRIPTION = 300  # characters; longer descriptions go to a template file
LONG_LINES = 6
REQUIRED = ("title", "description", "category_id", "main_images", "package_weight", "listing_platforms")
DEACTIVATED = ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED")
NOT_LISTED = frozenset({"DRAFT", "DELETED", *DEACTIVATED})
PLATFORM_DEFAULTS: dict[str, Any] = {"shipping_insurance_requirement": "OPTIONAL", "is_pre_owned": False,
                                     "minimum_order_quantity": 1, "is_cod_allowed": False, "status": "active"}
_JINJA = ("{{", "{%", "{#")
_INT = re.compile(r"[0-9]+")
_BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\r]")


@dataclass(frozen=True)
class ExportContext:
    """What the exporter needs to know about the catalog and the shop."""

    warehouses: Mapping[str, str]  # shop.yaml: name → warehouse id
    defaults: Mapping[str, Any] = field(default_factory=dict)  # shop.yaml `defaults`, as written
    ambiguous_brands: frozenset[str] = frozenset()  # brand names several brands share
    ambiguous_attributes: frozenset[tuple[str, str]] = frozenset()  # (category id, attribute name)
    ambiguous_values: frozenset[tuple[str, str, str]] = frozenset()  # (category id, attribute id, value name)
    default_delivery: tuple[str, ...] | None = None  # options a product gets when it names none (sorted)
    warehouse_labels: Mapping[str, str] = field(default_factory=dict)  # warehouse id → the shop's name for it
    templates_taken: frozenset[str] = frozenset()  # files already under templates/
    stock_owned_by_shop: bool = True  # shop.yaml `manage: {stock: on_create}` (the default): no inventory written


@dataclass
class ExportedProduct:
    key: str
    document: CommentedMap
    templates: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shop_problems: list[str] = field(default_factory=list)  # fixed in shop.yaml, for every product at once


class _Omit:
    """Sentinel: the field is not written."""


OMIT = _Omit()


def listing_state(statuses: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], str]:
    """(listing_platforms, status) that plan as no change for these per-platform statuses."""
    present = [(p, s) for p, s in statuses if p in PLATFORMS]
    listed = tuple(sorted(p for p, s in present if s not in NOT_LISTED))
    if listed:
        return listed, "active"
    kept = tuple(sorted(p for p, s in present if s != "DELETED")) or tuple(sorted(p for p, _ in present))
    return kept, "inactive"


# --------------------------------------------------------------------------- numbers and text
def yaml_number(text: str) -> Any:
    """A canonical decimal as the YAML number that reads back as the same value (text if none does)."""
    if _INT.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return DoubleQuotedScalarString(text)
    if repr(number) == text and "e" not in text:
        return number
    return DoubleQuotedScalarString(text)


def _digits(text: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(text)


def _flow(mapping: Mapping[str, Any] | None = None, **values: Any) -> CommentedMap:
    node = CommentedMap(mapping or {})
    node.update(values)
    node.fa.set_flow_style()
    return node


def _flow_list(items: Iterable[Any]) -> CommentedSeq:
    node = CommentedSeq(items)
    node.fa.set_flow_style()
    return node


def template_text(html: str) -> str | None:
    """The content of a variable-free description template that renders exactly `html`
    (None when no template can: carriage returns, or the HTML closes a raw block itself)."""
    if "\r" in html or "endraw" in html:
        return None
    if any(mark in html for mark in _JINJA):
        return "{% raw %}" + html + "{% endraw %}\n"
    return html + "\n"


# --------------------------------------------------------------------------- the exporter
class Exporter:
    """Turns live product specs into catalog documents (see the module docstring)."""

    def __init__(self, context: ExportContext) -> None:
        self.ctx = context
        self.by_warehouse_id: dict[str, str] = {}
        for name, ident in context.warehouses.items():
            self.by_warehouse_id.setdefault(str(ident), name)
        self.templates_taken = set(context.templates_taken)

    def export(self, spec: ProductSpec, *, key: str, statuses: Iterable[tuple[str, str]],
               sku_order: Iterable[str] = ()) -> ExportedProduct:
        """The whole document for a product not yet in the catalog."""
        out = ExportedProduct(key, CommentedMap(key=key))
        values = self.live_values(spec, statuses)
        for name in MANAGED_FIELDS:
            if name == "skus":
                continue
            value = self._decide(name, values[name], out)
            if value is not OMIT:
                out.document[name] = self.node(name, value, spec, out)
                self._comment(out.document, name, value)
        out.document["skus"] = self.skus_node(spec.skus, tuple(sku_order), out)
        return out

    def live_values(self, spec: ProductSpec, statuses: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Every managed field's live value in catalog terms (None = the platform has none)."""
        platforms, status = listing_state(statuses)
        on_tokopedia, tokopedia_only = "TOKOPEDIA" in platforms, set(platforms) == {"TOKOPEDIA"}
        return {
            "title": spec.title or None, "description": spec.description or None, "category_id": spec.category_id,
            "brand": spec.brand, "main_images": tuple(i.uri for i in spec.main_images if i.uri) or None,
            "product_attributes": spec.product_attributes or None, "package_weight": spec.package_weight,
            "package_dimensions": spec.package_dimensions, "listing_platforms": platforms or None,
            "status": status,
            "shipping_insurance_requirement": spec.shipping_insurance_requirement if on_tokopedia else None,
            "is_pre_owned": spec.is_pre_owned if tokopedia_only or not spec.is_pre_owned else None,
            "minimum_order_quantity": spec.minimum_order_quantity, "is_cod_allowed": spec.is_cod_allowed,
            "delivery_option_ids": tuple(sorted(spec.delivery_option_ids)) if spec.delivery_option_ids else None,
            "skus": spec.skus,
        }

    def _decide(self, name: str, value: Any, out: ExportedProduct) -> Any:
        if name == "description" and value and value != value.strip():
            out.problems.append("its description starts or ends with blank space, which the catalog trims (a plan "
                                "would send it again): trim it in Seller Center, then import again")
        inherited = name in self.ctx.defaults
        if value is None:
            if inherited:
                return None  # `null`: the default does not apply to this product
            if name in REQUIRED:
                out.problems.append(f"it has no {name.replace('_', ' ')} in the shop, and the catalog needs one")
            return OMIT
        if inherited:
            return OMIT if self._same_as_default(name, value) else value
        default = self.ctx.default_delivery if name == "delivery_option_ids" else PLATFORM_DEFAULTS.get(name, OMIT)
        return OMIT if default is not OMIT and value == default else value

    def _same_as_default(self, name: str, value: Any) -> bool:
        written = self.ctx.defaults[name]
        try:
            if name in ("listing_platforms", "delivery_option_ids"):
                return tuple(sorted({str(v) for v in written})) == tuple(sorted(value))
            if name in ("status", "shipping_insurance_requirement", "is_pre_owned", "minimum_order_quantity",
                        "is_cod_allowed", "title", "category_id"):
                return type(written) is type(value) and written == value or (
                    name == "category_id" and str(written) == value)
            if name == "package_weight":
                raw = written.get("value") if isinstance(written, Mapping) else written
                unit = written.get("unit", "KILOGRAM") if isinstance(written, Mapping) else "KILOGRAM"
                return unit == "KILOGRAM" and canonical_decimal(raw) == value
            if name == "package_dimensions":
                return isinstance(written, Mapping) and (written.get("length"), written.get("width"),
                                                         written.get("height")) == tuple(value)
            if name == "brand":
                return isinstance(written, str) and value.name == written and written not in self.ctx.ambiguous_brands
        except (TypeError, ValueError, AttributeError):
            return False
        return False  # descriptions, images, attributes: written out explicitly

    # ------------------------------------------------------------------ nodes
    def node(self, name: str, value: Any, spec: ProductSpec, out: ExportedProduct) -> Any:
        """The YAML node of one field's live value (None → null)."""
        if value is None:
            return None
        if name == "description":
            return self._description(value, out)
        if name == "category_id":
            return _digits(value)
        if name == "brand":
            return value.name if self._brand_by_name(value) else _flow(id=_digits(value.id or ""))
        if name == "main_images":
            seq = CommentedSeq(_flow(uri=uri) for uri in value)
            return seq
        if name == "product_attributes":
            return self._attributes(value, spec.category_id, out)
        if name == "package_weight":
            return yaml_number(value)
        if name == "package_dimensions":
            return _flow(length=value[0], width=value[1], height=value[2])
        if name == "listing_platforms":
            return _flow_list(value)
        if name == "delivery_option_ids":
            return _flow_list(_digits(v) for v in value)
        return value

    def _comment(self, document: CommentedMap, name: str, value: Any) -> None:
        if name == "brand" and isinstance(value, Ref) and value.name and not self._brand_by_name(value):
            document.yaml_add_eol_comment(value.name, name)
        elif value is None:
            document.yaml_add_eol_comment("not set in the shop: the shop.yaml default does not apply", name)

    def _brand_by_name(self, brand: Ref) -> bool:
        return bool(brand.name) and (brand.name not in self.ctx.ambiguous_brands or not brand.id)

    def _description(self, html: str, out: ExportedProduct) -> Any:
        long = len(html) > LONG_DESCRIPTION or html.count("\n") >= LONG_LINES
        text = template_text(html) if long else None
        if text is not None:
            name = self.template_name(out.key)
            out.templates.append((name, text))
            return _flow(template=name)
        if _BAD_CHARACTERS.search(html) or html != html.strip():
            return DoubleQuotedScalarString(html)
        if "\n" in html:
            if any(line != line.rstrip() for line in html.split("\n")) or "\t" in html:
                return DoubleQuotedScalarString(html)
            return LiteralScalarString(html)
        return html

    def template_name(self, key: str) -> str:
        name, number = f"{key}.html.j2", 2
        while name in self.templates_taken:
            name, number = f"{key}-{number}.html.j2", number + 1
        self.templates_taken.add(name)
        return name

    def _attributes(self, attributes: tuple[ProductAttribute, ...], category: str | None,
                    out: ExportedProduct) -> Any:
        names = [a.name for a in attributes]
        by_name = all(
            a.name and names.count(a.name) == 1 and (category or "", a.name) not in self.ctx.ambiguous_attributes
            and all(v.name and self._value_by_name(category, a, v) for v in a.values) for a in attributes)
        if by_name:
            mapping = CommentedMap()
            for attr in sorted(attributes, key=lambda a: a.name or ""):
                values = sorted(v.name for v in attr.values if v.name)
                mapping[attr.name] = values[0] if len(values) == 1 else _flow_list(values)
            for name in self._default_attribute_names():
                if name not in mapping:
                    mapping[name] = None  # inherited from shop.yaml defaults, not on this product
            return mapping
        items = CommentedSeq()
        for attr in attributes:
            ident = not attr.name or names.count(attr.name) > 1 or (category or "", attr.name) in \
                self.ctx.ambiguous_attributes
            values = _flow_list(v.name if v.name and self._value_by_name(category, attr, v)
                                else _flow(id=_digits(v.id or ""))
                                for v in sorted(attr.values, key=lambda r: (r.name or "", r.id or ""))
                                if v.name or v.id)
            by_id = ident and attr.id
            item = _flow(id=_digits(attr.id or ""), values=values) if by_id else _flow(name=attr.name, values=values)
            items.append(item)
            if ident and attr.id and attr.name:
                items.yaml_add_eol_comment(attr.name, len(items) - 1)
            if not (attr.id or attr.name):
                out.problems.append("a product attribute has neither an id nor a name")
        return items

    def _value_by_name(self, category: str | None, attr: ProductAttribute, value: Ref) -> bool:
        return not value.id or (category or "", attr.id or "", value.name or "") not in self.ctx.ambiguous_values

    def _default_attribute_names(self) -> list[str]:
        written = self.ctx.defaults.get("product_attributes")
        return sorted(str(n) for n in written) if isinstance(written, Mapping) else []

    # ------------------------------------------------------------------ SKUs
    def skus_node(self, skus: tuple[SkuSpec, ...], order: tuple[str, ...], out: ExportedProduct) -> CommentedSeq:
        rank = {sku: number for number, sku in enumerate(order)}
        seq = CommentedSeq()
        for sku in sorted(skus, key=lambda s: (rank.get(s.seller_sku, len(rank)), s.seller_sku)):
            seq.append(self.sku_node(sku, out))
        if not skus:
            out.problems.append("it has no SKUs")
        return seq

    def sku_node(self, sku: SkuSpec, out: ExportedProduct) -> CommentedMap:
        node = CommentedMap()
        if not sku.seller_sku:
            out.problems.append("a SKU has no seller SKU: give every SKU a seller SKU in Seller Center (the "
                                "catalog matches SKUs by it)")
        node["seller_sku"] = sku.seller_sku
        if sku.sales_attributes:
            attributes = _flow()
            for attr in sku.sales_attributes:
                if not attr.name or not attr.value:
                    out.problems.append(f"SKU {sku.seller_sku}: a sales attribute has no name or value in the shop")
                    continue
                attributes[attr.name] = attr.value
            node["sales_attributes"] = attributes
        node["price"] = yaml_number(sku.price)
        if not self.ctx.stock_owned_by_shop:
            node["inventory"] = self._inventory(sku, out)
        if sku.pre_sale_days is not None:
            node["pre_sale"] = _flow(type="PRE_ORDER", handling_duration_days=sku.pre_sale_days)
        if sku.identifier_code is not None:
            node["identifier_code"] = _flow(type=sku.identifier_code[0], code=_digits(sku.identifier_code[1]))
        return node

    def _inventory(self, sku: SkuSpec, out: ExportedProduct) -> CommentedMap:
        names = list(self.ctx.warehouses)
        stock: dict[str, int] = {}
        for warehouse_id, quantity in sku.inventory:
            name = self.by_warehouse_id.get(warehouse_id)
            if name is None:
                out.shop_problems.append(unknown_warehouse(warehouse_id, self.ctx.warehouse_labels.get(warehouse_id)))
                continue
            stock[name] = quantity
        if not sku.inventory:
            out.problems.append(f"SKU {sku.seller_sku} has no warehouse in the shop")
        return _flow({name: stock[name] for name in sorted(stock, key=names.index)})


def unknown_warehouse(warehouse_id: str, label: str | None) -> str:
    name = label or "Gudang …"
    called = f" (called {label!r} in the shop)" if label else ""
    return (f"warehouse {warehouse_id}{called} is not in shop.yaml: add it under `warehouses:`, e.g. "
            f"`{name}: \"{warehouse_id}\"`, then import again")
