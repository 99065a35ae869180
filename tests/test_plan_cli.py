"""`catalog plan` / `catalog show` end to end against the in-process sandbox shop."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from clirun import run_cli

from engine.plan.saved import load_plan

CASES = Path(__file__).resolve().parent / "cases"
TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)


run = run_cli  # tests/clirun.py


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """Two products (batik, kopi) with a fresh, empty sandbox shop of their own."""
    target = tmp_path / "shop"
    shutil.copytree(CASES / "create-both-platforms" / "catalog", target)
    return target


def test_plan_on_an_empty_sandbox_creates_every_product_and_exits_2(monkeypatch, capsys, catalog_dir):
    code, out, err = run(monkeypatch, capsys, "plan", catalog_dir, "--detailed-exitcode")
    assert code == 2, err
    assert out.count("+ create on Shop | Tokopedia, Tokopedia") == 2
    assert "Plan: 2 to create, 0 to edit" in out and "\x1b[" not in out
    assert not TIKTOK.search(out + err)


def test_without_detailed_exitcode_changes_exit_0(monkeypatch, capsys, catalog_dir):
    code, _, _ = run(monkeypatch, capsys, "plan", catalog_dir)
    assert code == 0


def test_out_saves_the_plan_and_show_prints_it_again(monkeypatch, capsys, catalog_dir, tmp_path):
    saved = tmp_path / "plan.json"
    code, text, _ = run(monkeypatch, capsys, "plan", catalog_dir, "--out", saved)
    assert code == 0 and load_plan(saved).shop_name == "Toko Nusantara (sandbox)"
    code, shown, _ = run(monkeypatch, capsys, "show", saved)
    assert code == 0 and shown == text
    code, as_json, _ = run(monkeypatch, capsys, "show", saved, "--format", "json")
    assert json.loads(as_json) == json.loads(saved.read_text())
    code, markdown, _ = run(monkeypatch, capsys, "show", saved, "--format", "markdown")
    assert "| Shop \\| Tokopedia | 2 |" in markdown and not TIKTOK.search(markdown)


def test_json_format_is_the_saved_plan(monkeypatch, capsys, catalog_dir, tmp_path):
    saved = tmp_path / "plan.json"
    code, out, _ = run(monkeypatch, capsys, "plan", catalog_dir, "--format", "json", "--out", saved)
    assert code == 0 and out == saved.read_text()


def test_target_limits_the_plan_and_an_unknown_target_is_an_error(monkeypatch, capsys, catalog_dir):
    code, out, _ = run(monkeypatch, capsys, "plan", catalog_dir, "--target", "kopi-*")
    assert code == 0 and "kopi-gayo" in out and "batik-parang" not in out
    code, out, err = run(monkeypatch, capsys, "plan", catalog_dir, "--target", "kopi-gaya")
    assert code == 1 and out == ""
    assert "Error: --target matches no catalog product: kopi-gaya; did you mean kopi-gayo?" in err


def test_an_invalid_catalog_fails_with_diagnostics_and_writes_nothing(monkeypatch, capsys, catalog_dir, tmp_path):
    product = catalog_dir / "products" / "kopi.yaml"
    product.write_text(product.read_text().replace("price: 45000", "price: -5"))
    saved = tmp_path / "plan.json"
    code, out, err = run(monkeypatch, capsys, "plan", catalog_dir, "--out", saved)
    assert code == 1 and out == "" and not saved.exists()
    assert "kopi.yaml:" in err and "Traceback" not in err


def test_color_is_forced_on_or_off(monkeypatch, capsys, catalog_dir):
    _, coloured, _ = run(monkeypatch, capsys, "plan", catalog_dir, "--color")
    _, plain, _ = run(monkeypatch, capsys, "plan", catalog_dir, "--no-color")
    assert "\x1b[32m" in coloured and "\x1b[" not in plain


@pytest.mark.parametrize("content,message", [
    ("{broken", "not valid JSON"),
    ('{"format_version": 99}', "format_version 99"),
])
def test_show_refuses_a_broken_plan_without_a_traceback(monkeypatch, capsys, tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    code, out, err = run(monkeypatch, capsys, "show", path)
    assert code == 1 and out == "" and message in err and "Traceback" not in err


def test_demo_catalog_on_an_empty_sandbox_is_one_create_per_product(monkeypatch, capsys, tmp_path):
    from engine.catalog.load import load_catalog

    demo = tmp_path / "demo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "catalogs" / "demo", demo,
                    ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    keys = load_catalog(demo).keys
    code, out, err = run(monkeypatch, capsys, "plan", demo, "--detailed-exitcode")
    assert code == 2, err
    assert sorted(re.findall(r"^\+ (\S+)  ", out, re.M)) == sorted(keys)
    assert out.count("    + create") == len(keys)
    assert f"Plan: {len(keys)} to create, 0 to edit" in out and not TIKTOK.search(out)
