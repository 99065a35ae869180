"""The normalised product spec: the one shape both sides of a plan are compared in.

The catalog loader turns YAML (after `extends`, shop defaults and template rendering)
into `ProductSpec`s; the shop reader turns Get Product / Search wire data into the same
`ProductSpec` (inside a `LiveProduct`). The planner compares the two field by field.

Conventions (both producers must follow them, tests hold them to it):
- prices are canonical decimal strings in IDR: `canonical_decimal("150000.00") == "150000"`;
- weights are canonical decimal strings in KILOGRAM, dimensions whole centimetres;
- every tuple is sorted (SKUs by seller_sku, inventory by warehouse_id, attributes by
  id-or-name, platforms alphabetically) so equal specs are equal values;
- references may carry an id, a name or both: the catalog writes what the seller wrote,
  the live side fills both; the planner compares on what the catalog declared;
- `declared` names the top-level fields the catalog wrote (explicitly, via `extends` or via
  shop defaults). A field not declared is not managed: never diffed, never sent in a partial
  edit (a full edit copies it from the live product). The live side declares everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

PLATFORMS = ("TIKTOK_SHOP", "TOKOPEDIA")
PLATFORM_LABELS = {"TIKTOK_SHOP": "Shop | Tokopedia", "TOKOPEDIA": "Tokopedia"}
STATUSES = ("active", "inactive", "deleted")
INSURANCE = ("REQUIRED", "OPTIONAL", "NOT_SUPPORTED")

# Top-level fields of ProductSpec that can be declared/managed (order = display order).
MANAGED_FIELDS = (
    "title", "description", "category_id", "brand", "main_images", "product_attributes",
    "package_weight", "package_dimensions", "listing_platforms", "status",
    "shipping_insurance_requirement", "is_pre_owned", "minimum_order_quantity",
    "is_cod_allowed", "delivery_option_ids", "skus",
)

EXTERNAL_ID_PREFIX = "ce3"  # ce3:<fingerprint>:<image tokens>:<key>


def canonical_decimal(value: object) -> str:
    """'150000.00' -> '150000', 1.50 -> '1.5', Decimal('2E+2') -> '200'. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A reference by platform id, by name, or both (brand, attribute value, ...)."""

    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class ProductAttribute:
    id: str | None
    name: str | None
    values: tuple[Ref, ...]


@dataclass(frozen=True, slots=True, order=True)
class SalesAttribute:
    """One sales attribute of a SKU, e.g. name='Ukuran' value='M' (ids when known)."""

    name: str | None
    value: str | None
    id: str | None = None
    value_id: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class ImageRef:
    """A main image: a platform URI, or a local file under the catalog (path + sha256)."""

    uri: str | None = None
    path: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class SkuSpec:
    seller_sku: str
    price: str  # canonical IDR decimal string
    inventory: tuple[tuple[str, int], ...]  # ((warehouse_id, quantity), ...) sorted
    sales_attributes: tuple[SalesAttribute, ...] = ()
    pre_sale_days: int | None = None  # PRE_ORDER handling days; None = regular item
    identifier_code: tuple[str, str] | None = None  # (type, code)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a product was declared (for messages), never compared."""

    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class ProductSpec:
    key: str
    title: str | None = None
    description: str | None = None
    category_id: str | None = None
    brand: Ref | None = None
    main_images: tuple[ImageRef, ...] = ()
    product_attributes: tuple[ProductAttribute, ...] = ()
    package_weight: str | None = None  # KILOGRAM, canonical decimal
    package_dimensions: tuple[int, int, int] | None = None  # (length, width, height) CENTIMETER
    listing_platforms: tuple[str, ...] = ()
    status: str = "active"
    shipping_insurance_requirement: str | None = None
    is_pre_owned: bool | None = None
    minimum_order_quantity: int | None = None
    is_cod_allowed: bool | None = None
    delivery_option_ids: tuple[str, ...] | None = None
    skus: tuple[SkuSpec, ...] = ()
    declared: frozenset[str] = field(default_factory=lambda: frozenset(MANAGED_FIELDS))
    source: SourceRef = field(default_factory=SourceRef, compare=False)

    @property
    def seller_skus(self) -> tuple[str, ...]:
        return tuple(s.seller_sku for s in self.skus)


# --------------------------------------------------------------------------- fingerprint
def canonical_tuple(spec: ProductSpec) -> tuple:
    """The declared content of a spec as nested plain tuples: the key, then (field, value) per
    declared field in MANAGED_FIELDS order, each dataclass as the tuple of its fields in order
    (SkuSpec, SalesAttribute, ImageRef, ProductAttribute, Ref; None stays None)."""
    declared = spec.declared
    items: list = [spec.key]
    for name in MANAGED_FIELDS:
        if name in declared:
            value = getattr(spec, name)
            plain = _PLAIN_TUPLE.get(name)
            items.append((name, value if plain is None else plain(value)))
    return tuple(items)


def _skus_tuple(skus: tuple[SkuSpec, ...]) -> tuple:
    return tuple([(s.seller_sku, s.price, s.inventory, tuple([(a.name, a.value, a.id, a.value_id)
                                                               for a in s.sales_attributes]),
                   s.pre_sale_days, s.identifier_code) for s in skus])


def _images_tuple(images: tuple[ImageRef, ...]) -> tuple:
    return tuple([(i.uri, i.path, i.sha256) for i in images])


def _attributes_tuple(attributes: tuple[ProductAttribute, ...]) -> tuple:
    return tuple([(a.id, a.name, tuple([(r.id, r.name) for r in a.values])) for a in attributes])


def _brand_tuple(brand: Ref | None) -> tuple | None:
    return None if brand is None else (brand.id, brand.name)


# fields holding dataclasses → their plain tuples (the other fields are plain values already)
_PLAIN_TUPLE: dict[str, Callable[[Any], object]] = {
    "skus": _skus_tuple, "main_images": _images_tuple, "product_attributes": _attributes_tuple, "brand": _brand_tuple}


def canonical_json(spec: ProductSpec) -> bytes:
    """The fingerprint's bytes: `canonical_tuple` as compact JSON (UTF-8, arrays for tuples)."""
    return orjson.dumps(canonical_tuple(spec))


def fingerprint(spec: ProductSpec) -> str:
    """Short digest of the declared desired spec: the 'last-applied' annotation (`ce3`).

    The first 16 hex digits of sha256 over `canonical_json` — the key, then each declared
    field as [name, value] in MANAGED_FIELDS order, values as plain nested arrays. The value is
    stored in live products, so the recipe must not change (test_fingerprint_is_stable pins
    it)."""
    return fingerprint_of(canonical_json(spec))


def fingerprint_of(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:16]


def image_token(sha256: str, uri: str) -> str:
    """8 hex digits binding a local image's content (sha256) to the uri it was uploaded as."""
    return hashlib.sha256(f"{sha256}\n{uri}".encode()).hexdigest()[:8]


def image_tokens(images: tuple[ImageRef, ...]) -> tuple[str, ...]:
    """One token per image, by position: local images with a known uri get one, others ""."""
    return tuple([image_token(i.sha256, i.uri) if i.sha256 and i.uri else "" for i in images])


@dataclass(frozen=True, slots=True)
class Annotation:
    """The engine's last-applied annotation, stored in `external_product_id`.

    `ce3:<fingerprint>:<token>.<token>…:<key>` — a token per main image, by position, ties the
    local file the catalog names (sha256) to the live uri at that position (image_token), so a
    plan made anywhere (a fresh CI clone too) knows an unchanged file is already uploaded.
    Any other value (the seller's own id, or the `ce1:` / `ce2:` forms of 0.1.0 development
    builds) is not the engine's: the product reads as never applied by the engine."""

    key: str
    fingerprint: str
    images: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{EXTERNAL_ID_PREFIX}:{self.fingerprint}:{'.'.join(self.images)}:{self.key}"


def external_product_id(key: str, fp: str, images: tuple[ImageRef, ...] = ()) -> str:
    """Value the engine stores in `external_product_id` (≤ 999 characters; see Annotation)."""
    return str(Annotation(key, fp, image_tokens(images)))


def parse_annotation(value: str | None) -> Annotation | None:
    """The Annotation of an engine-written external_product_id, else None."""
    if not value or not value.startswith(EXTERNAL_ID_PREFIX + ":"):
        return None
    parts = value.split(":", 3)  # ce3:<fingerprint>:<tokens>:<key>
    if len(parts) != 4 or not parts[1] or not parts[3]:
        return None
    return Annotation(parts[3], parts[1], tuple(parts[2].split(".")) if parts[2] else ())


def parse_external_product_id(value: str | None) -> tuple[str, str] | None:
    """(key, fingerprint) from an engine-written external_product_id, else None."""
    annotation = parse_annotation(value)
    return None if annotation is None else (annotation.key, annotation.fingerprint)
