"""Payloads apply sends, built as specs (never wire JSON: the shop adapter owns that).

- `create_spec`: the desired spec with known image uris and reference ids filled in.
- `merged_spec`: the live product with the desired declared fields overlaid — what a full
  Edit sends (Edit clears anything omitted, so every field comes from somewhere). SKUs keep
  the live warehouses, identifier code and sales attributes the catalog does not manage.
- `partial_spec`: only the named top-level fields of a merged spec.
Reference ids (brand, attributes, attribute values, sales attributes) are filled from the live
product, else from shop metadata, when the catalog gave only a name; unknown names stay names
(the API accepts custom attribute values by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    SourceRef,
)
from engine.plan.images import ImageUris
from engine.plan.live import CategoryInfo, ShopMetadata


def resolve_images(images: tuple[ImageRef, ...], image_uris: ImageUris
                   ) -> tuple[tuple[ImageRef, ...], tuple[ImageRef, ...]]:
    """(images with known uris filled in, local images that still need an upload)."""
    resolved, uploads = [], []
    for image in images:
        if image.path is not None and image.uri is None:
            uri = image_uris.get((image.path, image.sha256 or ""))
            if uri is None:
                uploads.append(image)
            else:
                image = ImageRef(uri, image.path, image.sha256)
        resolved.append(image)
    if len(uploads) > 1:
        uploads = sorted(set(uploads), key=lambda i: (i.path or "", i.sha256 or ""))
    return tuple(resolved), tuple(uploads)


class Known:
    """Shop metadata indexed once per plan: brands, attributes per category, categories."""

    def __init__(self, metadata: ShopMetadata | None) -> None:
        self.metadata = metadata
        self.brands = _RefIndex(metadata.brands if metadata else ())
        self.attributes = {cid: attrs for cid, attrs in metadata.attributes} if metadata else {}
        self.categories = {c.id: c for c in metadata.categories} if metadata else {}
        # complete_refs of creates by (brand, attributes, category): a shop repeats a few dozen
        self.filled: dict[tuple, tuple] = {}

    def category(self, category_id: str | None) -> CategoryInfo | None:
        return self.categories.get(category_id) if category_id else None


class _RefIndex:
    def __init__(self, refs) -> None:
        self.by_id = {r.id: r for r in reversed(tuple(refs)) if r.id is not None}
        self.by_name = {r.name: r for r in reversed(tuple(refs)) if r.name is not None}

    def get(self, ref: Ref) -> Ref | None:
        return self.by_id.get(ref.id) if ref.id is not None else self.by_name.get(ref.name)


def _fill(ref: Ref, *known: _RefIndex | Iterable[Ref]) -> Ref:
    """`ref` with the id (or name) it lacks, from the first source that knows it."""
    if ref.id is not None and ref.name is not None:
        return ref
    for source in known:
        candidate = source.get(ref) if isinstance(source, _RefIndex) else next(
            (c for c in source if (ref.id is not None and c.id == ref.id) or (ref.id is None and c.name == ref.name)),
            None)
        if candidate is not None:
            return Ref(candidate.id or ref.id, candidate.name or ref.name)
    return ref


def _fill_attributes(attrs: tuple[ProductAttribute, ...], *known: tuple[ProductAttribute, ...]
                     ) -> tuple[ProductAttribute, ...]:
    """Each attribute (and its values) with the ids / names the first group that knows it
    gives (groups in order: the live product's, then the shop metadata's)."""
    if not attrs:
        return attrs
    pool = [k for group in known for k in group]  # first match in group order = first match here
    heads = [Ref(k.id, k.name) for k in pool]
    out = []
    for attr in attrs:
        head = _fill(Ref(attr.id, attr.name), heads)
        candidates = tuple(v for k, ref in zip(pool, heads, strict=True) if ref == head for v in k.values)
        values = tuple([_fill(v, candidates) for v in attr.values])
        out.append(ProductAttribute(head.id, head.name, values))
    return tuple(out)


def _fill_sales(attrs: tuple[SalesAttribute, ...], live: tuple[SalesAttribute, ...]) -> tuple[SalesAttribute, ...]:
    out = []
    for attr in attrs:
        match = next((k for k in live if (attr.id is not None and k.id == attr.id)
                      or (attr.id is None and k.name == attr.name)), None)
        if match is None:
            out.append(attr)
            continue
        same_value = (attr.value_id is not None and attr.value_id == match.value_id) or (
            attr.value_id is None and attr.value == match.value)
        out.append(SalesAttribute(attr.name or match.name, attr.value or (match.value if same_value else None),
                                  attr.id or match.id, attr.value_id or (match.value_id if same_value else None)))
    return tuple(out)


def complete_refs(spec: ProductSpec, live: ProductSpec | None, known: Known) -> dict:
    """{brand, product_attributes} of `spec` with ids filled in where the live product or the
    shop metadata knows them."""
    if live is None:  # a create: what the metadata gives depends on these values only
        brand, attributes = spec.brand, spec.product_attributes
        cache_key = (brand, attributes, spec.category_id)
        cached = known.filled.get(cache_key)
        if cached is None:
            cached = known.filled[cache_key] = (
                None if brand is None else _fill(brand, known.brands),
                _fill_attributes(attributes, known.attributes.get(spec.category_id or "", ())))
        return {"brand": cached[0], "product_attributes": cached[1]}
    live_brands = (live.brand,) if live.brand else ()
    return {"brand": None if spec.brand is None else _fill(spec.brand, live_brands, known.brands),
            "product_attributes": _fill_attributes(spec.product_attributes, live.product_attributes,
                                                   known.attributes.get(spec.category_id or "", ()))}


def create_spec(desired: ProductSpec, images: tuple[ImageRef, ...], known: Known,
                source: SourceRef | None = None) -> ProductSpec:
    """`desired` with `images` (resolve_images' first half) and the reference ids `known` gives."""
    refs = complete_refs(desired, None, known)
    source = source or desired.source
    if (images == desired.main_images and refs["brand"] == desired.brand
            and refs["product_attributes"] == desired.product_attributes and source == desired.source):
        return desired  # nothing to fill in: the desired spec is the payload
    return replace(desired, main_images=images, source=source, **refs)


def merge_sku(want: SkuSpec, have: SkuSpec | None) -> SkuSpec:
    if have is None:
        return want
    inventory = dict(have.inventory)
    inventory.update(want.inventory)
    return replace(
        want,
        inventory=tuple(sorted(inventory.items())),
        sales_attributes=_fill_sales(want.sales_attributes, have.sales_attributes) or have.sales_attributes,
        identifier_code=want.identifier_code if want.identifier_code is not None else have.identifier_code,
    )


def merge_skus(want: tuple[SkuSpec, ...], have: tuple[SkuSpec, ...]) -> tuple[SkuSpec, ...]:
    live = {s.seller_sku: s for s in have}
    return tuple(merge_sku(s, live.get(s.seller_sku)) for s in want)


def merged_spec(desired: ProductSpec, live: ProductSpec, platforms: tuple[str, ...],
                image_uris: ImageUris, known: Known, source: SourceRef | None = None,
                only: tuple[str, ...] | None = None) -> ProductSpec:
    """Live spec with the desired declared fields overlaid; every field set (full Edit).
    `only`: just these fields (and main_images, which the annotation names) are worked out —
    what a partial edit sends; the others keep their defaults."""
    names = MANAGED_FIELDS if only is None else [n for n in MANAGED_FIELDS if n in only or n == "main_images"]
    values = {}
    for name in names:
        values[name] = getattr(desired if name in desired.declared else live, name)
    if "skus" in values and "skus" in desired.declared:
        values["skus"] = merge_skus(desired.skus, live.skus)
    values["main_images"], _ = resolve_images(values["main_images"], image_uris)
    if "listing_platforms" in values:
        values["listing_platforms"] = platforms
    if "brand" in values or "product_attributes" in values:
        category = desired.category_id if "category_id" in desired.declared else live.category_id
        refs = complete_refs(ProductSpec(key=desired.key, **{**values, "category_id": category}), live, known)
        values.update((name, value) for name, value in refs.items() if name in values)
    return ProductSpec(key=desired.key, declared=frozenset(MANAGED_FIELDS), source=source or desired.source, **values)


def partial_spec(merged: ProductSpec, fields: tuple[str, ...]) -> ProductSpec:
    """Only `fields` of a merged spec (the rest at their defaults, not declared)."""
    values = {name: getattr(merged, name) for name in fields if name in MANAGED_FIELDS}
    return ProductSpec(key=merged.key, declared=frozenset(values), source=merged.source, **values)
