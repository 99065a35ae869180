"""The read cache: one SQLite file per shop, `<catalog>/.catalog-cache/<target>/read-cache.sqlite`.

    cache = ReadCache.open(directory, identity)        # a no-op cache when directory is None
    if cache.is_fresh(product_id, update_time, title, seller_skus): ...
    products = cache.load([product_id, ...])           # decodes only these
    cache.put(product)                                  # a fetched product (written in batches)
    cache.close(listed={product_id: create_time}, metadata=...)

Tables:
    meta       format version, the shop's identity, when the listing and the metadata were read
    products   product id → update_time, title, seller SKUs (the key an entry must still match, as
               Search Products reports them) and the normalised Get Product result (engine.codec's
               plain form, orjson bytes), decoded only for products the plan needs. The parts that
               repeat across a shop's products (statuses, category, brand, attribute sets, sales
               attributes, package, platforms, ...) are held as JSON text inside it: a read decodes
               each distinct text once, and every product holding it gets the same object — a
               warm read of 10,000 products rebuilds a few hundred values, not a million
    listing    every product the last read listed, with its create_time: how many products were
               created when, which is how the next read splits Search into windows
               (engine.shop.listing)
    metadata   the shop's reference data (categories, brands, attributes, rules, warehouses),
               reused while younger than METADATA_MAX_AGE and covering the catalog's categories
    holds      product id → why the last apply's price change was held (a promotion lock) and
               when: written by apply, released by a later apply that re-prices it; the next plan
               shows the price change as pending with that reason (not a cache of the shop, a
               note of ours: what the shop does not tell a read)

The shop's identity (target host, app key, market, shop cipher) is stored as a SHA-256 hash —
never a secret in clear. A cache of another format or another shop (a CI cache restored under a
prefix key, a changed TTS_SHOP_CIPHER) is ignored with a note on stderr and replaced, never an
error. SQLite transactions make every write atomic and crash-safe (an interrupted run leaves the
last committed state); fetched products are committed in batches, so a cold read stopped half way
keeps what it fetched. A file that cannot be opened or written (read-only disk, corrupt file)
degrades to no cache with a warning. No pickle: a cache restored from CI is data, never code.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from engine.catalog.spec import ProductSpec, SkuSpec
from engine.codec import from_plain, to_plain
from engine.plan.live import LiveProduct, ShopMetadata

log = logging.getLogger("engine.shop")

# Bump when what is stored changes meaning (engine/shop/normalize.py output, the tables):
# a cache of another format is ignored and replaced. 3: the metadata holds each attribute's rules
# (required, several values, custom values) and whether a category is a leaf — metadata of
# format 2 read back with defaults would make engine.plan.metadata refuse valid values.
CACHE_FORMAT = 3
FILENAME = "read-cache.sqlite"
METADATA_MAX_AGE = 24 * 3600.0  # seconds; `--no-cache` always reads it again
BATCH = 500  # fetched products per commit
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS products (id TEXT PRIMARY KEY, update_time INTEGER NOT NULL, title TEXT NOT NULL,"
    " skus TEXT NOT NULL, body BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS listing (id TEXT PRIMARY KEY, create_time INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS metadata (id INTEGER PRIMARY KEY CHECK (id = 1), read_at REAL NOT NULL,"
    " categories TEXT NOT NULL, body BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, reason TEXT NOT NULL, at REAL NOT NULL)",
)


def _same(value: Any) -> Any:
    return value


class ReadCache:
    """Normalised products by (product_id, update_time), the last listing's create times and the
    shop metadata of one shop. Without a connection (`directory` None, or unusable) every
    lookup misses and every write is dropped."""

    def __init__(self, conn: sqlite3.Connection | None, path: Path | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._conn = conn
        self.path = path
        self._clock = clock
        self._index: dict[str, tuple[int, str, str]] | None = None
        self._pending: list[tuple[str, int, str, str, bytes]] = []
        self._memo: dict[tuple[Any, str], Any] = {}  # (type, JSON text) → the value, for this read
        self._strings: dict[str, str] = {}  # warehouse id → one string object, for this read
        self.writes = 0

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, directory: Path | None, identity: str, *, clock: Callable[[], float] = time.time) -> ReadCache:
        if directory is None:
            return cls(None)
        directory = Path(directory)
        path = directory / FILENAME
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _forget_per_file_cache(directory)
            conn = _connect(path, identity)
        except (OSError, sqlite3.Error) as exc:
            log.warning("read cache disabled: cannot use %s (%s)", path, _why(exc))
            return cls(None)
        return cls(conn, path, clock=clock)

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    # ------------------------------------------------------------------ products
    def is_fresh(self, product_id: str, update_time: int, title: str, seller_skus: Iterable[str]) -> bool:
        """An entry exists for this product as Search reports it now (update_time, title, SKUs)."""
        entry = self._entries().get(product_id)
        return entry is not None and entry[0] == update_time and entry[1] == title and entry[2] == _skus(seller_skus)

    def load(self, product_ids: Iterable[str], share: Callable[[Any], Any] = _same) -> dict[str, LiveProduct]:
        """The cached products among these ids (entries that no longer decode are left out).
        `share(value)` gives the object to use for each repeated value decoded (the reader's
        one-object-per-value table); each is decoded once per cache, whatever the products."""
        wanted = [pid for pid in product_ids if pid in self._entries()]
        out: dict[str, LiveProduct] = {}
        for start in range(0, len(wanted), 900):  # within SQLite's bound on parameters
            chunk = wanted[start:start + 900]
            rows = self._query(f"SELECT id, update_time, body FROM products WHERE id IN ({','.join('?' * len(chunk))})",
                               chunk)
            for pid, update_time, body in rows:
                product = self._decode(pid, update_time, body, share)
                if product is not None:
                    out[pid] = product
        return out

    def put(self, product: LiveProduct) -> None:
        if self._conn is None or product.spec is None:
            return
        try:
            body = orjson.dumps(_fold(to_plain(product)))
        except TypeError:  # a value JSON cannot hold (an integer beyond 64 bits in `extra`): not cached
            log.info("read cache: product %s is not cached (a value JSON cannot hold)", product.product_id)
            return
        self._pending.append((product.product_id, product.update_time, product.title, _skus(product.seller_skus),
                              body))  # (not in the lookup index: this read has the product already)
        if len(self._pending) >= BATCH:
            self._flush()

    # ------------------------------------------------------------------ holds
    def holds(self) -> dict[str, tuple[str, float]]:
        """product id → (why its price was held, when) as the last applies recorded it."""
        return {pid: (reason, float(at)) for pid, reason, at in self._query("SELECT id, reason, at FROM holds")}

    def record_holds(self, held: Mapping[str, str], released: Iterable[str]) -> None:
        """Note the products whose price change the shop held now, forget those re-priced."""
        now = self._clock()
        rows = [(pid, reason, now) for pid, reason in held.items()]
        gone = [(pid,) for pid in released if pid not in held]
        if rows or gone:
            self._write(lambda: (self._conn.executemany(  # type: ignore[union-attr]
                "INSERT OR REPLACE INTO holds (id, reason, at) VALUES (?, ?, ?)", rows),
                self._conn.executemany("DELETE FROM holds WHERE id = ?", gone)))  # type: ignore[union-attr]

    # ------------------------------------------------------------------ listing, metadata
    def create_times(self) -> list[int]:
        """The create_time of every product the last read listed, oldest first."""
        return [row[0] for row in self._query("SELECT create_time FROM listing ORDER BY create_time")]

    def metadata(self, categories: Iterable[str]) -> ShopMetadata | None:
        """The stored metadata when it is recent and was read for (at least) these categories."""
        rows = self._query("SELECT read_at, categories, body FROM metadata WHERE id = 1")
        if not rows:
            return None
        read_at, stored, body = rows[0]
        age = self._clock() - float(read_at)
        if not 0 <= age <= METADATA_MAX_AGE or not set(categories) <= set(orjson.loads(stored)):
            return None
        try:
            return from_plain(ShopMetadata, orjson.loads(body))
        except (ValueError, TypeError, KeyError):
            return None

    def close(self, *, listed: Mapping[str, int] | None = None, metadata: ShopMetadata | None = None,
              categories: Iterable[str] = ()) -> None:
        """Write what is pending; with `listed` (product id → create_time of a complete listing),
        replace the listing and drop the entries of products no longer in the shop."""
        if self._conn is None:
            return
        self._flush()
        if listed is not None:
            self._write(self._replace_listing, listed)
        if metadata is not None:
            self._write(self._store_metadata, metadata, sorted(set(categories)))
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ------------------------------------------------------------------ internals
    def _decode(self, product_id: str, update_time: int, body: bytes,
                share: Callable[[Any], Any]) -> LiveProduct | None:
        try:
            plain = orjson.loads(body)
            self._unfold(plain, share)
            product = from_plain(LiveProduct, plain)
        except (ValueError, TypeError, KeyError, AttributeError):  # orjson.JSONDecodeError is a ValueError
            log.info("read cache: ignoring an entry that does not decode (product %s)", product_id)
            return None
        if product.product_id != product_id or product.update_time != update_time or product.spec is None:
            return None
        return product

    def _unfold(self, plain: dict, share: Callable[[Any], Any]) -> None:
        """The repeated parts of an entry, decoded (once per distinct text) in place; text the
        entry holds twice (the title, the key, each seller SKU) and warehouse ids become one
        string object each (a JSON parser makes a new one per occurrence: ~1 KB a product)."""
        self._values(plain, _FOLDED[LiveProduct], share)
        spec = plain.get("spec")
        if spec is None:
            return
        self._values(spec, _FOLDED[ProductSpec], share)
        if spec.get("title") == plain.get("title"):
            spec["title"] = plain["title"]
        applied = plain.get("last_applied")
        if isinstance(applied, list) and applied and spec.get("key") == applied[0]:
            spec["key"] = applied[0]
        own = {pair[0]: pair[0] for pair in plain.get("sku_ids") or () if isinstance(pair, list) and pair}
        strings = self._strings
        for sku in spec["skus"]:
            self._values(sku, _FOLDED[SkuSpec], share)
            sku["seller_sku"] = own.get(sku["seller_sku"], sku["seller_sku"])
            for stock in sku.get("inventory") or ():
                if isinstance(stock, list) and stock and type(stock[0]) is str:
                    stock[0] = strings.setdefault(stock[0], stock[0])

    def _values(self, plain: dict, fields: dict[str, Any], share: Callable[[Any], Any]) -> None:
        memo = self._memo
        for name, tp in fields.items():
            text = plain[name]
            key = (tp, text)
            value = memo.get(key, _MISSING)
            if value is _MISSING:
                if type(text) is not str:
                    raise TypeError(f"{name}: expected JSON text")
                value = memo[key] = share(from_plain(tp, orjson.loads(text)))
            plain[name] = value

    def _entries(self) -> dict[str, tuple[int, str, str]]:
        if self._index is None:
            self._index = {pid: (update_time, title, skus) for pid, update_time, title, skus
                           in self._query("SELECT id, update_time, title, skus FROM products")}
        return self._index

    def _query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        if self._conn is None:
            return []
        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            self._disable(exc)
            return []

    def _flush(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            self._write(lambda: self._conn.executemany(  # type: ignore[union-attr]
                "INSERT OR REPLACE INTO products (id, update_time, title, skus, body) VALUES (?, ?, ?, ?, ?)", rows))
            self.writes += len(rows)

    def _replace_listing(self, listed: Mapping[str, int]) -> None:
        conn = self._conn
        assert conn is not None
        conn.execute("DELETE FROM listing")
        conn.executemany("INSERT INTO listing (id, create_time) VALUES (?, ?)", listed.items())
        gone = [(pid,) for pid in self._entries() if pid not in listed]
        conn.executemany("DELETE FROM products WHERE id = ?", gone)
        conn.executemany("DELETE FROM holds WHERE id = ?", gone)
        for (pid,) in gone:
            self._entries().pop(pid, None)

    def _store_metadata(self, metadata: ShopMetadata, categories: list[str]) -> None:
        assert self._conn is not None
        self._conn.execute("INSERT OR REPLACE INTO metadata (id, read_at, categories, body) VALUES (1, ?, ?, ?)",
                           (self._clock(), orjson.dumps(categories).decode(), orjson.dumps(to_plain(metadata))))

    def _write(self, action: Callable, *args: object) -> None:
        """One transaction; a failure (read-only disk, full disk) turns the cache off."""
        if self._conn is None:
            return
        try:
            with _transaction(self._conn):
                action(*args)
        except sqlite3.Error as exc:
            self._disable(exc)

    def _disable(self, exc: BaseException) -> None:
        log.warning("read cache disabled: cannot use %s (%s)", self.path, _why(exc))
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._pending = []


def _connect(path: Path, identity: str) -> sqlite3.Connection:
    """An open cache of this shop and format: anything else at `path` is noted and replaced."""
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    try:
        found = dict(conn.execute("SELECT key, value FROM meta").fetchall()) if _has_meta(conn) else {}
    except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
        conn.close()
        log.warning("read cache: %s is unreadable (%s); starting a new one", path, _why(exc))
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)
        found = {}
    if found and found.get("format") != str(CACHE_FORMAT):
        log.warning("read cache: %s has format %s, this engine writes %s; starting a new one", path,
                    found.get("format"), CACHE_FORMAT)
        _drop(conn)
    elif found and found.get("identity") != identity:
        log.warning("read cache: %s belongs to another shop (or other credentials); starting a new one", path)
        _drop(conn)
    with _transaction(conn):
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (("format", str(CACHE_FORMAT)), ("identity", identity)))
    return conn


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN … COMMIT (ROLLBACK on any failure): the connection is in autocommit mode otherwise."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _has_meta(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is not None


def _drop(conn: sqlite3.Connection) -> None:
    with _transaction(conn):
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')


def _forget_per_file_cache(directory: Path) -> None:
    """The per-product JSON files of earlier versions (`<target>/products/*.json`) are replaced."""
    legacy = directory / "products"
    if legacy.is_dir():
        shutil.rmtree(legacy, ignore_errors=True)
        log.info("read cache: removed the per-file cache %s (replaced by %s)", legacy, FILENAME)


def _fold(plain: dict) -> dict:
    """A product's plain form with its repeated parts as JSON text (see `products` above)."""
    for holder, fields in ((plain, _FOLDED[LiveProduct]), (plain.get("spec"), _FOLDED[ProductSpec])):
        if holder is not None:
            for name in fields:
                holder[name] = orjson.dumps(holder[name]).decode()
    for sku in (plain.get("spec") or {}).get("skus", ()):
        for name in _FOLDED[SkuSpec]:
            sku[name] = orjson.dumps(sku[name]).decode()
    return plain


def _folded(cls: type, *names: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {name: hints[name] for name in names}


_MISSING = object()
_FOLDED = {
    LiveProduct: _folded(LiveProduct, "status", "platform_statuses", "audit_status", "audit_failures"),
    ProductSpec: _folded(ProductSpec, "category_id", "brand", "product_attributes", "package_weight",
                         "package_dimensions", "listing_platforms", "status", "shipping_insurance_requirement",
                         "is_pre_owned", "minimum_order_quantity", "is_cod_allowed", "delivery_option_ids",
                         "declared", "source"),
    SkuSpec: _folded(SkuSpec, "sales_attributes"),
}


def _skus(seller_skus: Iterable[str]) -> str:
    return "\n".join(sorted(s for s in seller_skus if s))


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
