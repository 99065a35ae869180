"""The shop's daily listing limit in a plan (issue 20): which creates and edits go out today.

The platform counts a shop's listings per day: a Create that lists a product and an Edit /
Partial Edit that sends a product back to review (a relisting); price, stock and status changes
and drafts do not. Sources: API.md §5 and §11 — [DOC-CREATE] 12052093 "Exceeded the product
listing limit for the seller", the Create / Edit descriptions ("There may be a limit to the number
of products you can relist per day", shown on the Seller Center homepage), "any content change
re-triggers audit and counts against the daily relist limit; price/inventory do not re-audit".
The sandbox counts the same (engine/sandbox/RULES.md).

shop.yaml `daily_listing_limit` is the shop's tier. A plan with more listings than that keeps the
first `limit` of them, in listing order, and defers the rest: each such write becomes a
`deferred` action (nothing is sent; what it would change is shown) and a later apply — the next
day, with a new plan — sends it. The product's other writes (a price, stock) still go out.

Listing order: a higher `priority` first (a product's `priority:`, default 0), then by key —
the order the plan lists products in. The executor starts listing writes in the same order.

The plan cannot know how many listings the shop already made today (no API says): it counts
the whole limit. What the shop still refuses at apply (12052093) is deferred then, and no
listing is sent after it (engine.apply.execute).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from engine.plan import model as m
from engine.plan.model import Action, Blocker, ProductPlan

LISTING_KINDS = (m.CREATE, m.EDIT, m.PARTIAL_EDIT)


def is_listing(action: Action) -> bool:
    """A write the daily listing limit counts: a create or an edit that goes (back) to review."""
    return action.kind in LISTING_KINDS and action.sends_to_review


def listing_order(item: ProductPlan) -> tuple[int, str]:
    """Sort key of the listing order: higher priority first, then by key."""
    return -item.priority, item.key


def with_priorities(products: list[ProductPlan], priorities: Mapping[str, int]) -> list[ProductPlan]:
    """The products with the catalog's `priority` of those that set one."""
    if not priorities:
        return products
    return [replace(p, priority=priorities[p.key]) if priorities.get(p.key) else p for p in products]


def defer_listings(products: list[ProductPlan], limit: int | None) -> list[ProductPlan]:
    """`products` (in plan order) with every listing past the first `limit` (listing order)
    deferred; unchanged when there is no limit or the plan fits in it."""
    if limit is None:
        return products
    listings = sorted((p for p in products if any(is_listing(a) for a in p.actions)), key=listing_order)
    used, later = 0, set[str]()
    for item in listings:
        count = sum(1 for a in item.actions if is_listing(a))
        if not later and used + count <= limit:
            used += count
        else:  # strictly in order: nothing after a product that did not fit
            later.add(item.key)
    if not later:
        return products
    note = (f"shop.yaml daily_listing_limit {limit:,}: today's listings go to the {used:,} before it in listing "
            "order (higher priority first, then by key); a later apply (the next day) sends it")
    return [_deferred(p, note) if p.key in later else p for p in products]


def _deferred(item: ProductPlan, note: str) -> ProductPlan:
    actions = [Action(m.DEFERRED, a.platforms, changes=a.changes, note=note,
                      blockers=(Blocker("", m.DAILY_LIMIT, detail=a.kind),)) if is_listing(a) else a
               for a in item.actions]
    actions.sort(key=lambda a: m.KINDS.index(a.kind))
    return replace(item, actions=tuple(actions))
