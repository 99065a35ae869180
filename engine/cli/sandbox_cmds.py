"""`catalog sandbox serve|reset`: the sandbox shop over HTTP, and forgetting its data."""

from __future__ import annotations

from pathlib import Path

import click

db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default=Path(".sandbox/shop.db"), show_default=True)


@click.group()
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
@db_option
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
@db_option
def sandbox_reset(db_path: Path) -> None:
    """Forget every product, image, token and call count (the default credentials keep working)."""
    from engine.sandbox.store import reset_database

    try:
        reset_database(db_path)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sandbox reset: {db_path}")
