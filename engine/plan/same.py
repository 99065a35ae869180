"""Cheap comparison: which declared fields of a live product differ from the desired ones,
without building views for the fields that match (project.py's views are the reference:
tests/test_plan_same.py and tests/test_plan_properties.py hold these answers to them).

`changed_fields` is what the planner asks of every managed product on every plan (10,000 of
them, nearly all unchanged): plain fields in one tuple compare, SKUs paired in place, simple
attributes and sales attributes compared inline, product attributes remembered per pair of
shared tuples; only a field that differs is viewed (`differing_skus` narrows SKUs first).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import replace

from engine.catalog.spec import MANAGED_FIELDS, ProductAttribute, ProductSpec, Ref, SalesAttribute, SkuSpec
from engine.plan.images import ImageIndex, ImageUris, images_same
from engine.plan.project import declared_content_fields, desired_view, live_view, project_sales, sales_label


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
    fields = declared_content_fields(declared)
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
    return (replace(desired, skus=tuple(s for s in desired.skus if s.seller_sku in keep)),
            replace(live, skus=tuple(s for s in live.skus if s.seller_sku in keep)))


@functools.lru_cache(maxsize=8192)
def _same_sales(want: tuple[SalesAttribute, ...], have: tuple[SalesAttribute, ...]) -> bool:
    """A SKU's sales attributes as the catalog wrote them vs the live ones, as the views see them
    (the same few combinations recur across a shop: answered once per pair of values)."""
    if _same_by_name(want, have):
        return True
    mine = sorted(sales_label(a) for a in want)
    return mine == sorted(project_sales(a, want) for a in have)


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
