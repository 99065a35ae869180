"""The `catalog` command line: parse → call one engine function → render → exit code.

The only package that imports click. Every engine error is caught once, here in `main`, and
printed as a clear message (diagnostics with file:line:column) with a non-zero exit code; a
traceback reaching a seller is a bug. One module per concern: catalog_cmds (validate, schema),
plan_cmds (plan, show, live), apply_cmds (apply), import_cmds (import), github_cmds (comment,
shops, reviewed-plan, drift, validate-files), init_cmds (init), sandbox_cmds (sandbox serve|reset),
discovery_cmds (categories, attributes, brands, warehouses: the shop's reference data); common
(shared argument, options, colour, the in-process sandbox) and actions (GitHub Actions masks
and annotations).
"""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

import click

from engine.cli.actions import annotate, github_actions_setup
from engine.cli.apply_cmds import apply
from engine.cli.catalog_cmds import schema, validate
from engine.cli.common import sandbox_app_for
from engine.cli.discovery_cmds import attributes, brands, categories, warehouses
from engine.cli.github_cmds import comment, drift, reviewed_plan, shops, validate_files
from engine.cli.import_cmds import import_
from engine.cli.init_cmds import init
from engine.cli.plan_cmds import live, plan, show
from engine.cli.sandbox_cmds import sandbox
from engine.errors import CatalogError, EngineError

__all__ = ["cli", "main", "sandbox_app_for"]


def engine_version(distribution: str = "catalog-engine") -> str:
    """The installed version; from a source checkout that was never installed (`python -m engine`
    in a fresh clone), the version pyproject.toml declares."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]) + " (not installed)"
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown (not installed)"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # looked up only when asked: not on every start
        click.echo(f"catalog, version {engine_version()}")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def cli() -> None:
    """Catalog as code for Tokopedia & Shop: validate, plan and apply a YAML catalog."""
    github_actions_setup()


for _command in (validate, schema, sandbox, live, plan, show, apply, import_, comment, shops, reviewed_plan, drift,
                 init, validate_files, categories, attributes, brands, warehouses):
    cli.add_command(_command)


def _fail(error: EngineError) -> None:
    if isinstance(error, CatalogError):
        annotate(error.diagnostics)
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


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
