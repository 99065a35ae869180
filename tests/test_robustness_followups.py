"""Robustness follow-ups: a client that hangs up mid-request, YAML nested beyond the parser's
limit, products extending an invalid base, and the sandbox's batch endpoints (one per-product
skeleton for activate / deactivate / delete / recover, behaviour pinned here)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml_rs
from clirun import run_cli
from rawclient import batik, png

from engine.catalog import source
from engine.catalog.source import MAX_FLOW_DEPTH, read_file

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "catalogs" / "demo"
UNKNOWN_ID = "1729000000000000000"


# --------------------------------------------------------------------------- 1. client disconnects
def serve(db: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "engine", "sandbox", "serve", "--port", "0", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    assert line.startswith("Sandbox shop listening on http://127.0.0.1:"), (line, process.stderr.read())
    return process, int(line.split("127.0.0.1:")[1].split()[0])


def exchange(port: int, head: bytes, body: bytes) -> bytes:
    """Send a request, read until the server closes; b'' when it answered nothing."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_client_that_hangs_up_before_sending_the_body_leaves_no_traceback(tmp_path):
    process, port = serve(tmp_path / "shop.db")
    try:
        head = (b"POST /product/202309/products/search?app_key=x HTTP/1.1\r\nHost: sandbox\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(3):  # a killed apply: the body is cut short and the socket closed
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(head + b'{"page_size": ')
        answer = exchange(port, head.replace(b"1000", b"2").replace(b"HTTP/1.1", b"HTTP/1.0"), b"{}")
        assert answer.startswith(b"HTTP/1.1 200") and b'"code":36009004' in answer  # still serving
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Traceback" not in err and "Exception" not in err, err
    assert err.strip() == "Sandbox shop stopped.", err


# --------------------------------------------------------------------------- 2. deep nesting
@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    return root


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_flow_depth_limit_is_the_fast_parsers():
    assert yaml_rs.loads(f"title: {nested(MAX_FLOW_DEPTH)}\n") is not None
    with pytest.raises(Exception, match=source._TOO_DEEP):
        yaml_rs.loads(f"title: {nested(MAX_FLOW_DEPTH + 1)}\n")


def test_nesting_beyond_the_limit_is_refused_without_the_slow_parser(tmp_path, monkeypatch):
    """The round-trip parser took 10-14 s on 1,000-5,000 levels only to fail too: it is not asked."""
    def refuse(*args, **kwargs):
        raise AssertionError("the position-tracking parser must not run on a too-deep document")

    monkeypatch.setattr(source, "YAML", refuse)
    path = tmp_path / "deep.yaml"
    path.write_text("key: ok\ntitle: fine\n---\nkey: deep\ntitle: " + nested(5000) + "\n")
    read, problems = read_file(path, "products/deep.yaml", "products/deep.yaml")
    assert [(p.file, p.line, p.column) for p in problems] == [("products/deep.yaml", 5, 7 + MAX_FLOW_DEPTH + 1)]
    assert problems[0].message == ("YAML syntax error: recursion limit exceeded: [ ] / { } nested too deeply "
                                   f"(limit {MAX_FLOW_DEPTH} levels)")
    assert [d.data for d in read.documents] == [{"key": "ok", "title": "fine"}]  # the good document stays


@pytest.mark.parametrize("text", [f"key: deep\ntitle: {nested(5000)}\n",
                                  "key: deep\nproduct_attributes: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"],
                         ids=["sequences", "mappings"])
def test_validate_refuses_deep_nesting_with_a_positioned_message(monkeypatch, capsys, demo, text):
    (demo / "products" / "deep.yaml").write_text(text)
    code, out, err = run_cli(monkeypatch, capsys, "validate", demo)
    assert code == 1 and "Traceback" not in out + err, out + err
    assert f"{demo}/products/deep.yaml:2:" in err, err
    assert f"nested too deeply (limit {MAX_FLOW_DEPTH} levels)" in err, err


# --------------------------------------------------------------------------- 3. invalid bases
BASE = "bases/kemeja-batik.yaml"


@pytest.mark.parametrize("old, new, own_error", [
    pytest.param(*case, id=name) for name, case in zip(["unknown-key", "wrong-type", "syntax", "two-documents"], [
    ("brand: Batik Keris", "brnd: Batik Keris", "unknown field 'brnd'"),
    ("package_dimensions: {length: 30, width: 25, height: 3}", "package_dimensions: 30", "package_dimensions"),
    ("brand: Batik Keris", "brand: [Batik Keris", "YAML syntax error"),
    ("shipping_insurance_requirement: OPTIONAL", "shipping_insurance_requirement: OPTIONAL\n---\nbrand: X",
     "a base file holds exactly one mapping"),
], strict=True)])
def test_products_extending_an_invalid_base_are_told_it_is_invalid(monkeypatch, capsys, demo, old, new, own_error):
    path = demo / BASE
    path.write_text(path.read_text().replace(old, new, 1))
    code, out, err = run_cli(monkeypatch, capsys, "validate", demo)
    assert code == 1 and "Traceback" not in out + err, out + err
    assert f"{demo}/{BASE}:" in err and own_error in err, err
    products = [line for line in err.splitlines() if "products/batik.yaml" in line]
    assert len(products) == 3, err  # the three batik shirts, at their `extends:` line
    assert all(f"base 'kemeja-batik' is invalid (see the errors in {demo}/{BASE})" in line for line in products)
    assert "unknown base" not in err, err


def test_a_base_extending_an_invalid_base_says_so_and_a_missing_one_is_still_unknown(monkeypatch, capsys, demo):
    (demo / "bases" / "parent.yaml").write_text("brnd: X\n")
    (demo / "bases" / "child.yaml").write_text("extends: parent\n")
    kopi = demo / "products" / "kopi.yaml"
    kopi.write_text(kopi.read_text().replace("key: kopi-kapal-api-special",
                                             "key: kopi-kapal-api-special\nextends: [child, nowhere]", 1))
    code, out, err = run_cli(monkeypatch, capsys, "validate", demo)
    assert code == 1, out + err
    assert f"{demo}/bases/child.yaml:1:10: error: extends: base 'parent' is invalid (see the errors in " \
           f"{demo}/bases/parent.yaml)" in err, err
    assert "unknown base 'nowhere'" in err and "unknown base 'parent'" not in err, err


def test_an_extends_name_outside_bases_is_never_looked_up_as_a_file(monkeypatch, capsys, demo):
    (demo / "secret.yaml").write_text("brand: X\n")
    kopi = demo / "products" / "kopi.yaml"
    kopi.write_text(kopi.read_text().replace("key: kopi-kapal-api-special",
                                             "key: kopi-kapal-api-special\nextends: ../secret", 1))
    code, out, err = run_cli(monkeypatch, capsys, "validate", demo)
    assert code == 1 and "unknown base '../secret'" in err, err


# --------------------------------------------------------------------------- 4. batch endpoints
@pytest.fixture
def shop(sandbox):
    client = sandbox.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def create(client, prefix: str) -> str:
    response = client.call("POST", "/product/202309/products",
                           body=batik(client.uri, prefix=prefix, platforms=["TIKTOK_SHOP", "TOKOPEDIA"]))
    assert response.code == 0, response.json
    return response.data["product_id"]


def batch(client, action: str, body: dict) -> tuple[int, list[tuple]]:
    method = "DELETE" if action == "delete" else "POST"
    path = "/product/202309/products" if action == "delete" else f"/product/202309/products/{action}"
    response = client.call(method, path, body=body)
    errors = (response.data or {}).get("errors", []) if response.code == 0 else []
    return response.code, [(e["code"], e["detail"]["product_id"], e["detail"].get("listing_platform"))
                           for e in errors]


def update_times(client, ids: list[str]) -> dict[str, int]:
    found = client.call("POST", "/product/202502/products/search", query={"page_size": "100"}, body={}).data
    return {p["id"]: p["update_time"] for p in found["products"] if p["id"] in ids}


def test_batch_endpoints_per_product_errors_no_ops_and_writes(sandbox, shop):
    a, b = create(shop, "A"), create(shop, "B")
    sandbox.clock.advance(1)
    live = update_times(shop, [a, b])
    assert batch(shop, "deactivate", {"product_ids": [a, UNKNOWN_ID, a], "listing_platforms": ["TOKOPEDIA"]}) == \
        (0, [(12052032, UNKNOWN_ID, None)])
    sandbox.clock.advance(1)
    moved = update_times(shop, [a, b])
    assert moved[a] > live[a] and moved[b] == live[b]  # only the product that changed is written
    assert batch(shop, "deactivate", {"product_ids": [a], "listing_platforms": ["TOKOPEDIA"]}) == \
        (0, [(12052003, a, "TOKOPEDIA")])  # already deactivated there: a per-item error (issue 20) ...
    assert update_times(shop, [a]) == {a: moved[a]}  # ... and not a write
    assert batch(shop, "activate", {"product_ids": [b, a], "listing_platforms": ["TOKOPEDIA", "TIKTOK_SHOP"]}) == \
        (0, [(12052990, b, "TIKTOK_SHOP"), (12052990, b, "TOKOPEDIA"), (12052990, a, "TIKTOK_SHOP")])
    assert batch(shop, "recover", {"product_ids": [a]}) == (0, [(12052003, a, None)])
    assert batch(shop, "delete", {"product_ids": [a, UNKNOWN_ID]}) == (0, [(12052032, UNKNOWN_ID, None)])
    assert batch(shop, "delete", {"product_ids": [a]}) == (0, [])  # deleting again is a no-op
    assert batch(shop, "recover", {"product_ids": [a, b]}) == (0, [(12052003, b, None)])
    with sandbox.off_contract():  # the body is checked before any product is touched
        assert batch(shop, "delete", {"product_ids": [a], "listing_platforms": ["TOKOPEDIA"]})[0] == 36009004
        assert batch(shop, "recover", {"product_ids": []})[0] == 12052030
        assert batch(shop, "activate", {"product_ids": [a], "listing_platforms": ["SHOPEE"]})[0] == 12052910
