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
from typing import Any

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
def ref_label(ref: Ref | None) -> str | None:
    if ref is None:
        return None
    if ref.id is not None and ref.name is not None:
        return f"{ref.name} #{ref.id}"
    return ref.name if ref.name is not None else ref.id


def _shape(ref: Ref) -> tuple[bool, bool]:
    return ref.id is not None, ref.name is not None


def _cut(ref: Ref, shape: tuple[bool, bool]) -> Ref:
    has_id, has_name = shape
    if not has_id and not has_name:
        shape = (ref.name is None, ref.name is not None)
        has_id, has_name = shape
    return Ref(ref.id if has_id else None, ref.name if has_name else None)


def _match(ref: Ref, wanted: tuple[Ref, ...]) -> Ref | None:
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
    return sorted(labels, key=lambda label: (label is not None, label or ""))


def _project_refs(live: tuple[Ref, ...], wanted: tuple[Ref, ...]) -> list[str | None]:
    default = _shape(wanted[0]) if wanted else (False, True)
    return _sorted_labels(ref_label(_cut(ref, _shape(match) if (match := _match(ref, wanted)) else default))
                          for ref in live)


def _attr_ref(attr: ProductAttribute | SalesAttribute) -> Ref:
    return Ref(attr.id, attr.name)


def _attribute_label(ref: Ref) -> str:
    """A product attribute's key in the views ("" for one with neither id nor name)."""
    return ref_label(ref) or ""


def sales_label(attr: SalesAttribute) -> str:
    name = ref_label(Ref(attr.id, attr.name))
    value = ref_label(Ref(attr.value_id, attr.value))
    return f"{name}: {value}"


def identifier_label(code: tuple[str, str] | None) -> str | None:
    return None if code is None else f"{code[0]} {code[1]}"


# --------------------------------------------------------------------------- desired
def sku_view(sku: SkuSpec) -> dict[str, Any]:
    return {
        "price": sku.price,
        "inventory": dict(sku.inventory),
        "sales_attributes": sorted(sales_label(a) for a in sku.sales_attributes),
        "pre_sale_days": sku.pre_sale_days,
        "identifier_code": identifier_label(sku.identifier_code),
    }


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
    """What a create sends, as field changes from nothing: `diff.added_changes(desired_view(spec))`
    in one pass (10,000 creates: no intermediate view)."""
    changes: list[FieldChange] = []
    append = changes.append
    for name in content_fields(spec):  # MANAGED_FIELDS order = display order
        value = getattr(spec, name)
        if name == "skus":
            for sku in sorted(value, key=_SELLER_SKU):
                append(FieldChange(("skus", sku.seller_sku), None, sku_view(sku)))
        elif name == "product_attributes":
            labels = _desired_attributes(value)
            for label in sorted(labels):
                append(FieldChange((name, label), None, labels[label]))
        elif name == "main_images":
            if value:
                append(FieldChange((name,), None, [image_label(i) for i in value]))
        else:
            shown = _scalar_view(name, value)
            if shown is not None and shown != []:
                append(FieldChange((name,), None, shown))
    return tuple(changes)


def _desired_attributes(attributes: tuple[ProductAttribute, ...]) -> dict[str, list[str | None]]:
    return {_attribute_label(_attr_ref(a)): _sorted_labels(ref_label(v) for v in a.values) for a in attributes}


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
            out[name] = ref_label(_cut(value, _shape(want)) if value and want else value)
        else:
            out[name] = _scalar_view(name, value)
    return out


def _live_sku_view(sku: SkuSpec, want: SkuSpec | None) -> dict[str, Any]:
    view = sku_view(sku)
    if want is None:  # a SKU the catalog removes: shown by names
        view["sales_attributes"] = sorted(sales_label(_by_name(a)) for a in sku.sales_attributes)
        return view
    wanted_wh = {wh for wh, _ in want.inventory}
    view["inventory"] = {wh: qty for wh, qty in sku.inventory if wh in wanted_wh}
    if not want.sales_attributes:
        view["sales_attributes"] = []
    else:
        view["sales_attributes"] = sorted(project_sales(a, want.sales_attributes)
                                          for a in sku.sales_attributes)
    if want.identifier_code is None:
        view["identifier_code"] = None
    return view


def _by_name(attr: SalesAttribute) -> SalesAttribute:
    return SalesAttribute(attr.name, attr.value, None if attr.name else attr.id, None if attr.value else attr.value_id)


def project_sales(attr: SalesAttribute, wanted: tuple[SalesAttribute, ...]) -> str:
    match = _match(_attr_ref(attr), tuple(_attr_ref(w) for w in wanted))
    want = next((w for w in wanted if match and _attr_ref(w) == match), wanted[0])
    name = _cut(Ref(attr.id, attr.name), _shape(Ref(want.id, want.name)))
    value = _cut(Ref(attr.value_id, attr.value), _shape(Ref(want.value_id, want.value)))
    return f"{ref_label(name)}: {ref_label(value)}"


def _live_attributes(live: tuple[ProductAttribute, ...], wanted: tuple[ProductAttribute, ...]
                     ) -> dict[str, list[str | None]]:
    wanted_refs = tuple(_attr_ref(a) for a in wanted)
    out = {}
    for attr in live:
        match = _match(_attr_ref(attr), wanted_refs)
        if match is None:  # an attribute the catalog does not write: shown by names
            out[_attribute_label(Ref(None, attr.name) if attr.name else Ref(attr.id))] = _sorted_labels(
                ref_label(Ref(None, v.name) if v.name else v) for v in attr.values)
            continue
        want = wanted[wanted_refs.index(match)]
        out[_attribute_label(match)] = _project_refs(attr.values, want.values)
    return out
