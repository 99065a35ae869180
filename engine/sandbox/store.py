"""The Python API over a sandbox database for tests, benchmarks and `catalog sandbox` (not HTTP).

`SandboxStore(db_path, clock=None)`:

    seed_products, set_status, outside_edit,         seeding.py (bulk products, platform states,
    outside_delete                                   Seller Center edits and deletes)
    sell, start_promotion, end_promotion, promoted   market.py (buyers' orders, promotions)
    configure, settings                              the shop's settings, stored in the database
                                                     (review_seconds, daily_listing_limit): every
                                                     app on the file follows them from its next
                                                     request, unless create_app was given its own
    now, advance_clock, next_day                     the shop's clock: `clock` (default time.time)
                                                     plus an offset stored in the database
    products, product, counts, calls, reset_calls    what the shop holds and what it was asked
`reset_database(db_path)` forgets every product, image, token, promotion and daily count (ids
keep increasing; settings and the clock offset stay).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from engine.sandbox.db import DATA_TABLES, STATUS_COLUMNS, Database

DAY = 86_400
WIB_OFFSET = 7 * 3600  # the daily listing limit resets at midnight Jakarta time (UTC+7)


def reset_database(db_path: Path | str) -> None:
    """Forget every product, image, token, idempotency key and call count (ids keep increasing).

    The default seed tokens are issued again, so a server still running on the file keeps working.
    """
    from engine.sandbox.seed import load_seed

    creds, now = load_seed().credentials, time.time()
    db = Database(db_path)
    try:
        with db.write() as tx:
            for table in DATA_TABLES:
                tx.conn.execute(f"DELETE FROM {table}")
            tx.add_token("access", creds["access_token"], now, now + creds["access_token_ttl_seconds"])
            tx.add_token("refresh", creds["refresh_token"], now, now + creds["refresh_token_ttl_seconds"])
    finally:
        db.close()


class SandboxStore:
    """Python API over a sandbox database for tests and benchmarks (see module docstring)."""

    def __init__(self, db_path: Path | str, clock: Callable[[], float] | None = None) -> None:
        from engine.sandbox.seed import load_seed

        self.db = Database(db_path)
        self.clock = clock or time.time
        self.seed = load_seed()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SandboxStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def seed_products(self, bodies: list[dict[str, Any]], *, status: str | None = None,
                      platforms: list[str] | None = None) -> list[str]:
        from engine.sandbox.seeding import seed_products

        return seed_products(self, bodies, status=status, platforms=platforms)

    def set_status(self, product_id: str, platform: str, status: str) -> None:
        from engine.sandbox.seeding import set_status

        set_status(self, product_id, platform, status)

    def outside_edit(self, product_id: str, **fields: Any) -> dict[str, Any]:
        from engine.sandbox.seeding import outside_edit

        return outside_edit(self, product_id, **fields)

    def outside_delete(self, product_id: str) -> None:
        from engine.sandbox.seeding import outside_delete

        outside_delete(self, product_id)

    # ------------------------------------------------------------------ orders and promotions
    def sell(self, seller_sku: str, quantity: int = 1, warehouse_id: str | None = None) -> list[dict[str, Any]]:
        from engine.sandbox.market import sell

        return sell(self, seller_sku, quantity, warehouse_id)

    def start_promotion(self, product_id: str, seller_skus: list[str] | None = None, *, name: str = "Flash Sale",
                        seconds: float | None = None) -> list[str]:
        from engine.sandbox.market import start_promotion

        return start_promotion(self, product_id, seller_skus, name, seconds)

    def end_promotion(self, product_id: str) -> int:
        from engine.sandbox.market import end_promotion

        return end_promotion(self, product_id)

    def promoted(self, product_id: str) -> dict[str, str]:
        from engine.sandbox.market import promoted

        return promoted(self, product_id)

    # ------------------------------------------------------------------ settings and clock
    def configure(self, *, review_seconds: float | None = None, daily_listing_limit: int | None = None,
                  defaults: bool = False) -> dict[str, Any]:
        """Store settings (None leaves one as it is; `defaults=True` first forgets every stored one)."""
        if review_seconds is not None and not review_seconds >= 0:
            raise ValueError(f"review_seconds must be 0 or more, not {review_seconds!r}")
        if daily_listing_limit is not None and (isinstance(daily_listing_limit, bool) or not isinstance(
                daily_listing_limit, int) or daily_listing_limit < 0):
            raise ValueError(f"daily_listing_limit must be a whole number, 0 or more, not {daily_listing_limit!r}")
        with self.db.write() as tx:
            if defaults:
                for key in ("review_seconds", "daily_listing_limit"):
                    tx.set_setting(key, None)
            for key, value in (("review_seconds", review_seconds), ("daily_listing_limit", daily_listing_limit)):
                if value is not None:
                    tx.set_setting(key, value)
        return self.settings()

    def settings(self) -> dict[str, Any]:
        """The shop's effective settings and clock: review_seconds, daily_listing_limit, clock_offset,
        now, day (Jakarta date) and listings_today."""
        from engine.sandbox.shop import settings_from_seed, wib_day

        with self.db.read() as tx:
            stored = tx.settings()
            offset = float(stored.get("clock_offset", 0))
            now = float(self.clock()) + offset
            listings = tx.listings(wib_day(now))
        effective = settings_from_seed(self.seed, **stored)
        return {"review_seconds": effective.review_seconds, "daily_listing_limit": effective.daily_listing_limit,
                "clock_offset": offset, "now": now, "day": wib_day(now), "listings_today": listings}

    def now(self) -> float:
        """The shop's time (do not call inside one of this store's transactions)."""
        with self.db.read() as tx:
            offset = float(tx.settings().get("clock_offset", 0))
        return float(self.clock()) + offset

    def advance_clock(self, seconds: float) -> float:
        """Move the shop's clock forward (reviews come due, the daily limit resets); the new time."""
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward, not by {seconds!r} seconds")
        with self.db.write() as tx:
            offset = float(tx.settings().get("clock_offset", 0)) + seconds
            tx.set_setting("clock_offset", offset)
        return float(self.clock()) + offset

    def next_day(self) -> float:
        """Move the shop's clock to the next midnight in Jakarta (plus one second): a new listing day."""
        now = self.now()
        midnight = (int(now + WIB_OFFSET) // DAY + 1) * DAY - WIB_OFFSET
        return self.advance_clock(midnight + 1 - now)

    def products(self, *, resolve: bool = True) -> list[dict[str, Any]]:
        """Every stored record (model.py shape), oldest first; due reviews are decided first
        (as any request would) unless `resolve=False`."""
        if resolve:
            self._resolve_due()
        with self.db.read() as tx:
            rows = tx.conn.execute("SELECT doc FROM products ORDER BY id").fetchall()
        return [json.loads(r[0]) for r in rows]

    def product(self, product_id: str, *, resolve: bool = True) -> dict[str, Any] | None:
        if resolve:
            self._resolve_due()
        with self.db.read() as tx:
            return tx.get(product_id)

    def _resolve_due(self) -> None:
        from engine.sandbox.shop import Shop

        shop = Shop(self.db, self.seed, self.clock)
        shop.resolve_due(shop.now())

    def counts(self) -> dict[str, int]:
        """Row counts plus products per platform status, e.g. {"products": 3, "TOKOPEDIA:ACTIVATE": 2}."""
        with self.db.read() as tx:
            result = {t: tx.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                      for t in ("products", "skus", "images")}
            for platform, column in STATUS_COLUMNS.items():
                for status, n in tx.conn.execute(f"SELECT {column}, COUNT(*) FROM products"
                                                 f" WHERE {column} IS NOT NULL GROUP BY {column}"):
                    result[f"{platform}:{status}"] = n
        return dict(sorted(result.items()))

    def calls(self) -> dict[str, int]:
        """Requests per endpoint ("METHOD /path/{template}"), every attempt the shop saw."""
        with self.db.read() as tx:
            return dict(sorted(tx.conn.execute("SELECT endpoint, count FROM calls").fetchall()))

    def reset_calls(self) -> None:
        with self.db.write() as tx:
            tx.conn.execute("DELETE FROM calls")
