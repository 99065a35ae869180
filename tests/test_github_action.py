"""The action's shell steps, run as the plan, apply and drift workflows run them, against the fake
GitHub API (tests/fake_github.py) and a sandbox shop, in a seller's git repository (issues 17, 18, 19).

- a pull request's plan is kept as the artifact `plan-<shop id>`, and the merge applies exactly
  that file (byte for byte), saying so on the pull request;
- when the merged catalog is not the one reviewed, the merge applies a fresh plan and the comment
  lists the action nobody reviewed;
- the shop's read cache is kept between runs with actions/cache (per shop, restore-keys by prefix,
  a pull request sees the default branch's): a plan on an unchanged shop fetches no product again;
- the daily check opens the shop's health issue and closes it once the shop is clean.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from action_runner import ActionRunner
from clirun import DEMO, run_clean
from fake_github import FakeGitHub, serving

from engine.sandbox.store import SandboxStore
from engine.shop.client import ENDPOINTS

pytestmark = pytest.mark.slow

REPO = "acme/catalog"
TOKEN = "ghs_action_TOKEN_8c1"
SHOP = {"shop-path": "catalogs/toko", "shop-id": "toko"}
GET = ENDPOINTS["get"].api
WRITES = {ENDPOINTS[name].api: name for name in ("create", "partial_edit", "edit", "update_price",
                                                  "update_inventory", "activate", "deactivate", "delete")}


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


@pytest.fixture
def seller(monkeypatch, capsys, tmp_path) -> Path:
    """A seller's repository on main: one shop (the demo's kopi and kaos), already live in its sandbox."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    workspace = tmp_path / "seller"
    shop = workspace / "catalogs" / "toko"
    shutil.copytree(DEMO, shop, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    for name in ("batik", "elektronik", "jam", "kerajinan"):
        (shop / "products" / f"{name}.yaml").unlink()
    (workspace / ".gitignore").write_text(".sandbox/\n.catalog-cache/\n")
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "the shop")
    code, out = run_clean(monkeypatch, capsys, "apply", shop, "--auto-approve")
    assert code == 0, out
    fresh_checkout(workspace)
    return workspace


@pytest.fixture
def github():
    fake = FakeGitHub()
    fake.add_repo(REPO)
    fake.add_token(TOKEN)
    with serving(fake) as base_url:
        fake.base_url = base_url
        yield fake


def fresh_checkout(workspace: Path) -> None:
    """A new job: the runner's checkout has no read cache (the sandbox database is the live shop)."""
    shutil.rmtree(workspace / "catalogs" / "toko" / ".catalog-cache", ignore_errors=True)


def store(workspace: Path) -> SandboxStore:
    return SandboxStore(workspace / "catalogs" / "toko" / ".sandbox" / "shop.db", clock=time.time)


def calls(workspace: Path) -> dict[str, int]:
    return store(workspace).calls()


def writes(workspace: Path) -> dict[str, int]:
    return {WRITES[api]: n for api, n in calls(workspace).items() if api in WRITES}


def plan_job(runner: ActionRunner, number: int, head: str):
    fresh_checkout(runner.workspace)
    store(runner.workspace).reset_calls()
    return runner.run({"command": "plan", **SHOP}, github={
        "event_name": "pull_request", "sha": head, "ref": f"refs/pull/{number}/merge", "base_ref": "main",
        "event": {"pull_request": {"number": number, "head": {"sha": head}}}})


def apply_job(runner: ActionRunner, sha: str):
    fresh_checkout(runner.workspace)
    store(runner.workspace).reset_calls()
    return runner.run({"command": "apply", **SHOP}, github={"event_name": "push", "sha": sha,
                                                            "ref": "refs/heads/main"})


def drift_job(runner: ActionRunner, sha: str):
    fresh_checkout(runner.workspace)
    store(runner.workspace).reset_calls()
    return runner.run({"command": "drift", **SHOP}, github={"event_name": "schedule", "sha": sha,
                                                            "ref": "refs/heads/main"})


def pull_request(workspace: Path, branch: str, change) -> str:
    git(workspace, "checkout", "-q", "-b", branch, "main")
    change(workspace / "catalogs" / "toko")
    git(workspace, "commit", "-q", "-am", branch)
    return git(workspace, "rev-parse", "HEAD")


def merge(workspace: Path, branch: str) -> str:
    git(workspace, "checkout", "-q", "main")
    git(workspace, "merge", "-q", "--no-ff", branch, "-m", f"Merge {branch}")
    return git(workspace, "rev-parse", "HEAD")


def unzip(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as zipped:
        return zipped.read("plan.json")


def body_of(fake: FakeGitHub, number: int, kind: str) -> str:
    (comment,) = [c["body"] for c in fake.comments_on(REPO, number) if c["body"].startswith(
        f"<!-- catalog-engine:{kind} id=toko ")]
    return comment


def test_the_merge_applies_the_plan_the_pull_request_showed(seller, github):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    main = git(seller, "rev-parse", "HEAD")
    check = drift_job(runner, main)  # the daily check on main leaves a cache for the default branch
    assert check.status == "success", check.log
    assert check.restored is None and len(runner.caches) == 1 and github.issues_of(REPO) == []

    head = pull_request(seller, "cheaper-kopi", lambda shop: edit(shop / "products" / "kopi.yaml",
                                                                   "price: 27500", "price: 26000"))
    github.repos[REPO].issues[12] = []
    plan = plan_job(runner, 12, head)
    assert plan.status == "success", plan.log
    assert plan.restored == runner.caches[0].key  # the pull request starts from the default branch's cache
    assert calls(seller).get(GET, 0) == 0  # issue 19: an unchanged shop is read from the cache alone
    assert set(plan.artifacts) == {"plan-toko"} and plan.outputs["run"]["exit-code"] == "2"
    comment = body_of(github, 12, "plan")
    assert "kopi-kapal-api-special" in comment and "Rp27.500 → Rp26.000" in comment
    assert "/actions/runs/" in comment and "credentials go" not in comment
    assert writes(seller) == {}  # a plan writes nothing
    github.add_run(REPO, "catalog-plan.yml", head, plan.artifacts)

    merged = merge(seller, "cheaper-kopi")
    github.merge(REPO, merged, 12, head)
    applied = apply_job(runner, merged)
    assert applied.status == "success", applied.log
    reviewed = applied.runner_temp / "catalog-engine" / "toko" / "reviewed-plan.json"
    assert reviewed.read_bytes() == unzip(plan.artifacts["plan-toko"])  # exactly the file the PR showed
    assert writes(seller) == {"update_price": 1}
    assert calls(seller).get(GET, 0) == 0  # the merge read the shop from the default branch's cache too
    report = json.loads((applied.runner_temp / "catalog-engine" / "toko" / "report.json").read_text())
    assert report["saved_plan"] is True and report["plan_review"]["reviewed"] is True
    body = body_of(github, 12, "apply")
    assert "✅ **Reviewed plan applied:** the plan the pull request showed" in body
    assert "price updated" in body and "Apply to Toko Nusantara (sandbox)" in applied.summary
    logs = [line for line in (applied.log + plan.log).splitlines() if line != f"::add-mask::{TOKEN}"]
    assert TOKEN not in "\n".join(logs) + json.dumps(github.log)  # masked first, never printed otherwise


def test_a_merged_catalog_that_was_not_reviewed_applies_a_fresh_plan_and_says_what_changed(seller, github):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    head = pull_request(seller, "cheaper-kopi", lambda shop: edit(shop / "products" / "kopi.yaml",
                                                                   "price: 27500", "price: 26000"))
    github.repos[REPO].issues[13] = []
    plan = plan_job(runner, 13, head)
    assert plan.status == "success", plan.log
    github.add_run(REPO, "catalog-plan.yml", head, plan.artifacts)

    git(seller, "checkout", "-q", "main")  # meanwhile main moves: a change nobody reviewed with this one
    edit(seller / "catalogs" / "toko" / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    git(seller, "commit", "-q", "-am", "kaos cheaper")
    merged = merge(seller, "cheaper-kopi")
    github.merge(REPO, merged, 13, head)
    applied = apply_job(runner, merged)
    assert applied.status == "success", applied.log
    assert writes(seller) == {"update_price": 2}
    report = json.loads((applied.runner_temp / "catalog-engine" / "toko" / "report.json").read_text())
    review = report["plan_review"]
    assert review["reviewed"] is False and "the merged catalog is not the one reviewed" in review["note"]
    assert [(a["key"], a["kind"]) for a in review["not_reviewed"]] == [("kaos-polos-katun", "update_price")]
    body = body_of(github, 13, "apply")
    assert "#### ⚠️ A fresh plan was applied, not the reviewed one" in body
    assert "**1 action(s) were not in the reviewed plan**" in body and "kaos-polos-katun: update price" in body
    assert body.index("A fresh plan was applied") < body.index("| Product |")


def test_without_a_plan_artifact_the_merge_lists_every_action_as_not_reviewed(seller, github):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    head = pull_request(seller, "cheaper-kopi", lambda shop: edit(shop / "products" / "kopi.yaml",
                                                                   "price: 27500", "price: 26000"))
    merged = merge(seller, "cheaper-kopi")
    github.merge(REPO, merged, 14, head)  # no plan run kept an artifact (it expired, or none ran)
    applied = apply_job(runner, merged)
    assert applied.status == "success", applied.log
    assert "no reviewed plan: pull request #14 has no plan-toko artifact" in applied.log
    body = body_of(github, 14, "apply")
    assert "No reviewed plan was found" in body and "kopi-kapal-api-special: update price" in body


def test_validate_lists_the_changed_shops_and_annotates_errors(seller, github):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    pull_request(seller, "typo", lambda shop: edit(shop / "products" / "kopi.yaml", "title:", "titel:"))
    job = runner.run({"command": "validate", "changed-since": "main"}, github={"event_name": "pull_request",
                                                                               "sha": "0" * 40})
    assert job.status == "failure"
    assert json.loads(job.outputs["shops"]["shops"]) == [{"name": "toko", "id": "toko", "path": "catalogs/toko"}]
    assert "::error file=catalogs/toko/products/kopi.yaml,line=" in job.log and "titel" in job.log
    assert "Run catalog validate" not in job.ran and "Restore the shop's read cache" not in job.ran


def test_a_fork_gets_the_validation_only_notice(seller, github):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    github.repos[REPO].issues[21] = []
    pull_request(seller, "from-a-fork", lambda shop: edit(shop / "products" / "kopi.yaml",
                                                           "price: 27500", "price: 26000"))
    job = runner.run({"command": "validate", "changed-since": "main", "fork": "true"}, github={
        "event_name": "pull_request", "sha": "1" * 40, "event": {"pull_request": {"number": 21,
                                                                                  "head": {"sha": "1" * 40}}}})
    assert job.status == "success", job.log
    assert "validation only" in body_of(github, 21, "plan")


def test_the_daily_check_opens_the_health_issue_and_closes_it(seller, github, monkeypatch, capsys):
    runner = ActionRunner(seller, github.base_url, TOKEN, REPO)
    main = git(seller, "rev-parse", "HEAD")
    live = store(seller)
    kopi = next(p for p in live.products() if "kopi" in (p["external_product_id"] or ""))
    live.set_status(kopi["id"], "TOKOPEDIA", "SELLER_DEACTIVATED")  # taken offline in Seller Center
    job = drift_job(runner, main)
    assert job.status == "success", job.log
    (issue,) = github.issues_of(REPO)
    assert issue["state"] == "open" and "not live on Tokopedia" in issue["body"]
    assert "Catalog health: Toko Nusantara (sandbox)" in job.summary
    assert writes(seller) == {}  # the check writes nothing to the shop
    code, out = run_clean(monkeypatch, capsys, "apply", seller / "catalogs" / "toko", "--auto-approve")
    assert code == 0, out
    job = drift_job(runner, main)
    assert job.status == "success" and job.restored is not None, job.log
    assert github.issues_of(REPO)[0]["state"] == "closed"
