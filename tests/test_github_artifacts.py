"""`catalog reviewed-plan`: the plan a merged pull request showed, fetched from its plan run's
artifact through the fake GitHub API (tests/fake_github.py) — found, newest, missing, expired,
and every malformed zip refused with nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from clirun import run_cli
from fake_github import FakeGitHub, serving, zip_of

from engine.errors import GitHubError
from engine.github import artifacts
from engine.github.artifacts import ReviewedPlanRequest, extract_plan, fetch_reviewed_plan
from engine.github.client import GitHubClient

REPO = "acme/catalog"
TOKEN = "ghs_artifact_TOKEN_31"
HEAD = "a" * 40
MERGED = "b" * 40


@pytest.fixture
def github(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeGitHub()
    fake.add_repo(REPO)
    fake.add_token(TOKEN)
    fake.merge(REPO, MERGED, 12, HEAD)
    with serving(fake) as base_url:
        monkeypatch.setenv("GITHUB_API_URL", base_url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        fake.base_url = base_url
        yield fake


def fetch(monkeypatch, capsys, out, shop_id="toko-a", commit=MERGED, *extra):
    return run_cli(monkeypatch, capsys, "reviewed-plan", "--repo", REPO, "--commit", commit, "--shop-id", shop_id,
                   "--out", out, *extra)


def test_the_merged_pull_requests_plan_artifact_is_fetched(monkeypatch, capsys, github, tmp_path):
    github.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b'{"older": 1}'})})
    github.add_run(REPO, "catalog-plan.yml", "c" * 40, {"plan-toko-a": zip_of({"plan.json": b'{"other head": 1}'})})
    github.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b'{"newest": 1}'}),
                                                     "plan-toko-b": zip_of({"plan.json": b'{"shop b": 1}'})})
    out = tmp_path / "reviewed.json"
    code, stdout, err = fetch(monkeypatch, capsys, out)
    assert code == 0, err
    assert out.read_bytes() == b'{"newest": 1}'
    assert "reviewed plan: the plan of pull request #12 at aaaaaaaaaaaa (plan-toko-a" in stdout
    blob = [r for r in github.log if r["path"].startswith("/blob/")]
    assert len(blob) == 1 and "authorization" not in {k.lower() for k in blob[0]["headers"]}  # no token to storage
    runs = next(r for r in github.log if r["path"].endswith("/runs"))
    assert runs["path"] == f"/repos/{REPO}/actions/workflows/catalog-plan.yml/runs"
    assert f"head_sha={HEAD}" in runs["query"] and "event=pull_request" in runs["query"]


@pytest.mark.parametrize("setup, note", [
    (lambda fake: None, "has no plan-toko-a artifact"),
    (lambda fake: fake.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-other": zip_of({"plan.json": b"{}"})}),
     "has no plan-toko-a artifact for its head commit aaaaaaaaaaaa"),
    (lambda fake: fake.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b"{}"})},
                               expired=True), "(no plan run of catalog-plan.yml for it kept one, or it expired)"),
    (lambda fake: fake.add_run(REPO, "other.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b"{}"})}),
     "has no plan-toko-a artifact"),
])
def test_no_reviewed_plan_is_said_and_writes_nothing(monkeypatch, capsys, github, tmp_path, setup, note):
    setup(github)
    out = tmp_path / "reviewed.json"
    out.write_text("an old file must not pass for the reviewed plan")
    code, stdout, err = fetch(monkeypatch, capsys, out)
    assert code == 0, err
    assert note in stdout and "no reviewed plan: pull request #12" in stdout and not out.exists()


def test_a_push_that_did_not_come_from_a_pull_request(monkeypatch, capsys, github, tmp_path):
    code, stdout, _ = fetch(monkeypatch, capsys, tmp_path / "r.json", "toko-a", "d" * 40)
    assert code == 0 and "did not come from a pull request" in stdout


def test_a_token_without_actions_read_is_a_clear_error(monkeypatch, capsys, github, tmp_path):
    github.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b"{}"})})
    github.fail_next(1, 403, message="Resource not accessible by integration", method="GET")
    code, _, err = fetch(monkeypatch, capsys, tmp_path / "r.json")
    # the first GET (the commit's pull requests) is refused: the general message
    assert code == 1 and "HTTP 403" in err and "Traceback" not in err and TOKEN not in err


def test_the_runs_listing_refused_names_actions_read(github):
    github.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": zip_of({"plan.json": b"{}"})})
    with GitHubClient(TOKEN, base_url=github.base_url) as client:
        client.pulls_for_commit(REPO, MERGED)
        github.fail_next(1, 403, message="Resource not accessible by integration")
        with pytest.raises(GitHubError, match="`actions: read`"):
            artifacts._plan_runs(client, ReviewedPlanRequest(REPO, MERGED, "toko-a"), HEAD)


@pytest.mark.parametrize("files, message", [
    ({"plan.json": b"{}", "extra.txt": b"x"}, "exactly one file, plan.json"),
    ({"../plan.json": b"{}"}, "exactly one file, plan.json"),
    ({"sub/plan.json": b"{}"}, "exactly one file, plan.json"),
    ({}, "it holds nothing"),
])
def test_an_artifact_that_is_not_one_plan_json_is_refused(tmp_path, files, message):
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_of(files))
    with pytest.raises(GitHubError, match=message):
        extract_plan(archive, tmp_path / "out.json", "plan-x")
    assert not (tmp_path / "out.json").exists()


def test_a_symlink_or_a_zip_bomb_or_garbage_is_refused(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        link = zipfile.ZipInfo("plan.json")
        link.external_attr = (0o120777 << 16)  # a symlink to /proc/self/environ
        zipped.writestr(link, "/proc/self/environ")
    (tmp_path / "link.zip").write_bytes(buffer.getvalue())
    with pytest.raises(GitHubError, match="not a regular file"):
        extract_plan(tmp_path / "link.zip", tmp_path / "out.json", "plan-x")
    monkeypatch.setattr(artifacts, "MAX_PLAN_BYTES", 10_000)
    (tmp_path / "bomb.zip").write_bytes(zip_of({"plan.json": b"0" * 5_000_000}))  # a few KB that inflate to 5 MB
    assert (tmp_path / "bomb.zip").stat().st_size < 20_000
    with pytest.raises(GitHubError, match="inflates past 10,000 bytes"):
        extract_plan(tmp_path / "bomb.zip", tmp_path / "out.json", "plan-x")
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(GitHubError, match="not a zip"):
        extract_plan(tmp_path / "junk.zip", tmp_path / "out.json", "plan-x")
    assert not (tmp_path / "out.json").exists() and not list(tmp_path.glob(".out.json.*"))


def test_a_download_past_the_size_bound_is_cut_off(github, tmp_path, monkeypatch):
    github.add_run(REPO, "catalog-plan.yml", HEAD, {"plan-toko-a": b"x" * 50_000})
    monkeypatch.setattr(artifacts, "MAX_ZIP_BYTES", 1_000)
    with GitHubClient(TOKEN, base_url=github.base_url) as client:
        with pytest.raises(GitHubError, match="over the limit of 1,000"):
            fetch_reviewed_plan(client, ReviewedPlanRequest(REPO, MERGED, "toko-a"), tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_a_redirect_to_plain_http_elsewhere_is_not_followed(tmp_path):
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/zip"):
            return httpx.Response(302, headers={"Location": "http://storage.example/blob?sig=1"})
        raise AssertionError(f"followed {request.url}")

    with GitHubClient(TOKEN, base_url="https://api.github.example", transport=httpx.MockTransport(handler)) as client:
        from engine.github.client import Operation

        with pytest.raises(GitHubError, match="non-https"):
            client.download("repos/acme/catalog/actions/artifacts/1/zip", Operation("download", "x"), 1_000)


@pytest.mark.parametrize("args, message", [
    (("--repo", "acme", "--commit", MERGED, "--shop-id", "a"), "--repo must be OWNER/NAME"),
    (("--repo", REPO, "--commit", "main", "--shop-id", "a"), "--commit must be a commit SHA"),
    (("--repo", REPO, "--commit", MERGED, "--shop-id", "../x"), "--shop-id must be a shop's folder id"),
    (("--repo", REPO, "--commit", MERGED, "--shop-id", "a", "--workflow", "../x.yml"), "--workflow must be"),
])
def test_bad_arguments_are_clear_errors(monkeypatch, capsys, tmp_path, args, message):
    code, out, err = run_cli(monkeypatch, capsys, "reviewed-plan", *args, "--out", tmp_path / "r.json")
    assert code == 1 and message in err and "Traceback" not in err
