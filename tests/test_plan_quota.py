"""engine.plan.quota (pure) and the apply side's gate: what the daily listing limit defers, in
which order, and how a run stops listing at the shop's refusal."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from test_plan_builders import catalog, live_image, plan_for, snapshot, spec

from engine.apply.quota import ListingGate
from engine.codec import from_plain, to_plain
from engine.github.health import health_findings
from engine.plan import model as m
from engine.plan.model import Action, Blocker, FieldChange, Plan, ProductPlan
from engine.plan.planner import make_plan
from engine.plan.quota import defer_listings, is_listing
from engine.plan.report import APPLIED, DEFERRED, ApplyReport, PlatformResult, ProductResult, StepResult
from engine.plan.reviewed import compare_with_reviewed
from engine.render.markdown import render_markdown
from engine.render.text import render_text

CREATE = Action(m.CREATE, ("TIKTOK_SHOP",), sends_to_review=True, changes=(FieldChange(("title",), None, "T"),))
DRAFT = Action(m.CREATE, ("TIKTOK_SHOP",), save_mode="AS_DRAFT")
EDIT = Action(m.PARTIAL_EDIT, ("TIKTOK_SHOP",), sends_to_review=True, fields=("title",))
PRICE = Action(m.UPDATE_PRICE, ("TIKTOK_SHOP",))


def item(key: str, *actions: Action, priority: int = 0) -> ProductPlan:
    return ProductPlan(key, actions=actions, priority=priority)


def kinds(products) -> dict[str, tuple[str, ...]]:
    return {p.key: p.kinds() for p in products}


def test_only_creates_and_edits_back_to_review_count():
    assert is_listing(CREATE) and is_listing(EDIT)
    assert not is_listing(DRAFT) and not is_listing(PRICE)
    assert not is_listing(replace(EDIT, sends_to_review=False))  # a price through a partial edit
    products = [item("a", DRAFT), item("b", PRICE), item("c", CREATE)]
    assert defer_listings(products, 1) == products


def test_past_the_limit_in_listing_order_each_listing_is_deferred_and_its_other_writes_stay():
    products = [item("a", CREATE), item("b", EDIT, PRICE), item("c", CREATE, priority=5), item("d", CREATE)]
    out = defer_listings(products, 2)
    assert [p.key for p in out] == ["a", "b", "c", "d"]  # plan order kept
    assert kinds(out) == {"a": ("create",), "b": ("update_price", "deferred"), "c": ("create",),
                          "d": ("deferred",)}  # c (priority 5), then a; b and d wait
    (deferred,) = out[3].actions
    assert deferred.blockers == (Blocker("", m.DAILY_LIMIT, detail=m.CREATE),)
    assert deferred.changes == CREATE.changes and not deferred.is_write
    assert "daily_listing_limit 2" in deferred.note and "the 2 before it" in deferred.note
    assert defer_listings(products, None) == products


def test_a_planned_and_saved_plan_keeps_its_deferred_actions_and_limit():
    limited = catalog(*(spec(f"p{i}") for i in range(3)))
    limited.shop.daily_listing_limit = 1
    plan = make_plan(limited, snapshot())
    assert kinds(plan.products) == {"p0": ("create",), "p1": ("deferred",), "p2": ("deferred",)}
    assert plan.daily_listing_limit == 1 and plan.summary().deferred == 2 and plan.summary().create == 1
    assert not any(p.has_changes for p in plan.products[1:])
    assert from_plain(Plan, to_plain(plan)) == plan
    text = render_text(plan)
    assert "» p1" in text and "create: past today's daily listing limit, not sent today" in text
    assert "2 deferred to a later day" in text and "Daily listing limit 1 (shop.yaml): 2 product(s)" in text
    markdown = render_markdown(plan)
    assert "Daily listing limit 1 (shop.yaml): 2 product(s) deferred" in markdown and "» p2" in markdown
    assert "`catalog apply` on the next day" in markdown
    (pending,) = [s for s in health_findings(plan) if s.title.startswith("Not applied yet")]
    assert pending.lines[1].startswith("`p1` create (deferred: daily listing limit) (attribute Bahan, brand, ")


def test_a_listing_the_reviewed_plan_deferred_counts_as_reviewed_when_a_fresh_plan_sends_it():
    products = catalog(*(spec(f"p{i}") for i in range(2)))
    products.shop.daily_listing_limit = 1
    reviewed = make_plan(products, snapshot())
    products.shop.daily_listing_limit = None
    fresh = make_plan(products, snapshot())
    assert kinds(fresh.products) == {"p0": ("create",), "p1": ("create",)}
    assert compare_with_reviewed(fresh, reviewed, "the next day").not_reviewed == ()
    assert [a.key for a in compare_with_reviewed(fresh, None, "none").not_reviewed] == ["p0", "p1"]


def test_a_plan_that_fits_the_limit_says_nothing_about_it():
    plan = plan_for(spec())
    assert "deferred" not in render_text(plan) and "Daily listing limit" not in render_text(plan)
    assert plan_for(spec(), live_image(spec())).products == ()


def test_deferred_listings_make_an_apply_partial_even_when_nothing_else_was_written():
    deferred = StepResult(m.CREATE, ("TIKTOK_SHOP",), DEFERRED, (PlatformResult("TIKTOK_SHOP", DEFERRED),))
    applied = StepResult(m.CREATE, ("TIKTOK_SHOP",), APPLIED, (PlatformResult("TIKTOK_SHOP", APPLIED),))
    only_deferred = ApplyReport(products=(ProductResult("a", outcome=DEFERRED, steps=(deferred,)),))
    assert only_deferred.exit_code == 3 and not only_deferred.has_problems
    assert ApplyReport(products=(ProductResult("a", outcome=APPLIED, steps=(applied,)),)).exit_code == 0


def test_the_gate_sends_one_listing_first_and_none_after_a_refusal():
    async def run(refuse_first: bool) -> list[str]:
        gate, log = ListingGate(), []

        async def listing(name: str) -> None:
            if not await gate.admit():
                log.append(f"{name} deferred")
                return
            log.append(f"{name} sent")
            await asyncio.sleep(0)
            gate.settle("12052093 limit" if refuse_first and name == "a" else "")

        await asyncio.gather(*(listing(n) for n in "abc"))
        return log

    assert asyncio.run(run(True)) == ["a sent", "b deferred", "c deferred"]  # the others waited for "a"
    assert asyncio.run(run(False)) == ["a sent", "b sent", "c sent"]
