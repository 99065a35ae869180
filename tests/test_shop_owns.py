"""Issue 16 points 3-5 end to end against the sandbox, through the CLI: a failure or a promotion
lock holds back only its own product; renaming every SKU edits the one listing; an edit that
fails review turns the apply red and the next plan shows it first; a product removed from the
YAML is told as such on a real read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clirun import demo_copy, run_clean

from engine.sandbox.model import is_deleted, live_skus
from engine.sandbox.store import SandboxStore

KAOS = "kaos-polos-katun"


@pytest.fixture()
def demo(monkeypatch, capsys, tmp_path):
    """The demo catalog applied to a fresh sandbox (reviews decided at once)."""
    demo = demo_copy(tmp_path / "demo")
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code in (0, 3), out  # the demo's watch is refused on Tokopedia on purpose
    return demo


def _db(demo: Path) -> Path:
    return demo / ".sandbox" / "shop.db"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def _alive_with_title(demo: Path, prefix: str) -> list[dict]:
    with SandboxStore(_db(demo)) as store:
        return [r for r in store.products() if not is_deleted(r) and r["content"]["title"].startswith(prefix)]


def _product_id(demo: Path, prefix: str) -> str:
    (record,) = _alive_with_title(demo, prefix)
    return str(record["id"])


def _statuses(demo: Path, prefix: str) -> dict[str, str]:
    (record,) = _alive_with_title(demo, prefix)
    return dict(record["platforms"])


def test_a_promotion_lock_holds_its_price_and_an_unrelated_deactivation_still_happens(monkeypatch, capsys, demo):
    kaos = _product_id(demo, "Kaos Polos")
    code, out = run_clean(monkeypatch, capsys, "sandbox", "promote", "--db", _db(demo), kaos,
                          "--name", "Flash Sale 12.12")
    assert code == 0, out
    _edit(demo / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    _edit(demo / "products" / "kerajinan.yaml", "key: tas-rotan-bulat-lombok\n",
          "key: tas-rotan-bulat-lombok\nstatus: inactive\n")

    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 3, out
    assert "Needs attention (1):" in out
    assert re.search(rf"⚠ {KAOS}: held — price locked by a running promotion: .*Flash Sale 12\.12", out), out
    assert "Partly applied" not in out  # a held price is not a failure
    assert set(_statuses(demo, "Tas Rotan Bulat").values()) == {"SELLER_DEACTIVATED"}  # the shop went on
    with SandboxStore(_db(demo)) as store:
        record = store.product(kaos)
        prices = {s["seller_sku"]: record["skus"][s["id"]]["price"] for s in live_skus(record)}
    assert "37500" in str(prices["KAOS-POLOS-HITAM-L"]), prices

    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 2, out
    assert "update price" in out and "Rp37.500 → Rp36.000" in out
    assert "pending: the shop held this price change — price locked by a running promotion" in out
    assert "(apply of 20" in out  # when it was held

    code, out = run_clean(monkeypatch, capsys, "sandbox", "promote", "--db", _db(demo), kaos, "--end")
    assert code == 0, out
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 0 and "pending" not in out, out


def test_renaming_every_sku_edits_the_one_listing(monkeypatch, capsys, demo):
    kaos = _product_id(demo, "Kaos Polos")
    _edit(demo / "products" / "kaos.yaml", "KAOS-POLOS-", "KAOS-BARU-", count=3)
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--no-cache", "--detailed-exitcode")
    assert code == 2, out
    assert f"± {KAOS}" in out and f"product {kaos}" in out
    assert "+ SKU KAOS-BARU-HITAM-M" in out and "- SKU KAOS-POLOS-HITAM-M (removed)" in out
    assert "0 to create" in out and "0 unmanaged" in out

    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out
    (record,) = _alive_with_title(demo, "Kaos Polos")
    assert str(record["id"]) == kaos
    assert sorted(s["seller_sku"] for s in live_skus(record)) == ["KAOS-BARU-HITAM-L", "KAOS-BARU-HITAM-M",
                                                                   "KAOS-BARU-PUTIH-M"]
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 0, out


def test_a_saved_plan_renaming_every_sku_applies_after_the_annotation_is_proven(monkeypatch, capsys, demo, tmp_path):
    """`apply plan.json` checks a product matched by annotation alone against the shop (Get Product)."""
    kaos = _product_id(demo, "Kaos Polos")
    _edit(demo / "products" / "kaos.yaml", "KAOS-POLOS-", "KAOS-BARU-", count=3)
    plan = tmp_path / "plan.json"
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--out", plan)
    assert code == 0, out
    code, out = run_clean(monkeypatch, capsys, "apply", plan, "--catalog", demo)
    assert code == 0, out
    (record,) = _alive_with_title(demo, "Kaos Polos")
    assert str(record["id"]) == kaos and all(s["seller_sku"].startswith("KAOS-BARU-") for s in live_skus(record))


def test_an_edit_that_fails_review_turns_the_apply_red_and_leads_the_next_plan(monkeypatch, capsys, demo):
    _edit(demo / "products" / "kaos.yaml", "title: Kaos Polos Katun", "title: Kaos Polos Katun Replika")
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 3, out
    assert "Needs attention (1):" in out
    assert f"⚠ {KAOS}: review failed on Tokopedia: Counterfeit or replica goods are not allowed." in out
    code, out = run_clean(monkeypatch, capsys, "plan", demo)
    products = re.findall(r"^\S (\S+)  \"", out, re.M)
    assert products[0] == KAOS, out  # what is not for sale as planned comes first
    assert "Counterfeit or replica goods are not allowed." in out


@pytest.mark.parametrize("cache", [(), ("--no-cache",)], ids=["cached", "no-cache"])
def test_a_product_removed_from_the_yaml_is_named_by_its_old_key(monkeypatch, capsys, demo, cache):
    (demo / "products" / "kaos.yaml").unlink()
    code, out = run_clean(monkeypatch, capsys, "plan", demo, *cache)
    assert code == 0, out
    assert f"no longer in the catalog (was `{KAOS}`): left as it is; write `status: deleted` to delete it" in out
