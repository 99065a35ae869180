"""Read the live shop into a `LiveSnapshot` at the API's floor.

    snapshot = await read_snapshot(client, {"batik-parang": ("BATIK-M", "BATIK-L")},
                                   cache_dir=catalog / ".catalog-cache", metadata_for={"600010"})

1. Enumerate the shop with Search Products 202502 (100 per page, status ALL), following the
   cursor. Each page is processed as it arrives: a product holding a desired seller_sku is
   matched; unless frozen or deleted (Get fails for those) it is looked up in the on-disk
   cache by (product_id, update_time) and, on a miss, queued for Get Product. A pool of
   workers drains the queue concurrently under the client's per-API limiter, so Get calls
   run at the rate limit while the next Search page is being fetched.
2. Products matching no desired SKU are `unmanaged` and never fetched. A seller_sku held by
   several live products is a `conflict`. A desired key whose SKUs sit in several live
   products `claims` all of them. Deleted products are reported like the others (the planner
   decides that a deleted product only counts when nothing alive matches).
3. Cache hits take SKU price and stock from the Search page (fresher: stock moves with
   orders without touching `update_time`).

A warm read with nothing changed costs exactly ⌈N/100⌉ Search calls and no Get call;
metadata (`metadata_for`) adds a handful of reference-data calls, made once per read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from engine.catalog.spec import PLATFORMS, ProductAttribute, Ref, SkuSpec
from engine.errors import ApiError, EngineError
from engine.plan.live import CategoryInfo, LiveProduct, LiveSnapshot, ShopMetadata, SkuConflict
from engine.shop.cache import ProductCache
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.normalize import from_get, from_search, platform_statuses, search_sku_state

log = logging.getLogger("engine.shop")

T = TypeVar("T")

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
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.listed} live product(s) on {self.pages} page(s), {self.matched} managed: "
                f"{self.fetched} fetched, {self.cache_hits} from cache, {self.from_search} from search only")


def _is_frozen_or_deleted(item: Mapping[str, Any]) -> bool:
    statuses = [s for _, s in platform_statuses(item)]
    return "FREEZE" in statuses or bool(statuses) and all(s == "DELETED" for s in statuses)


class _Reader:
    def __init__(self, client: ShopClient, desired: Mapping[str, Iterable[str]], cache: ProductCache,
                 stats: ReadStats) -> None:
        self.client = client
        self.cache = cache
        self.stats = stats
        self.wanted = {sku for skus in desired.values() for sku in skus if sku}
        self.items: dict[str, dict] = {}  # product_id → latest Search item
        self.details: dict[str, LiveProduct] = {}  # product_id → from Get or cache
        self.cached: set[str] = set()
        self.queued: dict[str, int] = {}  # product_id → update_time queued for Get
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()

    async def enumerate(self, workers: int) -> None:
        try:
            async for page in self.client.iter_search(page_size=100):
                self.stats.pages += 1
                for item in page.products:
                    self._accept(item)
        finally:
            for _ in range(workers):
                self.queue.put_nowait(None)

    def _accept(self, item: dict) -> None:
        pid = str(item.get("id") or "")
        if not pid:
            return
        previous = self.items.get(pid)
        if previous is not None and int(previous.get("update_time") or 0) > int(item.get("update_time") or 0):
            return  # seen already in a newer state (the product moved between pages)
        self.items[pid] = item
        skus = {str(s.get("seller_sku") or "") for s in item.get("skus") or () if isinstance(s, Mapping)}
        if not skus & self.wanted or _is_frozen_or_deleted(item):
            return
        update_time = int(item.get("update_time") or 0)
        hit = self.cache.get(pid, update_time, title=str(item.get("title") or ""),
                             seller_skus=tuple(sorted(s for s in skus if s)))
        if hit is not None:
            self.details[pid] = hit
            self.cached.add(pid)
        elif self.queued.get(pid) != update_time:
            self.queued[pid] = update_time
            self.queue.put_nowait(pid)

    async def work(self) -> None:
        while (pid := await self.queue.get()) is not None:
            try:
                raw = await self.client.get_product(pid)
            except ApiError as exc:
                if exc.code not in GONE_CODES:
                    raise
                self.stats.notes.append(f"product {pid}: Get Product failed ({exc.code}); shown from search data")
                self.details.pop(pid, None)
                continue
            product = from_get(raw)
            self.cache.put(product)
            self.details[pid] = product
            self.cached.discard(pid)
            self.stats.fetched += 1


async def read_snapshot(client: ShopClient, desired: Mapping[str, Iterable[str]], *,
                        cache_dir: Path | None = None, metadata_for: Iterable[str] | None = None,
                        shop_name: str = "", market: str = "ID", stats: ReadStats | None = None) -> LiveSnapshot:
    """The live shop, normalised; `desired` maps each catalog key to its seller_skus."""
    stats = stats if stats is not None else ReadStats()
    desired = {key: tuple(skus) for key, skus in desired.items()}
    reader = _Reader(client, desired, ProductCache(cache_dir), stats)
    workers = max(1, client.concurrency)
    calls_before = client.calls
    metadata: list[ShopMetadata] = []
    jobs = [reader.enumerate(workers), *(reader.work() for _ in range(workers))]
    if metadata_for is not None:
        jobs.append(_collect(read_metadata(client, set(metadata_for)), metadata))
    await _run_all(jobs)
    calls = client.calls - calls_before
    stats.metadata_calls = sum(n for api, n in calls.items() if api in METADATA_APIS)
    snapshot = _assemble(reader, desired, shop_name, market, metadata[0] if metadata else None)
    stats.listed = len(reader.items)
    stats.cache_hits = len(reader.cached)
    log.info("read: %s (%d calls)", stats.summary(), sum(calls.values()))
    if reader.cache.enabled:
        reader.cache.prune(set(reader.items))
    return snapshot


async def _run_all(jobs: list) -> None:
    """Run coroutines concurrently; on the first failure cancel the rest and raise it."""
    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(job)
    except BaseExceptionGroup as group_error:
        engine_errors = [e for e in group_error.exceptions if isinstance(e, EngineError)]
        raise (engine_errors or list(group_error.exceptions))[0] from None


def _assemble(reader: _Reader, desired: dict[str, tuple[str, ...]], shop_name: str, market: str,
              metadata: ShopMetadata | None) -> LiveSnapshot:
    base = {pid: from_search(item) for pid, item in reader.items.items()}
    holders: dict[str, set[str]] = {}
    for pid, product in base.items():
        for sku in reader.details[pid].seller_skus if pid in reader.details else product.seller_skus:
            if sku:
                holders.setdefault(sku, set()).add(pid)
    conflicts = tuple(sorted(SkuConflict(sku, tuple(sorted(ids))) for sku, ids in holders.items() if len(ids) > 1))
    claims = {}
    for key in sorted(desired):
        ids = sorted({pid for sku in desired[key] for pid in holders.get(sku, ())})
        if ids:
            claims[key] = tuple(ids)
    claimed_by: dict[str, list[str]] = {}
    for key, ids in claims.items():
        for pid in ids:
            claimed_by.setdefault(pid, []).append(key)
    products = []
    shared = _Shared()
    for pid in sorted(base):
        product = base[pid]
        if pid in reader.details and pid in claimed_by:
            product = _with_key(reader.details[pid], claimed_by[pid])
            state = search_sku_state(reader.items[pid]) if pid in reader.cached else None
            product = _overlay_and_share(product, state, shared)
        elif pid in claimed_by:  # frozen, deleted, or vanished between Search and Get
            reader.stats.from_search += 1
        products.append(product)
    reader.stats.matched = len(claimed_by)
    unmanaged = tuple(pid for pid in sorted(base) if pid not in claimed_by)
    return LiveSnapshot(shop_name=shop_name, market=market, products=tuple(products),
                        claims=tuple(claims.items()), unmanaged=unmanaged, conflicts=conflicts,
                        metadata=metadata)


def _with_key(product: LiveProduct, keys: list[str]) -> LiveProduct:
    """The spec carries the catalog key claiming it (the last-applied one when several do)."""
    if product.spec is None:
        return product
    key = product.last_applied[0] if product.last_applied and product.last_applied[0] in keys else keys[0]
    if product.spec.key == key:
        return product
    return dataclasses.replace(product, spec=dataclasses.replace(product.spec, key=key))


class _Shared:
    """One object per equal value across a read. Live products repeat a handful of statuses,
    brands, attribute sets, sales attributes and package values: sharing them makes the
    snapshot smaller and the planner's walk over 10,000 products cheaper (fewer objects to
    touch, each string's hash computed once)."""

    def __init__(self) -> None:
        self.values: dict = {}

    def __call__(self, value: T) -> T:
        return self.values.setdefault(value, value)


def _overlay_and_share(product: LiveProduct, state: dict | None, shared: _Shared) -> LiveProduct:
    """The product with its repeated values shared; `state` (a cache hit): the price and stock
    Search reports now, laid over the cached detail (fresher: stock moves with orders without
    touching `update_time`)."""
    spec = product.spec
    if spec is None:
        return product
    skus = []
    for sku in spec.skus:
        price, inventory = state.get(sku.seller_sku, (None, None)) if state else (None, None)
        skus.append(SkuSpec(seller_sku=sku.seller_sku, price=price or sku.price,
                            inventory=inventory if inventory is not None else sku.inventory,
                            sales_attributes=shared(sku.sales_attributes), pre_sale_days=sku.pre_sale_days,
                            identifier_code=sku.identifier_code))
    spec = dataclasses.replace(spec, skus=tuple(skus), **{name: shared(getattr(spec, name)) for name in _SHARED_FIELDS})
    return dataclasses.replace(product, spec=spec, status=shared(product.status), audit_status=shared(
        product.audit_status), platform_statuses=shared(product.platform_statuses))


_SHARED_FIELDS = ("category_id", "brand", "product_attributes", "package_weight", "package_dimensions",
                  "listing_platforms", "status", "shipping_insurance_requirement", "delivery_option_ids")


# --------------------------------------------------------------------------- metadata
METADATA_APIS = frozenset(ENDPOINTS[name].api for name in ("categories", "rules", "attributes", "brands",
                                                           "warehouses"))


async def _collect(job: Any, into: list) -> None:
    into.append(await job)


async def read_metadata(client: ShopClient, category_ids: set[str]) -> ShopMetadata:
    """Categories (per platform, with permissions) and, for the given leaf categories,
    rules and attributes; plus selectable brands and warehouses."""
    trees = await asyncio.gather(*(client.categories(platform, include_prohibited=True) for platform in PLATFORMS))
    brands, warehouses = await asyncio.gather(client.brands(), client.warehouses())
    by_platform = {platform: {c.id: c for c in tree} for platform, tree in zip(PLATFORMS, trees)}
    wanted = sorted(cid for cid in category_ids if any(cid in tree for tree in by_platform.values()))
    leaves = [cid for cid in wanted if any(tree[cid].is_leaf for tree in by_platform.values() if cid in tree)]
    rules = await asyncio.gather(*(client.category_rules(cid) for cid in leaves))
    attrs = await asyncio.gather(*(client.attributes(cid) for cid in leaves))
    rules_by, attrs_by = dict(zip(leaves, rules)), dict(zip(leaves, attrs))
    categories = []
    for cid in wanted:
        found = [(p, tree[cid]) for p, tree in by_platform.items() if cid in tree]
        rule = rules_by.get(cid)
        categories.append(CategoryInfo(
            id=cid, name=found[0][1].name,
            permissions=tuple((p, c.permission_statuses) for p, c in found),
            allows_pre_order=bool(rule and rule.allows_pre_order),
            cod_supported=rule.cod_supported if rule else True))
    attributes = tuple(
        (cid, tuple(ProductAttribute(id=a.id, name=a.name, values=tuple(Ref(id=v.id, name=v.name) for v in a.values))
                    for a in attrs_by[cid]))
        for cid in leaves)
    return ShopMetadata(
        categories=tuple(categories),
        brands=tuple(Ref(id=b.id, name=b.name) for b in brands if b.is_selectable),
        attributes=attributes,
        warehouses=tuple(Ref(id=w.id, name=w.name) for w in warehouses))
