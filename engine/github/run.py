"""`catalog comment` as one engine call: build the content, append the job summary, post the
sticky comment. Returns what happened as lines for the CLI to print (never a secret)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.errors import ConfigError, GitHubError
from engine.github.client import GitHubClient
from engine.github.comments import (
    SHOP_ID,
    Content,
    Sticky,
    append_summary,
    comment_body,
    find_pull_request,
    post_sticky,
    shop_id_of,
)
from engine.github.content import fork_content, is_report, plan_content, read_bytes
from engine.github.settings import GitHubSettings
from engine.github.workflow import notice

REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")


@dataclass(frozen=True)
class CommentRequest:
    file: Path
    repo: str | None = None
    pr: int | None = None
    commit: str | None = None  # find the pull request this commit was merged from
    head_sha: str | None = None
    artifact_url: str | None = None
    summary: bool = False
    fork: bool = False
    shop_id: str | None = None  # the shop's folder id (`catalog shops --json`); default: from its name
    shop_dir: Path | None = None  # with base_ref: call out target / base_url / auth_url changes
    base_ref: str | None = None


@dataclass
class CommentOutcome:
    lines: list[str] = field(default_factory=list)  # for stdout
    body: str | None = None  # the comment body when nothing was posted (preview)


def check_request(req: CommentRequest) -> None:
    if req.repo is not None and not REPO.match(req.repo):
        raise ConfigError(f"--repo must be OWNER/NAME, got {req.repo!r}")
    if req.repo is not None and (req.pr is None) == (req.commit is None):
        raise ConfigError("with --repo give exactly one of --pr N or --commit SHA")
    if req.repo is None and (req.pr is not None or req.commit is not None):
        raise ConfigError("--pr / --commit need --repo OWNER/NAME")
    for name, value in (("--commit", req.commit), ("--head-sha", req.head_sha)):
        if value is not None and not SHA.match(value):
            raise ConfigError(f"{name} must be a commit SHA (hex), got {value!r}")
    if req.shop_id is not None and not SHOP_ID.match(req.shop_id):
        raise ConfigError(f"--shop-id must be a shop's folder id as `catalog shops --json` prints it "
                          f"(letters, digits, '.', '_', '-'), got {req.shop_id!r}")
    if req.artifact_url is not None and not re.match(r"^https?://\S+$", req.artifact_url):
        raise ConfigError(f"--artifact-url must be an http(s) URL without spaces, got {req.artifact_url!r}")


def _with_host_callout(content: Content, req: CommentRequest) -> Content:
    """The content, opened by a warning when the pull request changes the shop's hosts."""
    if req.base_ref is None:
        return content
    from engine.github.hosts import callout, host_changes
    from engine.render.markdown import md_escape

    shop_dir = req.file if req.fork else req.shop_dir
    if shop_dir is None:
        raise ConfigError("--base-ref needs --shop-dir (the shop's catalog directory) to compare its shop.yaml")
    warning = callout(host_changes(shop_dir, req.base_ref), md_escape)
    if not warning:
        return content

    def render(budget: int, measure) -> str:
        return warning + content.render(budget - measure(warning), measure)

    return replace(content, render=render)


def check_repo_and_sha(repo: str, sha: str) -> None:
    if not REPO.match(repo):
        raise ConfigError(f"--repo must be OWNER/NAME, got {repo!r}")
    if not SHA.match(sha):
        raise ConfigError(f"--commit must be a commit SHA (hex), got {sha!r}")


def build_content(req: CommentRequest) -> tuple[Content, str]:
    """(content, what) — what is "plan" or "apply report"."""
    if req.fork:
        if not req.file.is_dir():
            raise ConfigError(f"--fork takes the shop's catalog directory, and {req.file} is not a directory")
        return fork_content(req.file), "plan"
    if req.file.is_dir():
        raise ConfigError(f"{req.file} is a directory: give a saved plan (`catalog plan --out plan.json`)")
    if is_report(read_bytes(req.file)):
        from engine.github.reports import report_content

        return report_content(req.file, req.artifact_url), "apply report"
    return plan_content(req.file, req.artifact_url), "plan"


def run_comment(req: CommentRequest, settings: GitHubSettings, *, transport=None, sleep=None) -> CommentOutcome:
    check_request(req)
    content, what = build_content(req)
    content = _with_host_callout(content, req)
    sticky = Sticky(content.kind, req.shop_id or shop_id_of(content.shop), content.shop)
    out = CommentOutcome()
    if req.summary:
        if settings.step_summary is None:
            raise ConfigError("GITHUB_STEP_SUMMARY is not set: --summary writes the job summary inside GitHub Actions")
        size = append_summary(settings.step_summary, content)
        out.lines.append(f"job summary: {what} for {content.shop} ({size:,} bytes)")
    if req.repo is None:
        if not req.summary:
            out.body = comment_body(content, sticky, req.head_sha or req.commit, req.artifact_url, what)
        return out
    body = comment_body(content, sticky, req.head_sha or req.commit, req.artifact_url, what)
    token = settings.require_token()
    options = {"transport": transport} | ({"sleep": sleep} if sleep else {})
    try:
        with GitHubClient(token, base_url=settings.api_url, **options) as client:
            number = req.pr if req.pr is not None else find_pull_request(client, req.repo, req.commit or "")
            if number is None:
                out.lines.append(f"no pull request found for commit {(req.commit or '')[:12]}: nothing to comment on")
                return out
            posted = post_sticky(client, req.repo, number, sticky, body)
    except GitHubError as exc:
        if not req.fork:
            raise
        # A fork's pull request gets a read-only token on public repositories: the notice is in the job summary.
        out.lines.append(notice(f"could not comment on the pull request from a fork ({exc}); "
                                "the validation result is in the job summary", "warning"))
        return out
    where = posted.comment.html_url or f"comment {posted.comment.id}"
    out.lines.append(f"{posted.action} the {what} comment for {content.shop} on {req.repo}#{number}: {where}")
    return out


@dataclass(frozen=True)
class DriftRequest:
    plan_file: Path
    shop_id: str
    repo: str | None = None
    run_url: str | None = None
    summary: bool = False


def run_drift(req: DriftRequest, settings: GitHubSettings, *, transport=None) -> CommentOutcome:
    """`catalog drift`: the shop's health issue from a plan of the whole catalog (engine.github.issues)."""
    from engine.github.health import health_body, health_findings, is_clean, title
    from engine.github.issues import sync_health_issue
    from engine.plan.saved import load_plan

    if not SHOP_ID.match(req.shop_id):
        raise ConfigError(f"--shop-id must be a shop's folder id as `catalog shops --json` prints it, "
                          f"got {req.shop_id!r}")
    if req.repo is not None and not REPO.match(req.repo):
        raise ConfigError(f"--repo must be OWNER/NAME, got {req.repo!r}")
    if req.run_url is not None and not re.match(r"^https?://\S+$", req.run_url):
        raise ConfigError(f"--run-url must be an http(s) URL without spaces, got {req.run_url!r}")
    plan = load_plan(req.plan_file)
    findings = health_findings(plan)
    body, clean = health_body(plan, req.shop_id, findings, req.run_url), is_clean(findings)
    out = CommentOutcome()
    verdict = "clean" if clean else f"{sum(len(s.lines) for s in findings if s.keeps_open)} finding(s)"
    out.lines.append(f"health of {plan.shop_name or req.shop_id} ({req.shop_id}): {verdict}")
    if req.summary:
        if settings.step_summary is None:
            raise ConfigError("GITHUB_STEP_SUMMARY is not set: --summary writes the job summary inside GitHub Actions")
        text = body.split("\n", 1)[1]  # without the marker
        append_summary(settings.step_summary, Content("health", plan.shop_name, "", lambda budget, measure: text))
    if req.repo is None:
        out.body = body
        return out
    with GitHubClient(settings.require_token(), base_url=settings.api_url, transport=transport) as client:
        outcome = sync_health_issue(client, req.repo, req.shop_id, title(plan, req.shop_id, findings), body, clean)
    if outcome.action == "clean":
        out.lines.append("no open health issue: nothing to do")
    else:
        out.lines.append(f"{outcome.action} health issue #{outcome.number}: {outcome.url}")
    return out
