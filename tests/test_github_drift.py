"""`catalog drift` (issue 18): the daily check keeps ONE GitHub issue per shop, against the fake
GitHub API and the in-process sandbox shop — opened, left alone, updated, closed, reopened."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from clirun import DEMO, run_clean, run_cli
from fake_github import FakeGitHub, serving

from engine.github.client import GitHubClient
from engine.github.issues import LABEL, sync_health_issue
from engine.sandbox.store import SandboxStore

REPO = "acme/catalog"
TOKEN = "ghs_drift_TOKEN_55"


@pytest.fixture
def github(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeGitHub()
    fake.add_repo(REPO)
    fake.add_token(TOKEN)
    with serving(fake) as base_url:
        monkeypatch.setenv("GITHUB_API_URL", base_url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        fake.base_url = base_url
        yield fake


@pytest.fixture
def shop(monkeypatch, capsys, tmp_path) -> Path:
    """The demo's kopi and kaos (products that go live on both platforms), applied to an empty sandbox."""
    root = tmp_path / "catalogs" / "toko"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    for name in ("batik", "elektronik", "jam", "kerajinan"):
        (root / "products" / f"{name}.yaml").unlink()
    code, out = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 0, out
    return root


def check(monkeypatch, capsys, shop: Path, *extra) -> tuple[int, str]:
    """The drift workflow's steps: plan the whole shop, then keep its issue."""
    plan = shop.parent.parent / "plan.json"
    code, out = run_clean(monkeypatch, capsys, "plan", shop, "--out", plan)
    assert code in (0, 1) and plan.is_file(), out
    return run_clean(monkeypatch, capsys, "drift", plan, "--repo", REPO, "--shop-id", "toko",
                     "--run-url", "https://github.example/acme/catalog/actions/runs/9", *extra)


def store_of(shop: Path) -> SandboxStore:
    return SandboxStore(shop / ".sandbox" / "shop.db", clock=lambda: time.time() + 5)


def test_the_issue_is_opened_updated_closed_and_reopened(monkeypatch, capsys, github, shop):
    code, out = check(monkeypatch, capsys, shop)
    assert code == 0 and "health of Toko Nusantara (sandbox) (toko): clean" in out
    assert "no open health issue: nothing to do" in out and github.issues_of(REPO) == []

    store = store_of(shop)
    kopi = next(p for p in store.products() if p["external_product_id"] and "kopi" in p["external_product_id"])
    store.outside_edit(kopi["id"], title="Kopi Diubah di Seller Center Tanpa Lewat Git Sama Sekali")
    code, out = check(monkeypatch, capsys, shop)
    assert code == 0 and "created health issue #1" in out, out
    (issue,) = github.issues_of(REPO)
    assert issue["state"] == "open" and [label["name"] for label in issue["labels"]] == [LABEL]
    assert issue["body"].startswith("<!-- catalog-engine:health id=toko shop=Toko%20Nusantara%20%28sandbox%29 -->")
    assert "#### Drift: changed outside git since the last apply (1)" in issue["body"]
    assert "kopi" in issue["body"] and "[the check's run](https://github.example/" in issue["body"]
    assert issue["title"] == "Catalog health: Toko Nusantara (sandbox) (toko) — 1 finding(s)"

    writes = sum(1 for r in github.log if r["method"] != "GET")
    code, out = check(monkeypatch, capsys, shop)  # the same findings: nothing is sent
    assert "unchanged health issue #1" in out and sum(1 for r in github.log if r["method"] != "GET") == writes

    store.set_status(kopi["id"], "TOKOPEDIA", "SELLER_DEACTIVATED")
    code, out = check(monkeypatch, capsys, shop)
    assert "updated health issue #1" in out
    (issue,) = github.issues_of(REPO)
    assert "#### Offline (1)" in issue["body"] and "not live on Tokopedia" in issue["body"]

    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve")  # puts the shop back
    assert code == 0, out
    code, out = check(monkeypatch, capsys, shop)
    assert "closed health issue #1" in out
    (issue,) = github.issues_of(REPO)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert "nothing needs attention" in issue["body"]
    code, out = check(monkeypatch, capsys, shop)
    assert "no open health issue" in out  # closed stays closed while clean

    store.outside_edit(kopi["id"], title="Kopi Diubah Lagi di Seller Center Tanpa Lewat Git Sama Sekali")
    code, out = check(monkeypatch, capsys, shop)
    assert "reopened health issue #1" in out and len(github.issues_of(REPO)) == 1
    assert github.issues_of(REPO)[0]["state"] == "open"


def test_each_shop_has_its_own_issue_and_others_are_left_alone(github):
    github.repos[REPO].issue_items[1] = {"number": 1, "title": "a person's issue", "state": "open",
                                         "body": "<!-- catalog-engine:health id=toko shop=x --> quoted?",
                                         "labels": [], "html_url": ""}  # no label: not ours
    github.repos[REPO].issue_items[2] = {"number": 2, "title": "a pull request", "state": "open",
                                         "pull_request": {}, "labels": [{"name": LABEL}],
                                         "body": "<!-- catalog-engine:health id=toko shop=x -->", "html_url": ""}
    with GitHubClient(TOKEN, base_url=github.base_url) as client:
        a = sync_health_issue(client, REPO, "toko", "t", "<!-- catalog-engine:health id=toko shop=x -->\na", False)
        b = sync_health_issue(client, REPO, "toko-b", "t", "<!-- catalog-engine:health id=toko-b shop=x -->\nb", False)
    assert (a.action, b.action) == ("created", "created") and a.number != b.number
    assert github.repos[REPO].issue_items[1]["title"] == "a person's issue"


def test_without_repo_the_body_is_printed_and_the_summary_written(monkeypatch, capsys, shop, tmp_path):
    store = store_of(shop)
    store.set_status(store.products()[0]["id"], "TIKTOK_SHOP", "SELLER_DEACTIVATED")
    run_clean(monkeypatch, capsys, "plan", shop, "--out", tmp_path / "plan.json")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run_clean(monkeypatch, capsys, "drift", tmp_path / "plan.json", "--shop-id", "toko", "--summary")
    assert code == 0 and out.startswith("<!-- catalog-engine:health id=toko ") and "not live on Shop | Tokopedia" in out
    assert summary.read_text().startswith("### Catalog health: Toko Nusantara (sandbox)")


def test_a_read_only_token_and_bad_arguments_are_clear_errors(monkeypatch, capsys, github, shop, tmp_path):
    store = store_of(shop)
    store.set_status(store.products()[0]["id"], "TIKTOK_SHOP", "SELLER_DEACTIVATED")
    run_clean(monkeypatch, capsys, "plan", shop, "--out", tmp_path / "plan.json")
    github.tokens[TOKEN].write = False
    code, out, err = run_cli(monkeypatch, capsys, "drift", tmp_path / "plan.json", "--repo", REPO, "--shop-id", "toko")
    assert code == 1 and "`issues: write`" in err and "Traceback" not in err and TOKEN not in err
    code, _, err = run_cli(monkeypatch, capsys, "drift", tmp_path / "plan.json", "--shop-id", "a/b")
    assert code == 1 and "--shop-id must be" in err


def test_the_health_issue_tells_a_product_left_the_catalog_as_the_plan_does():
    """The same words in the daily issue as in the text plan and the PR comment (render.fmt)."""
    from engine.github.health import health_findings
    from engine.plan.model import Plan, UnmanagedProduct
    from engine.render.markdown import render_markdown

    plan = Plan(shop_name="Toko", unmanaged=(UnmanagedProduct("17", "Kaos", "kaos-polos"),
                                            UnmanagedProduct("18", "Topi")))
    lines = [line for section in health_findings(plan) for line in section.lines]
    said = "no longer in the catalog (was `kaos-polos`): left as it is; write `status: deleted` to delete it"
    assert any(said in line for line in lines) and not any("was" in line for line in lines if "18" in line)
    assert said in render_markdown(plan)
