"""`catalog apply`: plan (or load a saved plan), confirm, write, report per product × platform."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from engine.cli.common import color_option, fancy_terminal, no_cache_option, plan_catalog, sandbox_app_for, use_color
from engine.errors import EngineError

REPORT_FORMATS = ("text", "markdown", "json")


@click.command("apply")
@click.argument("source", metavar="CATALOG_DIR|PLAN_FILE", type=click.Path(exists=True, path_type=Path))
@click.option("--catalog", "catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="With a saved plan: the catalog it was made from (shop settings, image files).")
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@click.option("--strict", is_flag=True, help="Saved plan: refuse the whole plan when any planned product changed "
              "in the shop since (default: skip those as STALE, apply the rest).")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Apply only this product key (or shell pattern); repeatable. Not with a saved plan.")
@click.option("--reviewed", "reviewed_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The plan the pull request showed (`catalog reviewed-plan`): applied as it is while it describes "
              "the catalog, else a fresh plan is applied and every action not in FILE is reported as not reviewed "
              "(a missing FILE: no reviewed plan was found).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report to FILE (format by extension: .md, .json, .txt).")
@click.option("--report-format", type=click.Choice(REPORT_FORMATS), help="Format of --report FILE.")
@no_cache_option
@color_option("Colour the text (default: when printing to a terminal).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Products written at the same time (the rate limit per API still applies).")
@click.option("--no-wait", is_flag=True, help="When another apply of this catalog is running on this machine, "
              "exit 1 at once instead of waiting for it.")
def apply(source: Path, catalog_dir: Path | None, auto_approve: bool, strict: bool, targets: tuple[str, ...],
          reviewed_file: Path | None, report_path: Path | None, report_format: str | None, no_cache: bool,
          color: bool | None, concurrency: int, no_wait: bool) -> None:
    """Apply the catalog (plan, show, confirm, write) or a saved plan, and report per product × platform.

    \b
    catalog apply catalogs/demo                    plan, print it, ask, apply
    catalog apply catalogs/demo --auto-approve     no question (CI)
    catalog apply plan.json --catalog catalogs/demo
                                                   the saved plan as it is; products changed in
                                                   the shop since are skipped as STALE
    catalog apply catalogs/demo --auto-approve --reviewed reviewed-plan.json
                                                   on merge: the reviewed plan while it describes the
                                                   catalog, else a fresh one + what was not reviewed
    Exit 0: every attempted write succeeded (blocked products are reported, not failures);
    3: partly applied (a write failed, is unknown, or a product was stale); 1: nothing applied / error
    (a plan that trips a guard nobody acknowledged is refused: nothing is written).
    One apply per catalog at a time on this machine: a second one waits (or, --no-wait, exits 1).
    """
    from engine.apply.lock import apply_lock

    if report_path is not None and not report_path.resolve().parent.is_dir():
        raise click.UsageError(f"--report {report_path}: the directory {report_path.parent} does not exist")
    options = (source, catalog_dir, auto_approve, strict, targets, reviewed_file, report_path, report_format,
               no_cache, color, concurrency)
    root = source if source.is_dir() else catalog_dir
    if root is None:  # a saved plan without --catalog: refused with how to name it
        _apply(*options)
        return
    with apply_lock(root, wait=not no_wait, notify=lambda text: click.echo(text, err=True)):
        _apply(*options)


def _apply(source: Path, catalog_dir: Path | None, auto_approve: bool, strict: bool, targets: tuple[str, ...],
           reviewed_file: Path | None, report_path: Path | None, report_format: str | None, no_cache: bool,
           color: bool | None, concurrency: int) -> None:
    from engine.apply.progress import LogProgress, RichProgress
    from engine.apply.run import run_apply
    from engine.plan.saved import write_atomic
    from engine.render.report import render_report
    from engine.render.report import report_format as format_of

    paint = use_color(color, "text")
    plan_review = None
    if reviewed_file is not None:
        if not source.is_dir() or catalog_dir is not None or targets:
            raise click.UsageError("--reviewed goes with a catalog directory, without --catalog or --target")
        catalog, app, plan, metadata, saved, plan_review = _reviewed_or_fresh(source, reviewed_file, no_cache, paint)
    elif source.is_dir():
        if catalog_dir is not None:
            raise click.UsageError("--catalog goes with a saved plan; here the catalog is the argument")
        catalog, app, plan, metadata = _plan_for_apply(source, targets, no_cache, paint)
        saved = False
    else:
        catalog, app, plan = _saved_plan_for_apply(source, catalog_dir, targets)
        metadata, saved = None, True
    if plan.tripped:
        _refuse(plan, saved, plan_review, report_path, report_format)
    if not saved:
        _confirm(plan, catalog, auto_approve)
    progress = RichProgress() if fancy_terminal() else LogProgress()
    report = run_apply(catalog, plan, app=app, saved_plan=saved, strict=strict, concurrency=concurrency,
                       progress=progress, metadata=metadata)
    if plan_review is not None:
        report = replace(report, plan_review=plan_review)
    click.echo(render_report(report, "text", color=paint), nl=False, color=paint)
    if report_path is not None:
        try:
            write_atomic(report_path, render_report(report, format_of(report_path, report_format)))
        except EngineError as exc:  # the shop was written: keep the run's exit code, say what failed
            click.echo(f"Error: the report was not written: {exc}", err=True)
    sys.exit(report.exit_code)


def _plan_for_apply(catalog_dir: Path, targets: tuple[str, ...], no_cache: bool, paint: bool, catalog=None):
    from engine.render import render_plan

    catalog, app, snapshot, plan = plan_catalog(catalog_dir, targets, no_cache, catalog)
    click.echo(render_plan(plan, "text", color=paint), nl=False, color=paint)
    return catalog, app, plan, snapshot.metadata


def _reviewed_or_fresh(catalog_dir: Path, reviewed_file: Path, no_cache: bool, paint: bool):
    """The reviewed plan while it describes the catalog; else a fresh plan and what was not reviewed."""
    from engine.apply.run import verify_saved_plan
    from engine.catalog.load import load_catalog
    from engine.errors import PlanError
    from engine.plan.reviewed import compare_with_reviewed, describes, reviewed_as_is
    from engine.plan.saved import load_plan
    from engine.render.text import summary_line

    catalog = load_catalog(catalog_dir)
    shop = catalog.shop
    reviewed, why = None, f"no reviewed plan was found ({reviewed_file.name} is missing)"
    if reviewed_file.exists():
        try:
            reviewed = load_plan(reviewed_file)
        except PlanError as exc:
            why = f"the reviewed plan could not be read ({exc})"
    if reviewed is not None and describes(reviewed, shop.name, shop.market, catalog.digest):
        try:
            verify_saved_plan(reviewed, catalog)
        except PlanError as exc:  # edited, or made by another engine version: not applied, nor counted as reviewed
            reviewed, why = None, f"the reviewed plan was refused ({exc})"
        else:
            click.echo(f"Applying the reviewed plan {reviewed_file} for {reviewed.shop_name} · "
                       f"{summary_line(reviewed.summary())}")
            note = f"the plan the pull request showed (catalog {reviewed.catalog_digest[:12]})"
            return catalog, sandbox_app_for(shop), reviewed, None, True, reviewed_as_is(reviewed, note)
    if reviewed is not None and (reviewed.shop_name, reviewed.market) != (shop.name, shop.market):
        why = f"the reviewed plan is for shop {reviewed.shop_name!r} ({reviewed.market}), not {shop.name!r}"
    elif reviewed is not None:
        why = (f"the merged catalog is not the one reviewed (catalog {reviewed.catalog_digest[:12]} reviewed, "
               f"{catalog.digest[:12]} merged: squashed with other changes, or merged with a moved base)")
    click.echo(f"Not the reviewed plan: {why}. Applying a fresh plan; every action not in the reviewed plan is "
               "listed in the report.", err=True)
    catalog, app, plan, metadata = _plan_for_apply(catalog_dir, (), no_cache, paint, catalog)
    return catalog, app, plan, metadata, False, compare_with_reviewed(plan, reviewed, why)


def _refuse(plan, saved: bool, plan_review, report_path: Path | None, report_format: str | None) -> None:
    """A plan that trips a guard nobody acknowledged: nothing is written, the message says how to
    acknowledge; with --report the report says the apply was refused (the merged pull request's
    comment shows it). Exit 1."""
    from engine.plan.guards import refusal
    from engine.plan.report import ApplyReport
    from engine.plan.saved import write_atomic
    from engine.render.report import render_report
    from engine.render.report import report_format as format_of

    message = f"apply refused: {refusal(plan)}"
    if report_path is not None:
        report = ApplyReport(shop_name=plan.shop_name, market=plan.market, catalog_digest=plan.catalog_digest,
                             saved_plan=saved, issues=plan.issues, aborted=message, plan_review=plan_review)
        try:
            write_atomic(report_path, render_report(report, format_of(report_path, report_format)))
        except EngineError as exc:
            click.echo(f"Error: the report was not written: {exc}", err=True)
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


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
