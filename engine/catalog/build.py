"""Resolved YAML values → the normalised `ProductSpec` (conventions in spec.py's docstring).

Runs only on products that passed every rule, so it converts without checking: warehouse
names become ids, numbers become canonical decimal strings, every tuple is sorted (SKUs by
seller_sku, inventory by warehouse id, attributes by id-or-name, platforms alphabetically);
main images keep the order written (the first is the cover).
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    SourceRef,
    canonical_decimal,
)

_MANAGED = frozenset(MANAGED_FIELDS)
_BY_SELLER_SKU = attrgetter("seller_sku")


class SpecBuilder:
    """Builds specs; equal small values (refs, sales attributes, attributes) are shared, not rebuilt."""

    def __init__(self, warehouses: dict[str, str]) -> None:
        self.warehouses = warehouses
        self._sales: dict[tuple, tuple[SalesAttribute, ...]] = {}
        self._attributes: dict[tuple, ProductAttribute] = {}
        self._brands: dict[Any, Ref] = {}

    def build(self, key: str, values: dict[str, Any], *, description: str | None,
              images: tuple[ImageRef, ...], source: SourceRef) -> ProductSpec:
        fields: dict[str, Any] = {name: values[name] for name in _PLAIN_FIELDS if name in values}
        if "description" in values:
            fields["description"] = description
        if "brand" in values:
            fields["brand"] = self._brand(values["brand"])
        if "main_images" in values:
            fields["main_images"] = images
        if "product_attributes" in values:
            fields["product_attributes"] = self._attributes_of(values["product_attributes"])
        if "package_weight" in values:
            weight = values["package_weight"]
            fields["package_weight"] = fast_decimal(weight if isinstance(weight, str) else weight.value)
        if "package_dimensions" in values:
            box = values["package_dimensions"]
            fields["package_dimensions"] = (box.length, box.width, box.height)
        if "listing_platforms" in values:
            fields["listing_platforms"] = tuple(sorted(set(values["listing_platforms"])))
        if "delivery_option_ids" in values:
            fields["delivery_option_ids"] = tuple(sorted(set(values["delivery_option_ids"])))
        if "skus" in values:
            fields["skus"] = tuple(sorted([self._sku(sku) for sku in values["skus"]], key=_BY_SELLER_SKU))
        return ProductSpec(key=key, declared=_MANAGED.intersection(values), source=source, **fields)

    def _brand(self, brand: Any) -> Ref:
        cache_key = brand if isinstance(brand, str) else (brand.id, brand.name)
        ref = self._brands.get(cache_key)
        if ref is None:
            ref = self._brands[cache_key] = Ref(name=brand) if isinstance(brand, str) else Ref(id=brand.id,
                                                                                               name=brand.name)
        return ref

    def _attributes_of(self, value: Any) -> tuple[ProductAttribute, ...]:
        out = []
        if isinstance(value, dict):
            for name, written in value.items():
                items = tuple(written) if isinstance(written, list) else (written,)
                cache_key = (name, items)
                attribute = self._attributes.get(cache_key)
                if attribute is None:
                    attribute = self._attributes[cache_key] = ProductAttribute(
                        id=None, name=name, values=_refs(Ref(name=v) for v in items))
                out.append(attribute)
        else:
            for item in value:
                refs = (Ref(name=v) if isinstance(v, str) else Ref(id=v.id, name=v.name) for v in item.values)
                out.append(ProductAttribute(id=item.id, name=item.name, values=_refs(refs)))
        if len(out) > 1:
            out.sort(key=_attribute_order)
        return tuple(out)

    def _sku(self, sku: Any) -> SkuSpec:
        warehouses = self.warehouses
        inventory = [(warehouses[name], quantity) for name, quantity in sku.inventory.items()]
        if len(inventory) > 1:
            inventory.sort()
        written = tuple(sku.sales_attributes.items())
        sales = self._sales.get(written)
        if sales is None:
            sales = self._sales[written] = tuple(sorted(SalesAttribute(name=n, value=v) for n, v in written))
        code = (sku.identifier_code.type, sku.identifier_code.code) if sku.identifier_code else None
        days = sku.pre_sale.handling_duration_days if sku.pre_sale else None
        return SkuSpec(seller_sku=sku.seller_sku, price=fast_decimal(sku.price), inventory=tuple(inventory),
                       sales_attributes=sales, pre_sale_days=days, identifier_code=code)


_PLAIN_FIELDS = ("title", "category_id", "status", "shipping_insurance_requirement", "is_pre_owned",
                 "minimum_order_quantity", "is_cod_allowed")


def _attribute_order(attribute: ProductAttribute) -> tuple[str, str]:
    return (attribute.id or attribute.name or "", attribute.name or "")


def _refs(refs: Any) -> tuple[Ref, ...]:
    return tuple(sorted(set(refs), key=lambda r: (r.id or r.name or "", r.name or "")))


_CANONICAL = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def fast_decimal(text: str) -> str:
    """canonical_decimal, without Decimal when the text is canonical already (150000, 0.25)."""
    if _CANONICAL.fullmatch(text):
        return text
    return canonical_decimal(text)


