"""`catalog apply CATALOG --reviewed reviewed-plan.json` (issue 17): the merge applies the plan the
pull request showed while it describes the catalog; otherwise a fresh plan is applied and every
action that was not in the reviewed plan is in the report (text, Markdown, JSON). And the report
names what was done per platform ("price updated"), not only "applied"."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from clirun import demo_applied, run_clean

from engine.plan.report import report_from_dict
from engine.render.report import render_report
from engine.sandbox.store import SandboxStore
from engine.shop.client import ENDPOINTS

WRITES = {name: ENDPOINTS[name].api for name in ("create", "partial_edit", "update_price", "update_inventory",
                                                 "activate", "deactivate", "delete")}


def writes(catalog: Path) -> dict[str, int]:
    calls = SandboxStore(catalog / ".sandbox" / "shop.db", clock=time.time).calls()
    return {name: calls.get(api, 0) for name, api in WRITES.items() if calls.get(api)}


def reset_calls(catalog: Path) -> None:
    SandboxStore(catalog / ".sandbox" / "shop.db", clock=time.time).reset_calls()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> Path:
    return demo_applied(tmp_path_factory.mktemp("reviewed") / "demo")


@pytest.fixture
def shop(applied, tmp_path, monkeypatch, capsys) -> Path:
    """The applied demo, and a pull request that lowers the price of kopi's 250 g SKU, planned and saved."""
    root = tmp_path / "demo"
    shutil.copytree(applied, root)
    edit(root / "products" / "kopi.yaml", "price: 27500", "price: 26000")
    code, out = run_clean(monkeypatch, capsys, "plan", root, "--out", tmp_path / "reviewed.json")
    assert code == 0, out
    reset_calls(root)
    return root


def test_the_reviewed_plan_is_applied_as_it_is(monkeypatch, capsys, shop, tmp_path):
    report = tmp_path / "report.json"
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed",
                          tmp_path / "reviewed.json", "--report", report)
    assert code == 0, out
    assert "Applying the reviewed plan" in out and "Reviewed plan applied: the plan the pull request showed" in out
    assert writes(shop) == {"update_price": 1}
    data = json.loads(report.read_text())
    assert data["saved_plan"] is True and data["plan_review"]["reviewed"] is True
    assert data["plan_review"]["not_reviewed"] == []
    assert report_from_dict(data).plan_review.reviewed
    assert "Shop | Tokopedia: price updated" in out and "Tokopedia: price updated" in out  # what was done


def test_an_edited_reviewed_plan_is_not_applied_the_merged_catalog_is(monkeypatch, capsys, shop, tmp_path):
    """A reviewed-plan artifact edited after the plan job (kopi's price set to Rp 1): refused as the
    reviewed plan; the merge applies a fresh plan of the merged catalog (guards checked) instead."""
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text(reviewed.read_text().replace('"price":"26000"', '"price":"1"'))
    assert '"price":"1"' in reviewed.read_text()
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed", reviewed)
    assert code == 0, out
    assert "the reviewed plan was refused" in out and "prices[0].price is '1' in the saved plan" in out
    assert "A fresh plan was applied, not the reviewed one" in out
    assert writes(shop) == {"update_price": 1}
    with SandboxStore(shop / ".sandbox" / "shop.db", clock=time.time) as store:
        prices = {str(sku["price"]) for record in store.products() for sku in record["skus"].values()}
    assert not any(p.startswith("{'amount': '1'") or p == "1" for p in prices), prices


def test_a_catalog_changed_after_review_applies_a_fresh_plan_and_lists_what_was_not_reviewed(
        monkeypatch, capsys, shop, tmp_path):
    edit(shop / "products" / "kaos.yaml", "price: 37500", "price: 36000")  # merged alongside, never reviewed
    report = tmp_path / "report.json"
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed",
                          tmp_path / "reviewed.json", "--report", report)
    assert code == 0, out
    assert "Not the reviewed plan: the merged catalog is not the one reviewed" in out
    assert "A fresh plan was applied, not the reviewed one" in out
    assert writes(shop) == {"update_price": 2}  # kopi (reviewed) and kaos (not reviewed)
    review = json.loads(report.read_text())["plan_review"]
    assert review["reviewed"] is False and review["reviewed_digest"]
    assert [(a["key"], a["kind"]) for a in review["not_reviewed"]] == [("kaos-polos-katun", "update_price")]
    assert "1 action(s) were not in the reviewed plan:" in out
    assert "$ kaos-polos-katun: update price on" in out and "Rp37.500 → Rp36.000" in out
    md = render_report(report_from_dict(json.loads(report.read_text())), "markdown")
    assert md.index("A fresh plan was applied, not the reviewed one") < md.index("| Product |")  # first
    assert "**1 action(s) were not in the reviewed plan**:" in md and "kaos-polos-katun: update price" in md


def test_a_changed_value_of_a_reviewed_action_is_not_reviewed(monkeypatch, capsys, shop, tmp_path):
    edit(shop / "products" / "kopi.yaml", "price: 26000", "price: 25000")  # changed again after the review
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed",
                          tmp_path / "reviewed.json", "--report", tmp_path / "report.json")
    assert code == 0, out
    review = json.loads((tmp_path / "report.json").read_text())["plan_review"]
    assert [(a["key"], a["kind"]) for a in review["not_reviewed"]] == [("kopi-kapal-api-special", "update_price")]
    assert "Rp27.500 → Rp25.000" in out


def test_a_typo_after_the_review_trips_a_guard_and_the_merge_applies_nothing(monkeypatch, capsys, shop, tmp_path):
    """Issue 17: the fresh plan a merge falls back to is applied only if no guard trips."""
    edit(shop / "products" / "kopi.yaml", "price: 26000", "price: 2600")  # the typo came after the review
    reset_calls(shop)
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed",
                          tmp_path / "reviewed.json", "--report", tmp_path / "report.json")
    assert code == 1 and "apply refused: 1 guard tripped and not acknowledged; nothing was written" in out
    assert "acknowledge: {price_change: {KOPI-KAPAL-API-250G: {from: 27500, to: 2600}}}" in out
    assert writes(shop) == {}
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["aborted"].startswith("apply refused") and report["products"] == []
    assert [a["key"] for a in report["plan_review"]["not_reviewed"]] == ["kopi-kapal-api-special"]


def test_no_reviewed_plan_lists_every_action(monkeypatch, capsys, shop, tmp_path):
    edit(shop / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed", tmp_path / "gone.json",
                          "--report", tmp_path / "report.json")
    assert code == 0, out
    assert "no reviewed plan was found (gone.json is missing)" in out
    review = json.loads((tmp_path / "report.json").read_text())["plan_review"]
    assert sorted(a["key"] for a in review["not_reviewed"]) == ["kaos-polos-katun", "kopi-kapal-api-special"]


def test_a_damaged_or_foreign_reviewed_plan_means_a_fresh_plan(monkeypatch, capsys, shop, tmp_path):
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format_version": 3, "products": "nope"}')
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed", damaged)
    assert code == 0 and "the reviewed plan could not be read" in out
    foreign = json.loads((tmp_path / "reviewed.json").read_text())
    foreign["shop_name"] = "Toko Lain"
    (tmp_path / "foreign.json").write_text(json.dumps(foreign))
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve", "--reviewed", tmp_path / "foreign.json")
    assert code == 0 and "the reviewed plan is for shop 'Toko Lain'" in out


def test_reviewed_goes_with_a_catalog_directory_only(monkeypatch, capsys, shop, tmp_path):
    code, out = run_clean(monkeypatch, capsys, "apply", tmp_path / "reviewed.json", "--catalog", shop, "--reviewed",
                          tmp_path / "reviewed.json")
    assert code == 1 and "--reviewed goes with a catalog directory" in out
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--target", "kopi-*", "--reviewed", tmp_path / "x.json")
    assert code == 1 and "--reviewed goes with a catalog directory" in out
    assert writes(shop) == {}


def test_the_report_names_what_was_done_per_platform():
    from engine.plan.report import APPLIED, FAILED, ApplyReport, PlatformResult, ProductResult, StepResult

    both = ("TIKTOK_SHOP", "TOKOPEDIA")
    ok = tuple(PlatformResult(p, APPLIED) for p in both)
    price = StepResult("update_price", both, APPLIED, ok)
    stock = StepResult("update_inventory", both, APPLIED, ok)
    off = StepResult("deactivate", ("TOKOPEDIA",), APPLIED, (PlatformResult("TOKOPEDIA", APPLIED),))
    half = StepResult("partial_edit", both, FAILED, (PlatformResult("TIKTOK_SHOP", APPLIED),
                                                     PlatformResult("TOKOPEDIA", FAILED, 1, "no")))
    report = ApplyReport(shop_name="Toko", products=(
        ProductResult("a", outcome=APPLIED, platforms=ok, steps=(price, stock)),
        ProductResult("b", outcome=APPLIED, platforms=(PlatformResult("TOKOPEDIA", APPLIED),), steps=(off,)),
        ProductResult("c", outcome=FAILED, platforms=half.results, steps=(half,))))
    text = render_report(report, "text")
    assert "Shop | Tokopedia: price updated, stock updated" in text and "Tokopedia: deactivated" in text
    assert "Shop | Tokopedia: edited" in text and "Tokopedia: failed — 1 no" in text
    assert "✅ price updated, stock updated" in render_report(report, "markdown")
