"""The `catalog` command line: parse → call one engine function → render → exit code.

The only module that imports click. Every engine error is caught once, here, and
printed as a clear message (diagnostics with file:line:column) with a non-zero exit
code; a traceback reaching a seller is a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import CatalogError, EngineError


# GitHub Actions (issue 7): annotations for validation errors when GITHUB_ACTIONS=true or
# `validate --annotations`, secrets masked before anything else prints.
_ACTIONS: dict = {"annotate": False, "workspace": None}


def _annotate(diagnostics) -> None:
    if not _ACTIONS["annotate"] or not diagnostics:
        return
    from engine.github.workflow import annotations, repo_root

    for line in annotations(diagnostics, repo_root(_ACTIONS["workspace"])):
        click.echo(line)


def _github_actions_setup() -> None:
    """Inside GitHub Actions: `::add-mask::` every secret value before anything else prints."""
    from engine.github.settings import GitHubSettings

    settings = GitHubSettings.from_env()
    _ACTIONS.update(annotate=settings.actions, workspace=settings.workspace)
    if not settings.actions:
        return
    from pydantic import ValidationError

    from engine.github.workflow import mask_commands
    from engine.shop.settings import ShopCredentials

    secrets = [settings.token.get_secret_value()] if settings.token else []
    try:
        secrets += ShopCredentials().secret_values()
    except ValidationError:
        pass  # malformed TTS_* values are reported by the command that needs them
    for line in mask_commands(secrets):
        click.echo(line)


def _fail(error: EngineError) -> None:
    if isinstance(error, CatalogError):
        _annotate(error.diagnostics)
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="catalog-engine")
def cli() -> None:
    """Catalog as code for Tokopedia & Shop: validate, plan and apply a YAML catalog."""
    _github_actions_setup()


# --------------------------------------------------------------------------- validate / schema
@cli.command("validate")
@click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--annotations", is_flag=True,
              help="Also print problems as GitHub workflow annotations (::error file=…). On in GitHub Actions.")
def validate(catalog_dir: Path, annotations: bool) -> None:
    """Check a catalog offline; every problem as file:line:column. Exit 0 when valid, 1 when not."""
    from engine.catalog.load import load_catalog

    _ACTIONS["annotate"] = _ACTIONS["annotate"] or annotations
    catalog = load_catalog(catalog_dir)
    _annotate(catalog.warnings)
    for warning in catalog.warnings:
        click.echo(str(warning), err=True)
    skus = sum(len(product.skus) for product in catalog.products)
    click.echo(f"{catalog_dir}: valid: {len(catalog.products)} products, {skus} SKUs for "
               f"{catalog.shop.name!r} (Tokopedia & Shop, target {catalog.shop.target}); "
               f"digest {catalog.digest[:12]}")


@cli.command("schema")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Directory for shop.json, product.json and base.json.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file differs from the models.")
def schema(out_dir: Path, check: bool) -> None:
    """Write the JSON Schema of the catalog files (for editors: yaml-language-server)."""
    from engine.catalog.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out_dir)
        for name in stale:
            click.echo(f"{out_dir / name}: differs from the models; run `catalog schema --out {out_dir}`", err=True)
        sys.exit(1 if stale else 0)
    try:
        written = write_schemas(out_dir)
    except OSError as exc:
        raise click.ClickException(f"cannot write schemas to {out_dir}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo(f"{out_dir}: schemas are up to date")


# --------------------------------------------------------------------------- sandbox
@cli.group()
def sandbox() -> None:
    """The sandbox shop: a local implementation of the product API (SQLite-backed)."""


def _fault_spec(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from engine.sandbox.faults import parse_faults

    try:
        parse_faults(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".sandbox/shop.db"), show_default=True)
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0), help="Added latency per request.")
@click.option("--qps", default=None, type=click.FloatRange(min=0, min_open=True),
              help="Rate limit per API per (app, shop). Default 50.")
@click.option("--faults", default="", callback=_fault_spec, help="Fault spec (grammar above), "
              "e.g. '5xx=0.05,429burst=0.02:3,drop=0.01,spike=0.01:500,token_ttl=30'.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for deterministic faults.")
@click.option("--review-seconds", default=None, type=click.FloatRange(min=0),
              help="How long review takes. Default 0 (decided by the next request).")
@click.option("--daily-listing-limit", default=None, type=click.IntRange(min=0),
              help="Listings + relistings per day (12052093 beyond). Default 1000.")
def sandbox_serve(host: str, port: int, db_path: Path, latency_ms: int, qps: float | None,
                  faults: str, seed: int, review_seconds: float | None, daily_listing_limit: int | None) -> None:
    """Serve the sandbox shop over HTTP until Ctrl-C / SIGTERM.

    \b
    Faults (--faults, comma-separated; RATE is a probability 0-1):
      latency=MS          add MS ms to every request
      spike=RATE:MS       sometimes add MS ms more
      5xx=RATE            HTTP 500 / code 36009003 (on writes: before or after the write)
      429burst=RATE[:N]   start a burst of N (default 5) HTTP 429 / code 36009002
      drop=RATE           close the connection without an answer (writes: before or after)
      token_ttl=SECONDS   access tokens expire after SECONDS (105002; refresh gives a new one)
    The same --seed and request sequence give the same faults.
    """
    from engine.sandbox.server import serve

    try:
        serve(host=host, port=port, db_path=db_path, latency_ms=latency_ms, qps=qps, faults=faults, seed=seed,
              review_seconds=review_seconds, daily_listing_limit=daily_listing_limit)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None


@sandbox.command("reset")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".sandbox/shop.db"), show_default=True)
def sandbox_reset(db_path: Path) -> None:
    """Forget every product, image, token and call count (the default credentials keep working)."""
    from engine.sandbox.store import reset_database

    try:
        reset_database(db_path)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sandbox reset: {db_path}")


# --------------------------------------------------------------------------- live
def sandbox_app_for(shop) -> object | None:
    """The in-process sandbox shop for `target: sandbox` (None for api). This wiring lives in
    the CLI so that the shop layer never imports the sandbox."""
    if shop.target != "sandbox":
        return None
    import sqlite3

    from engine.errors import ConfigError
    from engine.sandbox.app import create_app

    try:
        shop.sandbox_db.parent.mkdir(parents=True, exist_ok=True)
        return create_app(shop.sandbox_db)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"the sandbox database {shop.sandbox_db} cannot be used ({exc}); "
                          "delete it to start an empty sandbox shop") from exc


@cli.command("live")
@click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--no-cache", is_flag=True, help="Fetch every managed product again, ignoring .catalog-cache/.")
def live(catalog_dir: Path, fmt: str, no_cache: bool) -> None:
    """Print the live shop, normalised the way the planner sees it."""
    import json

    from engine.catalog.load import load_catalog
    from engine.plan.live import snapshot_to_dict
    from engine.shop.connect import read_catalog
    from engine.shop.read import ReadStats

    catalog = load_catalog(catalog_dir)
    stats = ReadStats()
    snapshot = read_catalog(catalog, app=sandbox_app_for(catalog.shop), use_cache=not no_cache, stats=stats)
    data = snapshot_to_dict(snapshot)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from io import StringIO

        from ruamel.yaml import YAML

        yaml, out = YAML(), StringIO()  # round-trip dumper: keeps the snapshot's field order
        yaml.default_flow_style = False
        yaml.dump(data, out)
        click.echo(out.getvalue(), nl=False)
    click.echo(f"{catalog.shop.name} (Tokopedia & Shop, {catalog.shop.target}): {stats.summary()}", err=True)
    for note in stats.notes:
        click.echo(f"note: {note}", err=True)


# --------------------------------------------------------------------------- plan / show
PLAN_FORMATS = ("text", "markdown", "json")


def _use_color(color: bool | None, fmt: str) -> bool:
    import os

    if fmt != "text":
        return False
    if color is not None:
        return color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command("plan")
@click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan (JSON) for `catalog show` / `catalog apply plan.json`.")
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing would change, 2 when something would, 1 on error.")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Plan only this product key (or shell pattern, e.g. 'batik-*'); repeatable.")
@click.option("--no-cache", is_flag=True, help="Fetch every managed product again, ignoring .catalog-cache/.")
@click.option("--color/--no-color", default=None, help="Colour the text plan (default: when printing to a terminal).")
@click.option("--check", is_flag=True, help="Also run Check Product Listing for each create and edit (PASS / "
              "FAILED with reasons per product); uploads local images not uploaded yet, writes nothing else.")
def plan(catalog_dir: Path, out: Path | None, fmt: str, detailed_exitcode: bool, targets: tuple[str, ...],
         no_cache: bool, color: bool | None, check: bool) -> None:
    """Show what apply would change in the shop, per product and platform."""
    from engine.catalog.load import load_catalog
    from engine.plan.planner import make_plan
    from engine.plan.saved import save_plan
    from engine.render import render_plan
    from engine.shop.connect import read_catalog

    catalog = load_catalog(catalog_dir)
    app = sandbox_app_for(catalog.shop)
    snapshot = read_catalog(catalog, app=app, use_cache=not no_cache)
    result = make_plan(catalog, snapshot, targets=targets)
    if check:
        from engine.apply.check import run_check

        result = run_check(result, catalog, snapshot, app=app)
    if out is not None:
        save_plan(result, out)
    paint = _use_color(color, fmt)
    click.echo(render_plan(result, fmt, color=paint), nl=False, color=paint)
    if result.errors:
        sys.exit(1)
    sys.exit(2 if detailed_exitcode and result.has_changes else 0)


@cli.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour the text plan (default: when printing to a terminal).")
def show(plan_file: Path, fmt: str, color: bool | None) -> None:
    """Print a saved plan (from `catalog plan --out`)."""
    from engine.plan.saved import load_plan
    from engine.render import render_plan

    paint = _use_color(color, fmt)
    click.echo(render_plan(load_plan(plan_file), fmt, color=paint), nl=False, color=paint)


# --------------------------------------------------------------------------- apply
REPORT_FORMATS = ("text", "markdown", "json")


@cli.command("apply")
@click.argument("source", metavar="CATALOG_DIR|PLAN_FILE", type=click.Path(exists=True, path_type=Path))
@click.option("--catalog", "catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="With a saved plan: the catalog it was made from (shop settings, image files).")
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@click.option("--strict", is_flag=True, help="Saved plan: refuse the whole plan when any planned product changed "
              "in the shop since (default: skip those as STALE, apply the rest).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Apply only this product key (or shell pattern); repeatable. Not with a saved plan.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report to FILE (format by extension: .md, .json, .txt).")
@click.option("--report-format", type=click.Choice(REPORT_FORMATS), help="Format of --report FILE.")
@click.option("--no-cache", is_flag=True, help="Fetch every managed product again, ignoring .catalog-cache/.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: when printing to a terminal).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Products written at the same time (the rate limit per API still applies).")
def apply(source: Path, catalog_dir: Path | None, auto_approve: bool, strict: bool, targets: tuple[str, ...],
          report_path: Path | None, report_format: str | None, no_cache: bool, color: bool | None,
          concurrency: int) -> None:
    """Apply the catalog (plan, show, confirm, write) or a saved plan, and report per product × platform.

    \b
    catalog apply catalogs/demo                    plan, print it, ask, apply
    catalog apply catalogs/demo --auto-approve     no question (CI)
    catalog apply plan.json --catalog catalogs/demo
                                                   the saved plan as it is; products changed in
                                                   the shop since are skipped as STALE
    Exit 0: every attempted write succeeded (blocked products are reported, not failures);
    3: partly applied (a write failed, is unknown, or a product was stale); 1: nothing applied / error.
    """
    from engine.apply.progress import LogProgress, RichProgress
    from engine.apply.run import run_apply
    from engine.plan.saved import write_atomic
    from engine.render.report import render_report, report_format as format_of

    paint = _use_color(color, "text")
    if report_path is not None and not report_path.resolve().parent.is_dir():
        raise click.UsageError(f"--report {report_path}: the directory {report_path.parent} does not exist")
    if source.is_dir():
        if catalog_dir is not None:
            raise click.UsageError("--catalog goes with a saved plan; here the catalog is the argument")
        catalog, app, plan, metadata = _plan_for_apply(source, targets, no_cache, paint)
        _confirm(plan, catalog, auto_approve)
        saved = False
    else:
        catalog, app, plan = _saved_plan_for_apply(source, catalog_dir, targets)
        metadata, saved = None, True
    progress = RichProgress() if sys.stderr.isatty() else LogProgress()
    report = run_apply(catalog, plan, app=app, saved_plan=saved, strict=strict, concurrency=concurrency,
                       progress=progress, metadata=metadata)
    click.echo(render_report(report, "text", color=paint), nl=False, color=paint)
    if report_path is not None:
        try:
            write_atomic(report_path, render_report(report, format_of(report_path, report_format)))
        except EngineError as exc:  # the shop was written: keep the run's exit code, say what failed
            click.echo(f"Error: the report was not written: {exc}", err=True)
    sys.exit(report.exit_code)


def _plan_for_apply(catalog_dir: Path, targets: tuple[str, ...], no_cache: bool, paint: bool):
    from engine.catalog.load import load_catalog
    from engine.plan.planner import make_plan
    from engine.render import render_plan
    from engine.shop.connect import read_catalog

    catalog = load_catalog(catalog_dir)
    app = sandbox_app_for(catalog.shop)
    snapshot = read_catalog(catalog, app=app, use_cache=not no_cache)
    plan = make_plan(catalog, snapshot, targets=targets)
    click.echo(render_plan(plan, "text", color=paint), nl=False, color=paint)
    return catalog, app, plan, snapshot.metadata


def _confirm(plan, catalog, auto_approve: bool) -> None:
    if not plan.has_changes or auto_approve:
        return
    if not sys.stdin.isatty():
        raise click.ClickException("refusing to apply without confirmation: stdin is not a terminal. Review the "
                                   "plan above and run again with --auto-approve (or apply a saved plan)")
    answer = click.prompt(f"\nApply these changes to {catalog.shop.name} on Tokopedia & Shop? Only 'yes' applies",
                          default="", show_default=False)
    if answer.strip().lower() != "yes":
        click.echo("Apply cancelled: nothing was changed.", err=True)
        sys.exit(1)


def _saved_plan_for_apply(plan_file: Path, catalog_dir: Path | None, targets: tuple[str, ...]):
    from engine.apply.run import verify_saved_plan
    from engine.catalog.load import load_catalog
    from engine.plan.saved import load_plan
    from engine.render.text import summary_line

    if targets:
        raise click.UsageError("--target selects products of a catalog; a saved plan is applied as it is")
    plan = load_plan(plan_file)
    if catalog_dir is None:
        raise click.UsageError(f"a saved plan needs the catalog it was made from: catalog apply {plan_file} "
                               "--catalog CATALOG_DIR (shop settings, image files)")
    catalog = load_catalog(catalog_dir)
    verify_saved_plan(plan, catalog)
    click.echo(f"Applying saved plan {plan_file} for {plan.shop_name} · {summary_line(plan.summary())}")
    return catalog, sandbox_app_for(catalog.shop), plan


# --------------------------------------------------------------------------- import
@cli.command("import")
@click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--product-id", "product_ids", multiple=True, metavar="ID",
              help="Import this live product (repeatable). One the catalog has already is refreshed from the shop.")
@click.option("--all", "all_products", is_flag=True, help="Import every live product the catalog does not have.")
@click.option("--into", metavar="FILE", help="Add the new products to this file under products/ (default: one "
              "file per product, products/<key>.yaml).")
@click.option("--dry-run", is_flag=True, help="Print the changes as diffs; write nothing.")
@click.option("--no-cache", is_flag=True, help="Fetch every product again, ignoring .catalog-cache/.")
def import_(catalog_dir: Path, product_ids: tuple[str, ...], all_products: bool, into: str | None, dry_run: bool,
            no_cache: bool) -> None:
    """Write YAML for live products the catalog does not have yet (adopt an existing shop).

    \b
    catalog import catalogs/demo                     list the products you can import (exit 1)
    catalog import catalogs/demo --all               every one of them
    catalog import catalogs/demo --product-id ID     some of them (repeat the option)
    Files are written atomically; the catalog is loaded and planned against the shop afterwards,
    and anything wrong rolls every file back. Right after an import, `catalog plan` changes nothing.
    """
    from engine.shop.importer import ImportRequest, run_import

    request = ImportRequest(catalog_dir, tuple(product_ids), all_products, dry_run, into, not no_cache)
    report = run_import(request, app_for=sandbox_app_for)
    click.echo(report.text(), nl=False)
    sys.exit(report.exit_code)


# --------------------------------------------------------------------------- GitHub (GitOps)
@cli.command("comment")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--repo", help="OWNER/NAME of the repository (in Actions: ${{ github.repository }}).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number to comment on.")
@click.option("--commit", "commit_sha", metavar="SHA",
              help="Instead of --pr: the pull request this commit was merged from (apply on push).")
@click.option("--head-sha", metavar="SHA", help="The pull request's head commit, recorded in the comment.")
@click.option("--artifact-url", metavar="URL", help="Where the full plan / report is (the uploaded artifact).")
@click.option("--summary", is_flag=True, help="Also append the Markdown to $GITHUB_STEP_SUMMARY (≤ 1 MiB).")
@click.option("--fork", is_flag=True, help="FILE is the shop's catalog directory of a pull request from a fork: "
              "validate it and post the validation-only notice (no shop credentials for forks).")
def comment(file: Path, repo: str | None, pr: int | None, commit_sha: str | None, head_sha: str | None,
            artifact_url: str | None, summary: bool, fork: bool) -> None:
    """Post a saved plan (or an apply report) as ONE sticky comment per shop on a pull request.

    The comment is found again by a hidden marker and updated in place on every push; it stays
    under GitHub's 65,536 characters, always keeping the summary, every error and every item
    that needs attention. Token from GITHUB_TOKEN, API from GITHUB_API_URL. Without --repo and
    --summary, prints the comment it would post.
    """
    from engine.github.run import CommentRequest, run_comment
    from engine.github.settings import GitHubSettings

    request = CommentRequest(file, repo, pr, commit_sha, head_sha, artifact_url, summary, fork)
    outcome = run_comment(request, GitHubSettings.from_env())
    if outcome.body is not None:
        click.echo(outcome.body, nl=False)
    for line in outcome.lines:
        click.echo(line)


@cli.command("shops")
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


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        # Usage errors are errors (1): exit code 2 means "changes" for plan --detailed-exitcode.
        sys.exit(1)
    except EngineError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
