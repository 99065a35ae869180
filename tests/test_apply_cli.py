"""`catalog apply` end to end on the demo catalog and its in-process sandbox shop.

Calls are counted on the shop's side (SandboxStore.calls()), so "exactly one Update Price
call" means one request reached the shop.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from clirun import run_cli

from engine.cli import main
from engine.plan.report import report_from_dict
from engine.sandbox.store import SandboxStore
from engine.shop.client import ENDPOINTS

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"
TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)
SECRETS = ("sandbox-app-secret", "sandbox-access-token", "sandbox-refresh-token", "ROW_SANDBOX_ID")
WRITES = {name: ENDPOINTS[name].api for name in ("create", "edit", "partial_edit", "update_price",
                                                 "update_inventory", "activate", "deactivate", "delete")}


run = run_cli  # tests/clirun.py


def store_of(catalog: Path, offset: float = 0.0) -> SandboxStore:
    return SandboxStore(catalog / ".sandbox" / "shop.db", clock=lambda: time.time() + offset)


def writes(store: SandboxStore) -> dict[str, int]:
    calls = store.calls()
    return {name: calls.get(api, 0) for name, api in WRITES.items() if calls.get(api)}


def block(out: str, key: str) -> str:
    """The report block of one product (the report follows the plan in the output)."""
    report = out[out.index("Apply to "):]
    start = re.search(rf"^. {re.escape(key)}  ", report, re.M).start()
    return report[start:].split("\n\n")[0]


def edit_yaml(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def applied_template(tmp_path_factory) -> tuple[Path, str, str, int]:
    """The demo catalog applied once to an empty sandbox (copied per test)."""
    root = tmp_path_factory.mktemp("applied") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    mp = pytest.MonkeyPatch()
    out = err = ""
    code = 0
    try:
        mp.setattr(sys, "argv", ["catalog", "apply", str(root), "--auto-approve", "--report",
                                 str(root.parent / "r.json")])
        try:
            main()
        except SystemExit as exc:
            code = exc.code
    finally:
        mp.undo()
    return root, out, err, code


@pytest.fixture
def demo(applied_template, tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(applied_template[0], root)
    return root


@pytest.fixture
def fresh(tmp_path) -> Path:
    root = tmp_path / "fresh"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    return root


# --------------------------------------------------------------------------- acceptance: the first run
def test_demo_on_an_empty_sandbox_creates_everything_and_reports_the_tokopedia_failure(
        monkeypatch, capsys, fresh, tmp_path):
    report_md, report_json = tmp_path / "report.md", tmp_path / "report.json"
    code, out, err = run(monkeypatch, capsys, "apply", fresh, "--auto-approve", "--report", report_md)
    assert code == 3, out + err
    store = store_of(fresh)
    keys = sorted(re.findall(r"^\+ (\S+)  ", out, re.M))
    assert len(keys) == 10 and store.counts()["products"] == 10  # one live product per catalog product
    assert writes(store) == {"create": 10}
    seiko = block(out, "seiko-presage-cocktail")
    assert "Shop | Tokopedia: created" in seiko  # what was done, not only "applied"
    assert "Tokopedia: failed — 12052223" in seiko and "hint: the category is restricted" in seiko
    assert out.count(": failed") == 1  # the per-platform failure is against Tokopedia only
    pandan = block(out, "tas-pandan-tasikmalaya")
    assert "Shop | Tokopedia: created · now review failed" in pandan and "lifetime warranty" in pandan
    markdown = report_md.read_text()
    assert "❌ `seiko-presage-cocktail`" in markdown and "❌ failed (12052223)" in markdown
    assert not TIKTOK.search(out + err + markdown)

    # the next plan shows nothing but what is blocked, and exits 0
    code, plan_out, plan_err = run(monkeypatch, capsys, "plan", fresh, "--detailed-exitcode")
    assert code == 0, plan_out + plan_err
    blocked = sorted(re.findall(r"^✖ (\S+)  ", plan_out, re.M))
    assert blocked == ["seiko-presage-cocktail", "tas-pandan-tasikmalaya"]
    assert "not listed on Tokopedia: category is invite-only on Tokopedia" in plan_out
    assert "review failed on Shop | Tokopedia: Misleading claim" in plan_out
    assert "No changes to apply." in plan_out and "images to upload" not in plan_out

    # applying again writes nothing, reports the blocked products, exits 0
    code, out, err = run(monkeypatch, capsys, "apply", fresh, "--report", report_json)
    assert code == 0, out + err
    report = report_from_dict(json.loads(report_json.read_text()))
    assert [p.key for p in report.products] == blocked and report.exit_code == 0
    assert writes(store) == {"create": 10}


def test_a_fresh_clone_without_the_local_cache_sees_no_image_change(monkeypatch, capsys, demo):
    shutil.rmtree(demo / ".catalog-cache")
    code, out, _ = run(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 0 and "images to upload" not in out


def test_one_price_change_is_exactly_one_update_price_call(monkeypatch, capsys, demo):
    edit_yaml(demo / "products" / "kopi.yaml", "price: 27500", "price: 26000")
    store = store_of(demo)
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out + err
    assert writes(store) == {"update_price": 1}
    assert "$ update price on Shop | Tokopedia, Tokopedia" in out
    code, out, _ = run(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 0 and "kopi" not in out


def test_one_stock_change_is_exactly_one_update_inventory_call(monkeypatch, capsys, demo):
    edit_yaml(demo / "shop.yaml", "  stock: on_create", "  stock: always")  # git owns stock: a change is written
    edit_yaml(demo / "products" / "kaos.yaml", "inventory: {Gudang Jakarta: 90}", "inventory: {Gudang Jakarta: 75}")
    store = store_of(demo)
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out + err
    assert writes(store) == {"update_inventory": 1}


def test_a_title_change_is_a_partial_edit_reported_as_back_in_review(monkeypatch, capsys, demo):
    edit_yaml(demo / "products" / "kopi.yaml", "Kemasan Hemat", "Kemasan Hemat 250g")
    store = store_of(demo)
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out + err
    assert writes(store) == {"partial_edit": 1}
    assert "Shop | Tokopedia: edited · sent back to review" in block(out, "kopi-kapal-api-special")


def test_without_a_terminal_or_auto_approve_apply_refuses_and_writes_nothing(monkeypatch, capsys, fresh):
    code, out, err = run(monkeypatch, capsys, "apply", fresh)
    assert code == 1 and "refusing to apply without confirmation" in err and "--auto-approve" in err
    assert "Traceback" not in err and store_of(fresh).counts()["products"] == 0


def test_the_answer_must_be_yes_on_a_terminal(monkeypatch, capsys, fresh):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("click.prompt", lambda *a, **k: "no")
    code, out, err = run(monkeypatch, capsys, "apply", fresh)
    assert code == 1 and "Apply cancelled" in err and store_of(fresh).counts()["products"] == 0
    monkeypatch.setattr("click.prompt", lambda *a, **k: "yes")
    code, out, err = run(monkeypatch, capsys, "apply", fresh, "--target", "kopi-*")
    assert code == 0 and store_of(fresh).counts()["products"] == 1


# --------------------------------------------------------------------------- saved plans
def test_a_saved_plan_skips_a_product_changed_outside_as_stale_and_applies_the_rest(
        monkeypatch, capsys, demo, tmp_path):
    edit_yaml(demo / "products" / "kopi.yaml", "price: 27500", "price: 26000")
    edit_yaml(demo / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    saved = tmp_path / "plan.json"
    code, _, _ = run(monkeypatch, capsys, "plan", demo, "--out", saved)
    assert code == 0
    plan = json.loads(saved.read_text())
    kopi = next(p for p in plan["products"] if p["key"] == "kopi-kapal-api-special")
    store = store_of(demo, offset=5)
    store.outside_edit(kopi["product_id"], title="Kopi Kapal Api Special Bubuk Robusta Diubah Penjual")
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", saved, "--catalog", demo, "--report", tmp_path / "r.json")
    assert code == 3, out + err
    assert writes(store) == {"update_price": 1}  # kaos only
    assert "! kopi-kapal-api-special" in out and "STALE: product" in out and "changed in the shop" in out
    report = report_from_dict(json.loads((tmp_path / "r.json").read_text()))
    outcomes = {p.key: p.outcome for p in report.products}
    assert outcomes == {"kaos-polos-katun": "applied", "kopi-kapal-api-special": "stale",
                        "seiko-presage-cocktail": "blocked", "tas-pandan-tasikmalaya": "blocked"}
    assert report.calls and dict(report.calls)[WRITES["update_price"]] == 1


def test_strict_refuses_the_whole_saved_plan(monkeypatch, capsys, demo, tmp_path):
    edit_yaml(demo / "products" / "kopi.yaml", "price: 27500", "price: 26000")
    edit_yaml(demo / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    saved = tmp_path / "plan.json"
    run(monkeypatch, capsys, "plan", demo, "--out", saved)
    kopi = next(p for p in json.loads(saved.read_text())["products"] if p["key"] == "kopi-kapal-api-special")
    store = store_of(demo, offset=5)
    store.outside_edit(kopi["product_id"], title="Kopi Kapal Api Special Bubuk Robusta Diubah Penjual")
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", saved, "--catalog", demo, "--strict")
    assert code == 1 and "--strict" in err and "kopi-kapal-api-special" in err and "nothing was applied" in err
    assert writes(store) == {}


def test_a_saved_plan_for_another_shop_or_catalog_content_is_refused(monkeypatch, capsys, demo, tmp_path):
    edit_yaml(demo / "products" / "kopi.yaml", "price: 27500", "price: 26000")
    saved = tmp_path / "plan.json"
    run(monkeypatch, capsys, "plan", demo, "--out", saved)
    code, _, err = run(monkeypatch, capsys, "apply", saved)
    assert code == 1 and "--catalog CATALOG_DIR" in err
    edit_yaml(demo / "products" / "kopi.yaml", "price: 26000", "price: 25000")
    code, _, err = run(monkeypatch, capsys, "apply", saved, "--catalog", demo)
    assert code == 1 and "changed since this plan was made" in err
    edit_yaml(demo / "products" / "kopi.yaml", "price: 25000", "price: 26000")
    edit_yaml(demo / "shop.yaml", "name: Toko Nusantara (sandbox)", "name: Toko Lain")
    code, _, err = run(monkeypatch, capsys, "apply", saved, "--catalog", demo)
    assert code == 1 and "this plan is for shop 'Toko Nusantara (sandbox)'" in err
    saved.write_text(saved.read_text().replace('"format_version": 3', '"format_version": 7'))
    code, _, err = run(monkeypatch, capsys, "apply", saved, "--catalog", demo)
    assert code == 1 and "format_version 7" in err and "Traceback" not in err


# --------------------------------------------------------------------------- reports and secrets
@pytest.mark.parametrize("suffix,fmt", [(".md", "markdown"), (".json", "json"), (".txt", "text")])
def test_report_format_follows_the_extension(monkeypatch, capsys, demo, tmp_path, suffix, fmt):
    path = tmp_path / f"report{suffix}"
    code, out, _ = run(monkeypatch, capsys, "apply", demo, "--report", path)
    text = path.read_text()
    assert code == 0
    assert text.startswith({"markdown": "### Apply to", "json": "{", "text": "Apply to"}[fmt])


def test_no_secret_in_any_output_report_or_log(monkeypatch, capsys, fresh, tmp_path, caplog):
    caplog.set_level("DEBUG")
    edit_yaml(fresh / "products" / "kopi.yaml", "Kemasan Hemat", "Kemasan Hemat Baru")
    texts = []
    for suffix in (".json", ".md", ".txt"):
        path = tmp_path / f"report{suffix}"
        _, out, err = run(monkeypatch, capsys, "apply", fresh, "--auto-approve", "--report", path)
        texts += [out, err, path.read_text()]
    texts += [r.getMessage() for r in caplog.records]
    texts.append((fresh / ".catalog-cache" / "images.json").read_text())
    blob = "\n".join(texts)
    assert "apply" in blob.lower()
    for secret in SECRETS:
        assert secret not in blob


# --------------------------------------------------------------------------- plan --check
def test_plan_check_runs_check_product_listing_per_create_and_apply_reuses_its_uploads(monkeypatch, capsys, fresh):
    store = store_of(fresh)
    code, out, err = run(monkeypatch, capsys, "plan", fresh, "--check")
    assert code == 0, err
    calls = store.calls()
    assert calls[ENDPOINTS["listing_check"].api] == 10 and calls[ENDPOINTS["upload_image"].api] == 13
    assert out.count("listing check: PASS") == 9
    seiko = out[out.index("+ seiko-presage-cocktail"):].split("\n\n")[0]
    assert "listing check: FAILED — 12052223 Tokopedia: category 600030 is invite_only" in seiko
    assert store.counts()["products"] == 0 and not TIKTOK.search(out)
    store.reset_calls()
    code, out, err = run(monkeypatch, capsys, "apply", fresh, "--auto-approve")
    assert code == 3 and ENDPOINTS["upload_image"].api not in store.calls()  # uploaded once, by the check


def test_a_report_path_in_a_missing_directory_is_refused_before_anything_is_written(monkeypatch, capsys, fresh,
                                                                                      tmp_path):
    code, out, err = run(monkeypatch, capsys, "apply", fresh, "--auto-approve", "--report", tmp_path / "no" / "r.md")
    assert code == 1 and "does not exist" in err and store_of(fresh).counts()["products"] == 0
