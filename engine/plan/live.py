"""The live side of a plan: what the shop reader produces and the planner consumes.

Defined here (not in engine/shop/) because the planner is pure and must not import the
adapter; the adapter imports these values and fills them. Every value is frozen, sorted and
JSON-round-trippable (`to_dict` / `from_dict`), so golden plan cases can store a snapshot as
a file and `catalog live` can print one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.catalog.spec import (
    ProductAttribute,
    ProductSpec,
    Ref,
)
from engine.codec import from_plain, to_plain

# Raw platform statuses (API.md §6.1)
LIVE = "ACTIVATE"
UNDER_REVIEW = "PENDING"
REVIEW_FAILED = "FAILED"
FROZEN = "FREEZE"
DELETED = "DELETED"
DEACTIVATED = ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED")


@dataclass(frozen=True, slots=True, order=True)
class AuditFailure:
    """Why review failed on one platform (Get Product `audit_failed_reasons[]`)."""

    platform: str
    reasons: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    position: str = ""


@dataclass(frozen=True, slots=True)
class LiveProduct:
    """One live product, normalised.

    `platform_statuses` holds the raw status per platform the product is on:
    TIKTOK_SHOP from `status` (present only when listed there), TOKOPEDIA from
    `integrated_platform_statuses`. `spec` is None when Get Product is not possible
    (FREEZE / DELETED) or was not needed (unmanaged products are not fetched).
    """

    product_id: str
    update_time: int
    title: str = ""
    status: str | None = None  # raw `status` (TIKTOK_SHOP side); None when not listed there
    platform_statuses: tuple[tuple[str, str], ...] = ()  # ((platform, raw status), ...) sorted
    audit_status: str | None = None  # audit.status: NONE/AUDITING/FAILED/APPROVED
    audit_failures: tuple[AuditFailure, ...] = ()
    has_draft: bool = False
    last_applied: tuple[str, str] | None = None  # (key, fingerprint) from external_product_id
    external_product_id: str | None = None
    sku_ids: tuple[tuple[str, str], ...] = ()  # ((seller_sku, sku_id), ...) sorted
    spec: ProductSpec | None = None
    # Get Product fields the catalog does not model (video, size_chart, certifications,
    # shipping_template_id, ...) that a full Edit must send back unchanged.
    extra: tuple[tuple[str, object], ...] = ()
    # why the last apply could not change this product's price ("price locked by a running
    # promotion: …", with when), from the read cache (engine.shop.cache holds); "" when nothing is held
    price_hold: str = ""

    @property
    def seller_skus(self) -> tuple[str, ...]:
        return tuple(s for s, _ in self.sku_ids)

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.platform_statuses)

    def status_on(self, platform: str) -> str | None:
        return dict(self.platform_statuses).get(platform)

    @property
    def is_frozen(self) -> bool:
        return self.status == FROZEN or any(s == FROZEN for _, s in self.platform_statuses)

    @property
    def is_deleted(self) -> bool:
        statuses = self.platform_statuses
        return self.status == DELETED or (bool(statuses) and all(s == DELETED for _, s in statuses))


@dataclass(frozen=True, slots=True, order=True)
class SkuConflict:
    """A seller_sku found in more than one live product."""

    seller_sku: str
    product_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """What the planner needs to know about a category the catalog uses, per platform."""

    id: str
    name: str = ""
    permissions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ((platform, statuses), ...)
    allows_pre_order: bool = False
    cod_supported: bool = True
    is_leaf: bool = True  # products go in leaf categories only
    leaves: tuple[Ref, ...] = ()  # not a leaf: a few leaf categories under it (for the message)


@dataclass(frozen=True, slots=True, order=True)
class AttributeDef(ProductAttribute):
    """An attribute of a leaf category (Get Attributes): a product attribute, or a sales
    attribute of the SKUs; `values` lists the values the platform offers."""

    type: str = "PRODUCT_PROPERTY"  # PRODUCT_PROPERTY | SALES_PROPERTY
    required: bool = False
    multiple: bool = False  # several values
    customizable: bool = False  # values outside `values` are accepted


@dataclass(frozen=True, slots=True)
class ShopMetadata:
    """Reference data read once per run (categories, brands, attributes, warehouses)."""

    categories: tuple[CategoryInfo, ...] = ()
    brands: tuple[Ref, ...] = ()  # id + name
    attributes: tuple[tuple[str, tuple[AttributeDef, ...]], ...] = ()  # per leaf category id
    warehouses: tuple[Ref, ...] = ()

    def category(self, category_id: str | None) -> CategoryInfo | None:
        for info in self.categories:
            if info.id == category_id:
                return info
        return None


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """The live shop as the planner sees it.

    `claims` maps each catalog key to the live product ids that hold any of its
    seller_skus (more than one id = the desired product is spread over several live
    products, an identity conflict). `unmanaged` lists live products no catalog product
    claims; they are never touched. `conflicts` lists seller_skus used by several live products.
    """

    shop_name: str = ""
    market: str = "ID"
    products: tuple[LiveProduct, ...] = ()
    claims: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ((key, (product_id, ...)), ...)
    unmanaged: tuple[str, ...] = ()
    conflicts: tuple[SkuConflict, ...] = ()
    metadata: ShopMetadata | None = None
    # product_id → product, filled on first lookup; not an init field, so a copy made with
    # dataclasses.replace gets its own index instead of sharing (and trusting) the original's
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def product(self, product_id: str) -> LiveProduct | None:
        if not self._index:
            self._index.update({p.product_id: p for p in self.products})
        return self._index.get(product_id)

    def claimed_by(self, key: str) -> tuple[str, ...]:
        return dict(self.claims).get(key, ())

    def recorded(self) -> "LiveSnapshot":
        """What a plan records of this snapshot (`Plan.live`): every product planning can match
        or weigh — claimed by a catalog key, holding a conflicting seller SKU, carrying the
        engine's annotation (matched by key when its SKUs were all renamed), or deleted (not
        counted as unmanaged) — and the rest only
        as ids in `unmanaged`: a shop's thousands of products the catalog does not describe
        would otherwise make every saved plan large for nothing."""
        needed = {pid for _, ids in self.claims for pid in ids}
        needed.update(pid for conflict in self.conflicts for pid in conflict.product_ids)
        kept = sorted((p for p in self.products if p.product_id in needed or p.last_applied is not None
                       or p.is_deleted), key=lambda p: p.product_id)  # the same bytes whatever the read order
        return LiveSnapshot(self.shop_name, self.market, tuple(kept), tuple(sorted(self.claims)),
                            tuple(sorted(self.unmanaged)), tuple(sorted(self.conflicts)), self.metadata)


# --------------------------------------------------------------------------- JSON form
def snapshot_to_dict(snapshot: LiveSnapshot) -> dict:
    return to_plain(snapshot)


def snapshot_from_dict(data: dict) -> LiveSnapshot:
    return from_plain(LiveSnapshot, data)
