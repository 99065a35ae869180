"""`catalog apply` killed with SIGKILL in the middle of its writes, with faults on.

tests/test_apply_crash.py kills at random *times* on the demo. This file kills at chosen
*events*: the shop (sandbox over HTTP, 5xx / dropped connections / 429 bursts on) is watched,
and the apply process is killed right after the shop answered the k-th request of one kind —
an image upload, a create, a Deactivate / Activate / Delete batch, a partial edit — k drawn
from a seeded RNG, sometimes after a few more milliseconds. Killing as the shop answers means
the write is committed but the client never hears of it: the worst moment.

After every kill:
- every file apply writes is whole: the image-upload map and the --report file parse, the read
  cache (SQLite) passes its integrity check; the catalog still loads;
- applying again converges: the next plan is empty but for what is blocked;
- the shop holds exactly one live product per catalog product and each seller SKU once.

The catalog: the demo plus 21 generated products with their own images (more uploads, and
two batches of ≤ 20 per status change).
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest
from clirun import converge, point_at

from engine.catalog.load import load_catalog
from engine.catalog.spec import parse_annotation
from engine.sandbox.store import reset_database
from engine.shop.settings import SANDBOX_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "catalogs" / "demo"
ENV = {f"TTS_{name.upper()}": value for name, value in SANDBOX_DEFAULTS.items()}
EXTRA = 21  # 21 products hidden / deleted: two batches (20 + 1)
FAULTS = "5xx=0.03,drop=0.03,spike=0.05:200"  # (429 bursts: tests/test_faults_apply.py)
UPLOAD = ("POST", "/product/202309/images/upload")
CREATE = ("POST", "/product/202309/products")
PARTIAL = ("POST", "/product/202509/products/{product_id}/partial_edit")
DEACTIVATE = ("POST", "/product/202309/products/deactivate")
ACTIVATE = ("POST", "/product/202309/products/activate")
DELETE = ("DELETE", "/product/202309/products")
TEMPORARY = (".tmp-", ".images.json.")  # atomic writes' temporary files (a SIGKILL can leave one behind)


# --------------------------------------------------------------------------- the catalog
def png(path: Path, rgb: tuple[int, int, int], size: int = 320) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
                     + chunk(b"IEND", b""))


def extra_product(n: int, status: str, suffix: str) -> str:
    return (f"key: kopi-varian-{n:02d}\n"
            f"title: Kopi Bubuk Robusta Pilihan Varian {n:02d} Kemasan Hemat{suffix}\n"
            f"description: <p>Kopi bubuk robusta varian {n}.</p>\n"
            'category_id: "600050"\nbrand: Kopi Kapal Api\n'
            f"main_images: [images/varian-{n:02d}.png]\n"
            "product_attributes: {Jenis Kopi: Robusta, Masa Simpan: 12 Bulan}\n"
            f"package_weight: 0.3\nstatus: {status}\n"
            "skus:\n"
            f"  - seller_sku: KOPI-VARIAN-{n:02d}-250G\n    sales_attributes: {{Berat: 250g}}\n"
            f"    price: {20000 + 100 * n}\n    inventory: {{Gudang Jakarta: {n + 1}}}\n")  # 1–99,999 (spec)


def write_extras(root: Path, status: str = "active", suffix: str = "") -> None:
    text = "\n---\n".join(extra_product(n, status, suffix) for n in range(EXTRA))
    (root / "products" / "varian.yaml").write_text("# yaml-language-server: $schema=../../../schemas/product.json\n"
                                                   + text)


def make_catalog(root: Path) -> Path:
    """The demo plus the extras, `target: api` (the environment names the host: point_at)."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    text = (root / "shop.yaml").read_text()
    # batches of deactivations and deletes are what this test kills: the guards (issue 17) are off
    for limit in ("max_deactivate: {count: 10, share: 25%}", "max_delete: {count: 5, share: 10%}"):
        assert limit in text, limit
        text = text.replace(limit, limit.split(":")[0] + ": false")
    (root / "shop.yaml").write_text(text.replace("target: sandbox ", "target: api\n#"))
    for n in range(EXTRA):
        png(root / "images" / f"varian-{n:02d}.png", (40 + 5 * n, 90, 200 - 4 * n))
    write_extras(root)
    return root


# --------------------------------------------------------------------------- runs
def killed_apply(root: Path, exchanges: list, event: tuple[str, str], k: int, linger: float) -> int:
    """Start `catalog apply` and SIGKILL it `linger` s after the shop answered the k-th `event`
    request. Returns how many such requests the shop had seen (0 = it finished first)."""
    start = len(exchanges)
    process = subprocess.Popen([sys.executable, "-m", "engine", "apply", str(root), "--auto-approve",
                                "--concurrency", "4", "--report", str(root / "report.json")],
                               cwd=ROOT, env={**os.environ, **ENV, "NO_COLOR": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    seen = 0
    while process.poll() is None and time.monotonic() < deadline:
        seen = sum(1 for request, _ in exchanges[start:] if (request["method"], request["route"]) == event)
        if seen >= k:
            time.sleep(linger)
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr.decode(), stderr.decode()
    return seen if process.returncode == -signal.SIGKILL else 0


def assert_files_whole(root: Path) -> None:
    """Every file apply writes is whole: the upload map and the report parse, the read cache is
    a sound SQLite database (a transaction a kill interrupted is rolled back from its journal
    when the file is next opened); the catalog loads."""
    cache = root / ".catalog-cache"
    for path in sorted(cache.rglob("*")) if cache.exists() else ():
        if not path.is_file() or path.name.startswith(TEMPORARY) or path.name.endswith("-journal"):
            continue
        if path.suffix == ".sqlite":
            with sqlite3.connect(path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), path
                assert conn.execute("SELECT COUNT(*) FROM products").fetchone()[0] >= 0
        elif path.name == "apply.lock":  # the holder's pid, for the message (the lock itself is the OS's)
            text = path.read_text()
            assert text == "" or (text.startswith("pid ") and text.endswith("\n") and text[4:-1].isdigit()), text
        elif path.name == "images.journal":  # uploads recorded one line each; a kill may cut the last one
            assert all(len(line.split(" ")) == 3 for line in path.read_text(encoding="utf-8").split("\n")[:-1])
        else:
            json.loads(path.read_text(encoding="utf-8"))
    images = cache / "images.json"
    if images.exists():
        assert json.loads(images.read_text())["format_version"] == 1
    report = root / "report.json"
    if report.exists():
        assert json.loads(report.read_text())["kind"] == "apply_report"
    load_catalog(root)


def assert_one_product_per_key(root: Path, products: list[dict]) -> None:
    catalog = load_catalog(root)
    alive = [p for p in products if set(p["platforms"].values()) != {"DELETED"}]
    keys = Counter(parse_annotation(p["external_product_id"]).key for p in alive)
    wanted = {spec.key for spec in catalog.products if spec.status != "deleted"}
    assert keys == Counter(wanted), keys - Counter(wanted)
    skus = Counter(s["seller_sku"] for p in alive for s in p["content"]["skus"])
    assert all(n == 1 for n in skus.values()), [s for s, n in skus.items() if n > 1]


# --------------------------------------------------------------------------- the test
STEPS = [  # (name, how to get there, the request kind to kill in, how many of them the step makes)
    ("uploads", "reset, no upload cache", UPLOAD, 13 + EXTRA),
    ("creates", "reset, stale upload cache", CREATE, 10 + EXTRA),
    ("deactivate batches", "the extra products hidden", DEACTIVATE, 2),
    ("partial edits and activate batches", "shown again, titles changed", PARTIAL, EXTRA),
    ("delete batches", "the extra products deleted", DELETE, 2),
]


@pytest.mark.slow
@pytest.mark.sandbox(faults=FAULTS, seed=11)
def test_apply_killed_during_uploads_creates_batches_and_edits_converges(monkeypatch, capsys, sandbox_http,
                                                                          tmp_path):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # The in-thread server logs a traceback when a killed client leaves a request body unsent
    # (starlette ClientDisconnect, a sandbox issue); it would land in this process's captured
    # output and be mistaken for the CLI's. The killed CLI's own stderr is checked separately.
    monkeypatch.setattr(logging.getLogger("uvicorn.error"), "disabled", True)
    root = make_catalog(tmp_path / "shop")
    point_at(monkeypatch, sandbox_http.base_url)
    rng = random.Random(20261122)
    kills = []
    for cycle in range(2):
        for name, _, event, count in STEPS:
            if name == "uploads":
                reset_database(sandbox_http.db_path)
                shutil.rmtree(root / ".catalog-cache", ignore_errors=True)
                write_extras(root)
            elif name == "creates":
                reset_database(sandbox_http.db_path)  # the upload cache now names uris the shop forgot
            elif name == "deactivate batches":
                write_extras(root, "inactive")
            elif name == "partial edits and activate batches":
                write_extras(root, "active", f" Seri {cycle + 2}")
            else:
                write_extras(root, "deleted")
            k = rng.randint(1, count // 2 if cycle == 0 else count)
            linger = rng.choice((0.0, 0.0, 0.01, 0.05))
            seen = killed_apply(root, sandbox_http.exchanges, event, k, linger)
            kills.append((name, k, seen))
            assert_files_whole(root)
            converge(monkeypatch, capsys, root)
            assert_files_whole(root)
            assert_one_product_per_key(root, sandbox_http.store.products())
    assert sum(1 for *_, seen in kills if seen) >= 8, kills  # most runs were killed where intended
