"""What several commands share: the catalog argument, the common options, colour, progress and
planning a catalog against its shop (the in-process sandbox shop for `target: sandbox` comes from
engine.api, the library's facade)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.api import sandbox_app_for

catalog_dir_argument = click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
no_cache_option = click.option("--no-cache", is_flag=True,
                               help="Fetch every managed product again, ignoring .catalog-cache/.")


def color_option(help_text: str):
    return click.option("--color/--no-color", default=None, help=help_text)


def use_color(color: bool | None, fmt: str, environ=None, isatty=None) -> bool:
    """Colour for text output, first rule that applies: --color / --no-color; NO_COLOR set (not
    empty) → no; FORCE_COLOR set (not empty, not "0") → yes; TERM=dumb → no; else only when stdout
    is a terminal. Markdown and JSON are never coloured."""
    import os

    if fmt != "text":
        return False
    if color is not None:
        return color
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return (isatty or sys.stdout.isatty)()


def fancy_terminal() -> bool:
    """Progress bars on stderr only when it is a terminal that can draw them (not TERM=dumb);
    otherwise (CI logs, pipes) plain lines every few seconds."""
    import os

    return sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"


def read_progress():
    """The progress of reading the shop, on stderr (engine.shop.progress)."""
    from engine.shop.progress import LogReadProgress, RichReadProgress

    return RichReadProgress() if fancy_terminal() else LogReadProgress()


def plan_catalog(catalog_dir: Path, targets: tuple[str, ...], no_cache: bool, catalog=None):
    """Load the catalog (unless given, already loaded), read its shop and plan: (catalog, app,
    snapshot, plan) for plan and apply. The plan holds the catalog's problems with the shop's
    categories, attributes and brands (engine.plan.metadata): those products are not planned."""
    from engine.catalog.load import load_catalog
    from engine.plan.planner import make_plan
    from engine.shop.connect import read_catalog

    catalog = catalog if catalog is not None else load_catalog(catalog_dir)
    app = sandbox_app_for(catalog.shop)
    snapshot = read_catalog(catalog, app=app, use_cache=not no_cache, progress=read_progress())
    return catalog, app, snapshot, make_plan(catalog, snapshot, targets=targets)
