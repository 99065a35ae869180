"""The plan a pull request showed, found again when it is merged (issue 17).

    found = fetch_reviewed_plan(client, ReviewedPlanRequest(repo, commit, shop_id, workflow), out)

1. the pull request the merged commit came from     GET /repos/{repo}/commits/{sha}/pulls
   (merged first; a merge, squash or rebase commit all lead to it) and its head commit;
2. the runs of the plan workflow for that head      GET /repos/{repo}/actions/workflows/{workflow}/runs
   commit (event pull_request), newest first;           ?head_sha=…&event=pull_request
3. in the newest run that has one, the shop's plan  GET /repos/{repo}/actions/runs/{id}/artifacts?name=plan-<id>
   artifact (`plan-<shop id>`, not expired);
4. its zip, downloaded (GitHub redirects to storage  GET /repos/{repo}/actions/artifacts/{id}/zip
   on another host: followed without the token),
   at most MAX_ZIP_BYTES, and unzipped safely: exactly one member, named `plan.json`, a regular
   file, inflated in a stream and cut off past MAX_PLAN_BYTES (the sizes in the zip's directory
   are not trusted), written atomically to `out`.

Why the REST API and not `actions/download-artifact@v4` with `run-id`: the run must be found
first anyway (steps 1-3 are API calls), the size and path checks are ours rather than a zip
extracted into the workspace, and the whole chain runs against the fake GitHub in the tests.

Nothing found is not an error: `ReviewedPlan.path` is None and `note` says why (a push that
did not come from a pull request, a plan run that had no artifact for this shop, an artifact
expired after its retention days); the apply then plans afresh and lists what nobody reviewed.
The token needs `actions: read` (and `contents: read` for a private repository).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError, GitHubError
from engine.github.client import PER_PAGE, GitHubClient, Operation
from engine.github.comments import SHOP_ID

MAX_ZIP_BYTES = 256 * 1024 * 1024
MAX_PLAN_BYTES = 1024 * 1024 * 1024
PLAN_MEMBER = "plan.json"
WORKFLOW = re.compile(r"^[A-Za-z0-9._-]+\.ya?ml$|^[0-9]+$")
ARTIFACT_PREFIX = "plan-"


@dataclass(frozen=True)
class ReviewedPlanRequest:
    repo: str
    commit: str  # the merged commit on the default branch
    shop_id: str  # ShopDir.id: the artifact is `plan-<shop id>`
    workflow: str = "catalog-plan.yml"  # the plan workflow's file name (or numeric id)


@dataclass(frozen=True)
class ReviewedPlan:
    path: Path | None  # where plan.json was written; None: nothing found (see note)
    note: str
    pull_request: int | None = None
    head_sha: str = ""
    run_url: str = ""


def artifact_name(shop_id: str) -> str:
    return ARTIFACT_PREFIX + shop_id


def check_request(req: ReviewedPlanRequest) -> None:
    if not SHOP_ID.match(req.shop_id):
        raise ConfigError(f"--shop-id must be a shop's folder id as `catalog shops --json` prints it, "
                          f"got {req.shop_id!r}")
    if not WORKFLOW.match(req.workflow):
        raise ConfigError(f"--workflow must be the plan workflow's file name (e.g. catalog-plan.yml), got "
                          f"{req.workflow!r}")


def fetch_reviewed_plan(client: GitHubClient, req: ReviewedPlanRequest, out: Path) -> ReviewedPlan:
    check_request(req)
    pull = _merged_pull(client, req.repo, req.commit)
    if pull is None:
        return ReviewedPlan(None, f"commit {req.commit[:12]} did not come from a pull request")
    number, head = pull
    name = artifact_name(req.shop_id)
    for run in _plan_runs(client, req, head):
        artifact = _artifact(client, req.repo, run, name)
        if artifact is None:
            continue
        run_url = str(run.get("html_url") or "")
        op = Operation("download the plan artifact", f"{name} of run {run.get('id')} in {req.repo}",
                       need="actions: read")
        try:
            data = client.download(f"repos/{req.repo}/actions/artifacts/{artifact['id']}/zip", op, MAX_ZIP_BYTES)
        except GitHubError as exc:
            if "HTTP 410" in str(exc):  # expired since it was listed
                continue
            raise
        with tempfile.TemporaryDirectory(prefix="catalog-artifact-") as scratch:
            archive = Path(scratch) / "artifact.zip"
            archive.write_bytes(data)
            extract_plan(archive, out, op.target)
        return ReviewedPlan(out, f"the plan of pull request #{number} at {head[:12]} ({name}, {run_url or 'run'})",
                            number, head, run_url)
    return ReviewedPlan(None, f"pull request #{number} has no {name} artifact for its head commit {head[:12]} "
                              f"(no plan run of {req.workflow} for it kept one, or it expired)", number, head)


def _merged_pull(client: GitHubClient, repo: str, commit: str) -> tuple[int, str] | None:
    pulls = client.pulls_for_commit(repo, commit)
    for pull in [p for p in pulls if p.get("merged_at")] or pulls:
        head = pull.get("head") if isinstance(pull.get("head"), dict) else {}
        sha = head.get("sha") if isinstance(head, dict) else None
        if isinstance(pull.get("number"), int) and isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha):
            return pull["number"], sha
    return None


def _plan_runs(client: GitHubClient, req: ReviewedPlanRequest, head: str) -> list[dict]:
    op = Operation("list the plan runs of", f"{req.workflow} in {req.repo}", need="actions: read")
    url = (f"repos/{req.repo}/actions/workflows/{req.workflow}/runs?head_sha={head}&event=pull_request"
           f"&per_page={PER_PAGE}")
    try:
        runs = client.get_object(url, op).get("workflow_runs")
    except GitHubError as exc:
        if "HTTP 404" in str(exc):  # no such workflow file (yet): nothing was planned with it
            return []
        raise
    runs = [r for r in runs or [] if isinstance(r, dict) and r.get("head_sha") == head and isinstance(r.get("id"), int)]
    return sorted(runs, key=lambda r: (r.get("run_number") or 0, r.get("run_attempt") or 0, r["id"]), reverse=True)


def _artifact(client: GitHubClient, repo: str, run: dict, name: str) -> dict | None:
    op = Operation("list the artifacts of", f"run {run['id']} in {repo}", need="actions: read")
    found = client.get_object(f"repos/{repo}/actions/runs/{run['id']}/artifacts?name={name}&per_page={PER_PAGE}",
                              op).get("artifacts")
    usable = [a for a in found or [] if isinstance(a, dict) and a.get("name") == name and not a.get("expired")
              and isinstance(a.get("id"), int)]
    return max(usable, key=lambda a: a["id"]) if usable else None


def extract_plan(archive: Path, out: Path, what: str) -> None:
    """Write the zip's only member, `plan.json`, to `out` (atomically), refusing anything else."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) != 1 or members[0].filename != PLAN_MEMBER:
                names = ", ".join(repr(m.filename) for m in members[:5]) or "nothing"
                raise GitHubError(f"{what}: the artifact must hold exactly one file, {PLAN_MEMBER}; it holds {names}")
            member = members[0]
            kind = stat.S_IFMT(member.external_attr >> 16)  # 0: no Unix type recorded (a plain file)
            if member.is_dir() or kind not in (0, stat.S_IFREG):
                raise GitHubError(f"{what}: {PLAN_MEMBER} in the artifact is not a regular file")
            _inflate(zipped, member, out, what)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise GitHubError(f"{what}: the artifact is not a zip this can read ({exc})") from exc


def _inflate(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, out: Path, what: str) -> None:
    directory = out.parent if str(out.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    try:
        size = 0
        with os.fdopen(fd, "wb") as handle, zipped.open(member) as source:
            while chunk := source.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_PLAN_BYTES:
                    raise GitHubError(f"{what}: {PLAN_MEMBER} inflates past {MAX_PLAN_BYTES:,} bytes; refused")
                handle.write(chunk)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_reviewed_plan(req: ReviewedPlanRequest, out: Path, settings, *, transport=None) -> ReviewedPlan:
    """`catalog reviewed-plan`: the client from the settings (GITHUB_TOKEN, GITHUB_API_URL), then fetch."""
    check_request(req)
    if out.exists() or out.is_symlink():
        out.unlink()  # an old file must never pass for the reviewed plan
    with GitHubClient(settings.require_token(), base_url=settings.api_url, transport=transport) as client:
        return fetch_reviewed_plan(client, req, out)
