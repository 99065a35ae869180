"""SQLite storage of the sandbox shop: one file, WAL, safe under concurrent requests.

Every SQL statement of the sandbox lives here (the Python API for tests is store.py).
Requests use `Database.write()` (one `BEGIN IMMEDIATE` transaction: read, check, write — so
uniqueness checks, idempotency and id allocation hold with several threads *and* several
processes on the same file) or `Database.read()`. Records are JSON documents (see model.py)
with the columns search filters on; a `skus` table indexes seller_sku → product;
`promotions` holds the running promotions per SKU; `meta` the shop's settings
(`catalog sandbox config`) and its clock offset.

No secret is stored: tokens are kept as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY, create_time INTEGER NOT NULL, update_time INTEGER NOT NULL,
    status_tiktok_shop TEXT, status_tokopedia TEXT, audit TEXT NOT NULL DEFAULT 'NONE',
    external_product_id TEXT, review_due REAL, doc TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS products_external ON products(external_product_id)
    WHERE external_product_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS products_review ON products(review_due) WHERE review_due IS NOT NULL;
CREATE TABLE IF NOT EXISTS skus (id TEXT PRIMARY KEY, product_id TEXT NOT NULL, seller_sku TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS skus_seller ON skus(seller_sku);
CREATE INDEX IF NOT EXISTS skus_product ON skus(product_id);
CREATE TABLE IF NOT EXISTS images (uri TEXT PRIMARY KEY, url TEXT NOT NULL, width INTEGER, height INTEGER,
    use_case TEXT, created REAL);
CREATE INDEX IF NOT EXISTS images_url ON images(url);
CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, kind TEXT NOT NULL, issued_at REAL NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, product_id TEXT NOT NULL, response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS listings (day TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS calls (endpoint TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS promotions (product_id TEXT NOT NULL, sku_id TEXT NOT NULL, name TEXT NOT NULL,
    start_time REAL NOT NULL, end_time REAL, PRIMARY KEY (product_id, sku_id));
"""
SETTINGS = ("review_seconds", "daily_listing_limit", "clock_offset")  # meta keys (JSON values)
STATUS_COLUMNS = {"TIKTOK_SHOP": "status_tiktok_shop", "TOKOPEDIA": "status_tokopedia"}
DATA_TABLES = ("products", "skus", "images", "tokens", "idempotency", "listings", "calls", "promotions")


@dataclass
class SearchFilter:
    """Search Products filters (API.md §7.1). With several platforms, the status must hold on each."""

    status: str = "ALL"
    platforms: list[str] = field(default_factory=list)
    seller_skus: list[str] = field(default_factory=list)
    sku_ids: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)
    create_ge: int | None = None
    create_le: int | None = None
    update_ge: int | None = None
    update_le: int | None = None

    def where(self) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if self.status != "ALL":
            columns = [STATUS_COLUMNS[p] for p in self.platforms] or list(STATUS_COLUMNS.values())
            joiner = " AND " if self.platforms else " OR "
            where.append("(" + joiner.join(f"{c} = ?" for c in columns) + ")")
            params.extend([self.status] * len(columns))
        for column, values in (("seller_sku", self.seller_skus), ("id", self.sku_ids)):
            if values:
                marks = ",".join("?" * len(values))
                where.append(f"id IN (SELECT product_id FROM skus WHERE {column} IN ({marks}))")
                params.extend(values)
        if self.audit:
            where.append(f"audit IN ({','.join('?' * len(self.audit))})")
            params.extend(self.audit)
        for column, op, value in (("create_time", ">=", self.create_ge), ("create_time", "<=", self.create_le),
                                  ("update_time", ">=", self.update_ge), ("update_time", "<=", self.update_le)):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        return where, params


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Tx:
    """One transaction's view of the database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ---------------------------------------------------------------- products
    def get(self, product_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT doc FROM products WHERE id = ?", (product_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, product_ids: list[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(product_ids))
        rows = self.conn.execute(f"SELECT doc FROM products WHERE id IN ({marks})", product_ids).fetchall()
        return [json.loads(r[0]) for r in rows]

    def put(self, record: dict[str, Any]) -> None:
        self.put_many([record])

    def put_many(self, records: list[dict[str, Any]]) -> None:
        rows, sku_rows = [], []
        for r in records:
            review = r.get("review")
            rows.append((r["id"], r["create_time"], r["update_time"], r["platforms"].get("TIKTOK_SHOP"),
                         r["platforms"].get("TOKOPEDIA"), r["audit"], r.get("external_product_id"),
                         review["due"] if review else None, json.dumps(r, separators=(",", ":"))))
            seen = set()
            for version in (r["content"], r.get("pending")):
                for sku in (version or {}).get("skus", []):
                    if sku["id"] not in seen:
                        seen.add(sku["id"])
                        sku_rows.append((sku["id"], r["id"], sku["seller_sku"]))
        ids = [(r["id"],) for r in records]
        self.conn.executemany("DELETE FROM skus WHERE product_id = ?", ids)
        self.conn.executemany(
            "INSERT OR REPLACE INTO products (id, create_time, update_time, status_tiktok_shop, status_tokopedia,"
            " audit, external_product_id, review_due, doc) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.conn.executemany("INSERT OR REPLACE INTO skus (id, product_id, seller_sku) VALUES (?,?,?)", sku_rows)

    def external_owner(self, external_id: str) -> str | None:
        row = self.conn.execute("SELECT id FROM products WHERE external_product_id = ?", (external_id,)).fetchone()
        return row[0] if row else None

    def due_ids(self, now: float) -> list[str]:
        rows = self.conn.execute("SELECT id FROM products WHERE review_due IS NOT NULL AND review_due <= ?",
                                 (now,)).fetchall()
        return [r[0] for r in rows]

    def next_ids(self, count: int, now: float) -> list[str]:
        """19-digit ids, time-based and strictly increasing across processes (Snowflake-like)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'last_id'").fetchone()
        last = int(row[0]) if row else 0
        first = max(last + 1, int(now * 1000) * 1_000_000)
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_id', ?)", (str(first + count - 1),))
        return [str(first + i) for i in range(count)]

    def search(self, query: SearchFilter, *, before: str | None, limit: int) -> tuple[list[dict[str, Any]], int]:
        """One page (newest id first, keyset on the immutable id) and the total count."""
        where, params = query.where()
        clause = " AND ".join(where) or "1"
        total = self.conn.execute(f"SELECT COUNT(*) FROM products WHERE {clause}", params).fetchone()[0]
        page_clause, page_params = clause, list(params)
        if before is not None:
            page_clause += " AND id < ?"
            page_params.append(before)
        rows = self.conn.execute(f"SELECT doc FROM products WHERE {page_clause} ORDER BY id DESC LIMIT ?",
                                 [*page_params, limit]).fetchall()
        return [json.loads(r[0]) for r in rows], total

    # ---------------------------------------------------------------- images
    def image(self, uri: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT uri, url, width, height FROM images WHERE uri = ?", (uri,)).fetchone()
        return {"uri": row[0], "url": row[1], "width": row[2], "height": row[3]} if row else None

    def has_url(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM images WHERE url = ?", (url,)).fetchone() is not None

    def add_image(self, uri: str, url: str, width: int, height: int, use_case: str, now: float) -> None:
        self.conn.execute("INSERT OR IGNORE INTO images (uri, url, width, height, use_case, created)"
                          " VALUES (?,?,?,?,?,?)", (uri, url, width, height, use_case, now))

    # ---------------------------------------------------------------- idempotency & limits
    def idempotent(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT response FROM idempotency WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def remember(self, key: str, product_id: str, response: dict[str, Any]) -> None:
        self.conn.execute("INSERT INTO idempotency (key, product_id, response) VALUES (?,?,?)",
                          (key, product_id, json.dumps(response)))

    def listings(self, day: str) -> int:
        row = self.conn.execute("SELECT count FROM listings WHERE day = ?", (day,)).fetchone()
        return row[0] if row else 0

    def add_listing(self, day: str) -> None:
        self.conn.execute("INSERT INTO listings (day, count) VALUES (?, 1)"
                          " ON CONFLICT(day) DO UPDATE SET count = count + 1", (day,))

    # ---------------------------------------------------------------- settings & promotions
    def settings(self) -> dict[str, Any]:
        marks = ",".join("?" * len(SETTINGS))
        rows = self.conn.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", SETTINGS).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def set_setting(self, key: str, value: Any) -> None:
        if key not in SETTINGS:
            raise KeyError(key)
        if value is None:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def promoted(self, product_id: str, now: float) -> dict[str, str]:
        """{sku_id: promotion name} of the promotions running on the product at `now`."""
        rows = self.conn.execute("SELECT sku_id, name FROM promotions WHERE product_id = ? AND start_time <= ?"
                                 " AND (end_time IS NULL OR end_time > ?)", (product_id, now, now)).fetchall()
        return dict(rows)

    def start_promotion(self, product_id: str, sku_ids: list[str], name: str, start: float,
                        end: float | None) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO promotions (product_id, sku_id, name, start_time, end_time)"
                              " VALUES (?,?,?,?,?)", [(product_id, s, name, start, end) for s in sku_ids])

    def end_promotion(self, product_id: str, now: float) -> int:
        """End every promotion running on the product; how many SKUs it released."""
        return self.conn.execute("UPDATE promotions SET end_time = ? WHERE product_id = ? AND start_time <= ?"
                                 " AND (end_time IS NULL OR end_time > ?)",
                                 (now, product_id, now, now)).rowcount

    def sku_owners(self, seller_sku: str) -> list[tuple[str, str]]:
        """(product_id, sku_id) of every SKU with this seller_sku."""
        return self.conn.execute("SELECT product_id, id FROM skus WHERE seller_sku = ? ORDER BY product_id",
                                 (seller_sku,)).fetchall()

    # ---------------------------------------------------------------- tokens & calls
    def token(self, kind: str, secret: str) -> tuple[float, float] | None:
        row = self.conn.execute("SELECT issued_at, expires_at FROM tokens WHERE digest = ? AND kind = ?",
                                (digest(secret), kind)).fetchone()
        return (row[0], row[1]) if row else None

    def add_token(self, kind: str, secret: str, issued_at: float, expires_at: float) -> None:
        self.conn.execute("INSERT OR REPLACE INTO tokens (digest, kind, issued_at, expires_at) VALUES (?,?,?,?)",
                          (digest(secret), kind, issued_at, expires_at))

    def count_call(self, endpoint: str) -> None:
        self.conn.execute("INSERT INTO calls (endpoint, count) VALUES (?, 1)"
                          " ON CONFLICT(endpoint) DO UPDATE SET count = count + 1", (endpoint,))


class DatabaseUnavailable(OSError):
    """The database file cannot be created or opened (bad path, permissions, not a SQLite file)."""


class Database:
    """Connections (one per thread) and transactions on one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise DatabaseUnavailable(f"cannot open the sandbox database {self.path}: {exc}") from None

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=60000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Tx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield Tx(conn)
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
