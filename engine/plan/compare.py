"""Comparing a desired product with its live one: views, and which fields differ.

`desired_view(spec)` and `live_view(live_spec, desired)` turn the declared fields of a product
into plain JSON values keyed by natural keys (SKUs by seller_sku, inventory by warehouse id,
attributes by the name or id the catalog wrote). Equal views mean "nothing to do"; the views
are also what field changes show (engine.plan.diff). Rules (all on the desired side's terms):

- only fields in `desired.declared` are viewed (an undeclared field is not managed);
- references (brand, attribute, attribute value, sales attribute) are compared on what the
  catalog wrote: by id, by name, or both;
- a local image is compared through the plan's `ImageIndex` ((path, sha256) → uploaded uri);
  one with no known uri never equals a live image (it needs an upload);
- inside a SKU, warehouses the catalog does not list, an unset `identifier_code` and empty
  `sales_attributes` are not managed (full and partial edits copy them from the live SKU);
- `listing_platforms` and `status` are not viewed here: routing handles them per platform.

`changed_fields` is what the planner asks of every matched product on every plan (10,000 of
them, nearly all unchanged): a field whose desired and live values are equal is unchanged
(equal values give equal views), so only the fields that differ as values are viewed.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from engine.catalog.spec import MANAGED_FIELDS, ProductAttribute, ProductSpec, Ref, SalesAttribute, SkuSpec
from engine.plan.images import ImageIndex, image_label
from engine.plan.model import FieldChange

_SELLER_SKU = operator.attrgetter("seller_sku")

# Fields routing treats separately from the content view.
PLATFORM_FIELDS = frozenset({"listing_platforms", "status"})


def changed_fields(desired: ProductSpec, live: ProductSpec, images: ImageIndex) -> list[str]:
    """Declared content fields whose live view differs from the desired one, in display order.
    `images`: the plan's uploads, with the product's own (annotated_images) layered on."""
    changed = []
    for name in content_fields(desired):
        if getattr(desired, name) == getattr(live, name):
            continue  # the common case: equal values, equal views
        names = (name,)
        if desired_view(desired, names) != live_view(live, desired, images, names):
            changed.append(name)
    return changed


# --------------------------------------------------------------------------- labels
# A reference (an id, a name or both): a Ref, a product attribute or a sales attribute.
Named = TypeVar("Named", Ref, ProductAttribute, SalesAttribute)


def label(id_: str | None, name: str | None) -> str | None:
    """How a reference shows: "name #id", the name, or the id (None when it has neither)."""
    if id_ is not None and name is not None:
        return f"{name} #{id_}"
    return name if name is not None else id_


def ref_label(ref: Ref | None) -> str | None:
    return None if ref is None else label(ref.id, ref.name)


def _shown(id_: str | None, name: str | None, has_id: bool, has_name: bool) -> str | None:
    """The label of a live reference cut to what the catalog wrote (`has_id` / `has_name`: the
    catalog's reference has an id / a name; when it has neither, by name if there is one)."""
    if not has_id and not has_name:
        has_id, has_name = name is None, name is not None
    return label(id_ if has_id else None, name if has_name else None)


def _match(ref: Named, wanted: Sequence[Named]) -> Named | None:
    """The catalog's reference `ref` stands for: the first with its id, else the first written
    by name only with its name."""
    for want in wanted:
        if want.id is not None and want.id == ref.id:
            return want
    for want in wanted:
        if want.id is None and want.name is not None and want.name == ref.name:
            return want
    return None


def _sorted_labels(labels: Iterable[str | None]) -> list[str | None]:
    """Labels in order (a reference with neither id nor name, which only a malformed shop
    answer gives, labels None: first)."""
    return sorted(labels, key=lambda text: (text is not None, text or ""))


def _project_refs(live: tuple[Ref, ...], wanted: tuple[Ref, ...]) -> list[str | None]:
    """Live attribute values, each shown as the catalog wrote the value it stands for (values
    the catalog does not write: as it writes its first one)."""
    first = wanted[0] if wanted else Ref(None, "")
    out = []
    for ref in live:
        want = _match(ref, wanted) or first
        out.append(_shown(ref.id, ref.name, want.id is not None, want.name is not None))
    return _sorted_labels(out)


def _attribute_label(ref: Ref | ProductAttribute) -> str:
    """A product attribute's key in the views ("" for one with neither id nor name)."""
    return label(ref.id, ref.name) or ""


def sales_label(attr: SalesAttribute) -> str:
    return f"{label(attr.id, attr.name)}: {label(attr.value_id, attr.value)}"


def identifier_label(code: tuple[str, str] | None) -> str | None:
    return None if code is None else f"{code[0]} {code[1]}"


# --------------------------------------------------------------------------- desired
def sku_view(sku: SkuSpec) -> dict[str, Any]:
    return _sku_view(sku, dict(sku.inventory), sorted(sales_label(a) for a in sku.sales_attributes),
                     identifier_label(sku.identifier_code))


def _sku_view(sku: SkuSpec, inventory: dict[str, int], sales: list[str], identifier: str | None) -> dict[str, Any]:
    return {"price": sku.price, "inventory": inventory, "sales_attributes": sales,
            "pre_sale_days": sku.pre_sale_days, "identifier_code": identifier}


def desired_view(spec: ProductSpec, names: Sequence[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in content_fields(spec) if names is None else names:
        value = getattr(spec, name)
        if name == "skus":
            out[name] = {s.seller_sku: sku_view(s) for s in value}
        elif name == "product_attributes":
            out[name] = _desired_attributes(value)
        elif name == "main_images":
            out[name] = [image_label(i) for i in value]
        else:
            out[name] = _scalar_view(name, value)
    return out


def created_changes(spec: ProductSpec) -> tuple[FieldChange, ...]:
    """What a create sends, as field changes from nothing: one per SKU, per product attribute
    and per other declared field with a value, in display order (as `diff.field_changes`
    would list them against an empty product)."""
    changes: list[FieldChange] = []
    append = changes.append
    for name in content_fields(spec):  # MANAGED_FIELDS order = display order
        value = getattr(spec, name)
        if name == "skus":
            for sku in sorted(value, key=_SELLER_SKU):
                append(FieldChange(("skus", sku.seller_sku), None, sku_view(sku)))
        elif name == "product_attributes":
            labels = _desired_attributes(value)
            for key in sorted(labels):
                append(FieldChange((name, key), None, labels[key]))
        elif name == "main_images":
            if value:
                append(FieldChange((name,), None, [image_label(i) for i in value]))
        else:
            shown = _scalar_view(name, value)
            if shown is not None and shown != []:
                append(FieldChange((name,), None, shown))
    return tuple(changes)


def _desired_attributes(attributes: tuple[ProductAttribute, ...]) -> dict[str, list[str | None]]:
    return {_attribute_label(a): _sorted_labels(ref_label(v) for v in a.values) for a in attributes}


def content_fields(spec: ProductSpec) -> tuple[str, ...]:
    """The declared fields the views show, in display order (routing handles the platform fields)."""
    declared = spec.declared
    return tuple(n for n in MANAGED_FIELDS if n in declared and n not in PLATFORM_FIELDS)


def _scalar_view(name: str, value: Any) -> Any:
    if name == "brand":
        return ref_label(value)
    if isinstance(value, tuple):
        return sorted(value) if name == "delivery_option_ids" else list(value)
    return value


# --------------------------------------------------------------------------- live
def live_view(live: ProductSpec, desired: ProductSpec, images: ImageIndex,
              names: Sequence[str] | None = None) -> dict[str, Any]:
    """The live spec projected onto what `desired` declares, in desired's reference terms."""
    out: dict[str, Any] = {}
    for name in content_fields(desired) if names is None else names:
        value = getattr(live, name)
        if name == "skus":
            wanted = {s.seller_sku: s for s in desired.skus}
            out[name] = {s.seller_sku: _live_sku_view(s, wanted.get(s.seller_sku)) for s in value}
        elif name == "product_attributes":
            out[name] = _live_attributes(value, desired.product_attributes)
        elif name == "main_images":
            out[name] = images.live_labels(value, desired.main_images)
        elif name == "brand":
            want = desired.brand
            out[name] = (_shown(value.id, value.name, want.id is not None, want.name is not None)
                         if value and want else ref_label(value))
        else:
            out[name] = _scalar_view(name, value)
    return out


def _live_sku_view(sku: SkuSpec, want: SkuSpec | None) -> dict[str, Any]:
    identifier = identifier_label(sku.identifier_code)
    if want is None:  # a SKU the catalog removes: shown by names
        sales = sorted(f"{label(None if a.name else a.id, a.name)}: {label(None if a.value else a.value_id, a.value)}"
                       for a in sku.sales_attributes)
        return _sku_view(sku, dict(sku.inventory), sales, identifier)
    wanted_wh = {wh for wh, _ in want.inventory}
    inventory = {wh: qty for wh, qty in sku.inventory if wh in wanted_wh}
    sales = sorted(project_sales(a, want.sales_attributes) for a in sku.sales_attributes) \
        if want.sales_attributes else []
    return _sku_view(sku, inventory, sales, None if want.identifier_code is None else identifier)


def project_sales(attr: SalesAttribute, wanted: tuple[SalesAttribute, ...]) -> str:
    """A live sales attribute shown as the catalog wrote the one it stands for (else its first)."""
    want = _match(attr, wanted) or wanted[0]
    name = _shown(attr.id, attr.name, want.id is not None, want.name is not None)
    value = _shown(attr.value_id, attr.value, want.value_id is not None, want.value is not None)
    return f"{name}: {value}"


def _live_attributes(live: tuple[ProductAttribute, ...], wanted: tuple[ProductAttribute, ...]
                     ) -> dict[str, list[str | None]]:
    out = {}
    for attr in live:
        want = _match(attr, wanted)
        if want is None:  # an attribute the catalog does not write: shown by names
            key = _attribute_label(Ref(None, attr.name) if attr.name else Ref(attr.id))
            out[key] = _sorted_labels(label(None, v.name) if v.name else ref_label(v) for v in attr.values)
        else:
            out[_attribute_label(want)] = _project_refs(attr.values, want.values)
    return out
