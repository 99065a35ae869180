"""The sandbox shop's state machine entry point: settings, clock, storage, seed.

`Shop` is what the HTTP layer hands to every handler. It owns the lazy review
resolution (`load`, `resolve_due`) so that every read and write sees reviews whose time
has come, and the rule context bound to the request's transaction.

Settings, strongest first: the arguments given to `create_app` (`overrides`), the ones
stored in the database (`catalog sandbox config`, `SandboxStore.configure`: read again at
every request, so a running server follows them), the seed's `limits`. The shop's clock is
the given clock plus the stored `clock_offset` (`SandboxStore.advance_clock` / `next_day`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from engine.sandbox import codes, model
from engine.sandbox.codes import PlatformError
from engine.sandbox.db import Database, Tx
from engine.sandbox.rules import Context
from engine.sandbox.seed import Seed, load_seed

WIB = timezone(timedelta(hours=7))  # the daily listing limit resets at midnight Jakarta time


@dataclass(frozen=True)
class Settings:
    review_seconds: float = 0.0
    daily_listing_limit: int = 1000
    access_token_ttl: float = 604800.0
    refresh_token_ttl: float = 31536000.0
    clock_offset: float = 0.0  # seconds the shop's clock runs ahead of the given clock


class Shop:
    def __init__(self, db: Database, seed: Seed | None = None, clock: Callable[[], float] | None = None,
                 overrides: dict[str, Any] | None = None) -> None:
        self.db = db
        self.seed = seed or load_seed()
        self.clock = clock or time.time
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        with db.read() as tx:
            self.refresh(tx)

    def refresh(self, tx: Tx) -> None:
        """Take the settings stored in the database (called once per request)."""
        self.settings = settings_from_seed(self.seed, **{**tx.settings(), **self.overrides})

    def now(self) -> float:
        return float(self.clock()) + self.settings.clock_offset

    def day(self, now: float) -> str:
        return wib_day(now)

    def context(self, tx: Tx) -> Context:
        return Context(seed=self.seed, image=lambda uri: tx.image(uri) if isinstance(uri, str) else None,
                       known_url=tx.has_url, external_owner=tx.external_owner)

    def load(self, tx: Tx, product_id: Any, now: float) -> dict[str, Any]:
        """The record, with a due review resolved (the caller holds a write transaction)."""
        if not isinstance(product_id, str) or not product_id.isdigit():
            raise PlatformError(codes.PRODUCT_NOT_FOUND, f"Product {product_id} does not exist")
        record = tx.get(product_id)
        if record is None:
            raise PlatformError(codes.PRODUCT_NOT_FOUND, f"Product {product_id} does not exist")
        if model.is_review_due(record, now):
            model.resolve_review(record, self.seed)
            tx.put(record)
        return record

    def resolve_due(self, now: float) -> None:
        """Resolve every review whose time has come (before a search reads many products)."""
        with self.db.read() as tx:
            due = tx.due_ids(now)
        if not due:
            return
        with self.db.write() as tx:
            records = [r for r in tx.get_many(tx.due_ids(now)) if model.is_review_due(r, now)]
            for record in records:
                model.resolve_review(record, self.seed)
            tx.put_many(records)

    def read_record(self, product_id: Any, now: float) -> dict[str, Any]:
        """Read one product; resolves its review first when due (the only case that writes)."""
        with self.db.read() as tx:
            record = tx.get(product_id) if isinstance(product_id, str) else None
        if record is not None and not model.is_review_due(record, now):
            return record
        with self.db.write() as tx:
            return self.load(tx, product_id, now)

    def check_listing_limit(self, tx: Tx, now: float) -> None:
        day = self.day(now)
        if tx.listings(day) >= self.settings.daily_listing_limit:
            raise PlatformError(codes.LISTING_LIMIT, "Exceeded the product listing limit for the seller today "
                                f"({self.settings.daily_listing_limit} listings per day)")
        tx.add_listing(day)


def wib_day(now: float) -> str:
    """The listing day (the daily limit resets at midnight in Jakarta)."""
    return datetime.fromtimestamp(now, WIB).strftime("%Y-%m-%d")


def settings_from_seed(seed: Seed, *, review_seconds: float | None = None, daily_listing_limit: int | None = None,
                       token_ttl: float | None = None, clock_offset: float = 0.0) -> Settings:
    limits, creds = seed.limits, seed.credentials
    return Settings(
        clock_offset=float(clock_offset),
        review_seconds=float(limits.get("review_seconds", 0) if review_seconds is None else review_seconds),
        daily_listing_limit=int(limits.get("daily_listing_limit", 1000) if daily_listing_limit is None
                                else daily_listing_limit),
        access_token_ttl=float(token_ttl if token_ttl is not None else creds["access_token_ttl_seconds"]),
        refresh_token_ttl=float(creds["refresh_token_ttl_seconds"]),
    )
