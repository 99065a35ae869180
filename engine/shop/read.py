"""Read the live shop into a `LiveSnapshot` at the API's floor.

    snapshot = await read_snapshot(client, {"batik-parang": ("BATIK-M", "BATIK-L")},
                                   cache_dir=catalog / ".catalog-cache" / "sandbox", metadata_for={"600010"})

1. List the shop with Search Products 202502 (100 per page, status ALL): in create-time windows
   paged concurrently when the read cache knows how create times are distributed, else one
   cursor (engine.shop.listing). Each page is processed as it arrives: a product holding a
   desired seller_sku is matched; unless frozen or deleted (Get fails for those) it is looked up
   in the read cache by (product_id, update_time, title, seller SKUs) — the entries of a page's
   hits are decoded while the next pages are in flight — and, on a miss, queued for Get Product.
   A pool of workers drains the queue concurrently under the client's per-API limiter, so Get
   calls run at the rate limit while Search pages are still arriving.
2. Products matching no desired SKU are `unmanaged`. Their details are still wanted for one thing:
   the engine annotation (`external_product_id`) naming the catalog key they were applied as — a
   product whose SKUs were all renamed is found by it (one product edited, not a second listing),
   and one removed from the YAML is told as "no longer in the catalog (was `key`)". Search items
   do not carry the annotation, so after the listing they are read like the others: from the read
   cache at their current version, else with Get Product (and cached). Every live product version
   costs one Get at most, whether the catalog manages it or not; the plan does not depend on
   what the cache happened to hold. A seller_sku
   held by several live products is a `conflict`. A desired key whose SKUs sit in several live
   products `claims` all of them. Deleted products are reported like the others (the planner
   decides that a deleted product only counts when nothing alive matches).
3. Cache hits take SKU price and stock from the Search page (fresher: stock moves with
   orders without touching `update_time`).
4. Shop metadata (`metadata_for`: categories, rules and attributes of these categories, brands,
   warehouses) comes from the read cache while it is younger than a day and covers these
   categories, else from the shop (a dozen calls), read alongside the listing.

A warm read with nothing changed costs ⌈N/100⌉ + 1 Search calls (the windows' pages and the
unfiltered first page that checks them; ⌈N/100⌉ with one cursor) and no other call. Progress
goes to `progress` (engine.shop.progress) as pages and Get answers arrive.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.errors import ApiError, EngineError
from engine.plan.live import LiveProduct, LiveSnapshot, ShopMetadata, SkuConflict
from engine.shop.cache import ReadCache
from engine.shop.client import ShopClient
from engine.shop.listing import Listing, list_shop
from engine.shop.metadata import METADATA_APIS, read_metadata
from engine.shop.normalize import from_get, from_search, search_sku_state
from engine.shop.progress import NullReadProgress, ReadCounts, ReadProgress
from engine.shop.shared import Shared, overlay, share

log = logging.getLogger("engine.shop")

# Get Product answers these when the product vanished / froze between Search and Get:
# represent it from the Search data instead of failing the whole read.
GONE_CODES = frozenset({12052032, 12052048, 12019113})


@dataclass
class ReadStats:
    pages: int = 0
    listed: int = 0
    matched: int = 0
    fetched: int = 0
    cache_hits: int = 0
    from_search: int = 0
    metadata_calls: int = 0
    windows: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.listed} live product(s) on {self.pages} page(s), {self.matched} managed: "
                f"{self.fetched} fetched, {self.cache_hits} from cache, {self.from_search} from search only")


def _is_frozen_or_deleted(platform_statuses: tuple[tuple[str, str], ...]) -> bool:
    statuses = [s for _, s in platform_statuses]
    return "FREEZE" in statuses or bool(statuses) and all(s == "DELETED" for s in statuses)


class _Reader:
    def __init__(self, client: ShopClient, desired: Mapping[str, Iterable[str]], cache: ReadCache,
                 stats: ReadStats, progress: ReadProgress) -> None:
        self.client = client
        self.cache = cache
        self.stats = stats
        self.progress = progress
        self.wanted = {sku for skus in desired.values() for sku in skus if sku}
        # product_id → the product as Search last showed it (no spec), or its details once read
        self.items: dict[str, LiveProduct] = {}
        self.fetched: dict[str, LiveProduct] = {}  # product_id → from Get Product
        self.cached: dict[str, LiveProduct] = {}  # product_id → from the read cache, Search's price and stock on it
        self.fresh: dict[str, dict] = {}  # cache hits of this page, not decoded yet → Search's SKU state
        self.queued: dict[str, int] = {}  # product_id → update_time queued for Get
        # products holding no desired SKU (not frozen or deleted) → their Search SKU state when the
        # read cache holds them at this version, else None: read after the listing (`identify`)
        self.unmatched: dict[str, dict | None] = {}
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.listing = Listing()
        self.shared = Shared()

    async def enumerate(self, workers: int) -> None:
        try:
            self.listing = await list_shop(self.client, self._accept, create_times=self.cache.create_times(),
                                           on_page=self._page_done)
        finally:
            for _ in range(workers):
                self.queue.put_nowait(None)

    def _accept(self, item: dict) -> None:
        """A Search item, kept as what the snapshot needs of it (the raw item is ~4x bigger): the
        product as Search shows it, or for a cache hit its details with Search's price and stock."""
        base = from_search(item)
        pid, update_time = base.product_id, base.update_time
        if not pid:
            return
        previous = self.items.get(pid)
        if previous is not None and previous.update_time > update_time:
            return  # seen already in a newer state (the product moved between pages)
        skus = set(base.seller_skus)
        if _is_frozen_or_deleted(base.platform_statuses):
            self.items[pid] = base
            return
        if not skus & self.wanted:
            self.items[pid] = base
            fresh = self.cache.is_fresh(pid, update_time, base.title, skus)
            self.unmatched[pid] = search_sku_state(item) if fresh else None
            return
        self.unmatched.pop(pid, None)
        if pid in self.fetched and self.fetched[pid].update_time == update_time:
            return  # listed again, read already
        cached = self.cached.get(pid)
        if cached is not None and cached.update_time == update_time:  # listed again: Search is fresher
            self.cached[pid] = self.items[pid] = overlay(cached, search_sku_state(item))
            return
        self.items[pid] = base
        if self.cache.is_fresh(pid, update_time, base.title, skus):
            self.fresh[pid] = search_sku_state(item)
        else:
            self._queue(pid, update_time)

    def _queue(self, pid: str, update_time: int) -> None:
        if self.queued.get(pid) != update_time:
            self.queued[pid] = update_time
            self.queue.put_nowait(pid)

    def _page_done(self, listing: Listing) -> None:
        """Decode this page's cache hits (while the next pages are in flight); an entry that
        no longer decodes is fetched instead."""
        self.listing = listing  # the listing in progress, which Get answers report too
        if self.fresh:
            states, self.fresh = self.fresh, {}
            found = self.cache.load(states, share=self.shared)
            for pid, state in states.items():
                if pid in found:  # Search's price and stock laid over the cached details
                    self.cached[pid] = self.items[pid] = overlay(found[pid], state)
                else:
                    self._queue(pid, self.items[pid].update_time)
        if listing.pages % SETTLE_PAGES == 0:
            _settle()
        self._report()

    def _report(self) -> None:
        listing = self.listing
        self.progress.update(ReadCounts(total=listing.total, listed=len(self.items), pages=listing.pages,
                                        expected_pages=listing.expected_pages, queued=len(self.queued),
                                        fetched=self.stats.fetched))

    async def work(self) -> None:
        while (pid := await self.queue.get()) is not None:
            try:
                raw = await self.client.get_product(pid)
            except ApiError as exc:
                if exc.code not in GONE_CODES:
                    raise
                self.stats.notes.append(f"product {pid}: Get Product failed ({exc.code}); shown from search data")
                self.fetched.pop(pid, None)
                self.cached.pop(pid, None)  # self.items[pid] is the Search view it was queued with
                continue
            finally:
                self.stats.fetched += 1
                self._report()
            product = from_get(raw)
            self.cache.put(product)
            self.fetched[pid] = self.items[pid] = share(product, self.shared)  # repeated values: one object each
            if len(self.fetched) % (SETTLE_PAGES * 100) == 0:
                _settle()

    async def identify(self, workers: int) -> None:
        """Details of the products holding no desired SKU (their annotation): from the read
        cache, else Get Product."""
        if not self.unmatched:
            return
        hits = {pid: state for pid, state in self.unmatched.items() if state is not None}
        found = self.cache.load(hits, share=self.shared)
        for pid, product in found.items():
            self.cached[pid] = self.items[pid] = overlay(product, hits[pid])
        for pid in self.unmatched:
            if pid not in found:
                self._queue(pid, self.items[pid].update_time)
        for _ in range(workers):
            self.queue.put_nowait(None)
        await _run_all([self.work() for _ in range(workers)])

    def detail(self, pid: str) -> tuple[LiveProduct | None, bool]:
        """The full product (from Get, else the cache) and whether it came from the cache."""
        if pid in self.fetched:
            return self.fetched[pid], False
        return self.cached.get(pid), pid in self.cached


async def read_snapshot(client: ShopClient, desired: Mapping[str, Iterable[str]], *,
                        cache_dir: Path | None = None, metadata_for: Iterable[str] | None = None,
                        shop_name: str = "", market: str = "ID", stats: ReadStats | None = None,
                        progress: ReadProgress | None = None) -> LiveSnapshot:
    """The live shop, normalised; `desired` maps each catalog key to its seller_skus."""
    with _kept_out_of_collections():
        return await _read(client, desired, cache_dir, metadata_for, shop_name, market, stats, progress)


@contextmanager
def _kept_out_of_collections() -> Iterator[None]:
    """What a read keeps is moved out of the cyclic collector's sight as it grows (gc.freeze after
    each page and each batch of fetched products, `_settle`), and handed back at the end. A read
    of 10,000 products allocates millions of long-lived, acyclic objects: the collector rescanned
    them all in each of its ~7 full passes (~0.5 s of a warm plan's CPU). The garbage cycles each
    request leaves (httpx, asyncio) are still collected young as the read goes — switching the
    collector off instead kept ~100 of them per request until the end, +120 MB for a cold read of
    10,000 products."""
    try:
        yield
    finally:
        gc.unfreeze()  # back in the oldest generation: the next full pass sees them once


SETTLE_PAGES = 10  # freeze what the read keeps every 10 Search pages and every 1,000 fetched products


def _settle() -> None:
    """Freeze what the read keeps so far, after collecting the garbage since the last freeze. The
    collection only walks the objects made since the last freeze (the frozen ones are out of its
    sight). Responses still in flight get frozen with the rest (an httpx response is a ~125 KB
    cycle for a Search page) and stay until the end of the read: freezing every 10 pages, not
    every page, keeps that to a few per 1,000 products."""
    gc.collect()
    gc.freeze()


async def _read(client: ShopClient, desired: Mapping[str, Iterable[str]], cache_dir: Path | None,
                metadata_for: Iterable[str] | None, shop_name: str, market: str, stats: ReadStats | None,
                progress: ReadProgress | None) -> LiveSnapshot:
    stats = stats if stats is not None else ReadStats()
    progress = progress or NullReadProgress()
    wanted = {key: tuple(skus) for key, skus in desired.items()}
    cache = ReadCache.open(cache_dir, await client.shop_identity()) if cache_dir is not None else ReadCache(None)
    reader = _Reader(client, wanted, cache, stats, progress)
    workers = max(1, client.concurrency)
    calls_before = client.calls
    categories = set(metadata_for) if metadata_for is not None else None
    metadata: list[ShopMetadata | None] = [cache.metadata(categories) if categories is not None else None]
    jobs = [reader.enumerate(workers), *(reader.work() for _ in range(workers))]
    if categories is not None and metadata[0] is None:
        jobs.append(_append(read_metadata(client, categories), metadata))
    try:
        await _run_all(jobs)
        await reader.identify(workers)
    except BaseException:
        cache.close()  # keeps what was fetched; the listing is incomplete: nothing pruned
        raise
    finally:
        progress.finish()
    calls = client.calls - calls_before
    stats.metadata_calls = sum(n for api, n in calls.items() if api in METADATA_APIS)
    stats.pages, stats.windows = reader.listing.pages, reader.listing.windows
    snapshot = _with_holds(_assemble(reader, wanted, shop_name, market, metadata[-1]), cache.holds())
    stats.listed = len(reader.items)
    stats.cache_hits = sum(1 for pid in reader.cached if pid not in reader.fetched)
    log.info("read: %s (%d calls)", stats.summary(), sum(calls.values()))
    cache.close(listed=reader.listing.create_times, metadata=metadata[-1] if stats.metadata_calls else None,
                categories=categories or ())
    return snapshot


async def _append(job: Any, into: list) -> None:
    into.append(await job)


async def _run_all(jobs: list) -> None:
    """Run coroutines concurrently; on the first failure cancel the rest and raise it."""
    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(job)
    except BaseExceptionGroup as group_error:
        errors: list[BaseException] = [e for e in group_error.exceptions if isinstance(e, EngineError)]
        raise (errors or list(group_error.exceptions))[0] from None


def _assemble(reader: _Reader, desired: dict[str, tuple[str, ...]], shop_name: str, market: str,
              metadata: ShopMetadata | None) -> LiveSnapshot:
    holder: dict[str, str] = {}  # seller_sku → the (first) product holding it: one string, not a set, per SKU
    others: dict[str, set[str]] = {}  # seller_sku → the other products holding it (a conflict)
    for pid, base in reader.items.items():
        detail, _ = reader.detail(pid)
        for sku, _sku_id in (detail or base).sku_ids:
            if sku and holder.setdefault(sku, pid) != pid:
                others.setdefault(sku, set()).add(pid)
    conflicts = tuple(sorted(SkuConflict(sku, tuple(sorted({holder[sku], *pids}))) for sku, pids in others.items()))
    claims: dict[str, tuple[str, ...]] = {}
    for key in sorted(desired):
        held = sorted({pid for sku in desired[key] if sku in holder for pid in (holder[sku], *others.get(sku, ()))})
        if held:
            claims[key] = tuple(held)
    claimed_by: dict[str, list[str]] = {}
    for key, ids in claims.items():
        for pid in ids:
            claimed_by.setdefault(pid, []).append(key)
    products = []
    for pid in sorted(reader.items):
        detail, _ = reader.detail(pid) if pid in claimed_by else (None, False)
        if detail is not None:
            product = _with_key(detail, claimed_by[pid])
        else:
            if pid in claimed_by:  # frozen, deleted, or vanished between Search and Get
                reader.stats.from_search += 1
            product = reader.items[pid]
        products.append(product)
    reader.stats.matched = len(claimed_by)
    unmanaged = tuple(pid for pid in sorted(reader.items) if pid not in claimed_by)
    return LiveSnapshot(shop_name=shop_name, market=market, products=tuple(products),
                        claims=tuple(claims.items()), unmanaged=unmanaged, conflicts=conflicts,
                        metadata=metadata)


def _with_holds(snapshot: LiveSnapshot, holds: Mapping[str, tuple[str, float]]) -> LiveSnapshot:
    """Each product whose price change the last apply saw held carries why and when (price_hold)."""
    if not any(snapshot.product(pid) is not None for pid in holds):
        return snapshot
    products = tuple(dataclasses.replace(p, price_hold=f"{holds[p.product_id][0]} (apply of "
                                                      f"{_utc(holds[p.product_id][1])})")
                     if p.product_id in holds else p for p in snapshot.products)
    return dataclasses.replace(snapshot, products=products)


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _with_key(product: LiveProduct, keys: list[str]) -> LiveProduct:
    """The spec carries the catalog key claiming it (the last-applied one when several do)."""
    if product.spec is None:
        return product
    key = product.last_applied[0] if product.last_applied and product.last_applied[0] in keys else keys[0]
    if product.spec.key == key:
        return product
    return dataclasses.replace(product, spec=dataclasses.replace(product.spec, key=key))
