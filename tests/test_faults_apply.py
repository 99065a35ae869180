"""Plan and apply on a bad day: the sandbox over HTTP answers with 5xx, drops connections
(before or after committing a write), throttles in 429 bursts, stalls in latency spikes and
lets the access token expire mid-run. Through the real CLI (`target: api`, TTS_* variables):

- plan still finishes and shows the same plan as on a good day;
- apply finishes (exit 0, or 3 when a write went unconfirmed) and applying again converges:
  the next plan is empty but for what is blocked;
- nothing is written twice: one live product per catalog product, and the shop counted
  exactly as many listings + relistings (creates and content edits: the writes that are never
  blindly repeated) as the same changes cost on a fault-free shop.

Two phases per fault set: the demo catalog on an empty shop (uploads, creates), then a day of
edits (a price, stock, a title, a product hidden, one deleted: Update Price, Update
Inventory, Partial Edit, Deactivate and Delete batches).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from clirun import converge, demo_copy, point_at
from clirun import run_clean as run

from engine.catalog.spec import parse_annotation
from engine.shop.settings import SANDBOX_DEFAULTS

ENV = {f"TTS_{name.upper()}": value for name, value in SANDBOX_DEFAULTS.items()}
MAX_APPLIES = 6
EDITS = [  # (file, old, new): a day of changes touching every kind of write
    ("products/kopi.yaml", "price: 27500", "price: 29000"),
    ("products/kaos.yaml", "inventory: {Gudang Jakarta: 90}", "inventory: {Gudang Jakarta: 75}"),
    ("products/batik.yaml", "Lengan Panjang Sutra Halus", "Lengan Panjang Sutra Halus Premium"),
    ("products/kerajinan.yaml", "key: tas-rotan-bulat-lombok", "key: tas-rotan-bulat-lombok\nstatus: inactive"),
    ("products/kaos.yaml", "key: kaos-polos-katun", "key: kaos-polos-katun\nstatus: deleted"),
]
FAULT_SETS = [pytest.param(faults, marks=pytest.mark.sandbox(faults=faults, seed=seed), id=name)
              for name, faults, seed in (
    ("5xx-and-dropped-connections", "5xx=0.12,drop=0.1", 3),
    ("429-bursts-and-latency-spikes", "429burst=0.02:3,spike=0.1:300", 4),
    ("token-expiry-mid-run", "token_ttl=1.5", 5),
    ("everything", "5xx=0.05,drop=0.05,429burst=0.04:2,spike=0.08:300,token_ttl=2", 6),
)]


def edit(root: Path) -> None:
    for relative, old, new in EDITS:
        path = root / relative
        text = path.read_text()
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new))


def listings(db: Path) -> int:
    """Listings + relistings the shop counted (creates and content edits that were committed)."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COALESCE(SUM(count), 0) FROM listings").fetchone()[0]


def keys_in_shop(products: list[dict]) -> Counter:
    """Live (not deleted) products per catalog key, from the last-applied annotation."""
    alive = [p for p in products if set(p["platforms"].values()) != {"DELETED"}]
    return Counter(parse_annotation(p["external_product_id"]).key for p in alive)


@pytest.fixture(scope="module")
def fault_free(tmp_path_factory) -> list[tuple[int, Counter]]:
    """The same two phases on the in-process sandbox without faults: (listings, keys) per phase."""
    from engine.sandbox.store import SandboxStore

    root = demo_copy(tmp_path_factory.mktemp("reference") / "shop", None)
    db = root / ".sandbox" / "shop.db"
    mp, out = pytest.MonkeyPatch(), []
    try:
        for phase in range(2):
            if phase:
                edit(root)
            converge(mp, _Swallow(), root, MAX_APPLIES)
            with SandboxStore(db) as store:
                out.append((listings(db), keys_in_shop(store.products())))
    finally:
        mp.undo()
    return out


class _Swallow:
    """Stands in for capsys in a module-scoped fixture (pytest's own capture keeps the output)."""

    @staticmethod
    def readouterr():
        class Nothing:
            out = err = ""
        return Nothing()


@pytest.mark.parametrize("faults", FAULT_SETS)  # the sandbox marker of each param injects them
def test_plan_and_apply_survive_faults_and_write_nothing_twice(monkeypatch, capsys, sandbox_http, fault_free, faults):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    root = demo_copy(sandbox_http.db_path.parent.parent / "shop", "api")
    point_at(monkeypatch, sandbox_http.base_url)

    code, output = run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 2 and "10 to create" in output, output

    for phase, (expected_listings, expected_keys) in enumerate(fault_free):
        if phase:
            edit(root)
        converge(monkeypatch, capsys, root, MAX_APPLIES)
        assert listings(sandbox_http.db_path) == expected_listings, phase  # no create / content edit twice
        assert keys_in_shop(sandbox_http.store.products()) == expected_keys, phase  # one product per key
    faults = sum(1 for _, response in sandbox_http.exchanges
                 if response.get("dropped") or response["status"] in (429, 500)
                 or (response["json"] or {}).get("code") == 105002)
    assert faults > 0, "no fault was injected: the test proves nothing"
