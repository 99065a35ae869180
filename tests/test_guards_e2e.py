"""Guards end to end (issue 17): `catalog plan` / `apply` on catalogs and their in-process sandbox
shop. Writes are counted on the shop's side (SandboxStore.calls()): "nothing written" means no
write request reached the shop.

    a −99 % price: flagged first, plan exit 1, apply refuses (fresh, saved, reviewed), nothing
        written; acknowledged → applied; the next plan flags the acknowledgement for removal
    the whole demo shop deactivated by one line of shop.yaml defaults
    1,000 deletes
    a deletion and a guard before 100 price changes, in the text plan and the Markdown comment
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from clirun import demo_applied, run_clean
from rawclient import WAREHOUSE_JKT, batik

import engine.sandbox.app
from engine.sandbox.store import SandboxStore
from engine.shop.client import ENDPOINTS

WRITES = {name: ENDPOINTS[name].api for name in ("create", "edit", "partial_edit", "update_price",
                                                 "update_inventory", "activate", "deactivate", "delete")}
PRICE_TYPO = ("price: 37500", "price: 375")  # kaos-polos-katun, SKU KAOS-POLOS-HITAM-L
ACK = "acknowledge: {price_change: {KAOS-POLOS-HITAM-L: {from: 37500, to: 375}}}\n"


def store_of(catalog: Path) -> SandboxStore:
    return SandboxStore(catalog / ".sandbox" / "shop.db", clock=time.time)


def writes(catalog: Path) -> dict[str, int]:
    calls = store_of(catalog).calls()
    return {name: calls.get(api, 0) for name, api in WRITES.items() if calls.get(api)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def position(path: Path, text: str) -> str:
    """file:line:column of the first `text` in `path` (as the plan names files: shop.yaml)."""
    lines = path.read_text().splitlines()
    line = next(n for n, written in enumerate(lines, 1) if text in written)
    return f"{path.name}:{line}:{lines[line - 1].index(text) + 1}"


def headers(text: str) -> list[str]:
    """Product keys in the order the text plan shows their blocks."""
    return re.findall(r"^\S (\S+)  ", text, re.M)


@pytest.fixture(scope="module")
def applied_demo(tmp_path_factory) -> Path:
    """The demo catalog applied once to an empty sandbox (copied per test)."""
    return demo_applied(tmp_path_factory.mktemp("guards") / "demo")


@pytest.fixture
def demo(applied_demo, tmp_path, monkeypatch, capsys) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(applied_demo, root)
    code, out = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0, out  # the shop matches the catalog but for what is blocked
    store_of(root).reset_calls()
    return root


@pytest.fixture
def fast_sandbox(monkeypatch):
    """The in-process sandbox without its 50-calls-a-second limit (a first read of 1,000
    products is 1,000 Get Product calls: 20 s at the platform's rate)."""
    monkeypatch.setattr(engine.sandbox.app, "create_app", functools.partial(engine.sandbox.app.create_app, qps=1e6))


# --------------------------------------------------------------------------- a price typo
def test_a_price_typo_is_flagged_first_refused_then_acknowledged_applied_and_flagged_stale(
        monkeypatch, capsys, demo, tmp_path):
    kaos = demo / "products" / "kaos.yaml"
    edit(kaos, *PRICE_TYPO)
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode", "--out", tmp_path / "plan.json")
    assert code == 1, out
    assert "guards tripped and not acknowledged (1): apply refuses this plan" in out
    guard = out.index("✖ 1 guard tripped: apply refuses this plan until it is acknowledged")
    line = ("$ kaos-polos-katun  SKU KAOS-POLOS-HITAM-L price Rp37.500 → Rp375 (−99 %), "
            "past max_price_change (50 %)")
    assert guard < out.index(line) < out.index("\n$ kaos-polos-katun  \"Kaos Polos")
    assert "in products/kaos.yaml, product kaos-polos-katun:\n        " + ACK in out

    # refused however it is applied, and nothing reaches the shop
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve", "--report", tmp_path / "r.json")
    assert code == 1 and "Error: apply refused: 1 guard tripped and not acknowledged; nothing was written" in out
    assert "products/kaos.yaml, product kaos-polos-katun — " + ACK.strip() in out
    assert json.loads((tmp_path / "r.json").read_text())["aborted"].startswith("apply refused: 1 guard tripped")
    code, out = run_clean(monkeypatch, capsys, "apply", tmp_path / "plan.json", "--catalog", demo)
    assert code == 1 and "apply refused" in out
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve", "--reviewed", tmp_path / "plan.json")
    assert code == 1 and "Applying the reviewed plan" in out and "apply refused" in out
    assert writes(demo) == {}

    # the acknowledgement the plan printed, reviewed with the change: applied
    kaos.write_text(kaos.read_text() + ACK)
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 2, out
    assert re.search(r"— acknowledged at products/kaos\.yaml:\d+:\d+", out)
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out
    assert writes(demo) == {"update_price": 1}

    # the change is live: the next plan flags the acknowledgement for removal, at its line
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 0, out
    at = len(kaos.read_text().splitlines())
    assert (f"kaos-polos-katun: the acknowledgement at products/kaos.yaml:{at}:30 is no longer needed: SKU "
            "KAOS-POLOS-HITAM-L is at 375 in the shop, the change it allowed is live; remove it") in out


def test_an_acknowledgement_of_another_price_allows_nothing(monkeypatch, capsys, demo):
    kaos = demo / "products" / "kaos.yaml"
    edit(kaos, "price: 37500", "price: 370")
    kaos.write_text(kaos.read_text() + ACK)
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 1 and "apply refused" in out
    assert "allows SKU KAOS-POLOS-HITAM-L 37500 → 375, but this plan changes its price 37500 → 370" in out
    assert writes(demo) == {}


# --------------------------------------------------------------------------- one line takes the shop offline
def test_one_line_of_defaults_deactivating_the_whole_demo_shop_trips_the_guard(monkeypatch, capsys, demo):
    edit(demo / "shop.yaml", "  status: active", "  status: inactive")
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 1, out
    found = re.search(r"▼ deactivates (\d+) of (\d+) live products \(100 %\), past max_deactivate "
                      r"\(10 products or 25 %\)", out)
    assert found and found.group(1) == found.group(2) and int(found.group(1)) >= 8, out
    ack = re.search(r"acknowledge: \{deactivate: \{count: \d+, products: \"[0-9a-f]{8}\"\}\}", out).group(0)
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 1 and "apply refused" in out and writes(demo) == {}

    edit(demo / "shop.yaml", "guards:", f"guards:\n  {ack}")
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code == 0, out
    assert writes(demo)["deactivate"] >= 1 and set(writes(demo)) == {"deactivate"}
    code, out = run_clean(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    at = position(demo / "shop.yaml", "deactivate: {count")
    assert code == 0 and f"the acknowledgement at {at} is no longer needed: this plan deactivates no product" in out


# --------------------------------------------------------------------------- a shop of 1,000
SHOP = """\
name: Toko Seribu
target: sandbox
rate_limit_qps: 1000  # the engine's own pace (the platform allows 50 a second per API)
warehouses: {{Gudang Jakarta: "{warehouse}"}}
defaults:  # what tests/rawclient.batik() creates
  title: Kemeja Batik Pria Lengan Panjang Motif Parang
  description: <p>Kemeja batik tulis dari Solo, bahan katun adem.</p>
  category_id: "600010"
  main_images: [{{uri: tos-alisg-i-seeded-sandbox/0}}]
  product_attributes: [{{id: "100100", values: [{{id: "1001001"}}]}}]
  package_weight: 0.3
  listing_platforms: [TIKTOK_SHOP]
"""


def seeded_shop(root: Path, count: int) -> Path:
    """A catalog of `count` products, each matching a live sandbox product (adopted by seller SKU)."""
    (root / "products").mkdir(parents=True)
    (root / "shop.yaml").write_text(SHOP.format(warehouse=WAREHOUSE_JKT))
    store_of(root).seed_products([batik("tos-alisg-i-seeded-sandbox/0", prefix=f"P{i:05d}") for i in range(count)],
                                 status="ACTIVATE")
    return root


def products(root: Path, docs: list[str]) -> None:
    (root / "products" / "all.yaml").write_text("---\n".join(docs))


def sku_yaml(n: int, m_price: int = 150000) -> str:
    return (f"skus:\n  - {{seller_sku: P{n:05d}-M, price: {m_price}, inventory: {{Gudang Jakarta: 10}}, "
            "sales_attributes: {Ukuran: M}}\n"
            f"  - {{seller_sku: P{n:05d}-L, price: 155000, inventory: {{Gudang Jakarta: 5}}, "
            "sales_attributes: {Ukuran: L}}\n")


def test_1000_deletes_trip_the_delete_guard(monkeypatch, capsys, tmp_path, fast_sandbox):
    root = seeded_shop(tmp_path / "seribu", 1000)
    products(root, [f"key: p{n:05d}\nstatus: deleted\n" + sku_yaml(n) for n in range(1000)])
    code, out = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 1
    assert "- deletes 1.000 of 1.000 products in the shop (100 %), past max_delete (5 products or 10 %)" in out
    ack = re.search(r"acknowledge: \{delete: \{count: 1000, products: \"[0-9a-f]{8}\"\}\}", out).group(0)
    store_of(root).reset_calls()
    code, out = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 1 and "apply refused" in out and writes(root) == {}

    (root / "shop.yaml").write_text((root / "shop.yaml").read_text() + f"guards:\n  {ack}\n")
    code, out = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 0, out[-2000:]
    assert writes(root) == {"delete": 50}  # 1,000 products, 20 a call
    code, out = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    at = position(root / "shop.yaml", "delete: {count")
    assert code == 0 and f"the acknowledgement at {at} is no longer needed: this plan deletes no product" in out


def test_a_deletion_and_a_guard_come_before_100_price_changes(monkeypatch, capsys, tmp_path, fast_sandbox):
    root = seeded_shop(tmp_path / "toko", 102)
    docs = [f"key: p{n:05d}\n" + sku_yaml(n, 140000) for n in range(102)]
    docs[0] = "key: p00000\nstatus: deleted\n" + sku_yaml(0)
    docs[50] = "key: p00050\n" + sku_yaml(50, 1500)
    products(root, docs)
    code, out = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode", "--out", tmp_path / "plan.json")
    assert code == 1, out[-2000:]
    keys = headers(out[out.index("\n\n", out.index("✖ 1 guard tripped")):])
    assert keys[:2] == ["p00050", "p00000"] and keys[2:] == [f"p{n:05d}" for n in range(1, 102) if n != 50]
    code, markdown = run_clean(monkeypatch, capsys, "show", tmp_path / "plan.json", "--format", "markdown")
    assert markdown.index("#### ✖ 1 guard tripped") < markdown.index("| Platform |")
    shown = re.findall(r"<summary><code>\S (\S+)</code>", markdown)
    assert shown == keys
    code, comment = run_clean(monkeypatch, capsys, "comment", tmp_path / "plan.json")
    assert code == 0 and comment.index("guard tripped") < comment.index("| Platform |")
    assert re.findall(r"<summary><code>\S (\S+)</code>", comment)[:2] == ["p00050", "p00000"]
