"""`catalog sandbox serve|reset|config|clock|promote|order`: the sandbox shop over HTTP, forgetting its
data, its settings and clock, and what buyers and promotions do to it (for trying the engine by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
              help="How long review takes, for this server. Default: `sandbox config`'s, else 0 (decided by "
              "the next request).")
@click.option("--daily-listing-limit", default=None, type=click.IntRange(min=0),
              help="Listings + relistings per day (12052093 beyond), for this server. Default: `sandbox "
              "config`'s, else 1000.")
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
    """Forget every product, image, token, promotion and call count (the default credentials keep
    working; the settings of `sandbox config` and the clock stay)."""
    from engine.sandbox.store import reset_database

    try:
        reset_database(db_path)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sandbox reset: {db_path}")


@contextmanager
def _store(db_path: Path) -> Iterator[Any]:
    """The sandbox database's Python API; its refusals (ValueError / KeyError) as clear messages."""
    from engine.sandbox.store import SandboxStore

    try:
        store = SandboxStore(db_path)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    except (ValueError, KeyError) as exc:
        raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
    finally:
        store.close()


def _shop_time(now: float) -> str:
    return datetime.fromtimestamp(now, timezone(timedelta(hours=7))).strftime("%Y-%m-%d %H:%M:%S WIB")


def _echo_settings(settings: dict[str, Any]) -> None:
    instant = "  (decided by the next request)" if not settings["review_seconds"] else ""
    moved = f"  (moved {settings['clock_offset']:+g} s)" if settings["clock_offset"] else ""
    click.echo(f"review_seconds: {settings['review_seconds']:g}{instant}")
    click.echo(f"daily_listing_limit: {settings['daily_listing_limit']}  "
               f"({settings['listings_today']} used on {settings['day']})")
    click.echo(f"shop time: {_shop_time(settings['now'])}{moved}")


@sandbox.command("config")
@db_option
@click.option("--review-seconds", type=click.FloatRange(min=0), default=None,
              help="How long review takes (0: decided by the next request).")
@click.option("--daily-listing-limit", type=click.IntRange(min=0), default=None,
              help="Listings + relistings per day; beyond it Create / Edit answer 12052093.")
@click.option("--defaults", is_flag=True, help="Forget the stored settings first (back to the seed's).")
def sandbox_config(db_path: Path, review_seconds: float | None, daily_listing_limit: int | None,
                   defaults: bool) -> None:
    """Show or change the sandbox shop's settings, stored in its database.

    Every command on this database follows them from its next request (`catalog plan` /
    `apply` on a catalog whose shop.yaml says `target: sandbox`, and a running `sandbox serve`
    unless it was started with its own --review-seconds / --daily-listing-limit).
    """
    with _store(db_path) as store:
        if review_seconds is None and daily_listing_limit is None and not defaults:
            settings = store.settings()
        else:
            settings = store.configure(review_seconds=review_seconds, daily_listing_limit=daily_listing_limit,
                                       defaults=defaults)
    _echo_settings(settings)


@sandbox.command("clock")
@db_option
@click.option("--advance", "seconds", type=click.FloatRange(min=0), default=None,
              help="Move the shop's clock forward by SECONDS (reviews come due).")
@click.option("--next-day", is_flag=True, help="Move it to the next midnight in Jakarta (the listing limit resets).")
def sandbox_clock(db_path: Path, seconds: float | None, next_day: bool) -> None:
    """Show the sandbox shop's time, or move it forward."""
    with _store(db_path) as store:
        if seconds:
            store.advance_clock(seconds)
        if next_day:
            store.next_day()
        settings = store.settings()
    _echo_settings(settings)


@sandbox.command("promote")
@db_option
@click.argument("product_id")
@click.option("--sku", "seller_skus", multiple=True, metavar="SELLER_SKU",
              help="Only these SKUs (repeat the option); default every SKU of the product.")
@click.option("--name", default="Flash Sale", show_default=True, help="The promotion's name.")
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="How long it runs (default: until --end).")
@click.option("--end", is_flag=True, help="End the promotions running on the product instead.")
def sandbox_promote(db_path: Path, product_id: str, seller_skus: tuple[str, ...], name: str,
                    seconds: float | None, end: bool) -> None:
    """Run a promotion on PRODUCT_ID: while it runs, its SKUs' prices cannot be changed (12052038)."""
    with _store(db_path) as store:
        if end:
            released = store.end_promotion(product_id)
            click.echo(f"Promotion ended on product {product_id}: {released} SKU price(s) unlocked")
            return
        locked = store.start_promotion(product_id, list(seller_skus) or None, name=name, seconds=seconds)
    until = f" for {seconds:g} s" if seconds else " until `catalog sandbox promote --end`"
    click.echo(f"Promotion {name!r} runs on product {product_id}{until}: price locked for SKU {', '.join(locked)}")


@sandbox.command("order")
@db_option
@click.argument("seller_sku")
@click.option("--quantity", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--warehouse", "warehouse_id", default=None, help="The warehouse id it ships from "
              "(default: the default warehouse first).")
def sandbox_order(db_path: Path, seller_sku: str, quantity: int, warehouse_id: str | None) -> None:
    """A buyer orders SELLER_SKU: its live stock goes down (the product's update_time does not move)."""
    with _store(db_path) as store:
        stock = store.sell(seller_sku, quantity, warehouse_id)
        names = {w["id"]: w["name"] for w in store.seed.warehouses}
    left = ", ".join(f"{names.get(i['warehouse_id'], i['warehouse_id'])}: {i['quantity']}" for i in stock)
    click.echo(f"Ordered {quantity} × {seller_sku}; stock now {left}")
