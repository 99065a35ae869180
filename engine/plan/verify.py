"""A saved plan is what planning its catalog against its recorded live state gives — or refused.

    check_rederived(plan, catalog)    # PlanError naming the first difference, else None

A saved plan (`catalog plan --out plan.json`) records the live state it was computed from
(`Plan.live`, LiveSnapshot.recorded). Before `catalog apply plan.json` writes anything, the
catalog — whose digest the caller has checked against the plan's — is planned again against
that recorded state, with the plan's own targets, and the result must equal the saved plan
value for value: the products (every action and its payload: prices, stock, specs, ids, the
fingerprint it records), the guards it trips and what acknowledges them, the batches, the
issues, the unmanaged ids. Ownership (`manage:`) and acknowledgements come from the catalog, so
re-planning applies them again. Whatever an edit of the
file changes — a price, a product id, an action kind, an added or removed action or batch
member — the re-derived plan does not have it, and the message names the first difference.

What re-deriving cannot tell is whether the recorded live state is the shop's: that is checked
against the shop at apply time (engine.apply.run.check_recorded_live: every product the plan
writes to must still be the recorded one — same update_time and seller SKUs, holding the
catalog product's SKUs — else it is stale or refused). Display-only parts are not compared:
Check Product Listing results (`--check`, attached after planning), the names of warehouses and
categories, and the titles of unmanaged products (the recorded state keeps only their ids).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.codec import to_plain
from engine.errors import PlanError
from engine.plan.model import Plan, ProductPlan
from engine.plan.planner import make_plan

AGAIN = "run `catalog plan --out` again and review the new plan"


def check_rederived(plan: Plan, catalog: Any) -> None:
    """Refuse (PlanError) a saved plan that is not what planning `catalog` against the plan's
    recorded live state gives."""
    if plan.live is None:
        raise PlanError(f"the saved plan records no live state to check it against: {AGAIN}")
    unread = _unread_product(plan)
    if unread:
        raise PlanError(f"the saved plan was edited: {unread}; {AGAIN}")
    again = make_plan(catalog, plan.live, targets=plan.targets)
    difference = first_difference(plan, again)
    if difference:
        raise PlanError(f"the saved plan is not what planning catalog {plan.catalog_digest[:12]} against the live "
                        f"state it recorded gives: {difference}. It was edited, or made by another catalog-engine "
                        f"version: {AGAIN}")


def _unread_product(plan: Plan) -> str:
    """A product id the plan writes to that is not in its recorded live state, or ""."""
    assert plan.live is not None
    read = {p.product_id for p in plan.live.products}
    for item in plan.products:
        if item.product_id and item.product_id not in read:
            return f"product {item.key} names live product {item.product_id}, which the plan did not read"
    for number, batch in enumerate(plan.batches, 1):
        for product_id, key in zip(batch.product_ids, batch.keys, strict=False):
            if product_id not in read:
                return (f"batch {number} ({batch.kind}) names live product {product_id} ({key}), which the plan did "
                        "not read")
    return ""


def first_difference(saved: Plan, again: Plan) -> str:
    """Where `saved` first differs from the re-derived plan `again`, in words, or ""."""
    if saved.daily_listing_limit != again.daily_listing_limit:
        return (f"daily_listing_limit is {saved.daily_listing_limit!r} in the saved plan, the catalog gives "
                f"{again.daily_listing_limit!r}")
    mine = {item.key: item for item in saved.products}
    theirs = {item.key: item for item in again.products}
    if list(mine) != list(theirs):
        return _product_sets(list(mine), list(theirs))
    for key, item in mine.items():
        difference = _product_difference(item, theirs[key])
        if difference:
            return f"product {key}: {difference}"
    if saved.guards != again.guards:  # a trip removed or marked acknowledged would let apply through
        return _diff(to_plain(saved.guards), to_plain(again.guards), "guards")
    if saved.batches != again.batches:
        return _diff(to_plain(saved.batches), to_plain(again.batches), "batches")
    if saved.issues != again.issues:
        return _diff(to_plain(saved.issues), to_plain(again.issues), "issues")
    ids, ids_again = [u.product_id for u in saved.unmanaged], [u.product_id for u in again.unmanaged]
    if ids != ids_again:
        return _diff(ids, ids_again, "unmanaged")
    return ""


def _product_sets(mine: list[str], theirs: list[str]) -> str:
    added = [k for k in mine if k not in theirs]
    if added:
        return f"product {added[0]} is in the saved plan, planning gives nothing to do for it"
    missing = [k for k in theirs if k not in mine]
    if missing:
        return f"planning gives changes for product {missing[0]}, the saved plan has none"
    return "its products are in another order"


def _product_difference(saved: ProductPlan, again: ProductPlan) -> str:
    saved = replace(saved, check=None)  # Check Product Listing results are attached after planning
    if saved == again:
        return ""
    if len(saved.actions) != len(again.actions):
        kinds, kinds_again = saved.kinds(), again.kinds()
        return f"its actions are {', '.join(kinds) or 'none'} in the saved plan, planning gives " \
               f"{', '.join(kinds_again) or 'none'}"
    return _diff(to_plain(saved), to_plain(again), "")


def _diff(saved: Any, again: Any, path: str) -> str:
    """The first path at which two plain JSON values differ, with both values."""
    if type(saved) is dict and type(again) is dict:
        for name in list(saved) + [n for n in again if n not in saved]:
            if saved.get(name) != again.get(name):
                return _diff(saved.get(name), again.get(name), f"{path}.{name}" if path else name)
    if type(saved) is list and type(again) is list and len(saved) == len(again):
        for number, (left, right) in enumerate(zip(saved, again, strict=True)):
            if left != right:
                return _diff(left, right, f"{path}[{number}]")
    return f"{path or 'the value'} is {_short(saved)} in the saved plan, planning gives {_short(again)}"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
