"""`catalog init` (issue 18): a seller's repository in one command — then `validate` passes,
`plan` runs against the sandbox, every `$schema` line resolves and actionlint passes on its
workflows; nothing is ever overwritten or half-written."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from clirun import run_clean
from test_github_workflows import _lint

from engine.cli import engine_version, init_cmds

SHOP = "catalogs/toko-kopi-sejahtera"


def init(monkeypatch, capsys, root: Path, *extra) -> tuple[int, str]:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    return run_clean(monkeypatch, capsys, "init", root, "--shop", "Toko Kopi Sejahtera", "--engine-repo",
                     "acme/catalog-engine", *extra)


def test_init_then_validate_plan_and_actionlint(monkeypatch, capsys, tmp_path):
    root = tmp_path / "toko-repo"
    code, out = init(monkeypatch, capsys, root)
    assert code == 0, out
    assert "Created 14 files" in out
    shop = root / SHOP
    code, out = run_clean(monkeypatch, capsys, "validate", shop)
    assert code == 0 and "valid: 1 products, 1 SKUs for 'Toko Kopi Sejahtera'" in out, out
    code, out = run_clean(monkeypatch, capsys, "plan", shop, "--detailed-exitcode")
    assert code == 2 and "+ contoh-kopi-robusta" in out and "1 to create" in out, out  # against the sandbox
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve")
    assert code == 0 and "created · now live" in out, out

    workflows = sorted((root / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["catalog-apply.yml", "catalog-drift.yml", "catalog-plan.yml"]
    done = _lint(*workflows)
    assert done.returncode == 0, done.stdout + done.stderr
    version = engine_version().split()[0]
    for workflow in workflows:
        assert f"uses: acme/catalog-engine/.github/workflows/{workflow.name.split('-')[1]}@v{version}" in \
            workflow.read_text()
    assert f"rev: v{version}" in (root / ".pre-commit-config.yaml").read_text()
    assert (root / ".gitignore").read_text().splitlines()[1:] == [".sandbox/", ".catalog-cache/", "plan.json"]
    assert "catalog validate catalogs/toko-kopi-sejahtera" in (root / "README.md").read_text()


def test_every_schema_line_resolves_to_the_copied_schemas(monkeypatch, capsys, tmp_path):
    root = tmp_path / "r"
    init(monkeypatch, capsys, root)
    lines = 0
    for path in root.rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        if path.name.startswith(".") or ".github" in path.parts:
            continue
        assert found, path
        assert (path.parent / found[1]).resolve().is_file(), (path, found[1])
        lines += 1
    assert lines == 3  # shop.yaml, the base, the product


def test_init_refuses_to_overwrite_and_writes_nothing(monkeypatch, capsys, tmp_path):
    root = tmp_path / "r"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "catalog-plan.yml").write_text("mine\n")
    code, out = init(monkeypatch, capsys, root)
    assert code == 1 and "refusing to overwrite .github/workflows/catalog-plan.yml" in out
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        ".github", ".github/workflows", ".github/workflows/catalog-plan.yml"]
    assert (root / ".github" / "workflows" / "catalog-plan.yml").read_text() == "mine\n"


def test_a_symlinked_directory_is_refused(monkeypatch, capsys, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "r"
    root.mkdir()
    (root / "catalogs").symlink_to(elsewhere)
    code, out = init(monkeypatch, capsys, root)
    assert code == 1 and "is a link or not a directory" in out and not any(elsewhere.iterdir())
    assert not (root / "README.md").exists()


def test_init_asks_on_a_terminal(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Toko Batik Solo\nID\nGudang Solo=7400000000000000001\n"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    code, out = run_clean(monkeypatch, capsys, "init", tmp_path / "r", "--engine-repo", "acme/catalog-engine")
    assert code == 0, out
    shop_yaml = (tmp_path / "r" / "catalogs" / "toko-batik-solo" / "shop.yaml").read_text()
    assert 'name: "Toko Batik Solo"' in shop_yaml and 'Gudang Solo: "7400000000000000001"' in shop_yaml
    assert "inventory: {Gudang Solo: 100}" in (tmp_path / "r" / "catalogs" / "toko-batik-solo" / "products" /
                                                "contoh-kopi.yaml").read_text()


@pytest.mark.parametrize("args, message", [
    (("--warehouse", "Gudang: Jakarta=1"), "a plain name and the numeric warehouse id"),
    (("--warehouse", "Gudang Jakarta=abc"), "a plain name and the numeric warehouse id"),
    (("--warehouse", "no-equals"), "write NAME=ID"),
    (("--market", "MY"), "market 'MY' is not supported"),
    (("--shop-dir", "../x"), "--shop-dir must be"),
])
def test_bad_flags_are_clear_errors(monkeypatch, capsys, tmp_path, args, message):
    code, out = init(monkeypatch, capsys, tmp_path / "r", *args)
    assert code == 1 and message in out and not (tmp_path / "r").exists()


def test_without_a_terminal_the_name_and_the_engine_repository_are_needed(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, out = run_clean(monkeypatch, capsys, "init", tmp_path / "r", "--engine-repo", "a/b")
    assert code == 1 and "--shop NAME" in out
    monkeypatch.setattr(init_cmds, "_default_engine_repo", lambda: None)
    code, out = run_clean(monkeypatch, capsys, "init", tmp_path / "r", "--shop", "Toko")
    assert code == 1 and "give --engine-repo OWNER/NAME" in out and not (tmp_path / "r").exists()
