"""Guards and attention first (issue 17), rendering side: the guard section opens the text plan,
the PR comment and the job summary; products follow in attention order; a size budget keeps
the guards and spends what is left in that order."""

from __future__ import annotations

import re
from dataclasses import replace

from test_github_render import _product, big_plan

from engine.github.comments import COMMENT_LIMIT, Content, Sticky, comment_body
from engine.plan import model as m
from engine.plan.model import Action, Blocker, FieldChange, GuardTrip, Plan, ProductPlan
from engine.render.attention import attention_order
from engine.render.markdown import render_markdown
from engine.render.text import render_text

BOTH = ("TIKTOK_SHOP", "TOKOPEDIA")


def typo(trip_key: str) -> tuple[ProductPlan, GuardTrip]:
    item = ProductPlan(trip_key, "Kaos Polos", "7301", 1, BOTH, actions=(Action(
        m.UPDATE_PRICE, BOTH, changes=(FieldChange(("skus", "KAOS-M", "price"), "185000", "1850"),)),),
        source="products/kaos.yaml:2")
    return item, GuardTrip("price_change", trip_key, "KAOS-M", "185000", "1850", limit="50 %",
                           source="products/kaos.yaml:2")


def renamed(item: ProductPlan, key: str) -> ProductPlan:
    return replace(item, key=key)


def every_category_plan() -> Plan:
    frozen = ProductPlan("e-frozen", "", "7302", 1, BOTH, actions=(Action(
        m.BLOCKED, ("TOKOPEDIA",), blockers=(Blocker("TOKOPEDIA", m.FROZEN),)),))
    invite = ProductPlan("f-invite", "", "7303", 1, BOTH, actions=(Action(
        m.BLOCKED, ("TOKOPEDIA",), blockers=(Blocker("TOKOPEDIA", m.CATEGORY_NOT_PERMITTED, detail="INVITE_ONLY"),)),))
    guarded, trip = typo("z-typo")
    products = [renamed(_product(0, "price"), "a-routine"), renamed(_product(1, "delete"), "d-delete"),
                renamed(_product(2, "deactivate"), "c-deactivate"), renamed(_product(3, "blocked"), "b-failed"),
                frozen, invite, renamed(_product(4, "review"), "g-review"), guarded]
    return Plan(shop_name="Toko Nusantara", products=tuple(sorted(products, key=lambda p: p.key)), guards=(trip,))


ORDER = ["z-typo", "b-failed", "e-frozen", "d-delete", "c-deactivate", "f-invite", "g-review", "a-routine"]


def test_the_text_plan_opens_with_the_guards_then_shows_products_by_need():
    text = render_text(every_category_plan())
    assert text.index("✖ 1 guard tripped: apply refuses this plan until it is acknowledged") < text.index("\n$ z-typo")
    assert "$ z-typo  SKU KAOS-M price Rp185.000 → Rp1.850 (−99 %), past max_price_change (50 %)" in text
    assert "acknowledge: {price_change: {KAOS-M: {from: 185000, to: 1850}}}" in text
    headers = re.findall(r"^\S (\S+)  ", text, re.M)
    assert headers == ORDER


def test_the_markdown_plan_opens_with_the_guards_then_shows_products_by_need():
    text = render_markdown(every_category_plan())
    assert text.index("#### ✖ 1 guard tripped") < text.index("| Platform |") < text.index("<details>")
    assert re.findall(r"<summary><code>\S (\S+)</code>", text) == ORDER
    assert "<code>$ z-typo</code> guard tripped, update price" in text


def test_acknowledged_guards_are_listed_apart_and_nothing_is_refused():
    plan = every_category_plan()
    plan = replace(plan, guards=tuple(replace(t, acknowledged="products/kaos.yaml:9:5") for t in plan.guards))
    text = render_text(plan)
    assert "guard tripped:" not in text and "✔ 1 guard tripped and acknowledged:" in text
    assert "— acknowledged at products/kaos.yaml:9:5" in text
    assert "#### ✔ Guards tripped and acknowledged" in render_markdown(plan)
    assert re.findall(r"^\S (\S+)  ", text, re.M) == ORDER, "an acknowledged guard still comes first"


def test_a_budget_keeps_the_guard_then_a_deletion_before_100_price_changes():
    plan = big_plan(total=10_000, dangerous={"delete": 1}, errors=0, warnings=0)
    guarded, trip = typo("produk-99999")
    plan = replace(plan, products=plan.products + (guarded,), guards=(trip,))
    body = comment_body(Content("plan", plan.shop_name, "d", lambda budget, measure: render_markdown(
        plan, max_chars=budget, measure=measure)), Sticky("plan", "toko", "Toko"), "abc", None, "plan")
    assert len(body) <= COMMENT_LIMIT
    assert body.index("guard tripped") < body.index("| Platform |")
    shown = re.findall(r"<summary><code>\S (\S+)</code>", body)
    assert shown[:2] == ["produk-99999", "produk-00000"] and len(shown) > 100, shown[:3]
    assert shown[2:] == sorted(shown[2:]), "routine changes follow, in key order"


def test_thousands_of_tripped_guards_take_at_most_half_the_comment():
    items = [typo(f"kaos-{n:05d}") for n in range(3_000)]
    plan = Plan(shop_name="Toko Nusantara", products=tuple(i for i, _ in items), guards=tuple(t for _, t in items))
    text = render_markdown(plan, max_chars=60_000)
    assert len(text) <= 60_000
    section = text[text.index("#### ✖"):text.index("| Platform |")]
    assert len(section) <= 30_000 + 400
    assert re.search(r"… and [\d,]+ more guard\(s\) tripped, listed in the full plan", section)


def test_attention_order_is_a_permutation_in_key_order_within_a_category():
    plan = big_plan(total=500, dangerous={"delete": 20, "blocked": 20}, errors=0, warnings=0)
    order = attention_order(plan)
    assert sorted(order) == list(range(len(plan.products)))
    keys = [plan.products[i].key for i in order]
    assert keys[:20] == sorted(keys[:20]) and keys[40:] == sorted(keys[40:])


def test_the_health_issue_lists_unacknowledged_guards_first():
    from engine.github.health import health_findings, is_clean

    plan = every_category_plan()
    findings = health_findings(plan)
    assert findings[0].title == "Guards tripped and not acknowledged: an apply refuses the plan"
    assert findings[0].lines == ("$ z-typo  SKU KAOS-M price Rp185.000 → Rp1.850 (−99 %), past max\\_price\\_change "
                                 "(50 %)",)
    assert not is_clean(findings)
    acknowledged = replace(plan, guards=tuple(replace(t, acknowledged="products/kaos.yaml:9:5") for t in plan.guards))
    assert not any(s.title.startswith("Guards") for s in health_findings(acknowledged))
