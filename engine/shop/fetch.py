"""Get Product for chosen products: concurrently, under the client's limiter, through the cache.

    fetched = await fetch_products(client, [search_item_product, ...], cache_dir=...)
    fetched.products   product id → LiveProduct with its spec (from Get Product or the cache)
    fetched.gone       product id → why it could not be read (vanished, frozen, deleted meanwhile)

`catalog import` reads the products it writes YAML for with this: products the catalog does not
manage yet are never fetched by the plan reader (engine/shop/read.py). A product whose
(product_id, update_time), title and seller SKUs still match a cached entry costs no call; a
fetched one is cached, so the plan that follows the import reads it from the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ApiError, EngineError
from engine.plan.live import LiveProduct
from engine.shop.cache import ReadCache
from engine.shop.client import ShopClient
from engine.shop.normalize import from_get
from engine.shop.read import GONE_CODES


@dataclass
class Fetched:
    products: dict[str, LiveProduct] = field(default_factory=dict)
    gone: dict[str, str] = field(default_factory=dict)
    calls: int = 0
    cache_hits: int = 0


async def fetch_products(client: ShopClient, listed: Iterable[LiveProduct], *,
                         cache_dir: Path | None = None) -> Fetched:
    """Full details of each listed product (a Search item's LiveProduct: id, update_time,
    title and seller SKUs tell whether the cache is still right)."""
    cache = ReadCache.open(cache_dir, await client.shop_identity()) if cache_dir is not None else ReadCache(None)
    result = Fetched()
    queue: asyncio.Queue[LiveProduct] = asyncio.Queue()
    items = sorted({p.product_id: p for p in listed}.values(), key=lambda p: p.product_id)
    hits = cache.load(p.product_id for p in items if cache.is_fresh(p.product_id, p.update_time, p.title,
                                                                      p.seller_skus))
    for item in items:
        if item.product_id in hits:
            result.products[item.product_id] = hits[item.product_id]
            result.cache_hits += 1
        else:
            queue.put_nowait(item)

    async def work() -> None:
        while not queue.empty():
            item = queue.get_nowait()
            try:
                raw = await client.get_product(item.product_id)
            except ApiError as exc:
                if exc.code not in GONE_CODES:
                    raise
                result.gone[item.product_id] = f"Get Product refused it ({exc.code}): it was deleted, frozen or " \
                                               "moved while importing"
                continue
            finally:
                result.calls += 1
            product = from_get(raw)
            cache.put(product)
            result.products[item.product_id] = product

    workers = max(1, min(client.concurrency, queue.qsize()))
    try:
        if queue.qsize():
            async with asyncio.TaskGroup() as group:
                for _ in range(workers):
                    group.create_task(work())
    except BaseExceptionGroup as failure:  # the first engine error, as a single exception
        errors: list[BaseException] = [e for e in failure.exceptions if isinstance(e, EngineError)]
        raise (errors or list(failure.exceptions))[0] from None
    finally:
        cache.close()  # what was fetched is kept; no listing here: nothing pruned
    return result
