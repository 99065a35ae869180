"""`catalog comment`, `catalog shops`, annotations and masks, end to end through the CLI, against
the local fake GitHub API (tests/fake_github.py) and the in-process sandbox shop."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from clirun import run_cli
from fake_github import FakeGitHub, serving
from test_plan_builders import showcase_plan

from engine.plan.saved import save_plan

CASES = Path(__file__).resolve().parent / "cases"
REPO = "acme/catalog"
SECRETS = {
    "GITHUB_TOKEN": "ghs_S3CRET_github_token_4b1d",
    "TTS_APP_SECRET": "tts-app-secret-Q9w8e7r6",
    "TTS_ACCESS_TOKEN": "ROW_access_TOKEN_zx81",
    "TTS_REFRESH_TOKEN": "ROW_refresh_TOKEN_pl02",
    "TTS_SHOP_CIPHER": "ROW_CIPHER_mQ9d5N",
}


run = run_cli  # tests/clirun.py


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "GITHUB_API_URL", *SECRETS):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def github(monkeypatch):
    fake = FakeGitHub()
    fake.add_repo(REPO, pulls={7: []})
    fake.add_token(SECRETS["GITHUB_TOKEN"])
    with serving(fake) as base_url:
        monkeypatch.setenv("GITHUB_API_URL", base_url)
        monkeypatch.setenv("GITHUB_TOKEN", SECRETS["GITHUB_TOKEN"])
        yield fake


@pytest.fixture
def plan_file(tmp_path) -> Path:
    path = tmp_path / "plan.json"
    save_plan(showcase_plan(), path)
    return path


# --------------------------------------------------------------------------- comment
def test_comment_creates_then_updates_one_sticky_comment(monkeypatch, capsys, github, plan_file):
    code, out, err = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--pr", 7, "--head-sha", "1" * 40,
                         "--artifact-url", "https://github.example/acme/catalog/actions/runs/1/artifacts/9",
                         "--shop-id", "toko-nusantara")
    assert code == 0, err
    assert out.startswith("created the plan comment for Toko Nusantara (sandbox) on acme/catalog#7: https://")
    (first,) = github.comments_on(REPO, 7)
    assert first["body"].startswith("<!-- catalog-engine:plan id=toko-nusantara shop=Toko%20Nusantara%20%28sandbox%29 "
                                    "digest=")
    assert "sha=" + "1" * 40 in first["body"] and "### Plan for Toko Nusantara (sandbox)" in first["body"]
    assert "[full plan](https://github.example/acme/catalog/actions/runs/1/artifacts/9)" in first["body"]
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--pr", 7, "--head-sha", "2" * 40,
                       "--shop-id", "toko-nusantara")
    assert code == 0 and out.startswith("updated the plan comment")
    (second,) = github.comments_on(REPO, 7)
    assert second["id"] == first["id"] and "sha=" + "2" * 40 in second["body"]


def test_comment_without_a_destination_prints_the_body(monkeypatch, capsys, plan_file):
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file)
    assert code == 0 and out.startswith("<!-- catalog-engine:plan ") and "| Tokopedia |" in out


def test_summary_is_appended_to_the_step_summary(monkeypatch, capsys, plan_file, tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--summary")
    text = summary.read_text()
    assert code == 0 and "job summary: plan for Toko Nusantara (sandbox)" in out
    assert text.startswith("previous step\n### Plan for Toko Nusantara (sandbox)") and "catalog-engine:" not in text


def test_summary_outside_actions_is_a_clear_error(monkeypatch, capsys, plan_file):
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--summary")
    assert code == 1 and "GITHUB_STEP_SUMMARY is not set" in err and "Traceback" not in err


def test_comment_on_the_pull_request_a_commit_was_merged_from(monkeypatch, capsys, github, plan_file):
    github.repos[REPO].commit_pulls["abcdef1234567"] = [{"number": 7, "merged_at": "2025-05-01T00:00:00Z"}]
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--commit", "abcdef1234567")
    assert code == 0 and "acme/catalog#7" in out and len(github.comments_on(REPO, 7)) == 1
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--commit", "0000000aaaa")
    assert code == 0 and "no pull request found for commit 0000000aaaa" in out


@pytest.mark.parametrize("args, message", [
    (("--repo", "acme"), "--repo must be OWNER/NAME"),
    (("--repo", REPO), "exactly one of --pr N or --commit SHA"),
    (("--pr", "3"), "--pr / --commit need --repo"),
    (("--repo", REPO, "--pr", "3", "--head-sha", "not-a-sha"), "--head-sha must be a commit SHA"),
    (("--repo", REPO, "--pr", "3", "--artifact-url", "javascript:alert(1)"), "--artifact-url must be an http(s) URL"),
    (("--repo", REPO, "--pr", "3", "--shop-id", "a b"), "--shop-id must be a shop's folder id"),
])
def test_bad_arguments_are_clear_errors(monkeypatch, capsys, plan_file, args, message):
    code, out, err = run(monkeypatch, capsys, "comment", plan_file, *args)
    assert code == 1 and message in err and "Traceback" not in err and out == ""


def test_missing_token_and_github_refusals_exit_1_with_the_reason(monkeypatch, capsys, github, plan_file):
    github.tokens[SECRETS["GITHUB_TOKEN"]].write = False
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--pr", 7)
    assert code == 1 and "`pull-requests: write`" in err and "Traceback" not in err
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--pr", 99)
    assert code == 1 and "cannot find acme/catalog#99" in err
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--repo", REPO, "--pr", 7)
    assert code == 1 and "GITHUB_TOKEN is not set" in err


def test_a_file_that_is_not_a_plan_is_refused(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text("{not json")
    code, _, err = run(monkeypatch, capsys, "comment", bad)
    assert code == 1 and "not valid JSON" in err and "Traceback" not in err


# --------------------------------------------------------------------------- forks
@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    target = tmp_path / "repo" / "catalogs" / "toko"
    shutil.copytree(CASES / "create-both-platforms" / "catalog", target)
    return target


def test_fork_mode_posts_the_validation_only_notice(monkeypatch, capsys, github, catalog_dir):
    code, out, _ = run(monkeypatch, capsys, "comment", catalog_dir, "--fork", "--repo", REPO, "--pr", 7)
    (posted,) = github.comments_on(REPO, 7)
    assert code == 0 and out.startswith("created the plan comment")
    assert "validation only" in posted["body"] and "No shop credentials for pull requests from forks" in posted["body"]
    assert "✔ the catalog is valid: 2 products" in posted["body"]
    # without --shop-id the id comes from the shop's name
    assert posted["body"].startswith("<!-- catalog-engine:plan id=Toko-Nusantara--sandbox- "
                                     "shop=Toko%20Nusantara%20%28sandbox%29 ")


def test_fork_mode_lists_validation_errors_and_survives_a_read_only_token(monkeypatch, capsys, github, catalog_dir,
                                                                           tmp_path):
    (catalog_dir / "products" / "kopi.yaml").write_text(
        (catalog_dir / "products" / "kopi.yaml").read_text().replace("title:", "titel:"))
    github.tokens[SECRETS["GITHUB_TOKEN"]].write = False  # what a fork's pull request gets on a public repository
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run(monkeypatch, capsys, "comment", catalog_dir, "--fork", "--summary", "--repo", REPO, "--pr", 7)
    assert code == 0, err
    assert "::warning::could not comment on the pull request from a fork" in out
    text = summary.read_text()
    assert "✖ the catalog is invalid" in text and "kopi.yaml:" in text and "titel" in text
    assert github.comments_on(REPO, 7) == []


def test_fork_mode_needs_a_catalog_directory(monkeypatch, capsys, plan_file):
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--fork")
    assert code == 1 and "--fork takes the shop's catalog directory" in err


# --------------------------------------------------------------------------- annotations / masks
def test_validate_annotations_point_at_the_file_relative_to_the_repository(monkeypatch, capsys, catalog_dir):
    repo = catalog_dir.parent.parent
    product = catalog_dir / "products" / "kopi.yaml"
    product.write_text(product.read_text().replace("title:", "titel:"))
    monkeypatch.chdir(repo / "catalogs")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    code, out, err = run(monkeypatch, capsys, "validate", "toko", "--annotations")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("::error ")]
    assert lines and all(line.startswith("::error file=catalogs/toko/products/kopi.yaml,line=") for line in lines)
    assert any("title=catalog validate::" in line and "titel" in line for line in lines)
    assert "kopi.yaml" in err and "Error: catalog is invalid" in err  # the usual diagnostics still print


def test_without_actions_or_flag_there_are_no_annotations(monkeypatch, capsys, catalog_dir):
    product = catalog_dir / "products" / "kopi.yaml"
    product.write_text(product.read_text().replace("title:", "titel:"))
    code, out, _ = run(monkeypatch, capsys, "validate", catalog_dir)
    assert code == 1 and "::" not in out


def test_in_actions_plan_errors_annotate_and_secrets_are_masked_first(monkeypatch, capsys, catalog_dir):
    product = catalog_dir / "products" / "kopi.yaml"
    product.write_text(product.read_text().replace("title:", "titel:"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(monkeypatch, capsys, "plan", catalog_dir)
    lines = err.splitlines()  # workflow commands go to stderr: stdout is the command's own output
    assert code == 1 and "::" not in out
    masks = [f"::add-mask::{value}" for value in SECRETS.values()]
    assert sorted(lines[:len(masks)]) == sorted(masks)  # before anything else
    assert any(line.startswith("::error file=") for line in lines[len(masks):])


@pytest.mark.parametrize("args", [
    ("plan", "{catalog}", "--format", "json"), ("live", "{catalog}", "--format", "json"),
    ("show", "{plan}", "--format", "json"), ("shops", "{root}", "--json"),
    ("categories", "{catalog}", "--json"), ("attributes", "{catalog}", "600010", "--json"),
    ("brands", "{catalog}", "--json"), ("warehouses", "{catalog}", "--json"),
], ids=lambda args: f"{args[0]}-{args[-1]}")
def test_machine_output_stays_valid_json_inside_github_actions(monkeypatch, capsys, catalog_dir, tmp_path, args):
    """GITHUB_ACTIONS=true and every secret set: the masks and annotations go to stderr, stdout is
    exactly the JSON asked for, and no secret is printed but inside a mask command."""
    plan_file = tmp_path / "plan.json"
    assert run(monkeypatch, capsys, "plan", catalog_dir, "--out", plan_file)[0] == 0
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    values = {"catalog": catalog_dir, "plan": plan_file, "root": catalog_dir.parent}
    code, out, err = run(monkeypatch, capsys, *(str(a).format(**values) for a in args))
    assert code == 0, out + err
    json.loads(out)
    assert sum(f"::add-mask::{value}" in err.splitlines() for value in SECRETS.values()) == len(SECRETS)
    outside = out + "\n".join(line for line in err.splitlines() if not line.startswith("::add-mask::"))
    assert not any(value in outside for value in SECRETS.values())


def test_workflow_command_escaping():
    from engine.errors import Diagnostic
    from engine.github.workflow import annotation, escape_data, escape_property, mask_commands

    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = annotation(Diagnostic("/ws/cat,a:b/x.yaml", 3, 4, "bad\n::set-env name=X::1", "skus[0]"), Path("/ws"))
    assert line == ("::error file=cat%2Ca%3Ab/x.yaml,line=3,col=4,title=catalog validate::"
                    "skus[0]: bad%0A::set-env name=X::1")
    assert mask_commands(["two\nlines", "", "50%"]) == ["::add-mask::lines", "::add-mask::50%25", "::add-mask::two"]


# --------------------------------------------------------------------------- shops
def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def shops_repo(tmp_path) -> Path:
    repo = tmp_path / "shops-repo"
    for name in ("toko-a", "toko-b", "agency/toko-c", "toko-gone"):
        shutil.copytree(CASES / "create-both-platforms" / "catalog", repo / "catalogs" / name)
    (repo / "catalogs" / "README.md").write_text("catalogs\n")
    (repo / "catalogs" / "toko-a" / ".sandbox").mkdir()
    (repo / "catalogs" / "toko-a" / ".sandbox" / "shop.yaml").write_text("not a shop\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shops")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def test_shops_lists_every_shop_directory_as_json(monkeypatch, capsys, shops_repo):
    monkeypatch.chdir(shops_repo)
    code, out, _ = run(monkeypatch, capsys, "shops", "--json")
    assert code == 0 and json.loads(out) == [
        {"name": "agency/toko-c", "id": "agency-toko-c", "path": "catalogs/agency/toko-c"},
        {"name": "toko-a", "id": "toko-a", "path": "catalogs/toko-a"},
        {"name": "toko-b", "id": "toko-b", "path": "catalogs/toko-b"},
        {"name": "toko-gone", "id": "toko-gone", "path": "catalogs/toko-gone"}]
    assert "\n" not in out.rstrip("\n")  # one line, for $GITHUB_OUTPUT
    code, out, _ = run(monkeypatch, capsys, "shops", "catalogs")
    assert out.splitlines() == ["catalogs/agency/toko-c", "catalogs/toko-a", "catalogs/toko-b", "catalogs/toko-gone"]


def test_shops_changed_since_a_ref(monkeypatch, capsys, shops_repo):
    product = shops_repo / "catalogs" / "toko-b" / "products" / "kopi.yaml"
    product.write_text(product.read_text().replace("price: 45000", "price: 42000"))
    (shops_repo / "catalogs" / "agency" / "toko-c" / "products" / "batik.yaml").rename(
        shops_repo / "catalogs" / "agency" / "toko-c" / "products" / "batik-parang.yaml")
    (shops_repo / "catalogs" / "README.md").write_text("changed, but not a shop\n")
    shutil.rmtree(shops_repo / "catalogs" / "toko-gone")
    git(shops_repo, "add", "-A")
    git(shops_repo, "commit", "-q", "-m", "edit")
    git(shops_repo, "checkout", "-q", "main")  # main moves on: REF...HEAD diffs from the merge base
    (shops_repo / "catalogs" / "toko-a" / "products" / "kopi.yaml").write_text("key: moved-on-main\n")
    git(shops_repo, "commit", "-q", "-am", "main moves")
    git(shops_repo, "checkout", "-q", "feature")
    monkeypatch.chdir(shops_repo)
    code, out, err = run(monkeypatch, capsys, "shops", "catalogs", "--changed-since", "main", "--json")
    assert code == 0, err
    assert [s["name"] for s in json.loads(out)] == ["agency/toko-c", "toko-b"]
    assert "shop toko-gone was removed" in err
    code, out, _ = run(monkeypatch, capsys, "shops", "--changed-since", "HEAD", "--json")
    assert code == 0 and out.strip() == "[]"


def test_shops_with_a_bad_ref_or_root_is_a_clear_error(monkeypatch, capsys, shops_repo):
    monkeypatch.chdir(shops_repo)
    code, _, err = run(monkeypatch, capsys, "shops", "--changed-since", "no-such-branch")
    assert code == 1 and "no-such-branch" in err and "fetch-depth: 0" in err and "Traceback" not in err
    code, _, err = run(monkeypatch, capsys, "shops", "nowhere")
    assert code == 1 and "nowhere: no such directory" in err
    code, _, err = run(monkeypatch, capsys, "shops", "--changed-since", "--output=/tmp/x")
    assert code == 1 and "needs a git revision" in err


# --------------------------------------------------------------------------- secrets
def test_no_secret_value_reaches_any_comment_summary_artifact_or_log(monkeypatch, capsys, github, tmp_path):
    """The whole GitOps chain with distinctive secrets set: validate, plan (sandbox target, and an api
    target the shop refuses), comment with summary, a GitHub refusal. Every output is grepped."""
    from engine.sandbox.app import create_app

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TTS_APP_KEY", "distinct-app-key")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    sandbox_catalog = tmp_path / "catalogs" / "toko"
    shutil.copytree(CASES / "create-both-platforms" / "catalog", sandbox_catalog)
    outputs: list[str] = []

    def step(*args) -> int:
        code, out, err = run(monkeypatch, capsys, *args)
        outputs.append(out + err)
        return code

    assert step("validate", sandbox_catalog, "--annotations") == 0
    assert step("plan", sandbox_catalog, "--out", tmp_path / "plan.json", "--format", "markdown") == 0
    assert step("comment", tmp_path / "plan.json", "--repo", REPO, "--pr", 7, "--summary") == 0
    api_catalog = tmp_path / "catalogs" / "api-shop"
    shutil.copytree(CASES / "create-both-platforms" / "catalog", api_catalog)
    with serving(create_app(tmp_path / "api-sandbox.db")) as shop_url:  # knows none of these credentials
        shop_yaml = api_catalog / "shop.yaml"
        shop_yaml.write_text(shop_yaml.read_text() + f"target: api\nbase_url: {shop_url}\n")
        assert step("plan", api_catalog, "--out", tmp_path / "api-plan.json") == 1
    github.tokens[SECRETS["GITHUB_TOKEN"]].write = False
    assert step("comment", tmp_path / "plan.json", "--repo", REPO, "--pr", 7, "--head-sha", "abc1234") == 1

    masks = {f"::add-mask::{value}" for value in SECRETS.values()}
    logs = "\n".join(line for out in outputs for line in out.splitlines() if line not in masks)
    assert sum(out.count("::add-mask::") for out in outputs) == len(SECRETS) * len(outputs)
    assert "Error:" in logs and "shop" in logs  # the refused api plan said why
    artifacts = [p.read_text() for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".json", ".md")]
    bodies = [c["body"] for c in github.comments_on(REPO, 7)]
    assert bodies and artifacts
    sent = json.dumps(github.log)
    for value in SECRETS.values():
        for name, text in [("logs", logs), ("summary", summary.read_text()), ("requests", sent),
                           *(("comment", b) for b in bodies), *(("artifact", a) for a in artifacts)]:
            assert value not in text, f"{value} leaked into {name}"


# --------------------------------------------------------------------------- hosts changed (issue 15)
def test_a_pull_request_that_changes_the_shops_hosts_is_called_out_first(monkeypatch, capsys, shops_repo, plan_file):
    monkeypatch.chdir(shops_repo)
    shop_yaml = shops_repo / "catalogs" / "toko-b" / "shop.yaml"
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--shop-dir", "catalogs/toko-b", "--base-ref", "main")
    assert code == 0 and "changes where the shop's credentials go" not in out  # nothing changed
    shop_yaml.write_text(shop_yaml.read_text() + "target: api\nbase_url: https://api.evil.example\n")
    code, out, err = run(monkeypatch, capsys, "comment", plan_file, "--shop-dir", "catalogs/toko-b",
                         "--base-ref", "main", "--shop-id", "toko-b")
    assert code == 0, err
    first = out.splitlines()[1]  # right after the marker
    assert first.startswith("> ⚠️ **This pull request changes where the shop's credentials go** (shop.yaml): ")
    assert "`base_url` (not set) → https://api.evil.example" in first and "`target` (not set) → api" in first
    assert out.index("credentials go") < out.index("### Plan for")


def test_a_new_shop_names_the_hosts_it_sets(monkeypatch, capsys, shops_repo, plan_file):
    monkeypatch.chdir(shops_repo)
    new = shops_repo / "catalogs" / "toko-new"
    shutil.copytree(shops_repo / "catalogs" / "toko-b", new)
    (new / "shop.yaml").write_text((new / "shop.yaml").read_text() + "target: api\nauth_url: http://10.0.0.1/\n")
    code, out, _ = run(monkeypatch, capsys, "comment", plan_file, "--shop-dir", new, "--base-ref", "main")
    assert code == 0 and "`auth_url` (not set) → http://10.0.0.1/" in out and "`target`" not in out


def test_base_ref_needs_the_shop_directory(monkeypatch, capsys, shops_repo, plan_file):
    monkeypatch.chdir(shops_repo)
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--base-ref", "main")
    assert code == 1 and "--base-ref needs --shop-dir" in err


def test_a_base_ref_missing_from_the_checkout_is_a_clear_error(monkeypatch, capsys, shops_repo, plan_file):
    monkeypatch.chdir(shops_repo)
    code, _, err = run(monkeypatch, capsys, "comment", plan_file, "--shop-dir", "catalogs/toko-b",
                       "--base-ref", "HEAD~5")
    assert code == 1 and "no such commit in this checkout" in err and "fetch-depth: 2" in err
