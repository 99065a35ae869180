"""The pre-commit hook `catalog-validate` (.pre-commit-hooks.yaml): `catalog validate-files` maps
the staged files to their shops and validates each; and `pre-commit try-repo` of this repository
on the demo catalog works. pre-commit comes from the `test` extras; without it the try-repo test
skips locally and FAILS in CI (CI=true), like the actionlint tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clirun import DEMO, run_cli
from ruamel.yaml import YAML
from test_github_workflows import _tool

ROOT = Path(__file__).resolve().parent.parent


def git(cwd: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "seller"
    for name in ("demo", "agency/toko-c"):
        shutil.copytree(DEMO, root / "catalogs" / name, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    (root / "README.md").write_text("not a shop\n")
    monkeypatch.chdir(root)
    return root


def test_the_hook_is_declared_for_validate_files():
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "catalog-validate" and hook["entry"] == "catalog validate-files"
    assert hook["language"] == "python" and hook.get("pass_filenames", True)


def test_validate_files_validates_each_shop_a_file_belongs_to(monkeypatch, capsys, repo):
    code, out, err = run_cli(monkeypatch, capsys, "validate-files", "catalogs/demo/products/kopi.yaml",
                             "catalogs/demo/shop.yaml", "catalogs/agency/toko-c/templates/batik.html.j2", "README.md")
    assert code == 0, err
    assert out.splitlines() == ["catalogs/agency/toko-c: valid: 10 products", "catalogs/demo: valid: 10 products"]
    code, out, _ = run_cli(monkeypatch, capsys, "validate-files", "README.md")
    assert code == 0 and out == ""  # no shop: nothing to do


def test_validate_files_reports_every_problem_and_fails(monkeypatch, capsys, repo):
    kopi = repo / "catalogs" / "demo" / "products" / "kopi.yaml"
    kopi.write_text(kopi.read_text().replace("title:", "titel:"))
    code, out, err = run_cli(monkeypatch, capsys, "validate-files", kopi, "catalogs/agency/toko-c/shop.yaml")
    assert code == 1 and "Traceback" not in err
    assert "catalogs/demo/products/kopi.yaml:3:1" in err and "titel" in err and "catalogs/demo: invalid" in err
    assert "catalogs/agency/toko-c: valid" in out


@pytest.mark.slow
def test_pre_commit_try_repo_on_the_demo_catalog(repo, tmp_path):
    pre_commit = _tool("pre-commit")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "HOME": str(tmp_path)}
    env.pop("GITHUB_ACTIONS", None)
    ok = subprocess.run([pre_commit, "try-repo", str(ROOT), "catalog-validate", "--files",
                         "catalogs/demo/products/kopi.yaml", "catalogs/demo/shop.yaml"],
                        cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "catalog validate" in ok.stdout and "Passed" in ok.stdout
    kopi = repo / "catalogs" / "demo" / "products" / "kopi.yaml"
    kopi.write_text(kopi.read_text().replace("title:", "titel:"))
    bad = subprocess.run([pre_commit, "try-repo", str(ROOT), "catalog-validate", "--files",
                          "catalogs/demo/products/kopi.yaml"], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=600)
    assert bad.returncode == 1 and "Failed" in bad.stdout and "kopi.yaml:3:1" in bad.stdout
