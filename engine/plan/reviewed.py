"""The merge applies what was reviewed (issue 17): the reviewed plan against what is applied.

    plan_review = reviewed_as_is(reviewed, note)                   # the reviewed plan is applied as it is
    plan_review = compare_with_reviewed(fresh, reviewed, reason)  # a fresh plan: what nobody reviewed

`catalog apply CATALOG_DIR --reviewed plan.json` applies the plan the pull request showed when it
still describes the catalog (same shop, same catalog digest: `describes`); otherwise — the
merged catalog differs (squashed with other changes, a merge queue), or no reviewed plan was
found — it plans afresh, applies that, and records here every action of the fresh plan that is
not in the reviewed one. An action is "in the reviewed plan" when the reviewed plan has, for
the same product key, an action of the same kind on the same platforms that writes the same
values (`FieldChange.path` and `new`; the `old` side is the live value, which may have moved
since the review without changing what is written); a write the reviewed plan deferred to a
later day (the daily listing limit) was reviewed too. Pure: no I/O.

The result is recorded in the apply report (`ApplyReport.plan_review`), rendered at the top of the
report and of the comment on the merged pull request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from engine.plan.model import DAILY_LIMIT, DEFERRED, WRITE_KINDS, Action, FieldChange, Plan


@dataclass(frozen=True, slots=True)
class UnreviewedAction:
    """One action applied that the reviewed plan did not have."""

    key: str
    kind: str
    platforms: tuple[str, ...] = ()
    product_id: str | None = None
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanReview:
    reviewed: bool  # True: the plan applied is the one the pull request showed
    note: str = ""  # which plan was reviewed, or why a fresh plan was applied
    reviewed_digest: str = ""  # catalog digest of the reviewed plan ("" when there was none)
    not_reviewed: tuple[UnreviewedAction, ...] = ()  # fresh plan only; sorted by key, then plan order


def describes(reviewed: Plan, shop_name: str, market: str, catalog_digest: str) -> bool:
    """The reviewed plan was made from exactly this catalog (shop.yaml, bases, products, templates, images)."""
    return (reviewed.shop_name == shop_name and reviewed.market == market and bool(reviewed.catalog_digest)
            and reviewed.catalog_digest == catalog_digest)


def reviewed_as_is(reviewed: Plan, note: str) -> PlanReview:
    return PlanReview(True, note, reviewed.catalog_digest)


def compare_with_reviewed(fresh: Plan, reviewed: Plan | None, reason: str) -> PlanReview:
    """Every write action of `fresh` that `reviewed` does not have (all of them without a reviewed plan)."""
    seen = {_signature(item.key, action) for item in (reviewed.products if reviewed else ())
            for action in map(_as_reviewed, item.actions) if action.kind in WRITE_KINDS}
    missing = tuple(UnreviewedAction(item.key, action.kind, tuple(action.platforms), item.product_id,
                                     tuple(action.changes))
                    for item in fresh.products for action in item.actions
                    if action.kind in WRITE_KINDS and _signature(item.key, action) not in seen)
    return PlanReview(False, reason, reviewed.catalog_digest if reviewed else "", missing)


def _as_reviewed(action: Action) -> Action:
    """A listing the reviewed plan deferred (the daily listing limit) was reviewed as the write it
    defers: its kind is the blocker's detail, its changes are the write's (engine.plan.quota)."""
    if action.kind == DEFERRED and action.blockers and action.blockers[0].code == DAILY_LIMIT:
        return replace(action, kind=action.blockers[0].detail)
    return action


def _signature(key: str, action: Action) -> tuple:
    written = tuple(sorted((change.path, _canonical(change.new)) for change in action.changes))
    return key, action.kind, tuple(sorted(action.platforms)), written


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
