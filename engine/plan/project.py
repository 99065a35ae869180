"""Views: desired and live specs as plain, comparable values, seen through the catalog.

`desired_view(spec)` and `live_view(live_spec, desired)` turn the declared fields of a product
into plain JSON values keyed by natural keys (SKUs by seller_sku, inventory by warehouse id,
attributes by the name or id the catalog wrote). Equal views mean "nothing to do"; the views
are also what field changes show. Rules (all on the desired side's terms):

- only fields in `desired.declared` are viewed (an undeclared field is not managed);
- references (brand, attribute, attribute value, sales attribute) are compared on what the
  catalog wrote: by id, by name, or both;
- a local image is compared through `image_uris` ((path, sha256) → uploaded uri); one with no
  known uri never equals a live image (it needs an upload);
- inside a SKU, warehouses the catalog does not list, an unset `identifier_code` and empty
  `sales_attributes` are not managed (full and partial edits copy them from the live SKU);
- `listing_platforms` and `status` are not viewed here: routing handles them per platform.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

from engine.catalog.build import with_fields
from engine.catalog.spec import (MANAGED_FIELDS, ImageRef, ProductAttribute, ProductSpec, Ref, SalesAttribute,
                                 SkuSpec)
from engine.plan.images import ImageIndex, ImageUris, image_label, images_same
from engine.plan.images import annotated_images  # noqa: F401  (re-exported: planner, shop.import_refresh)
from engine.plan.model import FieldChange
_SELLER_SKU = operator.attrgetter("seller_sku")

# Fields routing treats separately from the content view.
PLATFORM_FIELDS = frozenset({"listing_platforms", "status"})
DICT_FIELDS = frozenset({"skus", "product_attributes"})


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


def _project_refs(live: tuple[Ref, ...], wanted: tuple[Ref, ...]) -> list[str]:
    default = _shape(wanted[0]) if wanted else (False, True)
    out = []
    for ref in live:
        match = _match(ref, wanted)
        out.append(ref_label(_cut(ref, _shape(match) if match else default)))
    return sorted(out)


def _attr_ref(attr: ProductAttribute | SalesAttribute) -> Ref:
    return Ref(attr.id, attr.name)


def sales_label(attr: SalesAttribute) -> str:
    name = ref_label(Ref(attr.id, attr.name))
    value = ref_label(Ref(attr.value_id, attr.value))
    return f"{name}: {value}"


def identifier_label(code: tuple[str, str] | None) -> str | None:
    return None if code is None else f"{code[0]} {code[1]}"


# --------------------------------------------------------------------------- desired
def sku_view(sku: SkuSpec) -> dict:
    return {
        "price": sku.price,
        "inventory": dict(sku.inventory),
        "sales_attributes": list(_sales_labels(sku.sales_attributes)) if sku.sales_attributes else [],
        "pre_sale_days": sku.pre_sale_days,
        "identifier_code": identifier_label(sku.identifier_code),
    }


@functools.lru_cache(maxsize=4096)
def _sales_labels(attributes: tuple[SalesAttribute, ...]) -> tuple[str, ...]:
    """Sorted labels of a SKU's sales attributes (the same few combinations recur across a shop)."""
    return tuple(sorted(sales_label(a) for a in attributes))


sales_labels = _sales_labels  # public names for render/created.py (a create's lines without views)


def desired_view(spec: ProductSpec, names: tuple[str, ...] | list[str] | None = None) -> dict:
    out = {}
    for name in content_fields(spec) if names is None else names:
        value = getattr(spec, name)
        if name == "skus":
            out[name] = {s.seller_sku: sku_view(s) for s in value}
        elif name == "product_attributes":
            out[name] = {ref_label(_attr_ref(a)): sorted(ref_label(v) for v in a.values) for a in value}
        elif name == "main_images":
            out[name] = [image_label(i) for i in value]
        else:
            out[name] = _scalar_view(name, value)
    return out


def created_changes(spec: ProductSpec) -> tuple[FieldChange, ...]:
    """What a create sends, as field changes from nothing: `diff.added_changes(desired_view(spec))`
    in one pass (10,000 creates: no intermediate view)."""
    changes = []
    append = changes.append
    for name in content_fields(spec):  # MANAGED_FIELDS order = display order
        value = getattr(spec, name)
        if name == "skus":
            for sku in sorted(value, key=_SELLER_SKU):
                append(FieldChange(("skus", sku.seller_sku), None, sku_view(sku)))
        elif name == "product_attributes":
            labels = {ref_label(_attr_ref(a)): sorted(ref_label(v) for v in a.values) for a in value}
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


def content_fields(spec: ProductSpec) -> tuple[str, ...]:
    return _content_fields(spec.declared)


@functools.lru_cache(maxsize=256)
def _content_fields(declared: frozenset[str]) -> tuple[str, ...]:
    return tuple(n for n in MANAGED_FIELDS if n in declared and n not in PLATFORM_FIELDS)


def _scalar_view(name: str, value: object) -> object:
    if name == "brand":
        return ref_label(value)  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return sorted(value) if name == "delivery_option_ids" else list(value)
    return value


scalar_view = _scalar_view


# --------------------------------------------------------------------------- live
def live_view(live: ProductSpec, desired: ProductSpec, images: "ImageIndex",
              names: tuple[str, ...] | list[str] | None = None) -> dict:
    """The live spec projected onto what `desired` declares, in desired's reference terms."""
    out = {}
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


def _live_sku_view(sku: SkuSpec, want: SkuSpec | None) -> dict:
    view = sku_view(sku)
    if want is None:  # a SKU the catalog removes: shown by names
        view["sales_attributes"] = sorted(sales_label(_by_name(a)) for a in sku.sales_attributes)
        return view
    wanted_wh = {wh for wh, _ in want.inventory}
    view["inventory"] = {wh: qty for wh, qty in sku.inventory if wh in wanted_wh}
    if not want.sales_attributes:
        view["sales_attributes"] = []
    else:
        view["sales_attributes"] = sorted(_project_sales(a, want.sales_attributes)
                                          for a in sku.sales_attributes)
    if want.identifier_code is None:
        view["identifier_code"] = None
    return view


def _by_name(attr: SalesAttribute) -> SalesAttribute:
    return SalesAttribute(attr.name, attr.value, None if attr.name else attr.id, None if attr.value else attr.value_id)


def _project_sales(attr: SalesAttribute, wanted: tuple[SalesAttribute, ...]) -> str:
    match = _match(_attr_ref(attr), tuple(_attr_ref(w) for w in wanted))
    want = next((w for w in wanted if match and _attr_ref(w) == match), wanted[0])
    name = _cut(Ref(attr.id, attr.name), _shape(Ref(want.id, want.name)))
    value = _cut(Ref(attr.value_id, attr.value), _shape(Ref(want.value_id, want.value)))
    return f"{ref_label(name)}: {ref_label(value)}"


def _live_attributes(live: tuple[ProductAttribute, ...], wanted: tuple[ProductAttribute, ...]) -> dict:
    wanted_refs = tuple(_attr_ref(a) for a in wanted)
    out = {}
    for attr in live:
        match = _match(_attr_ref(attr), wanted_refs)
        if match is None:
            out[ref_label(Ref(None, attr.name) if attr.name else Ref(attr.id))] = sorted(
                ref_label(Ref(None, v.name) if v.name else v) for v in attr.values)
            continue
        want = wanted[wanted_refs.index(match)]
        out[ref_label(match)] = _project_refs(attr.values, want.values)
    return out


# --------------------------------------------------------------------------- cheap comparison
def changed_fields(desired: ProductSpec, live: ProductSpec, images: ImageIndex,
                   own: ImageUris | None = None) -> list[str]:
    """Declared content fields whose live value differs from the desired one — without building
    views for the fields that match (the common case costs a few comparisons per field).
    `own`: the product's own uploaded images (annotated_images), layered over `images`."""
    plain, values_of, special = _comparisons(desired.declared)
    changed = []
    if values_of is not None and values_of(desired) != values_of(live):  # one C compare of all plain fields
        changed = [name for name in plain if getattr(desired, name) != getattr(live, name)]
    plain_changed = len(changed)
    for name in special:
        want, have = getattr(desired, name), getattr(live, name)
        if want is have:
            continue
        if name == "skus":
            same = _skus_same(want, have)
        elif name == "brand":
            same = _ref_same(want, have)
        elif name == "main_images":
            same = images_same(want, have, images, own)
        elif name == "product_attributes":
            entry = _ATTRIBUTE_PAIRS.get((id(want), id(have)))
            if entry is not None and entry[0] is want and entry[1] is have:
                same = entry[2]
            else:
                same = _attributes_same(desired, live, images)
        else:  # delivery_option_ids: a set
            same = want == have or (want is not None and have is not None and sorted(want) == sorted(have))
        if not same:
            changed.append(name)
    if plain_changed and len(changed) > plain_changed:
        changed.sort(key=MANAGED_FIELDS.index)  # display order
    return changed


def _attributes_same(desired: ProductSpec, live: ProductSpec, images: ImageIndex) -> bool:
    """Product attributes compared (by name when both sides are simple, else by their views),
    remembered for the pair of tuples (see _ATTRIBUTE_PAIRS)."""
    want, have = desired.product_attributes, live.product_attributes
    same = _attributes_same_by_name(want, have)
    if same is None:
        names = ("product_attributes",)
        same = desired_view(desired, names) == live_view(live, desired, images, names)
    if len(_ATTRIBUTE_PAIRS) >= 4096:
        _ATTRIBUTE_PAIRS.clear()
    _ATTRIBUTE_PAIRS[id(want), id(have)] = (want, have, same)
    return same


# (id(desired tuple), id(live tuple)) → (desired tuple, live tuple, same): the loader and the
# reader share equal attribute sets, so a shop has a few dozen pairs, not one per product. An
# entry holds both tuples, so their ids cannot be reused while it exists.
_ATTRIBUTE_PAIRS: dict[tuple[int, int], tuple[tuple, tuple, bool]] = {}

_SPECIAL = frozenset({"skus", "brand", "main_images", "product_attributes", "delivery_option_ids"})


@functools.lru_cache(maxsize=256)
def _comparisons(declared: frozenset[str]) -> tuple[tuple[str, ...], Callable | None, tuple[str, ...]]:
    """(plain fields, a getter of their values, fields compared by their own rules): plain values
    (strings, numbers, tuples of them) are equal exactly when the views are."""
    fields = _content_fields(declared)
    plain = tuple(n for n in fields if n not in _SPECIAL)
    getter = operator.attrgetter(*plain) if plain else None
    return plain, getter, tuple(n for n in fields if n in _SPECIAL)


def _ref_same(want: Ref | None, have: Ref | None) -> bool:
    """A brand as the catalog wrote it (id, name or both) vs the live one, as the views show it."""
    if want is None or have is None or (want.id is None and want.name is None):
        return want == have
    return (want.id is None or want.id == have.id) and (want.name is None or want.name == have.name)


def _skus_same(want: tuple[SkuSpec, ...], have: tuple[SkuSpec, ...]) -> bool:
    if len(want) != len(have):
        return False
    previous = None
    for sku, other in zip(want, have):  # both sorted by seller_sku: paired in place
        code = sku.seller_sku
        if code != other.seller_sku or (previous is not None and not previous < code):
            break
        previous = code
        mine, theirs = sku.sales_attributes, other.sales_attributes
        if (sku.price == other.price and sku.inventory == other.inventory and sku.identifier_code is None
                and sku.pre_sale_days == other.pre_sale_days and len(mine) == 1 == len(theirs)):
            w, h = mine[0], theirs[0]  # the common case inline: one sales attribute written by name
            if (w.name == h.name and w.value == h.value and w.id is None and w.value_id is None
                    and w.name is not None and w.value is not None):
                continue
        if not _sku_same(sku, other):
            return False
    else:
        return True
    live = {s.seller_sku: s for s in have}
    return all(_sku_same(sku, live.get(sku.seller_sku)) for sku in want)


def _sku_same(sku: SkuSpec, other: SkuSpec | None) -> bool:
    """The desired SKU and its live one show the same view (warehouses, barcode and sales
    attributes the catalog leaves out are not compared)."""
    if other is None or sku.price != other.price or sku.pre_sale_days != other.pre_sale_days:
        return False
    if sku.identifier_code is not None and sku.identifier_code != other.identifier_code:
        return False
    if sku.inventory != other.inventory:
        stock = dict(other.inventory)
        if any(stock.get(wh) != qty for wh, qty in sku.inventory):
            return False
    want, have = sku.sales_attributes, other.sales_attributes
    if not want or want is have:
        return True
    if len(want) == 1 == len(have):  # the common case: one attribute the catalog wrote by name
        w, h = want[0], have[0]
        if (w.id is None and w.value_id is None and w.name is not None and w.value is not None
                and w.name == h.name and w.value == h.value):
            return True
    return _same_sales(want, have)


def differing_skus(desired: ProductSpec, live: ProductSpec) -> tuple[ProductSpec, ProductSpec]:
    """`desired` and `live` with only the SKUs whose views differ (added, removed or changed):
    their views give the same field changes as the whole specs', without viewing the rest."""
    have = {s.seller_sku: s for s in live.skus}
    keep = {s.seller_sku for s in desired.skus if not _sku_same(s, have.get(s.seller_sku))}
    keep |= have.keys() - {s.seller_sku for s in desired.skus}
    if len(keep) == len(desired.skus) == len(live.skus):
        return desired, live
    return (with_fields(desired, skus=tuple(s for s in desired.skus if s.seller_sku in keep)),
            with_fields(live, skus=tuple(s for s in live.skus if s.seller_sku in keep)))


@functools.lru_cache(maxsize=8192)
def _same_sales(want: tuple[SalesAttribute, ...], have: tuple[SalesAttribute, ...]) -> bool:
    """A SKU's sales attributes as the catalog wrote them vs the live ones, as the views see them
    (the same few combinations recur across a shop: answered once per pair of values)."""
    if _same_by_name(want, have):
        return True
    mine = sorted(sales_label(a) for a in want)
    return mine == sorted(_project_sales(a, want) for a in have)


def _attributes_same_by_name(want: tuple[ProductAttribute, ...], have: tuple[ProductAttribute, ...]) -> bool | None:
    """Product attributes the catalog wrote by name (attribute and values), compared with the
    live ones by name the way the views compare them (the live side adds ids): True / False, or
    None when either side is not that simple (an extra, missing, duplicate or nameless one:
    the views say how it shows)."""
    if len(want) != len(have):
        return None
    live = {attr.name: attr for attr in have}
    if len(live) != len(have):
        return None
    same = True
    for attr in want:
        other = live.pop(attr.name, None) if attr.id is None and attr.name is not None else None
        if other is None:
            return None
        values, theirs = attr.values, other.values
        if len(values) == 1 == len(theirs):  # the common case: one value each
            value, name = values[0], theirs[0].name
            if value.id is not None or value.name is None or name is None:
                return None
            same = same and value.name == name
            continue
        names = [v.name for v in values if v.id is None]
        live_names = [v.name for v in theirs]
        if len(names) != len(values) or None in names or None in live_names:
            return None
        same = same and sorted(names) == sorted(live_names)
    return same


def _same_by_name(want: tuple[SalesAttribute, ...], have: tuple[SalesAttribute, ...]) -> bool:
    """Sales attributes the catalog wrote by name that the live SKU has under the same names and
    values (the live side adds ids): the same, without projecting each one (~35 % of planning a
    synced shop)."""
    if any(w.id is not None or w.value_id is not None or w.name is None or w.value is None for w in want):
        return False
    return sorted((w.name, w.value) for w in want) == sorted((h.name, h.value) for h in have)
