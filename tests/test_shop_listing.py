"""Search at the rate limit (engine/shop/listing.py): create-time windows chosen from the read
cache's distribution, paged concurrently; trusted only when they agree with total_count, else
one cursor. No product missed or doubled while products are written during the read."""

from __future__ import annotations

import asyncio
import math
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rawclient import RawClient, batik, png
from test_shop_client import make_client, product_body
from test_shop_read import desired_for

from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.listing import MAX_WINDOWS, Window, plan_windows

SEARCH = ENDPOINTS["search"].api
GET = ENDPOINTS["get"].api
RATE_LIMITED = 36009002
FAST_QPS = 400  # the shops below allow it (sandbox marker): the cold reads take a second, not ten


# --------------------------------------------------------------------------- choosing windows
def test_no_windows_for_a_shop_of_one_page():
    assert plan_windows([]) == () and plan_windows(list(range(100))) == ()


def test_windows_hold_whole_pages_of_the_known_products():
    windows = plan_windows(list(range(1000, 11000)))  # 10,000 products, one a second: 100 pages
    assert len(windows) == MAX_WINDOWS
    assert windows[0] == Window(None, 1000 + 1299) and windows[1] == Window(2300, 3599)  # 13 pages each
    assert windows[-1] == Window(1000 + 7 * 1300, None)  # open-ended: products created since land here


def test_a_second_shared_across_a_cut_moves_the_cut_down():
    times = [1] * 150 + [2] * 100  # 3 pages: windows of 100 products
    assert plan_windows(times, max_windows=3) == (Window(None, 1), Window(2, None))
    assert plan_windows([5] * 500) == ()  # one second: nothing to cut


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=0, max_size=1500), st.integers(1, 12))
def test_windows_cover_every_second_once(times, max_windows):
    windows = plan_windows(times, max_windows=max_windows)
    if not windows:
        return
    assert windows[0].ge is None and windows[-1].le is None and len(windows) <= max_windows
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.le is not None and after.ge == before.le + 1
    for t in range(-1, 62):
        assert sum(w.holds(t) for w in windows) == 1
    pages = sum(math.ceil(sum(w.holds(t) for t in times) / 100) for w in windows)
    assert pages <= math.ceil(len(times) / 100) + len(windows) - 1


# --------------------------------------------------------------------------- reading with windows
def seed_over_time(sandbox, count: int, per_second: int = 3, start: int = 0) -> list[str]:
    """`count` products created `per_second` a second, in the past (the sandbox's clock moved)."""
    ids = []
    saved = sandbox.clock.offset
    sandbox.clock.offset = -3 * 86400
    try:
        for first in range(0, count, per_second):
            ids += sandbox.store.seed_products([product_body(start + n) for n in range(first, min(count, first +
                                                                                                  per_second))])
            sandbox.clock.advance(1)
    finally:
        sandbox.clock.offset = saved
    return ids


def read(sandbox, desired, cache_dir, client_class=ShopClient):
    """read_snapshot through the test_shop_read helper, at the sandbox's (raised) rate limit."""
    from test_shop_read import read as read_snapshot

    return read_snapshot(sandbox, desired, cache_dir=cache_dir, client_class=client_class, qps=FAST_QPS)


@pytest.mark.sandbox(qps=FAST_QPS)
def test_a_warm_read_pages_windows_at_one_call_above_the_floor(sandbox, tmp_path):
    ids = seed_over_time(sandbox, 450)
    desired = desired_for([product_body(n) for n in range(450)])
    cold, calls, stats = read(sandbox, desired, tmp_path)
    assert calls == {SEARCH: 5, GET: 450} and stats.windows == 0  # no distribution yet: one cursor
    warm, calls, stats = read(sandbox, desired, tmp_path)
    assert calls == {SEARCH: 5 + 1} and stats.windows == 5 and stats.cache_hits == 450  # windows + the check
    assert warm == cold and sorted(p.product_id for p in warm.products) == sorted(ids)


class IgnoresCreateTime(ShopClient):
    """A platform whose Search ignores the create_time filters: every window is the whole shop."""

    async def search_products(self, **filters):
        filters.pop("create_time_ge", None)
        filters.pop("create_time_le", None)
        return await super().search_products(**filters)


class ExclusiveUpperBound(ShopClient):
    """A platform whose create_time_le excludes its second: products on a cut fall between windows."""

    async def search_products(self, **filters):
        if filters.get("create_time_le") is not None:
            filters["create_time_le"] -= 1
        return await super().search_products(**filters)


@pytest.mark.sandbox(qps=FAST_QPS)
def test_windows_that_disagree_with_the_shop_fall_back_to_one_cursor(sandbox, tmp_path, caplog):
    ids = seed_over_time(sandbox, 450)
    desired = desired_for([product_body(n) for n in range(450)])
    cold, _, _ = read(sandbox, desired, tmp_path)
    for client_class, reason in ((IgnoresCreateTime, "outside its window"), (ExclusiveUpperBound, "listed")):
        caplog.clear()
        with caplog.at_level("INFO", logger="engine.shop"):
            snapshot, calls, stats = read(sandbox, desired, tmp_path, client_class)
        assert "search windows not trusted" in caplog.text and reason in caplog.text, caplog.text
        assert snapshot == cold and sorted(p.product_id for p in snapshot.products) == sorted(ids)
        assert GET not in calls and calls[SEARCH] <= 5 + 6 + 4  # the windows' pages, then the cursor's


@pytest.mark.sandbox(qps=FAST_QPS)
def test_windows_miss_and_double_nothing_under_concurrent_http_writes(sandbox_http, tmp_path):
    """Two writers create products and one edits, hides and deletes existing ones over HTTP
    while the windows page concurrently: every product that existed is listed once."""
    before = seed_over_time(sandbox_http, 600, per_second=2)
    desired = desired_for([product_body(n) for n in range(600)])
    read(sandbox_http, desired, tmp_path)  # the distribution, cached
    stop, errors = threading.Event(), []

    def creator(index: int) -> None:
        client = RawClient(sandbox_http.base_url)
        uri = client.upload(png(800, 800)).data["uri"]
        n = 0
        while not stop.is_set():
            response = client.call("POST", "/product/202309/products", body=batik(uri, prefix=f"W{index}-{n}"))
            if response.code == RATE_LIMITED:  # the writers can outrun the per-API limit: back off
                time.sleep(0.05)
                continue
            errors.extend([str(response.json)] if response.code else [])
            n += 1

    def editor() -> None:
        for n, pid in enumerate(before[::7]):
            if stop.is_set():
                return
            if n % 3 == 0:
                sandbox_http.store.outside_edit(pid, title=f"Kemeja Batik Diubah Saat Membaca {n:04d}")
            else:
                sandbox_http.store.set_status(pid, "TIKTOK_SHOP", "DELETED" if n % 3 == 1 else "SELLER_DEACTIVATED")
            time.sleep(0.005)

    threads = [threading.Thread(target=creator, args=(i,)) for i in range(2)] + [threading.Thread(target=editor)]
    for thread in threads:
        thread.start()
    try:
        snapshot, calls, stats = read(sandbox_http, desired, tmp_path)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    seen = [p.product_id for p in snapshot.products]
    assert len(seen) == len(set(seen)) and set(before) <= set(seen)
    assert stats.windows > 1 and calls[SEARCH] >= math.ceil(600 / 100) + 1
    assert sandbox_http.store.counts()["products"] > 600


def test_listing_hands_each_page_over_as_it_arrives(sandbox):
    """The reader sees items while other pages are in flight (items may come twice)."""
    seed_over_time(sandbox, 250)
    from engine.shop.listing import list_shop

    async def main():
        seen: list[str] = []
        pages: list[int] = []
        async with make_client(sandbox) as client:
            listing = await list_shop(client, lambda item: seen.append(item["id"]),
                                      create_times=sorted(range(1000, 1250)),
                                      on_page=lambda listing: pages.append(listing.pages))
        return seen, pages, listing

    seen, pages, listing = asyncio.run(main())
    assert pages == list(range(1, listing.pages + 1)) and len(set(seen)) == 250
    assert listing.total == 250 and len(listing.create_times) == 250
