"""The Plan value: what apply will do, per product and platform, and nothing else.

A Plan is semantic, not wire: actions carry normalised specs and ids; the shop adapter turns
them into request bodies at apply time. Every value here is frozen, JSON-round-trippable
through `engine.codec` (`format_version` 2) and sorted, so the same inputs give the
same bytes. Field-change values (`FieldChange.old/new`) are plain JSON (str, int, bool, None,
lists, dicts) so a saved plan loads back equal.

Action kinds (closed vocabulary, one symbol each):

    +  create           new product, all desired platforms in one call (idempotency_key);
                        a product declared inactive is created as a hidden draft (save_mode)
    ~  edit             full Edit; `spec` = live product with the declared fields overlaid
    ±  partial_edit     Partial Edit of whole top-level `fields` (values in `spec`)
    $  update_price     Update Price (`prices`)
    #  update_inventory Update Inventory, every warehouse of each SKU (`stock`)
    ▲  activate         Activate on `platforms`
    ▼  deactivate       Deactivate on `platforms`
    -  delete           Delete (all platforms)
    ↺  recover          Recover a deleted product (it comes back deactivated)
    …  held             changes waiting for a review to finish; nothing is sent
    ✖  blocked          cannot be written (frozen, review failed, category not permitted)
    »  deferred         a create or an edit back to review past shop.yaml `daily_listing_limit`:
                        nothing is sent today, a later apply sends it (engine.plan.quota)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.catalog.spec import ImageRef, ProductSpec
from engine.plan.live import LiveSnapshot

# 2: plans record the guards they trip; 3: a plan records the live state it was computed from
# (`Plan.live`): a saved plan is re-derived from it before it is applied (engine.plan.verify).
# A plan of another version is refused: plan again.
FORMAT_VERSION = 3

CREATE = "create"
EDIT = "edit"
PARTIAL_EDIT = "partial_edit"
UPDATE_PRICE = "update_price"
UPDATE_INVENTORY = "update_inventory"
ACTIVATE = "activate"
DEACTIVATE = "deactivate"
DELETE = "delete"
RECOVER = "recover"
HELD = "held"
BLOCKED = "blocked"
DEFERRED = "deferred"

SYMBOLS = {
    CREATE: "+", EDIT: "~", PARTIAL_EDIT: "±", UPDATE_PRICE: "$", UPDATE_INVENTORY: "#",
    ACTIVATE: "▲", DEACTIVATE: "▼", DELETE: "-", RECOVER: "↺", HELD: "…", BLOCKED: "✖", DEFERRED: "»",
}
KINDS = tuple(SYMBOLS)
# Kinds that write to the shop (a plan with any of them "has changes").
WRITE_KINDS = frozenset(KINDS) - {HELD, BLOCKED, DEFERRED}
# Kinds apply sends in batches of ≤ BATCH_SIZE product ids.
BATCH_KINDS = (ACTIVATE, DEACTIVATE, DELETE, RECOVER)
BATCH_SIZE = 20

# Blocker codes (what stops a write; the text shown is built by the renderer).
FROZEN = "frozen"
REVIEW_FAILED = "review_failed"
CATEGORY_NOT_PERMITTED = "category_not_permitted"
UNDER_REVIEW = "under_review"
DAILY_LIMIT = "daily_listing_limit"  # a deferred action's blocker; `detail` = the kind of write that waits
# Category permission statuses that block a listing (a blocker's `detail`), as a seller reads them.
PERMISSION_TEXT = {"PROHIBITED": "prohibited", "INVITE_ONLY": "invite-only",
                   "NON_MAIN_CATEGORY": "outside the shop's main category"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed value: `FieldChange(("skus", "BATIK-M", "price"), "150000", "135000")`."""

    path: tuple[str, ...]
    old: Any = None
    new: Any = None


@dataclass(frozen=True, slots=True, order=True)
class PriceUpdate:
    sku_id: str
    seller_sku: str
    price: str  # canonical IDR decimal string


@dataclass(frozen=True, slots=True, order=True)
class StockUpdate:
    sku_id: str
    seller_sku: str
    inventory: tuple[tuple[str, int], ...]  # every warehouse of the SKU, sorted


@dataclass(frozen=True, slots=True, order=True)
class Blocker:
    """Why a product (on one platform, or all when `platform` is "") cannot be written."""

    platform: str
    code: str
    reasons: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    detail: str = ""  # e.g. the permission status, the category name


@dataclass(frozen=True, slots=True)
class Action:
    """One call (or one batched membership) apply makes for a product. Only the payload
    fields of its kind are set; `changes` are for display and review, never re-diffed."""

    kind: str
    platforms: tuple[str, ...] = ()
    sends_to_review: bool = False
    changes: tuple[FieldChange, ...] = ()  # create: what it sends, as changes from nothing
    spec: ProductSpec | None = None  # create: desired; edit: merged; partial_edit: the `fields`
    fields: tuple[str, ...] = ()  # partial_edit: top-level fields to send
    sku_ids: tuple[tuple[str, str], ...] = ()  # (seller_sku, sku_id) of every kept SKU
    prices: tuple[PriceUpdate, ...] = ()
    stock: tuple[StockUpdate, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()  # edit: live fields the catalog does not model
    idempotency_key: str = ""
    external_product_id: str = ""  # set on every content write: records the fingerprint
    uploads: tuple[ImageRef, ...] = ()  # local images (path, sha256) to upload first
    save_mode: str = ""  # "AS_DRAFT": create / edit of a product declared inactive (hidden, no review)
    blockers: tuple[Blocker, ...] = ()
    note: str = ""  # for humans only; apply never reads it

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.kind]

    @property
    def is_write(self) -> bool:
        return self.kind in WRITE_KINDS


@dataclass(frozen=True, slots=True)
class ListingCheck:
    """Check Product Listing result for one product (attached by `with_checks`)."""

    result: str  # PASS | FAILED
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductPlan:
    """Everything planned for one catalog product, computed from one live version."""

    key: str
    title: str = ""
    product_id: str | None = None  # live product the plan was computed from
    update_time: int | None = None  # its update_time (staleness check at apply)
    platforms: tuple[str, ...] = ()  # platforms the product is (or will be) listed on
    fingerprint: str = ""  # desired fingerprint
    actions: tuple[Action, ...] = ()
    drift: bool = False  # live changed outside git since the last apply
    adopted: bool = False  # live product without engine fingerprint, matched by seller_sku
    notes: tuple[str, ...] = ()
    source: str = ""  # file:line of the catalog declaration
    check: ListingCheck | None = None
    priority: int = 0  # the catalog's `priority`: order of listings under the daily limit (engine.plan.quota)

    @property
    def has_changes(self) -> bool:
        return any(a.is_write for a in self.actions)

    def kinds(self) -> tuple[str, ...]:
        return tuple(a.kind for a in self.actions)


@dataclass(frozen=True, slots=True, order=True)
class PlanIssue:
    """A plan-level error or warning (identity conflict, category permission...)."""

    severity: str  # "error" | "warning"
    key: str
    code: str
    message: str
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class UnmanagedProduct:
    product_id: str
    title: str = ""
    former_key: str = ""  # engine fingerprint names a key no longer in the catalog


@dataclass(frozen=True, slots=True, order=True)
class Batch:
    """Activate / deactivate / delete / recover calls: ≤ 20 ids sharing kind and platforms."""

    kind: str
    platforms: tuple[str, ...]
    product_ids: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GuardTrip:
    """A change past one of the shop's guards (engine.plan.guards): apply refuses the plan
    until a reviewer acknowledges exactly this change in the catalog."""

    guard: str  # "price_change" | "deactivate" | "delete"
    key: str = ""  # price_change: the product
    sku: str = ""  # price_change: the seller SKU
    old: str = ""  # price_change: the live price (canonical IDR)
    new: str = ""  # price_change: the catalog's price
    count: int = 0  # deactivate / delete: products this plan deactivates / deletes
    total: int = 0  # ... of this many (products live / products in the shop)
    products: str = ""  # deactivate / delete: fingerprint of those products' keys
    limit: str = ""  # the guard as set, for humans: "50%", "10 products or 25%"
    source: str = ""  # where the acknowledgement goes: the product's file:line, or shop.yaml
    acknowledged: str = ""  # file:line:column of the acknowledgement that allows it; "" = not acknowledged


@dataclass(frozen=True, slots=True)
class Plan:
    shop_name: str = ""
    market: str = "ID"
    catalog_digest: str = ""
    format_version: int = FORMAT_VERSION
    targets: tuple[str, ...] = ()
    products: tuple[ProductPlan, ...] = ()  # sorted by key; only products with something to show
    batches: tuple[Batch, ...] = ()
    issues: tuple[PlanIssue, ...] = ()
    unmanaged: tuple[UnmanagedProduct, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # (id, display name): warehouses, categories
    checked: bool = False  # Check Product Listing ran (--check)
    daily_listing_limit: int | None = None  # shop.yaml's, when it has one (engine.plan.quota)
    guards: tuple[GuardTrip, ...] = ()  # every guard tripped, acknowledged or not (engine.plan.guards)
    # the live state the plan was computed from (LiveSnapshot.recorded: what planning reads of it);
    # `catalog apply plan.json` plans the catalog against it again and compares (engine.plan.verify)
    live: LiveSnapshot | None = None

    @property
    def has_changes(self) -> bool:
        return any(p.has_changes for p in self.products)

    @property
    def tripped(self) -> tuple[GuardTrip, ...]:
        """The guards tripped and not acknowledged: apply refuses the plan while there is one."""
        return tuple(g for g in self.guards if not g.acknowledged)

    @property
    def errors(self) -> tuple[PlanIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[PlanIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    def product(self, key: str) -> ProductPlan | None:
        for item in self.products:
            if item.key == key:
                return item
        return None

    def summary(self) -> "PlanSummary":
        return summarize(self)


@dataclass(frozen=True, slots=True)
class PlanSummary:
    create: int = 0
    edit: int = 0
    review: int = 0  # edits that send the product back to review
    price: int = 0
    stock: int = 0
    activate: int = 0
    deactivate: int = 0
    delete: int = 0
    recover: int = 0
    held: int = 0
    blocked: int = 0
    deferred: int = 0
    unmanaged: int = 0
    errors: int = 0
    warnings: int = 0


def summarize(plan: Plan, platform: str | None = None) -> PlanSummary:
    """Counts per kind (products, not calls); `platform` limits to actions touching it."""
    counts = dict.fromkeys(PlanSummary.__slots__, 0)
    names = {CREATE: "create", EDIT: "edit", PARTIAL_EDIT: "edit", UPDATE_PRICE: "price",
             UPDATE_INVENTORY: "stock", ACTIVATE: "activate", DEACTIVATE: "deactivate",
             DELETE: "delete", RECOVER: "recover", HELD: "held", BLOCKED: "blocked", DEFERRED: "deferred"}
    for item in plan.products:
        seen: set[str] = set()
        for action in item.actions:
            if platform is not None and platform not in action.platforms:
                continue
            name = names[action.kind]
            if name == "edit" and action.sends_to_review:
                seen.add("review")
            seen.add(name)
        for name in seen:
            counts[name] += 1
    if platform is None:
        counts["unmanaged"] = len(plan.unmanaged)
        counts["errors"] = len(plan.errors)
        counts["warnings"] = len(plan.warnings)
    return PlanSummary(**counts)


def with_checks(plan: Plan, results: dict[str, ListingCheck]) -> Plan:
    """The same plan with Check Product Listing results attached per product key."""
    products = tuple(replace(p, check=results[p.key]) if p.key in results else p
                     for p in plan.products)
    return replace(plan, products=products, checked=True)
