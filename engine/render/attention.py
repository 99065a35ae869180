"""What a reviewer must see in a plan however large it is: the items that need attention, first.

A product needs attention when it trips a guard (engine.plan.guards), its plan deletes it,
deactivates it on a platform, removes a platform or a SKU in an edit, it is frozen or failed
review (offline), blocked otherwise, or sent (back) to review — everything that takes a listing
off the shelf for a while or for good. Text plan, Markdown comment and job summary show
products in `attention_order`: by their most urgent category (CATEGORIES: a tripped guard, then
what is not for sale now — frozen or review failed on a platform —, then removals), then routine
changes, each group in key order. A size-limited rendering (a GitHub comment, a job summary)
may leave out routine details, never these: each gets at least a one-line `attention_line`,
and `routine_counts` says what the elided rest was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from engine.plan import model as m
from engine.plan.model import Action, GuardTrip, Plan, ProductPlan
from engine.render import fmt
from engine.render.guards import past, what

MAX_REASON = 160  # characters of a blocked reason on the one-line form
# Order of the "needs attention" categories (most urgent first).
OFFLINE = "offline / review failed"
CATEGORIES = ("guard", OFFLINE, "delete", "deactivate", "platform removal", "SKU removal", "blocked", "review")
_OFFLINE_CODES = frozenset({m.FROZEN, m.REVIEW_FAILED})


def _removed(old: object, new: object) -> list[str]:
    if not isinstance(old, list):
        return []
    kept = set(new) if isinstance(new, list) else set()
    return sorted(str(v) for v in old if v not in kept)


def _action_reasons(action: Action) -> list[tuple[str, str]]:
    """(category, text) for each thing in `action` that needs attention."""
    found: list[tuple[str, str]] = []
    if action.kind == m.DELETE:
        found.append(("delete", "delete"))
    elif action.kind == m.DEACTIVATE:
        found.append(("deactivate", f"deactivate on {fmt.platforms(action.platforms)}"))
    elif action.kind == m.BLOCKED:
        lines = [line for blocker in action.blockers for line in fmt.blocker_lines(blocker)[:1]]
        reason = "; ".join(lines) or f"on {fmt.platforms(action.platforms)}"
        offline = any(blocker.code in _OFFLINE_CODES for blocker in action.blockers)
        found.append((OFFLINE if offline else "blocked", "blocked: " + _clip(reason)))
    for change in action.changes if action.kind in (m.EDIT, m.PARTIAL_EDIT) else ():
        if change.path == ("listing_platforms",):
            gone = _removed(change.old, change.new)
            if gone:
                found.append(("platform removal", f"removes {fmt.platforms(gone)}"))
        elif change.path[0] == "skus" and len(change.path) == 2 and change.new is None:
            found.append(("SKU removal", f"removes SKU {change.path[1]}"))
    if action.is_write and action.sends_to_review and action.kind != m.CREATE:
        found.append(("review", f"{fmt.KIND_LABELS[action.kind]} on {fmt.platforms(action.platforms)} · "
                                f"{fmt.review_marker(action)}"))
    return found


def _clip(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


def _guard_reason(trip: GuardTrip) -> tuple[str, str]:
    state = "acknowledged" if trip.acknowledged else "not acknowledged"
    return "guard", f"guard tripped ({state}): {what(trip)}, {past(trip)}"


def guards_by_key(plan: Plan) -> dict[str, tuple[GuardTrip, ...]]:
    """The plan's guard trips per product key (price changes; shop-wide guards have no key)."""
    out: dict[str, list[GuardTrip]] = {}
    for trip in plan.guards:
        if trip.key:
            out.setdefault(trip.key, []).append(trip)
    return {key: tuple(trips) for key, trips in out.items()}


def attention_reasons(item: ProductPlan, guards: Iterable[GuardTrip] = ()) -> list[tuple[str, str]]:
    """Every (category, text) of a product that needs attention; empty for routine products.
    `guards`: the guards the product trips (`guards_by_key`)."""
    return [_guard_reason(t) for t in guards] + [reason for action in item.actions
                                                 for reason in _action_reasons(action)]


def needs_attention(item: ProductPlan, guards: Iterable[GuardTrip] = ()) -> bool:
    return bool(attention_reasons(item, guards))


def attention_rank(item: ProductPlan, guards: Iterable[GuardTrip] = ()) -> int:
    """Position of the product's most urgent category in CATEGORIES (lower comes first);
    len(CATEGORIES) for a routine product."""
    return min((CATEGORIES.index(category) for category, _ in attention_reasons(item, guards)),
               default=len(CATEGORIES))


def attention_order(plan: Plan, by_key: Mapping[str, tuple[GuardTrip, ...]] | None = None) -> list[int]:
    """Indexes of `plan.products` in the order every rendering shows them: most urgent category
    first, routine changes last, key order within each (products are sorted by key)."""
    guards = guards_by_key(plan) if by_key is None else by_key
    ranks = [attention_rank(item, guards.get(item.key, ())) for item in plan.products]
    return sorted(range(len(ranks)), key=ranks.__getitem__)


def attention_line(item: ProductPlan, escape, guards: Iterable[GuardTrip] = ()) -> str:
    """The one-line form: ``- `▼ key` deactivate on Tokopedia; … (product 123)``."""
    texts = [text for _, text in attention_reasons(item, guards)]
    where = f" (product {item.product_id})" if item.product_id else ""
    symbol = item.actions[0].symbol if item.actions else "="
    return f"- `{symbol} {item.key}` {escape('; '.join(texts))}{where}"


def attention_groups(items, by_key: Mapping[str, tuple[GuardTrip, ...]] | None = None) -> list[str]:
    """The denser form when one line per product does not fit: per category, the keys only."""
    keys: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    guards = by_key or {}
    for item in items:
        for category in dict.fromkeys(category for category, _ in attention_reasons(item, guards.get(item.key, ()))):
            keys[category].append(item.key)
    return [f"- **{category}** ({len(found):,}): " + ", ".join(f"`{key}`" for key in found)
            for category, found in keys.items() if found]


def routine_counts(items) -> str:
    """'8,000 to create, 312 price, 40 stock' for products left out (by their first action)."""
    counts = Counter(fmt.KIND_LABELS[item.actions[0].kind] if item.actions else "no changes" for item in items)
    return ", ".join(f"{n:,} {label}" for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
