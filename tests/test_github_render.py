"""Size budgets: a 10,000-product plan as a PR comment (≤ 65,536 characters) and a job summary
(≤ 1 MiB), keeping the summary, every error and every product that needs attention."""

from __future__ import annotations

import re

import pytest

from engine.github.comments import (
    COMMENT_LIMIT,
    SUMMARY_LIMIT,
    Content,
    Sticky,
    append_summary,
    comment_body,
    utf8_size,
)
from engine.plan import model as m
from engine.plan.model import Action, Blocker, FieldChange, Plan, PlanIssue, PriceUpdate, ProductPlan
from engine.render.attention import needs_attention
from engine.render.markdown import render_markdown
from engine.render.text import summary_line

BOTH = ("TIKTOK_SHOP", "TOKOPEDIA")
TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)


def _product(n: int, kind: str) -> ProductPlan:
    key, pid = f"produk-{n:05d}", str(7_300_000_000 + n)
    title = f"Kemeja Batik Nomor {n} — Lengan Panjang"
    if kind == "create":
        changes = (FieldChange(("title",), None, title), FieldChange(("skus", f"SKU-{n}-M"), None,
                                                                      {"price": "150000", "inventory": {"7400": 5}}))
        return ProductPlan(key, title, actions=(Action(m.CREATE, BOTH, True, changes),))
    if kind == "price":
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(
            m.UPDATE_PRICE, BOTH, changes=(FieldChange(("skus", f"SKU-{n}-M", "price"), "150000", "135000"),),
            prices=(PriceUpdate("1", f"SKU-{n}-M", "135000"),)),))
    if kind == "delete":
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(m.DELETE, BOTH),))
    if kind == "deactivate":
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(
            m.DEACTIVATE, ("TOKOPEDIA",),
            changes=(FieldChange(("status", "TOKOPEDIA"), "ACTIVATE", "SELLER_DEACTIVATED"),)),))
    if kind == "platform":
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(
            m.PARTIAL_EDIT, ("TIKTOK_SHOP",), True, (FieldChange(("listing_platforms",), list(BOTH), ["TIKTOK_SHOP"]),),
            fields=("listing_platforms",)),))
    if kind == "sku":
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(
            m.PARTIAL_EDIT, BOTH, True, (FieldChange(("skus", f"SKU-{n}-XL"), {"price": "1"}, None),),
            fields=("skus",)),))
    if kind == "blocked":
        blocker = Blocker("TOKOPEDIA", m.REVIEW_FAILED, ("Counterfeit or replica goods are not allowed.",))
        return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(m.BLOCKED, ("TOKOPEDIA",), blockers=(blocker,)),))
    assert kind == "review"
    return ProductPlan(key, title, pid, 1, BOTH, actions=(Action(
        m.PARTIAL_EDIT, BOTH, True, (FieldChange(("title",), title, title + " Premium"),), fields=("title",)),))


DANGEROUS = {"delete": 100, "deactivate": 100, "platform": 50, "sku": 50, "blocked": 100, "review": 100}


def big_plan(total: int = 10_000, dangerous: dict[str, int] = DANGEROUS, errors: int = 25, warnings: int = 30) -> Plan:
    kinds = [kind for kind, count in dangerous.items() for _ in range(count)]
    rest = total - len(kinds)
    kinds += ["price"] * (rest // 5) + ["create"] * (rest - rest // 5)
    products = tuple(_product(n, kind) for n, kind in enumerate(kinds))
    issues = tuple(PlanIssue("error", f"produk-{n:05d}", "sku_conflict",
                             f"produk-{n:05d}: seller SKU DUP-{n} is in live products 1 and 2; merge them")
                   for n in range(errors))
    issues += tuple(PlanIssue("warning", f"w{n}", "category", f"w{n}: category is invite-only on Tokopedia")
                    for n in range(warnings))
    return Plan(shop_name="Toko Nusantara", catalog_digest="ab" * 32,
                products=tuple(sorted(products, key=lambda p: p.key)), issues=tuple(sorted(issues)))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return big_plan()


def _assert_keeps_everything_that_matters(plan: Plan, text: str) -> None:
    assert "**" + summary_line(plan.summary()).replace("|", "\\|") in text.replace("\\|", "\\|")
    assert "| Tokopedia |" in text
    for error in plan.errors:
        assert error.message.replace("_", "\\_") in text or error.message in text
    attention = [p for p in plan.products if needs_attention(p)]
    assert len(attention) == sum(DANGEROUS.values())
    for item in attention:
        assert _listed(item.key, text), item.key


def _listed(key: str, text: str) -> bool:
    """A product is listed by a one-line form (`▼ key`), a grouped key list (`key`) or its details."""
    return f" {key}`" in text or f"`{key}`" in text or f" {key}</code>" in text


def test_a_10000_product_plan_fits_a_comment_with_every_dangerous_line(plan):
    content = Content("plan", plan.shop_name, "d", lambda budget, measure: render_markdown(
        plan, max_chars=budget, measure=measure, pointer="[the plan artifact](https://x.example/a/1)"))
    body = comment_body(content, Sticky("plan", "toko", plan.shop_name), "abc1234def", "https://x.example/a/1", "plan")
    assert len(body) <= COMMENT_LIMIT
    _assert_keeps_everything_that_matters(plan, body)
    assert "left out to fit; [the plan artifact](https://x.example/a/1)" in body
    # every dangerous product says what happens to it, not just its key
    assert re.search(r"`- produk-\d+` delete \(product \d+\)", body)
    assert re.search(r"`▼ produk-\d+` deactivate on Tokopedia", body)
    assert re.search(r"removes Tokopedia", body) and re.search(r"removes SKU SKU-\d+-XL", body)
    assert re.search(r"review failed on Tokopedia: Counterfeit", body)  # shown in full: offline comes first
    assert re.search(r"partial edit on Shop \\\| Tokopedia, Tokopedia · goes back to review", body)
    assert "Routine changes not shown:" in body and "create" in body
    assert not TIKTOK.search(body)


def test_routine_details_fill_the_room_left(plan):
    text = render_markdown(plan, max_chars=60_000)
    assert 55_000 < len(text) <= 60_000
    assert text.count("<details>") > 10


def test_the_job_summary_of_a_10000_product_plan_stays_under_1_mib(plan, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step output\n" + "é" * 200_000)  # 2-byte characters count as 2
    content = Content("plan", plan.shop_name, "d", lambda budget, measure: render_markdown(
        plan, max_chars=budget, measure=measure))
    written = append_summary(summary, content)
    size = summary.stat().st_size
    assert size <= SUMMARY_LIMIT and written > 500_000
    _assert_keeps_everything_that_matters(plan, summary.read_text())


def test_unbudgeted_and_fitting_plans_are_unchanged(plan):
    small = big_plan(40, {"delete": 2}, errors=1)
    assert render_markdown(small, max_chars=COMMENT_LIMIT) == render_markdown(small)


def test_when_one_line_per_product_does_not_fit_keys_are_grouped_per_category():
    plan = big_plan(10_000, {"delete": 1_500, "deactivate": 1_000, "review": 500}, errors=5)
    text = render_markdown(plan, max_chars=60_000)
    assert len(text) <= 60_000
    assert "- **delete** (1,500): `produk-00000`" in text and "- **review** (500):" in text
    for item in plan.products:
        if needs_attention(item):
            assert _listed(item.key, text)


def test_when_even_keys_do_not_fit_the_most_destructive_come_first_and_the_rest_is_counted():
    plan = big_plan(10_000, {"delete": 3_000, "review": 3_000}, errors=3)
    text = render_markdown(plan, max_chars=30_000)
    assert len(text) <= 30_000
    assert "that need attention did not fit" in text and "**Large plan:**" in text
    shown = re.findall(r"`(?:-|±) (produk-\d+)`", text)
    assert shown and all(k < "produk-03000" for k in shown)  # deletes first (they sort first here)
    found = re.search(r"\*\*([\d,]+) more product\(s\) that need attention did not fit", text)
    missing = int(found[1].replace(",", ""))
    assert missing + len(shown) == 6_000
    for error in plan.errors:
        assert error.message in text


def test_warnings_give_way_before_attention_lines():
    plan = big_plan(2_000, {"delete": 300}, errors=2, warnings=300)
    text = render_markdown(plan, max_chars=28_000)
    assert "more warning(s) in the full plan" in text
    assert all(_listed(p.key, text) for p in plan.products if needs_attention(p))


def test_utf8_measure_counts_bytes():
    plan = big_plan(3_000, {"delete": 10}, errors=1)
    text = render_markdown(plan, max_chars=20_000, measure=utf8_size)
    assert utf8_size(text) <= 20_000 < utf8_size(render_markdown(plan))
