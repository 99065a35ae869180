"""Plan renderers: text (Terraform-like), Markdown (Jinja2), JSON; brand rule on every one."""

from __future__ import annotations

import re

import pytest
from test_plan_builders import showcase_plan

from engine.plan import model as m
from engine.plan.model import FieldChange, Plan
from engine.render import FORMATS, fmt, render_plan
from engine.render.markdown import render_markdown
from engine.render.text import render_text, summary_line

TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)  # the brand; enum values TIKTOK_SHOP stay


@pytest.fixture(scope="module")
def plan():
    return showcase_plan()


@pytest.mark.parametrize("form", FORMATS)
def test_no_output_says_tiktok_for_an_indonesian_shop(plan, form):
    out = render_plan(plan, form)
    assert not TIKTOK.search(out)
    if form != "json":
        assert "Shop | Tokopedia" in out or "Shop \\| Tokopedia" in out


def test_summary_line_is_the_documented_sentence(plan):
    assert render_text(plan).rstrip().splitlines()[-1] == (
        "Plan: 2 to create, 2 to edit (2 go back to review), 1 price, 1 stock, 1 to activate, 1 to deactivate, "
        "1 to delete; 2 blocked, 1 unmanaged. 1 error, 2 warnings.")


def test_empty_plan_says_no_changes():
    out = render_text(Plan(shop_name="Toko", market="ID"))
    assert "No changes: the shop matches the catalog." in out
    assert out.rstrip().endswith("0 blocked, 0 unmanaged.")


def test_text_block_per_product_with_symbol_platforms_and_review_marker(plan):
    out = render_text(plan)
    assert "± c-title  \"Kemeja Batik Parang Premium\"  product 2002" in out
    assert "    ± partial edit on Shop | Tokopedia, Tokopedia · goes back to review" in out
    assert "        title: \"Kemeja Batik Parang Lengan Panjang\" → \"Kemeja Batik Parang Premium\"" in out
    assert "▲ activate on Tokopedia · goes to review" in out


def test_prices_are_rupiah_with_thousands_separators_and_skus_by_seller_sku(plan):
    out = render_text(plan)
    assert "SKU D-PRICE-M price: Rp150.000 → Rp1.500.000" in out
    assert "SKU E-STOCK-L stock at Gudang Jakarta: 5 → 25" in out


def test_long_description_is_a_short_line_diff(plan):
    out = render_text(plan)
    assert "          - <p>Bahan katun.</p>\n          + <p>Bahan sutra.</p>" in out
    long_old = "".join(f"<p>line {i}</p>" for i in range(40))
    long_new = "".join(f"<p>line {i}!</p>" for i in range(40))
    lines = fmt.description_diff(long_old, long_new)
    assert len(lines) == fmt.MAX_DESCRIPTION_LINES + 1 and lines[-1] == "… 72 more changed lines"


def test_blocked_reasons_per_platform_drift_and_unmanaged(plan):
    out = render_text(plan)
    assert "review failed on Tokopedia: Counterfeit or replica goods are not allowed." in out
    assert "suggestion: Remove the word 'replika' and list only original goods." in out
    assert "frozen on Shop | Tokopedia" in out
    assert "(drift: changed outside git since the last apply)" in out
    assert "3001  \"Tas Anyaman Rotan Lombok Besar\"" in out


def test_category_blocker_reads_like_a_reason():
    blocker = m.Blocker("TOKOPEDIA", m.CATEGORY_NOT_PERMITTED, detail="INVITE_ONLY")
    assert fmt.blocker_lines(blocker) == ["not listed on Tokopedia: category is invite-only on Tokopedia"]


def test_colour_only_when_asked(plan):
    assert "\x1b[" not in render_text(plan)
    assert "\x1b[32m+ a-create" in render_text(plan, color=True)


def test_rupiah_formatting():
    assert [fmt.rupiah(v) for v in ("0", "999", "1000", "150000", "1500000.5", "-2500")] == [
        "Rp0", "Rp999", "Rp1.000", "Rp150.000", "Rp1.500.000,5", "-Rp2.500"]


def test_change_lines_for_added_and_removed_skus():
    names = fmt.Names([("7400000000000000001", "Gudang Jakarta")])
    sku = {"price": "150000", "inventory": {"7400000000000000001": 5}, "sales_attributes": ["Ukuran: L"],
           "pre_sale_days": 7, "identifier_code": None}
    assert fmt.change_lines(FieldChange(("skus", "B-L"), None, sku), names) == [
        "+ SKU B-L: price Rp150.000 · stock Gudang Jakarta 5 · Ukuran: L · pre-order 7 days"]
    assert fmt.change_lines(FieldChange(("skus", "B-L"), sku, None), names)[0].startswith("- SKU B-L (removed)")


def test_markdown_has_a_table_per_platform_and_details_per_product(plan):
    out = render_markdown(plan)
    assert "| Shop \\| Tokopedia | 2 | 2 | 2 | 1 | 1 | 0 | 1 | 1 | 2 | 0 |" in out
    assert "| Tokopedia | 2 | 2 | 2 | 1 | 1 | 1 | 1 | 1 | 1 | 0 |" in out
    assert out.count("<details>") == len(plan.products) + 1  # + the unmanaged list
    assert "<summary><code>± c-title</code> partial edit · review</summary>" in out
    assert "\n```text\n± c-title" in out


def test_markdown_fences_survive_backticks_in_seller_text(plan):
    from dataclasses import replace

    item = replace(plan.products[0], title="Kemeja ```batik```")
    out = render_markdown(replace(plan, products=(item,)))
    assert "\n````text\n" in out and out.count("````") == 2


def test_json_is_the_saved_plan(plan):
    from engine.plan.saved import loads

    assert loads(render_plan(plan, "json")) == plan


def test_unknown_format_is_refused(plan):
    with pytest.raises(ValueError, match="unknown format"):
        render_plan(plan, "yaml")


def test_summary_line_mentions_recover_and_waiting_only_when_present():
    line = summary_line(m.PlanSummary(edit=1, review=1, recover=2, held=1))
    assert "1 to edit (1 goes back to review)" in line and ", 2 to recover;" in line
    assert "1 waiting for review" in line
    assert "recover" not in summary_line(m.PlanSummary())


def test_markdown_fits_a_character_budget_and_says_what_it_left_out(plan):
    full = render_markdown(plan)
    assert render_markdown(plan, max_chars=len(full)) == full  # it fits: nothing left out
    short = render_markdown(plan, max_chars=3_300)
    assert len(short) < len(full) and len(short) <= 3_300
    assert 2 <= short.count("<details>") < full.count("<details>")
    left_out = full.count("<code>") - short.count("<code>")
    assert f"_{left_out} more product(s) left out to fit;" in short
    assert "| Tokopedia |" in short and "**Plan:" in short and "#### Errors" in short
