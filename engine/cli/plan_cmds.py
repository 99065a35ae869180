"""Reading the shop and planning: `plan`, `show` (a saved plan) and `live` (the shop as the planner sees it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.common import (
    catalog_dir_argument,
    color_option,
    no_cache_option,
    plan_catalog,
    read_progress,
    sandbox_app_for,
    use_color,
)

PLAN_FORMATS = ("text", "markdown", "json")


@click.command("live")
@catalog_dir_argument
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@no_cache_option
def live(catalog_dir: Path, fmt: str, no_cache: bool) -> None:
    """Print the live shop, normalised the way the planner sees it."""
    import json

    from engine.catalog.load import load_catalog
    from engine.plan.live import snapshot_to_dict
    from engine.shop.connect import read_catalog
    from engine.shop.read import ReadStats

    catalog = load_catalog(catalog_dir)
    stats = ReadStats()
    snapshot = read_catalog(catalog, app=sandbox_app_for(catalog.shop), use_cache=not no_cache, stats=stats,
                            progress=read_progress())
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


@click.command("plan")
@catalog_dir_argument
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the plan (JSON) for `catalog show` / `catalog apply plan.json`.")
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing would change, 2 when something would, 1 on error or a guard tripped "
              "and not acknowledged.")
@click.option("--target", "targets", multiple=True, metavar="KEY",
              help="Plan only this product key (or shell pattern, e.g. 'batik-*'); repeatable.")
@no_cache_option
@color_option("Colour the text plan (default: when printing to a terminal).")
@click.option("--check", is_flag=True, help="Also run Check Product Listing for each create and edit (PASS / "
              "FAILED with reasons per product); uploads local images not uploaded yet, writes nothing else.")
def plan(catalog_dir: Path, out: Path | None, fmt: str, detailed_exitcode: bool, targets: tuple[str, ...],
         no_cache: bool, color: bool | None, check: bool) -> None:
    """Show what apply would change in the shop, per product and platform.

    Exit 1 when the plan has errors, or trips a guard that is not acknowledged (apply would
    refuse it); else 0 (with --detailed-exitcode: 0 nothing to change, 2 changes)."""
    from engine.plan.saved import save_plan
    from engine.render import render_plan

    catalog, app, snapshot, result = plan_catalog(catalog_dir, targets, no_cache)
    if check:
        from engine.apply.check import run_check

        result = run_check(result, catalog, snapshot, app=app)
    if out is not None:
        save_plan(result, out)
    paint = use_color(color, fmt)
    click.echo(render_plan(result, fmt, color=paint), nl=False, color=paint)
    if result.tripped:
        click.echo(f"Error: guards tripped and not acknowledged ({len(result.tripped)}): apply refuses this plan "
                   "(the plan lists them first, with how to acknowledge them)", err=True)
    if result.errors or result.tripped:
        sys.exit(1)
    sys.exit(2 if detailed_exitcode and result.has_changes else 0)


@click.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="text", show_default=True)
@color_option("Colour the text plan (default: when printing to a terminal).")
def show(plan_file: Path, fmt: str, color: bool | None) -> None:
    """Print a saved plan (from `catalog plan --out`)."""
    from engine.plan.saved import load_plan
    from engine.render import render_plan

    paint = use_color(color, fmt)
    click.echo(render_plan(load_plan(plan_file), fmt, color=paint), nl=False, color=paint)
