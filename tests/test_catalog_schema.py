"""schemas/*.json: generated from the models, committed, and right about the demo catalog."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml_rs
from test_catalog_rules import DEMO, run

from engine.catalog.schema import SCHEMAS, render_schemas, stale_schemas

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
KIND = {"shop.yaml": "shop.json"}


def _kind(rel: str) -> str:
    return KIND.get(rel) or ("base.json" if rel.startswith("bases/") else "product.json")


def _documents(path: Path) -> list:
    text = path.read_text()
    parsed = yaml_rs.loads(text, parse_datetime=False)
    return parsed if isinstance(parsed, list) and "\n---" in text else [parsed]


def test_committed_schemas_match_the_models():
    assert stale_schemas(SCHEMA_DIR) == [], "run `python3 -m engine schema` and commit schemas/"
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(SCHEMAS)


def test_schema_command_writes_and_checks(tmp_path, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "schema", "--out", tmp_path / "s")
    assert code == 0 and out.count("wrote ") == 3
    assert {p.name: p.read_text() for p in (tmp_path / "s").iterdir()} == render_schemas()
    code, out, _ = run(monkeypatch, capsys, "schema", "--out", tmp_path / "s")
    assert code == 0 and "up to date" in out
    code, _, _ = run(monkeypatch, capsys, "schema", "--check", "--out", tmp_path / "s")
    assert code == 0
    (tmp_path / "s" / "product.json").write_text("{}\n")
    code, _, err = run(monkeypatch, capsys, "schema", "--check", "--out", tmp_path / "s")
    assert code == 1 and "product.json: differs from the models" in err


@pytest.mark.parametrize("rel", sorted(p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*.yaml")))
def test_demo_files_point_at_their_schema_and_satisfy_it(rel):
    path = DEMO / rel
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (SCHEMA_DIR / _kind(rel)).resolve()
    validator = jsonschema.Draft202012Validator(json.loads(target.read_text()))
    for document in _documents(path):
        assert list(validator.iter_errors(document)) == []


def test_schema_rejects_what_the_loader_rejects():
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / "product.json").read_text()))
    product = _documents(DEMO / "products" / "kopi.yaml")[0]
    assert not list(validator.iter_errors(product))
    for broken in ({**product, "titel": "x"}, {**product, "minimum_order_quantity": 30},
                   {**product, "listing_platforms": ["TOKOPEDA"]},
                   {**product, "skus": [{**product["skus"][0], "seller_sku": "A B"}]},
                   {**product, "main_images": ["a.png"] * 10}):
        assert list(validator.iter_errors(broken)), broken


def test_schemas_never_say_tiktok_to_a_seller_except_enum_names():
    for text in render_schemas().values():
        for line in text.splitlines():
            if "TikTok" in line:
                pytest.fail(f"schema shows 'TikTok' to a seller: {line.strip()}")
