"""From a catalog's shop config to a client and a snapshot (used by the CLI, plan and apply).

    client = client_for(catalog.shop, app=sandbox_app)       # target sandbox: ASGI app in-process
    client = client_for(catalog.shop)                         # target api: the network (hosts
                                                              # checked by engine.shop.hosts first)
    snapshot = read_catalog(catalog, app=sandbox_app, use_cache=True)

The shop layer never imports the sandbox: for `target: sandbox` the caller (engine/cli/)
builds the ASGI app and passes it in. Credentials come from engine.shop.settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import ConfigError
from engine.plan.live import LiveSnapshot
from engine.shop.client import ShopClient
from engine.shop.hosts import resolve_hosts
from engine.shop.progress import ReadProgress
from engine.shop.read import ReadStats, read_snapshot
from engine.shop.settings import ShopCredentials

if TYPE_CHECKING:
    from engine.catalog.shop import ShopConfig

CACHE_DIRNAME = ".catalog-cache"
T = TypeVar("T")


def client_for(shop: ShopConfig, *, app: Any = None, credentials: ShopCredentials | None = None,
               **options: Any) -> ShopClient:
    """A ShopClient for the shop a catalog targets. For `target: api` the hosts are the official
    ones or those the environment names (engine.shop.hosts): a host only shop.yaml names is a
    ConfigError here, before any client exists."""
    if shop.target == "sandbox":
        if app is None:
            raise ConfigError("target sandbox needs the sandbox application (none was given)")
        creds = credentials or ShopCredentials.for_target(shop.target)
        return ShopClient(creds, app=app, qps=options.pop("qps", shop.rate_limit_qps), market=shop.market,
                          **options)
    hosts = resolve_hosts(shop.base_url, shop.auth_url)
    creds = credentials or ShopCredentials.for_target(shop.target)
    return ShopClient(creds, base_url=hosts.api, auth_url=hosts.auth, qps=options.pop("qps", shop.rate_limit_qps),
                      market=shop.market, **options)


def cache_dir(root: Path, shop: ShopConfig) -> Path:
    """`<catalog>/.catalog-cache/<target>/` (git-ignored): the read cache of the shop
    (engine.shop.cache). CI keeps `<catalog>/.catalog-cache/` between runs (README)."""
    return Path(root) / CACHE_DIRNAME / shop.target


async def read_catalog_async(catalog: Any, *, app: Any = None, use_cache: bool = True,
                             stats: ReadStats | None = None, with_metadata: bool = True,
                             client: ShopClient | None = None, progress: ReadProgress | None = None) -> LiveSnapshot:
    """The live snapshot for a loaded catalog (engine.catalog.load.Catalog)."""
    desired = {spec.key: spec.seller_skus for spec in catalog.products}
    categories: Iterable[str] | None = None
    if with_metadata:
        categories = {spec.category_id for spec in catalog.products if spec.category_id}
    directory = cache_dir(catalog.root, catalog.shop) if use_cache else None
    owned = client is None
    client = client or client_for(catalog.shop, app=app)
    try:
        return await read_snapshot(client, desired, cache_dir=directory, metadata_for=categories,
                                   shop_name=catalog.shop.name, market=catalog.shop.market, stats=stats,
                                   progress=progress)
    finally:
        if owned:
            await client.aclose()


def read_catalog(catalog: Any, **options: Any) -> LiveSnapshot:
    """Synchronous wrapper of read_catalog_async (for the CLI)."""
    return run_sync(read_catalog_async(catalog, **options))


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(coroutine) without handing its result to asyncio as the main task's result.

    On Python 3.11 asyncio.run's SIGINT bookkeeping ends with `signal.getsignal`, which builds
    an error message holding the repr of the main task, result included: for a snapshot or a
    report of 10,000 products that full repr costs seconds of CPU, for nothing.
    """
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]
