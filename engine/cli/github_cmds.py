"""GitOps commands: `comment` (one sticky comment per shop on a pull request), `shops` (the job
matrix), `reviewed-plan` (the plan a merged pull request showed, from its plan run's artifact)
and `drift` (the shop's health issue, from the daily check's plan)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("comment")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--repo", help="OWNER/NAME of the repository (in Actions: ${{ github.repository }}).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number to comment on.")
@click.option("--commit", "commit_sha", metavar="SHA",
              help="Instead of --pr: the pull request this commit was merged from (apply on push).")
@click.option("--head-sha", metavar="SHA", help="The pull request's head commit, recorded in the comment.")
@click.option("--artifact-url", metavar="URL", help="Where the full plan / report is (the uploaded artifact).")
@click.option("--summary", is_flag=True, help="Also append the Markdown to $GITHUB_STEP_SUMMARY (≤ 1 MiB).")
@click.option("--shop-id", metavar="ID", help="The shop's folder id (`catalog shops --json`): the comment's "
              "marker, so two shops with the same name keep one comment each (default: from the shop's name).")
@click.option("--shop-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The shop's catalog directory (with --base-ref).")
@click.option("--base-ref", metavar="REF", help="The pull request's base (e.g. origin/main): a change of `target`, "
              "`base_url` or `auth_url` in the shop's shop.yaml since REF is called out at the top.")
@click.option("--fork", is_flag=True, help="FILE is the shop's catalog directory of a pull request from a fork: "
              "validate it and post the validation-only notice (no shop credentials for forks).")
def comment(file: Path, repo: str | None, pr: int | None, commit_sha: str | None, head_sha: str | None,
            artifact_url: str | None, summary: bool, shop_id: str | None, shop_dir: Path | None,
            base_ref: str | None, fork: bool) -> None:
    """Post a saved plan (or an apply report) as ONE sticky comment per shop on a pull request.

    The comment is found again by a hidden marker and updated in place on every push; it stays
    under GitHub's 65,536 characters, always keeping the summary, every error and every item
    that needs attention. Token from GITHUB_TOKEN, API from GITHUB_API_URL. Without --repo and
    --summary, prints the comment it would post.
    """
    from engine.github.run import CommentRequest, run_comment
    from engine.github.settings import GitHubSettings

    request = CommentRequest(file, repo, pr, commit_sha, head_sha, artifact_url, summary, fork, shop_id, shop_dir,
                             base_ref)
    outcome = run_comment(request, GitHubSettings.from_env())
    if outcome.body is not None:
        click.echo(outcome.body, nl=False)
    for line in outcome.lines:
        click.echo(line)


@click.command("shops")
@click.argument("root", default="catalogs", type=click.Path(path_type=Path))
@click.option("--changed-since", metavar="REF", help="Only shops with a file changed in REF...HEAD (git).")
@click.option("--json", "as_json", is_flag=True, help='One JSON line: [{"name": …, "path": …}] for a job matrix.')
def shops(root: Path, changed_since: str | None, as_json: bool) -> None:
    """List the shop directories (with a shop.yaml) under ROOT: all, or those a git range touched."""
    import json

    from engine.github.shops import changed_shops, find_shops

    deleted: list[str] = []
    if changed_since:
        found, deleted = changed_shops(root, changed_since)
    else:
        found = find_shops(root)
    for name in deleted:
        click.echo(f"note: shop {name} was removed in {changed_since}...HEAD: not listed "
                   "(its live products are left as they are)", err=True)
    if as_json:
        click.echo(json.dumps([shop.to_json() for shop in found], ensure_ascii=False, separators=(",", ":")))
    else:
        for shop in found:
            click.echo(shop.path)


@click.command("reviewed-plan")
@click.option("--repo", required=True, help="OWNER/NAME of the repository (in Actions: ${{ github.repository }}).")
@click.option("--commit", "commit_sha", required=True, metavar="SHA", help="The merged commit (the push's head).")
@click.option("--shop-id", required=True, metavar="ID", help="The shop's folder id: the artifact is plan-<ID>.")
@click.option("--workflow", default="catalog-plan.yml", show_default=True, metavar="FILE",
              help="File name of the workflow that planned the pull request.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the reviewed plan (removed first; written only when one is found).")
def reviewed_plan(repo: str, commit_sha: str, shop_id: str, workflow: str, out: Path) -> None:
    """Fetch the plan the merged pull request showed: its plan run's `plan-<ID>` artifact.

    \b
    Exit 0 with the plan in --out, or exit 0 without a file when there is none (a push that did
    not come from a pull request, an expired artifact: the reason is printed); 1 on an error
    (a missing `actions: read` permission, a malformed artifact). Then:
    catalog apply CATALOG_DIR --auto-approve --reviewed FILE
    """
    from engine.github.artifacts import ReviewedPlanRequest, run_reviewed_plan
    from engine.github.run import check_repo_and_sha
    from engine.github.settings import GitHubSettings

    check_repo_and_sha(repo, commit_sha)
    found = run_reviewed_plan(ReviewedPlanRequest(repo, commit_sha, shop_id, workflow), out, GitHubSettings.from_env())
    if found.path is not None:
        click.echo(f"reviewed plan: {found.note} → {out}")
    else:
        click.echo(f"no reviewed plan: {found.note}; `catalog apply --reviewed {out}` will apply a fresh plan and "
                   "list every action as not reviewed")


@click.command("drift")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shop-id", required=True, metavar="ID", help="The shop's folder id (`catalog shops --json`).")
@click.option("--repo", help="OWNER/NAME: keep the shop's health issue there (without it: print the body).")
@click.option("--run-url", metavar="URL", help="Link to the check's workflow run, shown in the issue.")
@click.option("--summary", is_flag=True, help="Also append the findings to $GITHUB_STEP_SUMMARY.")
def drift(plan_file: Path, shop_id: str, repo: str | None, run_url: str | None, summary: bool) -> None:
    """Keep ONE GitHub issue per shop with what a plan of the whole catalog found.

    \b
    Drift on managed fields, review failures, frozen or offline listings, changes not applied,
    unmanaged products and plan errors: the issue (label catalog-health, found by a hidden marker)
    is opened, updated in place or reopened, and closed once the shop is clean. Exit 0 whatever
    it found; 1 on an error. Token from GITHUB_TOKEN (`issues: write`).
    """
    from engine.github.run import DriftRequest, run_drift
    from engine.github.settings import GitHubSettings

    outcome = run_drift(DriftRequest(plan_file, shop_id, repo, run_url, summary), GitHubSettings.from_env())
    if outcome.body is not None:
        click.echo(outcome.body, nl=False)
    for line in outcome.lines:
        click.echo(line)


@click.command("validate-files")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def validate_files(files: tuple[Path, ...]) -> None:
    """Validate every shop one of FILES belongs to (the pre-commit hook `catalog-validate`).

    A file belongs to the nearest directory above it holding a shop.yaml; files in no shop are
    ignored. Every problem of every shop as file:line:column; exit 1 when any shop is invalid.
    """
    import os

    from engine.catalog.load import load_catalog
    from engine.cli.actions import annotate
    from engine.errors import CatalogError
    from engine.github.shops import shops_of_files

    invalid = 0
    for shop in shops_of_files(list(files)):
        shown = os.path.relpath(shop)
        try:
            catalog = load_catalog(Path(shown))
        except CatalogError as exc:
            invalid += 1
            annotate(exc.diagnostics)
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            click.echo(f"{shown}: invalid: {exc}", err=True)
            continue
        for warning in catalog.warnings:
            click.echo(str(warning), err=True)
        click.echo(f"{shown}: valid: {len(catalog.products)} products")
    if invalid:
        raise SystemExit(1)
