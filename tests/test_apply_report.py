"""ApplyReport: exit codes, JSON round trip, text / Markdown / JSON renderers, brand rule."""

from __future__ import annotations

import json
import re

import pytest

from engine.apply.hints import hint, seller_text
from engine.plan.model import PlanIssue
from engine.plan.report import (
    APPLIED,
    BLOCKED,
    FAILED,
    HELD,
    SKIPPED,
    STALE,
    UNKNOWN,
    ApplyReport,
    PlatformResult,
    ProductResult,
    ReviewState,
    StepResult,
    report_from_dict,
    report_to_dict,
)
from engine.render.report import render_report, report_format
from engine.render.report_markdown import render_report_markdown

TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)
BOTH = ("TIKTOK_SHOP", "TOKOPEDIA")


def product(key: str, *outcomes: str, kind: str = "create", review=(), code: int = 0,
            message: str = "", to_review: bool = False) -> ProductResult:
    results = tuple(PlatformResult(p, o, code if o == FAILED else 0, message if o != APPLIED else "",
                                   hint(code, p) if o == FAILED else "")
                    for p, o in zip(BOTH, outcomes, strict=False))  # one or two platforms
    step = StepResult(kind, BOTH[:len(outcomes)], min(outcomes, key=("failed unknown stale skipped held applied "
                                                                       "blocked").split().index), results,
                      to_review)
    worst = step.outcome
    return ProductResult(key, f"Produk {key} dengan judul yang cukup panjang", "17" + str(len(key)),
                         "products/x.yaml:1", worst, results, (step,), tuple(review))


def report(*products: ProductResult, **kw) -> ApplyReport:
    return ApplyReport(shop_name="Toko Nusantara", catalog_digest="ab" * 32, products=tuple(products), **kw)


# --------------------------------------------------------------------------- exit codes
@pytest.mark.parametrize("outcomes,code", [
    ([(APPLIED, APPLIED)], 0),
    ([(APPLIED,), (BLOCKED,)], 0),  # blocked, not attempted: reported, not a failure
    ([(BLOCKED,)], 0),
    ([(APPLIED, FAILED)], 3),  # partial: one platform failed
    ([(APPLIED,), (UNKNOWN,)], 3),
    ([(APPLIED,), (STALE,)], 3),
    ([(FAILED, FAILED)], 1),  # nothing applied
    ([(STALE,)], 1),
    ([(SKIPPED,), (FAILED,)], 1),
    ([(HELD, HELD)], 3),  # a price held by a promotion: not a failure, not done either
    ([(APPLIED,), (HELD,)], 3),
])
def test_exit_codes(outcomes, code):
    assert report(*(product(f"p{i}", *o) for i, o in enumerate(outcomes))).exit_code == code


def test_an_empty_run_succeeds_and_a_stopped_run_without_writes_does_not():
    assert report().exit_code == 0
    assert report(product("a", SKIPPED), aborted="access token invalid").exit_code == 1


def test_plan_errors_fail_the_run_even_when_every_write_succeeded():
    conflict = (PlanIssue("error", "b", "identity_conflict", "b: spread over 1 and 2"),)
    assert report(issues=conflict).exit_code == 1  # nothing applied, the conflict remains
    assert report(product("a", APPLIED), issues=conflict).exit_code == 3  # the rest applied
    warning = (PlanIssue("warning", "a", "category_permission", "invite-only"),)
    assert report(product("a", APPLIED), issues=warning).exit_code == 0


def test_json_round_trip_is_exact():
    value = report(product("a", APPLIED, FAILED, code=12052223, message="invite only",
                           review=(ReviewState("TIKTOK_SHOP", "FAILED", ("klaim palsu",), ("hapus klaim",)),)),
                   issues=(PlanIssue("error", "b", "identity_conflict", "b: spread over 1 and 2", ("1", "2")),),
                   calls=(("POST /product/202309/products", 1),), seconds=1.25)
    data = json.loads(render_report(value, "json"))
    assert data["kind"] == "apply_report" and data["format_version"] == 1
    assert report_from_dict(data) == value and report_to_dict(value) == data


def test_a_broken_report_file_is_refused_cleanly():
    from engine.errors import PlanError

    with pytest.raises(PlanError):
        report_from_dict({"format_version": 1, "products": "nope"})
    with pytest.raises(PlanError):
        report_from_dict([1, 2])


# --------------------------------------------------------------------------- text
def test_text_lists_problems_first_with_code_message_and_hint():
    text = render_report(report(product("a-ok", APPLIED, APPLIED),
                                product("b-bad", APPLIED, FAILED, code=12052223, message="invite only"),
                                product("c-blocked", BLOCKED)), "text")
    assert text.index("b-bad") < text.index("a-ok") < text.index("c-blocked")
    assert "Tokopedia: failed — 12052223 invite only" in text
    assert "hint: the category is restricted" in text and "Tokopedia: blocked (not attempted)" in text
    assert text.rstrip().endswith("Partly applied: see the failures.") and "\x1b[" not in text
    assert "\x1b[31m" in render_report(report(product("b", FAILED)), "text", color=True)


def test_text_shows_review_state_and_reasons():
    text = render_report(report(product("a", APPLIED, review=(ReviewState("TIKTOK_SHOP", "FAILED", ("klaim palsu",),
                                                                          ("hapus klaim",)),))), "text")
    assert "Shop | Tokopedia: created · now review failed" in text
    assert "review failed: klaim palsu" in text and "suggestion: hapus klaim" in text


@pytest.mark.parametrize("status", ["FAILED", "PLATFORM_DEACTIVATED", "FREEZE"])
def test_a_written_product_left_offline_needs_attention_and_exits_3(status):
    offline = report(product("a", APPLIED, APPLIED, kind="partial_edit", to_review=True, review=(
        ReviewState("TIKTOK_SHOP", "ACTIVATE"), ReviewState("TOKOPEDIA", status, ("klaim palsu",) if status == "FAILED"
                                                            else ()))))
    assert offline.exit_code == 3 and [p.key for p in offline.needs_attention] == ["a"]
    text = render_report(offline, "text")
    assert text.index("Needs attention (1):") < text.index("✔ a  ")
    assert "⚠ a: " + ("review failed on Tokopedia: klaim palsu" if status == "FAILED" else "now ") in text
    md = render_report_markdown(offline)
    assert "#### Needs attention" in md and "**a**" in md.split("#### Needs attention")[1].split("\n\n")[1]
    live = report(product("a", APPLIED, APPLIED, to_review=True, review=(ReviewState("TOKOPEDIA", "PENDING"),)))
    assert live.exit_code == 0 and not live.needs_attention  # under review is not a problem
    before = report(product("a", APPLIED, APPLIED, kind="update_price", review=(ReviewState("TOKOPEDIA", status),)))
    assert before.exit_code == 0 and not before.needs_attention  # not this run's doing: the plan shows it


def test_a_held_price_is_reported_held_with_the_promotion():
    held = report(product("a", HELD, HELD, kind="update_price", code=12052038,
                          message="price locked by a running promotion: Flash Sale"))
    text = render_report(held, "text")
    assert "Needs attention (1):" in text and "⚠ a: held — price locked by a running promotion: Flash Sale" in text
    assert "Partly applied" not in text and "2 held" in text
    md = render_report_markdown(held)
    assert "🔒 **a** on Tokopedia: held" in md
    assert report_from_dict(report_to_dict(held)) == held


def test_plan_errors_are_listed_as_not_applied():
    text = render_report(report(issues=(PlanIssue("error", "b", "identity_conflict", "b: spread over 1 and 2"),)),
                         "text")
    assert "the plan has errors" in text and "b: spread over 1 and 2" in text


# --------------------------------------------------------------------------- Markdown
def test_markdown_has_a_table_per_platform_and_the_attention_list():
    md = render_report_markdown(report(product("a-ok", APPLIED, APPLIED),
                                       product("b-bad", APPLIED, FAILED, code=12052223, message="invite | only")))
    assert "| Product | Shop \\| Tokopedia | Tokopedia |" in md
    assert "❌ failed (12052223)" in md and "invite \\| only" in md  # pipes escaped inside the table
    assert "#### Needs attention" in md and "**b-bad** on Tokopedia: failed" in md
    assert md.count("<details>") == 2


def test_markdown_fits_a_budget_and_keeps_what_needs_attention():
    products = [product(f"ok-{n:04d}", APPLIED, APPLIED) for n in range(3000)]
    products.append(product("zz-bad", APPLIED, FAILED, code=12052093, message="limit"))
    md = render_report_markdown(report(*products), max_chars=65_536)
    assert len(md) <= 65_536
    assert "**zz-bad** on Tokopedia: failed" in md and "more product(s) left out" in md
    tiny = render_report_markdown(report(*products), max_chars=2_000)
    assert len(tiny) <= 2_000 and "zz-bad" in tiny


# --------------------------------------------------------------------------- brand rule
def test_shop_messages_never_say_tiktok_to_an_indonesian_seller():
    assert seller_text("TikTok Shop rejected: not allowed on TIKTOK_SHOP") == (
        "Shop | Tokopedia rejected: not allowed on Shop | Tokopedia")
    assert seller_text("Tiktok policy") == "Tokopedia & Shop policy"
    assert seller_text("TikTok Shop", market="US") == "TikTok Shop"
    for fmt in ("text", "markdown"):
        out = render_report(report(product("a", APPLIED, FAILED, code=12052316, message="x")), fmt)
        assert not TIKTOK.search(out)


def test_report_format_by_extension():
    from pathlib import Path

    assert report_format(Path("r.md")) == "markdown" and report_format(Path("r.JSON")) == "json"
    assert report_format(Path("report")) == "text" and report_format(Path("r.md"), "json") == "json"


def test_per_sku_details_of_a_failed_stock_update_are_shown():
    results = tuple(PlatformResult(p, FAILED, 12052486, "inventory required") for p in BOTH)
    step = StepResult("update_inventory", BOTH, FAILED, results,
                      message="SKU 1729001: 12052486 inventory required [12052097 warehouse 74 does not exist]")
    text = render_report(report(ProductResult("kaos", outcome=FAILED, platforms=results, steps=(step,))), "text")
    assert "detail: SKU 1729001: 12052486 inventory required [12052097 warehouse 74 does not exist]" in text
