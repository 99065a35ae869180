"""The apply report on the merged pull request: `catalog apply --report report.json` on the
sandbox, then `catalog comment report.json --commit SHA` against the fake GitHub API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import run_cli
from fake_github import FakeGitHub, serving

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"
REPO = "acme/catalog"
TOKEN = "ghs_report_TOKEN_77"


run = run_cli  # tests/clirun.py


@pytest.fixture
def report(monkeypatch, capsys, tmp_path) -> Path:
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    catalog = tmp_path / "catalogs" / "demo"
    shutil.copytree(DEMO, catalog, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    path = tmp_path / "report.json"
    code, _, err = run(monkeypatch, capsys, "apply", catalog, "--auto-approve", "--report", path)
    assert code == 3 and path.is_file(), err  # the demo's one per-platform failure: partial
    return path


def test_the_apply_report_is_one_sticky_comment_on_the_merged_pull_request(monkeypatch, capsys, report, tmp_path):
    fake = FakeGitHub()
    fake.add_repo(REPO, pulls={12: []})
    fake.add_token(TOKEN)
    fake.repos[REPO].commit_pulls["c0ffee1234"] = [{"number": 12, "merged_at": "2025-05-01T00:00:00Z"}]
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with serving(fake) as base_url:
        monkeypatch.setenv("GITHUB_API_URL", base_url)
        fake.seed_comment(REPO, 12, "<!-- catalog-engine:plan shop=Toko%20Nusantara%20%28sandbox%29 digest=x "
                          "sha=y -->\nthe plan", "github-actions[bot]", "Bot")
        args = ("comment", report, "--repo", REPO, "--commit", "c0ffee1234", "--summary",
                "--artifact-url", "https://github.example/acme/catalog/actions/runs/5/artifacts/6")
        code, out, err = run(monkeypatch, capsys, *args)
        assert code == 0, err
        assert "created the apply report comment for Toko Nusantara (sandbox) on acme/catalog#12" in out
        code, out, err = run(monkeypatch, capsys, *args)
        assert code == 0 and "unchanged" in out
    plan_comment, report_comment = fake.comments_on(REPO, 12)
    assert plan_comment["body"].endswith("the plan")  # the preview stays as it was
    body = report_comment["body"]
    assert body.startswith("<!-- catalog-engine:apply id=Toko-Nusantara--sandbox- "
                           "shop=Toko%20Nusantara%20%28sandbox%29 digest=")
    assert "batik-kawung" in body and "Tokopedia" in body and len(body) <= 65_536
    assert "failed" in body  # the demo's per-platform failure is in the comment
    assert "[the report artifact](https://github.example/acme/catalog/actions/runs/5/artifacts/6)" in body
    assert "batik-kawung" in summary.read_text() and "catalog-engine:" not in summary.read_text()
