"""`catalog live DIR`: the normalised snapshot on stdout, a summary on stderr, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML
from test_shop_client import WAREHOUSE, product_body

from engine.sandbox.store import SandboxStore

ROOT = Path(__file__).resolve().parent.parent
CREDENTIAL_VARS = ("TTS_APP_KEY", "TTS_APP_SECRET", "TTS_ACCESS_TOKEN", "TTS_REFRESH_TOKEN", "TTS_SHOP_CIPHER")

PRODUCT = """\
key: batik-1
title: Kemeja Batik Parang Lengan Panjang Nomor 00001
description: "<p>Batik tulis asli dari Solo</p>"
category_id: "600010"
main_images: [{uri: tos-img-1}]
product_attributes: {Bahan: Katun}
package_weight: 0.3
listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]
skus:
  - seller_sku: BATIK-1-M
    price: "150000"
    inventory: {Gudang Jakarta: 10}
    sales_attributes: {Ukuran: M}
"""


def make_catalog(root: Path, target: str = "sandbox", extra: str = "") -> Path:
    (root / "products").mkdir(parents=True)
    (root / "shop.yaml").write_text(f'name: Toko Nusantara\ntarget: {target}\n{extra}'
                                    f'warehouses:\n  Gudang Jakarta: "{WAREHOUSE}"\n')
    (root / "products" / "batik.yaml").write_text(PRODUCT)
    return root


def catalog(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **(env or {})}, timeout=120)


def test_live_prints_yaml_then_json_and_caches(tmp_path):
    root = make_catalog(tmp_path / "shop")
    (root / ".sandbox").mkdir()
    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        managed, stranger = store.seed_products([product_body(1), product_body(2, prefix="OTHER")])

    first = catalog("live", str(root))
    assert first.returncode == 0, first.stderr
    snapshot = YAML(typ="safe").load(first.stdout)
    assert snapshot["shop_name"] == "Toko Nusantara"
    assert snapshot["claims"] == [["batik-1", [managed]]] and snapshot["unmanaged"] == [stranger]
    by_id = {p["product_id"]: p for p in snapshot["products"]}
    assert by_id[managed]["spec"]["key"] == "batik-1"
    # an unmanaged product is read in full too (its annotation could name a catalog key), once per version
    assert by_id[stranger]["spec"]["title"] and by_id[stranger]["last_applied"] is None
    assert "2 fetched" in first.stderr and "Tokopedia & Shop" in first.stderr
    assert "TikTok" not in first.stderr and "Traceback" not in first.stderr
    assert (root / ".catalog-cache" / "sandbox" / "read-cache.sqlite").is_file()

    second = catalog("live", str(root), "--format", "json")
    assert second.returncode == 0 and json.loads(second.stdout) == snapshot
    assert "0 fetched, 2 from cache" in second.stderr

    third = catalog("live", str(root), "--no-cache", "--format", "json")
    assert "2 fetched" in third.stderr and json.loads(third.stdout) == snapshot


def test_live_api_target_without_credentials_names_the_variables(tmp_path):
    root = make_catalog(tmp_path / "shop", target="api")
    result = catalog("live", str(root), env={"TTS_APP_KEY": "k", "TTS_APP_SECRET": "very-secret-value"})
    assert result.returncode == 1 and result.stdout == ""
    assert "TTS_ACCESS_TOKEN" in result.stderr and "TTS_REFRESH_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr and "very-secret-value" not in result.stderr


def test_live_api_target_over_http_discovers_the_shop(sandbox_http, tmp_path):
    sandbox_http.store.seed_products([product_body(1)])
    root = make_catalog(tmp_path / "shop", target="api")
    env = {"TTS_APP_KEY": "sandbox-app-key", "TTS_APP_SECRET": "sandbox-app-secret",
           "TTS_ACCESS_TOKEN": "sandbox-access-token", "TTS_REFRESH_TOKEN": "sandbox-refresh-token"}
    hosts = {"TTS_API_BASE_URL": sandbox_http.base_url, "TTS_AUTH_BASE_URL": sandbox_http.base_url}
    result = catalog("live", str(root), "--format", "json", env={**env, **hosts})  # no TTS_SHOP_CIPHER: discovered
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    assert [key for key, _ in snapshot["claims"]] == ["batik-1"]
    assert sandbox_http.store.calls()["GET /authorization/202309/shops"] == 1
    assert not (root / ".sandbox").exists()  # the api target never touches a sandbox
    for secret in env.values():
        if secret != "sandbox-app-key":
            assert secret not in result.stdout + result.stderr


def test_live_on_a_missing_catalog_is_a_clear_error(tmp_path):
    result = catalog("live", str(tmp_path / "nope"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_live_with_an_unusable_sandbox_database_is_a_clear_error(tmp_path):
    root = make_catalog(tmp_path / "shop")
    (root / ".sandbox").mkdir()
    (root / ".sandbox" / "shop.db").write_text("not a database")
    result = catalog("live", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sandbox database" in result.stderr and "delete it" in result.stderr
