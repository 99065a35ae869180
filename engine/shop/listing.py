"""Listing the whole shop with Search Products at the rate limit: create-time windows, paged concurrently.

    listing = await list_shop(client, accept, create_times=cache.create_times())

One Search cursor pages at the latency's pace — one page in flight, ~11-15 pages/s against a
limit of 50 — so a warm plan of a 10,000-product shop waited ~9 s on 100 sequential pages.
Search 202502 filters on `create_time_ge` / `create_time_le` (API.md §7.1: Unix seconds, a
one-sided range defaults the other bound to shop start / now) and a product's create_time never
changes, so windows of create time partition the shop for good: each window gets its own cursor
and the windows are paged concurrently under the client's per-API limiter.

Choosing the windows. Nothing in Search tells how create times are distributed, and probing
costs calls (the budget is a few calls above ⌈N/100⌉). The read cache keeps the create_time of
every product the last read listed (engine.shop.cache): sorted, they are the distribution. The
cuts give each window a whole number of pages of the products known — k × 100 products with
k = ⌈pages / 8⌉, a cut moved down off a second that several products share — so the windows
cost the pages they hold and nothing more; products created since fall in the last window,
which is open-ended (and the first one has no lower bound: the windows cover every second).
Without a cached distribution (the first read of a shop, `--no-cache`) the listing is one cursor
as before: such a read is bound by Get Product (N calls at the limit, while one Search cursor
lists ~1,000 products a second), and it leaves the distribution for the next read. A first page is
no substitute: Search's order is undocumented (the sandbox pages newest first, so its first page
says nothing about the older 99 %), and bisecting by counts spends calls on probes.

Completeness. The unfiltered first page is read alongside the windows (one call): its
`total_count` is how many products the shop had when the read began. The windows are trusted
only when every item a window returns has a create_time inside the window (the filters work as
documented), each window yields at least the `total_count` its own first page announced (its
cursor missed nothing), and together they yield at least the unfiltered `total_count` distinct
products (nothing fell between two windows). Otherwise — or when a window's cursor misbehaves —
the listing falls back to one cursor: the unfiltered first page's, continued.

Products written during the read. A window's cursor is the platform's cursor: products edited,
deactivated or deleted between its pages are neither skipped nor doubled (the sandbox keys its
cursor on the immutable product id, tests/test_shop_listing.py writes over HTTP while windows
page). A product belongs to one window forever; a product seen twice (on the first page and in
its window, or again in a fallback) is one product — the reader keeps its newest update_time.
Products created during the read land in the open window and are listed or not, as with one
cursor. DELETED products stay in the `ALL` listing, so counts only grow during a read; a platform
that purged products mid-read would fail the checks and the read would fall back: slower, still
correct.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from engine.shop.client import SEARCH_PAGE_SIZE, ShopClient
from engine.shop.models import SearchPage

log = logging.getLogger("engine.shop")

MAX_WINDOWS = 8  # enough to keep Search at its limit at ~20-100 ms a page


@dataclass(frozen=True)
class Window:
    """Products created in [ge, le] (Unix seconds, both inclusive; None: unbounded)."""

    ge: int | None = None
    le: int | None = None

    def filters(self) -> dict[str, Any]:
        return {name: value for name, value in (("create_time_ge", self.ge), ("create_time_le", self.le))
                if value is not None}

    def holds(self, create_time: int | None) -> bool:
        return create_time is not None and (self.ge is None or create_time >= self.ge) and (
            self.le is None or create_time <= self.le)


@dataclass
class Listing:
    """What a listing cost and found."""

    total: int = 0  # total_count of the unfiltered first page
    pages: int = 0  # Search calls
    windows: int = 0
    fell_back: bool = False
    create_times: dict[str, int] = field(default_factory=dict)  # every product listed → its create_time

    @property
    def expected_pages(self) -> int:
        """Search calls this listing should take (for progress), as far as known now."""
        return max(self.pages, math.ceil(self.total / SEARCH_PAGE_SIZE) + (1 if self.windows else 0))


def plan_windows(create_times: Sequence[int], *, max_windows: int = MAX_WINDOWS,
                 page_size: int = SEARCH_PAGE_SIZE) -> tuple[Window, ...]:
    """Windows over every second, each holding a whole number of pages of the products whose
    create times are given (none for a shop of one page)."""
    times = sorted(create_times)
    pages = math.ceil(len(times) / page_size)
    if pages < 2:
        return ()
    size = math.ceil(pages / min(max_windows, pages)) * page_size
    windows: list[Window] = []
    ge, start = None, 0
    while start + size < len(times):
        cut = start + size - 1  # the window's last product
        while cut >= start and times[cut] == times[cut + 1]:  # that second continues: cut before it
            cut -= 1
        if cut < start:  # one second holds more than a window: cut after it
            cut = start + size - 1
            while cut + 1 < len(times) and times[cut + 1] == times[cut]:
                cut += 1
            if cut + 1 >= len(times):
                break
        windows.append(Window(ge, times[cut]))
        ge, start = times[cut] + 1, cut + 1
    windows.append(Window(ge, None))
    return tuple(windows) if len(windows) > 1 else ()


async def list_shop(client: ShopClient, accept: Callable[[dict], None], *, create_times: Sequence[int] = (),
                    on_page: Callable[[Listing], None] | None = None) -> Listing:
    """Every product of the shop (status ALL), each Search item handed to `accept` as its page
    arrives (an item may come twice); windows when `create_times` tells how to cut them."""
    windows = plan_windows(create_times)
    listing = Listing(windows=len(windows))

    def take(page: SearchPage) -> None:
        listing.pages += 1
        for item in page.products:
            pid = str(item.get("id") or "")
            if pid:
                listing.create_times[pid] = _int(item.get("create_time")) or 0
            accept(item)
        if on_page is not None:
            on_page(listing)

    async def first_page() -> SearchPage:
        page = await client.search_products(page_size=SEARCH_PAGE_SIZE)
        listing.total = page.total_count
        take(page)
        return page

    if not windows:
        first = await first_page()
        await _rest(client, first, take)
        return listing
    paging = _Windows(client, windows, take)
    async with asyncio.TaskGroup() as group:
        first_task = group.create_task(first_page())
        for index in range(len(windows)):
            group.create_task(paging.page(index))
    first = first_task.result()
    problem = paging.problem or (len(paging.distinct()) < first.total_count and (
        f"the windows listed {len(paging.distinct())} products, the shop has {first.total_count}"))
    if problem:
        listing.fell_back = True
        log.info("search windows not trusted (%s): listing with one cursor", problem)
        await _rest(client, first, take)
    return listing


async def _rest(client: ShopClient, first: SearchPage, take: Callable[[SearchPage], None]) -> None:
    async with aclosing(client.iter_search(after=first, page_size=SEARCH_PAGE_SIZE)) as pages:
        async for page in pages:
            take(page)


class _Windows:
    """The windows' cursors, and the first reason not to trust them."""

    def __init__(self, client: ShopClient, windows: Sequence[Window], take: Callable[[SearchPage], None]) -> None:
        self.client = client
        self.windows = windows
        self.take = take
        self.seen: list[set[str]] = [set() for _ in windows]
        self.problem = ""

    def distinct(self) -> set[str]:
        return set().union(*self.seen)

    async def page(self, index: int) -> None:
        window, seen = self.windows[index], self.seen[index]
        announced = None
        async with aclosing(self.client.iter_search(page_size=SEARCH_PAGE_SIZE, **window.filters())) as pages:
            async for page in pages:
                if self.problem:
                    return  # another window failed: the fallback lists everything
                announced = page.total_count if announced is None else announced
                for item in page.products:
                    if not window.holds(_int(item.get("create_time"))):
                        self.problem = (f"product {item.get('id')} has create_time {item.get('create_time')!r}, "
                                        f"outside its window {window.filters()}")
                        return
                    seen.add(str(item.get("id") or ""))
                self.take(page)
        if announced is not None and len(seen) < announced:
            self.problem = self.problem or f"window {window.filters()} listed {len(seen)} of {announced} products"


def _int(value: Any) -> int | None:
    return value if type(value) is int else None
