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


def _fail(error: EngineError) -> None:
    if isinstance(error, CatalogError):
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="catalog-engine")
def cli() -> None:
    """Catalog as code for Tokopedia & Shop: validate, plan and apply a YAML catalog."""


# --------------------------------------------------------------------------- sandbox
@cli.group()
def sandbox() -> None:
    """The sandbox shop: a local implementation of the product API (SQLite-backed)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int, help="0 picks a free port.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".sandbox/shop.db"), show_default=True)
@click.option("--latency-ms", default=0, show_default=True, type=int, help="Added latency per request.")
@click.option("--qps", default=None, type=float, help="Rate limit per API per (app, shop). Default 50.")
@click.option("--faults", default="", help="Fault spec, e.g. '5xx=0.05,429burst=0.02,drop=0.01,spike=0.01:500,token_ttl=30'.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for deterministic faults.")
def sandbox_serve(host: str, port: int, db_path: Path, latency_ms: int, qps: float | None,
                  faults: str, seed: int) -> None:
    """Serve the sandbox shop over HTTP."""
    from engine.sandbox.server import serve

    serve(host=host, port=port, db_path=db_path, latency_ms=latency_ms, qps=qps, faults=faults, seed=seed)


@sandbox.command("reset")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".sandbox/shop.db"), show_default=True)
def sandbox_reset(db_path: Path) -> None:
    """Delete every product, image and token from a sandbox database."""
    from engine.sandbox.store import reset_database

    reset_database(db_path)
    click.echo(f"Sandbox reset: {db_path}")


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
