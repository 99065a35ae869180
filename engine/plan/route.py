"""Routing one managed live product: the cheapest correct calls for its changes.

    category, insurance, pre-owned, MOQ, delivery options changed → full Edit (everything rides along)
    other content (title, images, attributes, SKU added/removed...) → Partial Edit of whole top-level
        fields (with `skus`: every kept SKU id); price/stock alone stay separate calls
    price only → Update Price if the product is ACTIVATE on every platform it is on, else (not
        under review) Partial Edit of skus, which re-prices a hidden product without review
    stock only → Update Inventory (every warehouse of the SKU)
    platform wanted, not listed  → `listing_platforms` in a (partial) edit (goes to review there)
    platform wanted, deactivated → Activate;  platform unwanted / status inactive → Deactivate
States: under review → content waits (held), nothing resubmitted; review failed with the spec
unchanged since the last apply → blocked with the platform's reasons; a platform the category
does not permit, unchanged since the last apply → blocked, not retried on every plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.catalog.spec import (
    PLATFORM_LABELS,
    ProductSpec,
    external_product_id,
)
from engine.plan import model as m
from engine.plan.compare import changed_fields, desired_view, live_view
from engine.plan.context import Context, new_sku_stock_errors, permission_problem, permission_warning
from engine.plan.diff import change_order, field_changes
from engine.plan.images import ImageUris
from engine.plan.live import DEACTIVATED, DELETED, LIVE, REVIEW_FAILED, UNDER_REVIEW, LiveProduct
from engine.plan.model import Action, Blocker, FieldChange, PlanIssue, PriceUpdate, StockUpdate
from engine.plan.ownership import restock_warnings, shop_owned
from engine.plan.payload import merge_sku, merged_spec, partial_spec, resolve_images

NOT_LISTED = frozenset({*DEACTIVATED, DELETED})
DRAFT = "DRAFT"
FULL_EDIT_FIELDS = frozenset({"category_id", "shipping_insurance_requirement", "is_pre_owned",
                              "minimum_order_quantity", "delivery_option_ids"})


def _split(changes: tuple[FieldChange, ...]) -> tuple[list[FieldChange], list[FieldChange], list[FieldChange]]:
    price: list[FieldChange] = []
    stock: list[FieldChange] = []
    content: list[FieldChange] = []
    for change in changes:
        path = change.path
        if path[0] == "skus" and len(path) >= 3 and path[2] == "price":
            price.append(change)
        elif path[0] == "skus" and len(path) >= 3 and path[2] == "inventory":
            stock.append(change)
        else:
            content.append(change)
    return price, stock, content


@dataclass
class _Product:
    """Working state while routing one product."""

    desired: ProductSpec
    live: LiveProduct
    have: ProductSpec  # live.spec
    ctx: Context
    actions: list[Action]
    notes: list[str]
    issues: list[PlanIssue]
    present: dict[str, str]  # platform → raw status


def route_update(desired: ProductSpec, live: LiveProduct, ctx: Context, fp: Callable[[], str],
                 own_images: ImageUris | None = None) -> tuple[list[Action], list[str], list[PlanIssue], bool]:
    """(actions, notes, issues, drift) for a desired product matched to a readable live one.
    `own_images`: its uploaded images the live annotation names (images.annotated_images)."""
    ctx = ctx.with_images(own_images or {})
    desired = shop_owned(desired, _details(live), ctx)
    names = changed_fields(desired, _details(live), ctx.images)
    if "shipping_insurance_requirement" in names and not _on_tokopedia(desired, live):
        names.remove("shipping_insurance_requirement")  # the API takes it only with Tokopedia

    def unchanged() -> bool:  # the catalog has not changed since the last apply
        applied = live.last_applied
        if applied is None or applied[0] != desired.key:
            return False
        return applied[1] == fp()

    return _route(desired, live, ctx, fp, unchanged, names)


def _details(live: LiveProduct) -> ProductSpec:
    """The live product's spec (the planner routes only products whose details were read)."""
    if live.spec is None:
        raise ValueError(f"live product {live.product_id} has no details to route against")
    return live.spec


def _on_tokopedia(desired: ProductSpec, live: LiveProduct) -> bool:
    """The product is on Tokopedia (even hidden there) or this plan lists it there: only then
    can shipping insurance be written (an inactive product declared on Tokopedia but never
    listed there gets it when it is listed)."""
    if any(p == "TOKOPEDIA" for p, _ in live.platform_statuses):
        return True
    wanted = desired.listing_platforms if "listing_platforms" in desired.declared else live.platforms
    return desired.status != "inactive" and "TOKOPEDIA" in wanted


def _route(desired: ProductSpec, live: LiveProduct, ctx: Context, fp: Callable[[], str],
           unchanged: Callable[[], bool], names: list[str]) -> tuple[list[Action], list[str], list[PlanIssue], bool]:
    state = _Product(desired, live, _details(live), ctx, [], [], [], dict(live.platform_statuses))
    changes = _field_changes(desired, state.have, state.ctx, names) if names else ()
    issues = _warehouse_errors(desired, live.product_id, state.have, changes)
    added = [c.path[1] for c in changes if c.path[0] == "skus" and len(c.path) == 2 and c.old is None]
    issues += new_sku_stock_errors(desired, added, ctx, live.product_id) if added else []
    if issues:
        return [], [], issues, False
    state.issues += restock_warnings(desired, state.have, ctx)
    failed = _failed_platforms(live)
    if failed and unchanged():
        return [_blocked_review(live, failed)], [], [], False
    price, stock, content = _split(changes)
    listing = _platforms(state, unchanged)
    under_review = live.audit_status == "AUDITING" or UNDER_REVIEW in state.present.values()
    if under_review:
        _hold(state, content, listing)
        content, listing = [], None
    if _content_actions(state, content, listing, price, fp):
        price = []  # the edit carries the new prices (stock never rides in an edit: see _price_stock)
    _price_stock(state, price, stock, under_review)
    if failed:
        _failed_note(state, live, failed)
    if under_review and not any(a.kind == m.HELD for a in state.actions):
        _waiting(state)
    actions = sorted(state.actions, key=lambda a: m.KINDS.index(a.kind))
    drift = any(a.is_write for a in actions) and unchanged()
    return actions, state.notes, state.issues, drift


def _field_changes(desired: ProductSpec, live: ProductSpec, ctx: Context, names: list[str]) -> tuple[FieldChange, ...]:
    """The changes of the named fields (those changed_fields found)."""
    return field_changes(live_view(live, desired, ctx.images, names), desired_view(desired, names))


def _warehouse_errors(desired: ProductSpec, product_id: str, have: ProductSpec,
                      changes: tuple[FieldChange, ...]) -> list[PlanIssue]:
    kept = {s.seller_sku for s in have.skus}
    issues = []
    for change in changes:
        path = change.path
        if len(path) == 4 and path[2] == "inventory" and path[1] in kept and change.old is None:
            issues.append(PlanIssue("error", desired.key, "warehouse_change", (
                f"{desired.key}: SKU {path[1]} has no stock in warehouse {path[3]} in the shop, and the platform "
                "does not let an existing SKU change warehouses (12052533); set stock in its current warehouses, "
                "or give the SKU a new seller_sku"), (product_id,)))
    return issues


def _failed_platforms(live: LiveProduct) -> tuple[str, ...]:
    failed = {p for p, s in live.platform_statuses if s == REVIEW_FAILED}
    if live.audit_status == "FAILED":
        failed |= {a.platform for a in live.audit_failures}
    return tuple(sorted(failed))


def _failure_blockers(live: LiveProduct, failed: tuple[str, ...]) -> tuple[Blocker, ...]:
    by_platform = {a.platform: a for a in live.audit_failures}
    return tuple(Blocker(p, m.REVIEW_FAILED, by_platform[p].reasons if p in by_platform else (),
                         by_platform[p].suggestions if p in by_platform else ()) for p in failed)


def _blocked_review(live: LiveProduct, failed: tuple[str, ...]) -> Action:
    return Action(m.BLOCKED, failed, blockers=_failure_blockers(live, failed),
                  note="review failed and the catalog has not changed since: fix the product, then plan again")


def _failed_note(state: _Product, live: LiveProduct, failed: tuple[str, ...]) -> None:
    labels = ", ".join(PLATFORM_LABELS[p] for p in failed)
    if any(a.kind in (m.EDIT, m.PARTIAL_EDIT) and a.sends_to_review for a in state.actions):
        state.notes.append(f"review failed on {labels}; the changed product is resubmitted")
        return
    state.actions.append(Action(m.BLOCKED, failed, blockers=_failure_blockers(live, failed),
                                note="review failed; nothing in the content changed, so nothing is resubmitted"))


# --------------------------------------------------------------------------- platforms
@dataclass
class _Listing:
    sent: tuple[str, ...]  # listing_platforms after the edit
    change: FieldChange


def _platforms(state: _Product, unchanged: Callable[[], bool]) -> _Listing | None:
    """Activate / deactivate / blocked actions; the listing change an edit must carry."""
    desired, present = state.desired, state.present
    manage_platforms = "listing_platforms" in desired.declared
    manage_status = "status" in desired.declared
    active = desired.status != "inactive"
    want = set(desired.listing_platforms) if manage_platforms else set(present)
    # not listed there yet — or only a draft there (publishing a draft is an edit that lists it)
    to_list = sorted(p for p in want if present.get(p, DRAFT) == DRAFT) if active else []
    to_activate = sorted(p for p in want & set(present) if present[p] in DEACTIVATED and active
                         and (manage_status or manage_platforms))
    to_deactivate = sorted(p for p in present if present[p] == LIVE and (p not in want or not active))
    category = desired.category_id if "category_id" in desired.declared else state.have.category_id
    to_list = _check_permissions(state, to_list, category, unchanged)
    listing = None
    if to_list:
        listed = {p for p, s in present.items() if s not in NOT_LISTED}  # deactivated ones: Activate
        sent = tuple(sorted((want & listed) | set(to_list)))
        before = sorted(p for p, s in present.items() if s != DRAFT)
        listing = _Listing(sent, FieldChange(("listing_platforms",), before, list(sent)))
        to_deactivate = [p for p in to_deactivate if p in sent]
    if to_activate:
        state.actions.append(Action(m.ACTIVATE, tuple(to_activate), sends_to_review=True, changes=tuple(
            FieldChange(("status", p), present[p], LIVE) for p in to_activate)))
    if to_deactivate:
        state.actions.append(Action(m.DEACTIVATE, tuple(to_deactivate), changes=tuple(
            FieldChange(("status", p), present[p], "SELLER_DEACTIVATED") for p in to_deactivate)))
    return listing


def _check_permissions(state: _Product, to_list: list[str], category: str | None,
                       unchanged: Callable[[], bool]) -> list[str]:
    allowed, blockers = [], []
    for platform in to_list:
        status = permission_problem(state.ctx.known, category, platform)
        if status and unchanged():
            blockers.append(Blocker(platform, m.CATEGORY_NOT_PERMITTED, detail=status))
            continue
        warning = permission_warning(state.desired.key, state.ctx.known, category, platform)
        if warning:
            state.issues.append(warning)
        allowed.append(platform)
    if blockers:
        state.actions.append(Action(m.BLOCKED, tuple(b.platform for b in blockers), blockers=tuple(blockers),
                                    note="not listed there since the last apply; change the category to retry"))
    return allowed


def _in_review(state: _Product) -> tuple[str, ...]:
    return tuple(sorted(p for p, s in state.present.items() if s == UNDER_REVIEW)) or tuple(sorted(state.present))


def _hold(state: _Product, content: list, listing: _Listing | None) -> None:
    held = content + ([listing.change] if listing else [])
    pending = _in_review(state)
    if held:
        state.actions.append(Action(m.HELD, pending, changes=tuple(sorted(held, key=change_order)),
                                    blockers=tuple(Blocker(p, m.UNDER_REVIEW) for p in pending),
                                    note="the review is not over: these changes are sent once it ends"))


def _waiting(state: _Product) -> None:
    """A product in review with nothing held: shown, so a plan says why its outcome is not known."""
    pending = _in_review(state)
    state.actions.append(Action(m.HELD, pending, blockers=tuple(Blocker(p, m.UNDER_REVIEW) for p in pending),
                                note="the platform has not decided yet; nothing to send — the next plan "
                                     "after the review shows the outcome"))


# --------------------------------------------------------------------------- content
def _content_actions(state: _Product, content: list, listing: _Listing | None, price: list,
                     fp: Callable[[], str]) -> bool:
    """Edit or partial edit; True when it also carries the price changes."""
    desired, live = state.desired, state.live
    full = any(c.path[0] in FULL_EDIT_FIELDS for c in content)
    if content and live.has_draft and not full:
        full = True
        state.notes.append("has an unsaved draft in Seller Center: a full edit is used so the draft is not published")
    if not content and listing is None:
        return False
    # listing_platforms a full edit sends: where the product is listed now (deactivated platforms
    # are left out — an edit naming them could list them again; empty = not sent)
    sent = listing.sent if listing else tuple(sorted(p for p, s in state.present.items() if s not in NOT_LISTED))
    written = {c.path[0] for c in content} | ({"listing_platforms"} if listing else set())
    if listing and price:
        # the edit lists / hides platforms: Update Price after it would meet a product not live
        # everywhere (12019113), so the new prices ride along in `skus`
        written.add("skus")
    merged = merged_spec(desired, state.have, sent, state.ctx.image_uris, state.ctx.known, state.ctx.source(desired),
                         only=None if full else tuple(written))
    uploads = resolve_images(desired.main_images, state.ctx.image_uris)[1] if "main_images" in desired.declared else ()
    changes = content + ([listing.change] if listing else [])
    draft = _stays_draft(state)
    common: dict[str, Any] = dict(
        platforms=listing.sent if listing else tuple(sorted(state.present)), sends_to_review=not draft,
        uploads=uploads, save_mode="AS_DRAFT" if draft else "",
        external_product_id=external_product_id(desired.key, fp(), merged.main_images))
    if full:
        _category_warnings(state, content, sent)
        state.actions.append(Action(m.EDIT, changes=_sorted(changes + price), spec=merged,
                                    sku_ids=_kept_ids(desired, live), extra=live.extra, **common))
        return True
    carries = "skus" in written
    fields = tuple(sorted(written)) + ("external_product_id",)
    state.actions.append(Action(
        m.PARTIAL_EDIT, changes=_sorted(changes + (price if carries else [])), fields=fields,
        spec=partial_spec(merged, fields), sku_ids=_kept_ids(desired, live) if carries else (), **common))
    return carries


def _stays_draft(state: _Product) -> bool:
    """A never-listed draft the catalog keeps inactive: its edits are saved as a draft too
    (save_mode AS_DRAFT) — an edit saved for listing would publish it."""
    present = state.present.values()
    return state.desired.status == "inactive" and bool(state.present) and all(s == DRAFT for s in present)


def _category_warnings(state: _Product, content: list, sent: tuple[str, ...]) -> None:
    if any(c.path == ("category_id",) for c in content):
        for platform in sent:
            warning = permission_warning(state.desired.key, state.ctx.known, state.desired.category_id, platform)
            if warning:
                state.issues.append(warning)


def _sorted(changes: list) -> tuple[FieldChange, ...]:
    return tuple(sorted(changes, key=change_order))


def _kept_ids(desired: ProductSpec, live: LiveProduct) -> tuple[tuple[str, str], ...]:
    if "skus" not in desired.declared:
        return live.sku_ids
    wanted = set(desired.seller_skus)
    return tuple((sku, sku_id) for sku, sku_id in live.sku_ids if sku in wanted)


def _price_stock(state: _Product, price: list, stock: list, under_review: bool) -> None:
    """Price changes an edit did not carry, and every stock change of an existing SKU: stock
    always goes through Update Inventory (every warehouse of the SKU; it takes 0), never in an
    edit — Edit / Partial Edit take 1-99,999 and a sold-out SKU has 0, so an edit leaves
    existing SKUs' stock out (engine.shop.build)."""
    if not price and not stock:
        return
    desired, live = state.desired, state.live
    platforms = tuple(sorted(state.present))
    ids = dict(live.sku_ids)
    wanted = {s.seller_sku: s for s in desired.skus}
    have = {s.seller_sku: s for s in state.have.skus}
    if price and not _live_everywhere(state):
        if under_review:
            state.actions.append(Action(m.HELD, platforms, changes=_sorted(price),
                                        note="not live while under review: the new price is sent once it ends"))
        else:
            merged = merged_spec(desired, state.have, platforms, state.ctx.image_uris, state.ctx.known,
                                 state.ctx.source(desired), only=("skus",))
            state.actions.append(Action(
                m.PARTIAL_EDIT, platforms, changes=_sorted(price), fields=("skus",),
                spec=partial_spec(merged, ("skus",)), sku_ids=_kept_ids(desired, live),
                save_mode="AS_DRAFT" if _stays_draft(state) else "",
                note=_pending(live, f"{_not_live_where(state)}, so the price goes through a partial edit (no review)")))
    elif price:
        skus = sorted({c.path[1] for c in price})
        state.actions.append(Action(m.UPDATE_PRICE, platforms, changes=_sorted(price), prices=tuple(
            PriceUpdate(ids.get(s, ""), s, wanted[s].price) for s in skus), note=_pending(live)))
    if stock:
        skus = sorted({c.path[1] for c in stock})
        state.actions.append(Action(m.UPDATE_INVENTORY, platforms, changes=_sorted(stock), stock=tuple(
            StockUpdate(ids.get(s, ""), s, merge_sku(wanted[s], have.get(s)).inventory) for s in skus)))


def _pending(live: LiveProduct, note: str = "") -> str:
    """The note of a price change the last apply saw held (a promotion lock): still pending, sent again."""
    if not live.price_hold:
        return note
    held = f"pending: the shop held this price change — {live.price_hold}; it is sent again"
    return f"{note}; {held}" if note else held


def _live_everywhere(state: _Product) -> bool:
    """Update Price takes only a product ACTIVATE on every platform it is on (one price serves
    both: the sandbox answers 12019113 otherwise, RULES.md); Partial Edit `skus[].price` re-prices
    any other product that is not frozen or deleted, without review."""
    return bool(state.present) and all(s == LIVE for s in state.present.values())


def _not_live_where(state: _Product) -> str:
    if LIVE not in state.present.values():
        return "not live on any platform"
    hidden = sorted(p for p, s in state.present.items() if s != LIVE)
    return "not live on " + ", ".join(PLATFORM_LABELS[p] for p in hidden)
