"""The shop client over real HTTP (uvicorn on 127.0.0.1) with faults on: the read still gives
the exact snapshot, writes that may have happened are reported, tokens are refreshed, and
nothing secret reaches a log line — httpx's own request logs included."""

from __future__ import annotations

import asyncio
import logging

import pytest
from test_shop_client import BOTH, SECRETS, assert_no_secret, make_client, product_body

from engine.errors import AmbiguousWriteError
from engine.shop.client import ENDPOINTS
from engine.shop.limiter import RetryPolicy
from engine.shop.read import ReadStats, read_snapshot

SEARCH, GET = ENDPOINTS["search"].api, ENDPOINTS["get"].api
PATIENT = RetryPolicy(max_attempts=10, base_delay=0.01, max_delay=0.2, max_retry_after=1.5)


async def _read(sandbox, desired, cache_dir=None):
    stats = ReadStats()
    async with make_client(sandbox, retry=PATIENT) as client:
        snapshot = await read_snapshot(client, desired, cache_dir=cache_dir, stats=stats)
        return snapshot, client.calls, client.wire.retries


FAULTS = "5xx=0.05,429burst=0.03:2,drop=0.05,spike=0.05:100"


@pytest.mark.sandbox(faults=FAULTS, seed=5)
def test_read_over_http_with_faults_is_complete_and_exact(sandbox_http, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bodies = [product_body(n) for n in range(150)]
    ids = sandbox_http.store.seed_products(bodies)
    desired = {f"p{n}": tuple(s["seller_sku"] for s in b["skus"]) for n, b in enumerate(bodies)}

    snapshot, calls, retries = asyncio.run(_read(sandbox_http, desired, tmp_path))
    assert sum(retries.values()) > 0  # faults happened and were retried
    assert [p.product_id for p in snapshot.products] == sorted(ids)
    assert all(p.spec is not None and len(p.spec.skus) == 2 for p in snapshot.products)
    assert calls[GET] == 150 + retries[GET] and calls[SEARCH] == 2 + retries[SEARCH]
    seen = sandbox_http.store.calls()
    assert seen[GET] == calls[GET]  # every attempt the client made reached the server once
    assert_no_secret(caplog.text)
    assert "sign=" not in caplog.text and "HTTP Request" in caplog.text  # httpx logged, query stripped

    warm, calls, retries = asyncio.run(_read(sandbox_http, desired, tmp_path))
    assert warm == snapshot and calls.get(GET, 0) == 0 and calls[SEARCH] == 2 + retries[SEARCH]


@pytest.mark.sandbox(faults="drop=1.0")
def test_dropped_write_over_http_is_ambiguous_and_sent_once(sandbox_http):
    [pid] = sandbox_http.store.seed_products([product_body(1)])

    async def main():
        async with make_client(sandbox_http) as client:
            await client.recover([pid])

    with pytest.raises(AmbiguousWriteError) as info:
        asyncio.run(main())
    assert info.value.path == "/product/202309/products/recover"
    assert sandbox_http.store.calls()["POST /product/202309/products/recover"] == 1


@pytest.mark.sandbox(faults="token_ttl=30,5xx=0.1", seed=2)
def test_token_refresh_and_writes_over_http(sandbox_http, caplog):
    caplog.set_level(logging.DEBUG)
    ids = sandbox_http.store.seed_products([product_body(n) for n in range(3)])

    async def main():
        async with make_client(sandbox_http, retry=PATIENT) as client:
            sandbox_http.clock.advance(31)
            result = await client.deactivate(ids, BOTH)  # idempotent: retried through 5xx
            page = await client.search_products(status="SELLER_DEACTIVATED", listing_platforms=["TOKOPEDIA"])
            return result, page, client.wire.token_refreshes

    result, page, refreshes = asyncio.run(main())
    assert result.ok and refreshes == 1
    assert sorted(p["id"] for p in page.products) == sorted(ids)
    assert_no_secret(caplog.text)
    assert all(secret not in caplog.text for secret in SECRETS)


# --------------------------------------------------------------------------- CPU per request
def test_requests_do_not_search_for_modules(sandbox_http, monkeypatch):
    """httpcore asks `import sniffio` on every lock, event and shield it sets up (about 11 times a
    request); without sniffio installed each is a failed import that walks sys.path (~20 % of the
    client's CPU per request). sniffio is a dependency: a request finds it in sys.modules."""
    import importlib.machinery

    [pid] = sandbox_http.store.seed_products([product_body(1)])

    async def main():
        async with make_client(sandbox_http) as client:
            await client.get_product(pid)  # connections, imports of the first request
            searched: list[str] = []
            real = importlib.machinery.PathFinder.find_spec
            monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec",
                                classmethod(lambda cls, name, *args: searched.append(name) or real(name, *args)))
            await asyncio.gather(*(client.get_product(pid) for _ in range(20)))
            return searched

    assert asyncio.run(main()) == []


def test_bodies_are_compact_utf8_json_and_unencodable_ones_are_refused():
    from engine.errors import ApiError
    from engine.shop.wire import encode_body

    assert encode_body({"title": "Kemeja Batik — Solo", "skus": [{"n": 1, "on": True}], "none": None}) == (
        '{"title":"Kemeja Batik — Solo","skus":[{"n":1,"on":true}],"none":null}'.encode())
    with pytest.raises(ApiError, match="cannot be encoded as JSON"):
        encode_body({"quantity": 2 ** 70})
