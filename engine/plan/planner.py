"""make_plan(catalog, snapshot) → Plan: pure, deterministic, cheap for unchanged products.

No I/O, no clock, no environment: the same catalog and snapshot give the same Plan.
Per catalog product (sorted by key): match the live product (engine.plan.identity), then
    tombstone (`status: deleted`)    → delete (nothing when already gone)
    not in the shop                  → create on every desired platform in one call
    (past shop.yaml daily_listing_limit, creates and edits back to review are deferred: engine.plan.quota)
    deleted in the shop              → recover (it comes back deactivated; plan again after)
    frozen on any platform           → blocked, never written
    otherwise                        → engine.plan.route (engine.plan.compare finds the fields
                                       that differ; only those are viewed and diffed)
then the shop's guards judge the whole plan (engine.plan.guards): what trips, what is acknowledged.
The collector is paused while the plan is built (engine.catalog.heap).
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.catalog.guard_settings import DEFAULT_GUARDS
from engine.catalog.heap import paused_gc
from engine.catalog.spec import ProductSpec, external_product_id
from engine.errors import PlanError
from engine.plan import model as m
from engine.plan.compare import created_changes
from engine.plan.context import Context, Fingerprint, context_for, new_sku_stock_errors, permission_warning
from engine.plan.guards import ShopCounts, evaluate
from engine.plan.identity import match_products
from engine.plan.images import annotated_images
from engine.plan.live import DELETED, FROZEN, LIVE, LiveProduct, LiveSnapshot
from engine.plan.metadata import metadata_issues
from engine.plan.model import Action, Batch, Blocker, FieldChange, Plan, PlanIssue, ProductPlan, UnmanagedProduct
from engine.plan.payload import create_spec, merged_spec, resolve_images
from engine.plan.quota import defer_listings, with_priorities
from engine.plan.route import route_update

DEFAULT_PLATFORMS = ("TIKTOK_SHOP",)  # the API's default listing platform


def idempotency_key(key: str, fp: str) -> str:
    """Create's idempotency_key: same product content → same key (safe retries), ≤ 128 chars."""
    return "ce1-" + hashlib.sha256(f"{key}\n{fp}".encode()).hexdigest()[:40]


def select_targets(products: Iterable[ProductSpec], targets: Iterable[str]) -> list[ProductSpec]:
    """Products whose key matches any target (exact or shell pattern); every target must match.
    Exact keys are looked up, patterns compiled once: 1,000 targets over 10,000 products cost
    milliseconds, not one fnmatch per pair."""
    products = sorted(products, key=lambda p: p.key)
    targets = tuple(targets)
    if not targets:
        return products
    keys = [p.key for p in products]
    key_set = set(keys)
    patterns = {t: re.compile(fnmatch.translate(t)) for t in targets if _is_pattern(t)}
    unmatched = [t for t in targets if (t not in key_set if t not in patterns
                                        else not any(patterns[t].match(k) for k in keys))]
    if unmatched:
        close = [h for t in unmatched for h in _close(t, keys)]
        hint = f"; did you mean {', '.join(close)}?" if close else f"; catalog keys: {', '.join(keys[:5])}"
        hint += ", …" if not close and len(keys) > 5 else ""
        raise PlanError(f"--target matches no catalog product: {', '.join(unmatched)}{hint}")
    exact = {t for t in targets if t not in patterns}
    joined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns.values())) if patterns else None
    return [p for p in products if p.key in exact or (joined is not None and joined.match(p.key))]


def _is_pattern(target: str) -> bool:
    return any(c in target for c in "*?[")


def _close(target: str, keys: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(target, keys, n=3)


def make_plan(catalog: Any, snapshot: LiveSnapshot, *, targets: Iterable[str] = (),
              image_uris: Mapping[tuple[str, str], str] | None = None) -> Plan:
    """The plan that brings `snapshot` to `catalog` (see the module docstring)."""
    with paused_gc():
        return _make_plan(catalog, snapshot, tuple(targets), image_uris)


def _make_plan(catalog: Any, snapshot: LiveSnapshot, targets: tuple[str, ...],
               image_uris: Mapping[tuple[str, str], str] | None) -> Plan:
    desired = select_targets(catalog.products, targets)
    ctx = context_for(catalog, snapshot, image_uris)
    matched, issues = match_products(desired, snapshot)
    creates = {key for key, live in matched.items() if live is None}
    found, failed = metadata_issues(catalog, snapshot.metadata, keys=list(matched), creates=creates)
    issues += found
    products = []
    for spec in desired:
        if spec.key not in matched or spec.key in failed:
            continue  # an identity conflict or a problem with the shop's metadata: reported, no actions
        item, more = plan_product(spec, matched[spec.key], ctx)
        issues += more
        if item is not None:
            products.append(item)
    shop = catalog.shop
    products = with_priorities(products, dict(getattr(catalog, "priorities", ())))
    limit = getattr(shop, "daily_listing_limit", None)
    products = defer_listings(products, limit)
    unmanaged = () if targets else _unmanaged(snapshot, matched, {p.key for p in catalog.products})
    guards, warnings = _guards(catalog, snapshot, products, desired, ctx, bool(targets))
    issues += warnings
    return Plan(
        shop_name=getattr(shop, "name", "") or snapshot.shop_name,
        market=getattr(shop, "market", "") or snapshot.market,
        catalog_digest=getattr(catalog, "digest", ""),
        targets=targets,
        products=tuple(products),
        batches=make_batches(products),
        issues=tuple(sorted(set(issues))),
        unmanaged=unmanaged,
        names=_names(snapshot, products, shop),
        daily_listing_limit=limit,
        guards=guards,
        live=snapshot.recorded(),  # what `apply plan.json` plans against again (engine.plan.verify)
    )


def _guards(catalog: Any, snapshot: LiveSnapshot, products: list[ProductPlan], desired: list[ProductSpec],
            ctx: Context, targeted: bool) -> tuple[tuple[m.GuardTrip, ...], list[PlanIssue]]:
    """The guards the plan trips (engine.plan.guards), judged against the whole live shop."""
    shop = getattr(catalog, "shop", None)
    settings = getattr(shop, "guards", None) or DEFAULT_GUARDS

    def counts() -> ShopCounts:
        return ShopCounts(live=sum(1 for p in snapshot.products if any(s == LIVE for _, s in p.platform_statuses)),
                          in_shop=sum(1 for p in snapshot.products if not p.is_deleted))

    return evaluate(products, settings, getattr(catalog, "acknowledgements", ()), counts, desired=desired,
                    where=ctx.where, targeted=targeted)


def plan_product(desired: ProductSpec, live: LiveProduct | None, ctx: Context
                 ) -> tuple[ProductPlan | None, list[PlanIssue]]:
    fp = Fingerprint(desired)
    if desired.status == "deleted":
        action = _tombstone(live)
        return (ProductPlan(**_base(desired, live, ctx), fingerprint=fp(), actions=(action,)) if action else None), []
    if live is None:
        return _create(desired, fp, ctx)
    if live.is_deleted:
        return ProductPlan(**_base(desired, live, ctx), fingerprint=fp(), actions=(_recover(live),)), []
    if live.is_frozen:
        frozen = tuple(sorted(p for p, s in live.platform_statuses if s == FROZEN)) or live.platforms
        blockers = tuple(Blocker(p, m.FROZEN) for p in frozen)
        action = Action(m.BLOCKED, frozen, blockers=blockers)
        return ProductPlan(**_base(desired, live, ctx), fingerprint=fp(), actions=(action,)), []
    if live.spec is None:
        message = f"{desired.key}: the details of live product {live.product_id} could not be read; plan again"
        return None, [PlanIssue("error", desired.key, "unreadable", message, (live.product_id,))]
    actions, notes, issues, drift = route_update(desired, live, ctx, fp, annotated_images(desired, live))
    if live.last_applied is None and not any(i.severity == "error" for i in issues):  # adopted
        notes = ["adopted: matched by seller SKU (no engine fingerprint yet); the next content write records it",
                 *notes]
    if not actions and not notes:
        return None, issues  # the common case: nothing to do (no entry built at all)
    base = _base(desired, live, ctx)
    if any(a.kind in (m.EDIT, m.PARTIAL_EDIT) and "listing_platforms" in _sent_fields(a) for a in actions):
        base["platforms"] = next(a.platforms for a in actions if a.kind in (m.EDIT, m.PARTIAL_EDIT))
    return ProductPlan(**base, fingerprint=fp(), actions=tuple(actions), notes=tuple(notes), drift=drift), issues


def _base(desired: ProductSpec, live: LiveProduct | None, ctx: Context) -> dict:
    """The ProductPlan fields every entry has: where the product is declared, what it is live as."""
    source = ctx.source(desired)
    base: dict[str, Any] = dict(key=desired.key, title=desired.title or (live.title if live else ""),
                source=f"{source.file}:{source.line}" if source.file else "")
    if live is not None:
        base.update(product_id=live.product_id, update_time=live.update_time,
                    platforms=live.platforms, adopted=live.last_applied is None)
    return base


def _sent_fields(action: Action) -> tuple[str, ...]:
    return action.fields if action.kind == m.PARTIAL_EDIT else ("listing_platforms",)


def _tombstone(live: LiveProduct | None) -> Action | None:
    if live is None or live.is_deleted:
        return None
    if live.is_frozen:
        frozen = tuple(sorted(p for p, s in live.platform_statuses if s == FROZEN)) or live.platforms
        return Action(m.BLOCKED, frozen, blockers=tuple(Blocker(p, m.FROZEN) for p in frozen),
                      note="frozen products cannot be deleted")
    changes = tuple(FieldChange(("status", p), s, DELETED) for p, s in live.platform_statuses)
    return Action(m.DELETE, live.platforms, changes=changes)


def _recover(live: LiveProduct) -> Action:
    changes = tuple(FieldChange(("status", p), s, "SELLER_DEACTIVATED") for p, s in live.platform_statuses)
    return Action(m.RECOVER, live.platforms, changes=changes,
                  note="it comes back deactivated; plan again after apply to update and activate it")


def _create(desired: ProductSpec, fp: Fingerprint, ctx: Context) -> tuple[ProductPlan | None, list[PlanIssue]]:
    zero = new_sku_stock_errors(desired, desired.seller_skus, ctx)
    if zero:
        return None, zero
    draft = desired.status == "inactive"
    platforms = desired.listing_platforms if "listing_platforms" in desired.declared else ()
    platforms = platforms or DEFAULT_PLATFORMS
    issues = [w for p in platforms
              if (w := permission_warning(desired.key, ctx.known, desired.category_id, p)) is not None]
    source = ctx.source(desired)
    images, uploads = resolve_images(desired.main_images, ctx.image_uris)
    spec = create_spec(desired, images, ctx.known, source)
    fingerprint = fp()
    action = Action(
        m.CREATE, platforms, sends_to_review=not draft, changes=created_changes(desired),
        save_mode="AS_DRAFT" if draft else "",
        note="status inactive: created as a draft, hidden from buyers until the status is active" if draft else "",
        spec=spec, idempotency_key=idempotency_key(desired.key, fingerprint),
        external_product_id=external_product_id(desired.key, fingerprint, images), uploads=uploads)
    return ProductPlan(desired.key, desired.title or "", platforms=platforms, fingerprint=fingerprint,
                       actions=(action,), source=f"{source.file}:{source.line}" if source.file else ""), issues


def make_batches(products: Iterable[ProductPlan]) -> tuple[Batch, ...]:
    """Activate / deactivate / delete / recover grouped by (kind, platforms), ≤ 20 ids each."""
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    for item in products:
        for action in item.actions:
            if action.kind in m.BATCH_KINDS and item.product_id:
                groups.setdefault((action.kind, action.platforms), []).append((item.product_id, item.key))
    batches = []
    for (kind, platforms), members in sorted(groups.items(), key=lambda g: (m.KINDS.index(g[0][0]), g[0][1])):
        members.sort()
        for start in range(0, len(members), m.BATCH_SIZE):
            chunk = members[start:start + m.BATCH_SIZE]
            batches.append(Batch(kind, platforms, tuple(i for i, _ in chunk), tuple(k for _, k in chunk)))
    return tuple(batches)


def _unmanaged(snapshot: LiveSnapshot, matched: Mapping[str, LiveProduct | None],
               catalog_keys: set[str]) -> tuple[UnmanagedProduct, ...]:
    taken = {live.product_id for live in matched.values() if live is not None}
    out = []
    for product_id in snapshot.unmanaged:
        if product_id in taken:
            continue
        live = snapshot.product(product_id)
        if live is not None and live.is_deleted:  # deleted in Seller Center: gone, not unmanaged
            continue
        former = live.last_applied[0] if live and live.last_applied else ""
        out.append(UnmanagedProduct(product_id, live.title if live else "",
                                    former if former not in catalog_keys else ""))
    return tuple(sorted(set(out)))


def _names(snapshot: LiveSnapshot, products: list[ProductPlan], shop: Any) -> tuple[tuple[str, str], ...]:
    names: dict[str, str] = {}
    for name, warehouse_id in (getattr(shop, "warehouses", None) or {}).items():
        names[str(warehouse_id)] = str(name)
    metadata = snapshot.metadata
    if metadata is None:
        return tuple(sorted(names.items()))
    for ref in metadata.warehouses:
        if ref.id and ref.name:
            names.setdefault(ref.id, ref.name)
    wanted: set[str] = set()
    for item in products:
        for action in item.actions:
            for change in action.changes:
                if change.path == ("category_id",):
                    wanted.update((str(change.new), str(change.old)))
    for info in metadata.categories:
        if info.id in wanted and info.name:
            names[info.id] = info.name
    return tuple(sorted(names.items()))


def listing_check_specs(plan: Plan, catalog: Any, snapshot: LiveSnapshot,
                        image_uris: Mapping[tuple[str, str], str] | None = None) -> dict[str, ProductSpec]:
    """key → the whole product each create / edit / partial edit of `plan` would leave in the
    shop: what `--check` sends to Check Product Listing (which takes the Create body shape)."""
    desired = {spec.key: spec for spec in catalog.products}
    ctx = context_for(catalog, snapshot, image_uris)
    out: dict[str, ProductSpec] = {}
    for item in plan.products:
        for action in item.actions:
            if action.kind in (m.CREATE, m.EDIT) and action.spec is not None:
                out[item.key] = action.spec
            elif action.kind == m.PARTIAL_EDIT and action.sends_to_review and item.product_id:
                live = snapshot.product(item.product_id)
                if live is not None and live.spec is not None and item.key in desired:
                    out[item.key] = merged_spec(desired[item.key], live.spec, action.platforms, ctx.image_uris,
                                                ctx.known, ctx.source(desired[item.key]))
    return dict(sorted(out.items()))
