"""Parsed results of the Open API calls the engine makes.

Writes never come back as a bare "it worked": a call can answer `code 0` and still list
failures in `data.errors[]` (per product for batch calls, per SKU for inventory, per
platform for Tokopedia & Shop listings, API.md §3 / §3.1), and Create/Edit can silently
reset fields and say so in `data.warnings[]`. These values keep all of that, per item and
per platform, so the executor can report product × platform outcomes.

Business rejections of a write (a non-zero product-domain code such as 12052xxx) are
results with `ok == False`, not exceptions; failures of the request itself (auth,
signature, throttling, transport, ambiguous writes) are exceptions from engine.errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.catalog.spec import PLATFORMS


@dataclass(frozen=True, slots=True, order=True)
class ItemError:
    """One entry of `data.errors[]`."""

    code: int
    message: str
    item_id: str = ""  # product_id (batch), sku_id (inventory) or "" (whole product)
    platform: str | None = None  # detail.listing_platform when the platform named it
    extra: tuple[tuple[int, str, str], ...] = ()  # detail.extra_errors: (code, message, warehouse_id)

    def describe(self) -> str:
        inner = "; ".join(f"{c} {m}".strip() for c, m, _ in self.extra)
        return f"{self.code} {self.message}" + (f" [{inner}]" if inner else "")


@dataclass(frozen=True, slots=True)
class PlatformOutcome:
    ok: bool
    code: int = 0
    message: str = ""


@dataclass(frozen=True)
class WriteResult:
    """Outcome of a single-product write (create, edit, partial edit, price, inventory)."""

    product_id: str
    per_platform: dict[str, PlatformOutcome] = field(default_factory=dict)
    errors: tuple[ItemError, ...] = ()
    warnings: tuple[str, ...] = ()
    skus: tuple[tuple[str, str], ...] = ()  # ((seller_sku, sku_id), ...) sorted
    audit_status: str | None = None
    code: int = 0  # top-level code (non-zero = the whole call was rejected)
    message: str = ""
    request_id: str = ""

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.errors and all(o.ok for o in self.per_platform.values())

    @property
    def failed_platforms(self) -> tuple[str, ...]:
        return tuple(sorted(p for p, o in self.per_platform.items() if not o.ok))


@dataclass(frozen=True)
class BatchResult:
    """Outcome of Activate / Deactivate / Delete / Recover for up to 20 products."""

    requested: tuple[str, ...]
    platforms: tuple[str, ...] = ()  # listing_platforms sent (activate/deactivate)
    failed: dict[str, tuple[ItemError, ...]] = field(default_factory=dict)
    request_id: str = ""
    # True when the call was retried after an attempt whose outcome is unknown: a failure
    # like "status cannot be deactivated" may then mean the first attempt already did it.
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def succeeded(self) -> tuple[str, ...]:
        return tuple(pid for pid in self.requested if pid not in self.failed)

    def outcome(self, product_id: str, platform: str | None = None) -> PlatformOutcome:
        """Outcome for one product (on one platform, when the errors name platforms)."""
        for error in self.failed.get(product_id, ()):
            if platform is None or error.platform in (None, platform):
                return PlatformOutcome(False, error.code, error.message)
        return PlatformOutcome(True)


@dataclass(frozen=True, slots=True)
class SearchPage:
    products: tuple[dict, ...]
    next_page_token: str = ""
    total_count: int = 0


@dataclass(frozen=True, slots=True)
class AuthorizedShop:
    id: str
    name: str
    region: str
    seller_type: str
    code: str = ""
    cipher: str = field(default="", repr=False)  # a secret: never printed


@dataclass(frozen=True, slots=True)
class ImageUpload:
    uri: str
    url: str = ""
    width: int = 0
    height: int = 0
    use_case: str = ""


@dataclass(frozen=True)
class ListingCheck:
    passed: bool
    fail_reasons: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()
    errors: tuple[ItemError, ...] = ()  # Tokopedia & Shop per-platform errors, when sent
    pre_check: tuple[tuple[str, str], ...] = ()  # (item, short_reason)
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    parent_id: str
    name: str
    is_leaf: bool
    permission_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttributeValue:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    id: str
    name: str
    type: str  # SALES_PROPERTY | PRODUCT_PROPERTY
    is_required: bool = False
    is_multiple_selection: bool = False
    is_customizable: bool = False
    values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryRules:
    allowed_special_product_types: tuple[str, ...] = ()
    cod_supported: bool = True
    package_dimension_required: bool = False
    size_chart_supported: bool = False
    size_chart_required: bool = False
    required_certifications: tuple[str, ...] = ()

    @property
    def allows_pre_order(self) -> bool:
        return "PRE_ORDER" in self.allowed_special_product_types


@dataclass(frozen=True, slots=True)
class Brand:
    id: str
    name: str
    authorized: bool = False
    available: bool = True
    is_t1: bool = False

    @property
    def is_selectable(self) -> bool:
        """Authorized and available, or an unauthorized non-T1 brand (API.md §7.15)."""
        return self.available and (self.authorized or not self.is_t1)


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    name: str
    is_default: bool = False
    type: str = ""
    effect_status: str = ""


# --------------------------------------------------------------------------- parsing
def parse_errors(raw: object, id_key: str = "product_id") -> tuple[ItemError, ...]:
    """`data.errors[]` → ItemErrors; tolerant of every documented and previewed shape."""
    out = []
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, Mapping):
            continue
        detail = as_mapping(entry.get("detail"))
        extra = tuple(
            (as_int(e.get("code")), str(e.get("message") or ""), str(e.get("warehouse_id") or ""))
            for e in detail.get("extra_errors") or () if isinstance(e, Mapping))
        item = detail.get(id_key) or detail.get("product_id") or detail.get("sku_id") or ""
        out.append(ItemError(code=as_int(entry.get("code")), message=str(entry.get("message") or ""),
                             item_id=str(item), platform=detail.get("listing_platform") or None,
                             extra=extra))
    return tuple(sorted(out, key=lambda e: (e.item_id, e.platform or "", e.code, e.message)))


def platform_outcomes(requested: Iterable[str], errors: Sequence[ItemError],
                      code: int = 0, message: str = "") -> dict[str, PlatformOutcome]:
    """Per-platform outcome: an error naming a platform fails that platform; an error
    naming none (or a rejected call) fails every requested platform."""
    platforms = {p for p in requested} | {e.platform for e in errors if e.platform}
    out = {}
    for platform in sorted(platforms):
        hit = next((e for e in errors if e.platform in (None, platform)), None)
        if hit is not None:
            out[platform] = PlatformOutcome(False, hit.code, hit.message)
        elif code:
            out[platform] = PlatformOutcome(False, code, message)
        else:
            out[platform] = PlatformOutcome(True)
    return out


def parse_skus(raw: object) -> tuple[tuple[str, str], ...]:
    pairs = {(str(s.get("seller_sku") or ""), str(s.get("id") or ""))
             for s in raw if isinstance(s, Mapping)} if isinstance(raw, list) else set()
    return tuple(sorted(pairs))


def parse_warnings(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []  # listing_check: an object
    return tuple(str(w.get("message") or "") for w in items if isinstance(w, Mapping))


def known_platforms(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted({v for v in values or () if v in PLATFORMS}))


def parse_statuses(value: object) -> tuple[str, ...]:
    """A category's permission statuses (a list; a string in the one-pager's preview)."""
    if isinstance(value, str):  # the one-pager preview showed "[INVITE_ONLY]"
        value = [v.strip(" []\"'") for v in value.split(",")]
    return tuple(sorted({str(v) for v in value if v})) if isinstance(value, (list, tuple)) else ()


def parse_attribute(raw: Mapping[str, Any]) -> AttributeInfo:
    """One Get Attributes entry."""
    required = raw.get("is_requried", raw.get("is_required", False))  # sic: the platform's spelling
    values = tuple(sorted((AttributeValue(id=str(v.get("id") or ""), name=str(v.get("name") or ""))
                           for v in raw.get("values") or () if isinstance(v, Mapping)), key=lambda v: v.id))
    return AttributeInfo(id=str(raw.get("id") or ""), name=str(raw.get("name") or ""),
                         type=str(raw.get("type") or ""), is_required=bool(required),
                         is_multiple_selection=bool(raw.get("is_multiple_selection")),
                         is_customizable=bool(raw.get("is_customizable")), values=values)


def nested(data: Mapping[str, Any], key: str, sub: str, default: object = False) -> object:
    """data[key][sub], or `default` when either is missing."""
    inner = data.get(key)
    return inner.get(sub, default) if isinstance(inner, Mapping) else default


def as_int(value: object, default: int = 0) -> int:
    """An integer from a JSON value (a number, or digits in a string), else `default`."""
    if isinstance(value, (int, float, str)):
        try:
            return int(value)
        except (ValueError, OverflowError):
            return default
    return default


def as_mapping(value: object) -> Mapping[str, Any]:
    """A JSON object, or {} for anything else (the platform leaves out or nulls what it lacks)."""
    return value if isinstance(value, Mapping) else {}
