"""ShopClient against the in-process sandbox: signing, every endpoint, per-item / per-platform
results, retries, Retry-After, token refresh, ambiguous writes, secrets.

Every request these tests send is validated against the official spec by the `sandbox`
fixture (tests/conftest.py), which fails the test at teardown on any violation.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import zlib

import pytest

from engine.errors import AmbiguousWriteError, ApiError, AuthError, ConfigError, RateLimitedError, TransientApiError
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.limiter import RetryPolicy
from engine.shop.settings import ShopCredentials

WAREHOUSE = "7400000000000000001"
BOTH = ["TIKTOK_SHOP", "TOKOPEDIA"]
FAST = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05)
SECRETS = ("sandbox-app-secret", "sandbox-access-token", "sandbox-refresh-token", "ROW_SANDBOX_ID")


def run(coro):
    return asyncio.run(coro)


def png(width: int = 800, height: int = 800) -> bytes:
    """A real (tiny, greyscale) PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def product_body(n: int, *, sizes=("M", "L"), prefix: str = "BATIK", image: str = "tos-img-1",
                 platforms=BOTH, title: str | None = None) -> dict:
    return {
        "title": title or f"Kemeja Batik Parang Lengan Panjang Nomor {n:05d}",
        "description": "<p>Batik tulis asli dari Solo</p>", "category_id": "600010",
        "main_images": [{"uri": image}],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "listing_platforms": list(platforms),
        "skus": [{"seller_sku": f"{prefix}-{n}-{size}", "price": {"amount": "150000", "currency": "IDR"},
                  "inventory": [{"warehouse_id": WAREHOUSE, "quantity": 10}],
                  "sales_attributes": [{"name": "Ukuran", "value_name": size}]} for size in sizes],
    }


def make_client(sandbox, credentials: ShopCredentials | None = None, **options) -> ShopClient:
    """A ShopClient on a sandbox fixture: in-process (ASGI) or over HTTP (sandbox_http)."""
    options.setdefault("retry", FAST)
    over_http = sandbox.base_url.startswith("http://127.0.0.1")
    return ShopClient(credentials or ShopCredentials.sandbox(), base_url=sandbox.base_url,
                      auth_url=sandbox.base_url, transport=None if over_http else sandbox.transport,
                      **options)  # timestamps from the wall clock, as the sandbox checks them


async def upload(client: ShopClient) -> str:
    return (await client.upload_image(png(), filename="p.png", mime_type="image/png")).uri


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret leaked: {secret!r} in {text[:200]!r}"


# --------------------------------------------------------------------------- the tour
def test_every_endpoint_is_signed_accepted_and_parsed(sandbox):
    async def tour(client: ShopClient):
        shops = await client.authorized_shops()
        assert [(s.region, s.seller_type) for s in shops] == [("ID", "LOCAL")]
        assert "ROW_SANDBOX_ID" not in repr(shops)  # the cipher is never shown
        warehouses = await client.warehouses()
        assert WAREHOUSE in [w.id for w in warehouses]
        tokopedia = {c.id: c for c in await client.categories("TOKOPEDIA", include_prohibited=True)}
        assert tokopedia["600030"].permission_statuses == ("INVITE_ONLY",)
        attributes = {a.name: a for a in await client.attributes("600010")}
        assert attributes["Bahan"].is_required and attributes["Bahan"].type == "PRODUCT_PROPERTY"
        rules = await client.category_rules("600030")
        assert rules.cod_supported is False
        brands = {b.name: b for b in await client.brands()}
        assert brands["Batik Keris"].is_selectable and brands["Batik Keris"].authorized
        image = await client.upload_image(png(), filename="batik.png", mime_type="image/png")
        assert image.uri and (image.width, image.height) == (800, 800)

        body = product_body(1, image=image.uri)
        check = await client.listing_check(body)
        assert check.passed and check.fail_reasons == ()
        created = await client.create_product(body, idempotency_key="tour-1")
        assert created.ok and set(created.per_platform) == set(BOTH)
        assert [s for s, _ in created.skus] == ["BATIK-1-L", "BATIK-1-M"]
        again = await client.create_product(body, idempotency_key="tour-1")
        assert again.product_id == created.product_id  # the platform de-duplicated the retry
        pid = created.product_id

        raw = await client.get_product(pid)
        assert raw["id"] == pid and raw["title"] == body["title"]
        page = await client.search_products(seller_skus=["BATIK-1-M"])
        assert [p["id"] for p in page.products] == [pid] and page.total_count == 1

        partial = await client.partial_edit_product(pid, {"title": "Kemeja Batik Parang Lengan Panjang Edisi Baru"})
        assert partial.ok and partial.audit_status in ("AUDITING", "APPROVED")
        sku_ids = dict(created.skus)
        full = {k: v for k, v in product_body(1, image=image.uri).items() if k != "listing_platforms"}
        for sku in full["skus"]:
            sku["id"] = sku_ids[sku["seller_sku"]]
        edited = await client.edit_product(pid, full, platforms=BOTH)
        assert edited.ok and set(edited.per_platform) == set(BOTH)
        await client.get_product(pid)  # review (0 s) resolves on the next request
        priced = await client.update_price(pid, [{"id": sku_ids["BATIK-1-M"],
                                                  "price": {"amount": "135000", "currency": "IDR"}}])
        assert priced.ok
        stocked = await client.update_inventory(pid, [{"id": i, "inventory": [{"warehouse_id": WAREHOUSE,
                                                                               "quantity": 7}]}
                                                      for i in sku_ids.values()])
        assert stocked.ok and stocked.errors == ()
        live = await client.get_product(pid)
        assert {s["seller_sku"]: s["price"]["sale_price"] for s in live["skus"]}["BATIK-1-M"] == "135000"

        for step, platforms in (("deactivate", BOTH), ("activate", BOTH), ("delete", ()), ("recover", ())):
            method = getattr(client, step)
            result = await (method([pid], platforms) if platforms else method([pid]))
            assert result.ok and result.succeeded == (pid,), (step, result)
            await client.search_products(seller_skus=["BATIK-1-M"])  # let a review resolve

    async def main():
        async with make_client(sandbox) as client:
            await tour(client)
            return client.calls

    calls = run(main())
    assert {e.api for e in ENDPOINTS.values()} <= set(calls)  # every endpoint method exercised
    assert calls["POST /product/202309/products"] == 2
    # the sandbox counted exactly the exchanges the client counted
    seen = sandbox.store.calls()
    assert {api: n for api, n in calls.items() if api in seen} == {api: seen[api] for api in calls if api in seen}


# --------------------------------------------------------------------------- results
def test_per_platform_failure_is_a_result_not_success(sandbox):
    # 600021 (Ponsel Bekas) is PROHIBITED on Shop | Tokopedia and available on Tokopedia
    body = product_body(2)
    body.update(category_id="600021", product_attributes=[{"id": "100210", "values": [{"id": "1002102"}]}],
                package_dimensions={
        "length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"})
    for sku in body["skus"]:
        sku["sales_attributes"] = []
    body["skus"] = body["skus"][:1]

    async def main():
        async with make_client(sandbox) as client:
            body["main_images"] = [{"uri": (await upload(client))}]
            return await client.create_product(body, idempotency_key="split-1")

    result = run(main())
    assert not result.ok and result.product_id
    assert result.per_platform["TOKOPEDIA"].ok
    failed = result.per_platform["TIKTOK_SHOP"]
    assert not failed.ok and failed.code == 12052220 and result.failed_platforms == ("TIKTOK_SHOP",)


def test_rejected_write_carries_code_and_every_platform_fails(sandbox):
    body = product_body(3, title="short")  # ID titles need 25-255 characters

    async def main():
        async with make_client(sandbox) as client:
            body["main_images"] = [{"uri": (await upload(client))}]
            return await client.create_product(body, idempotency_key="short-1")

    result = run(main())
    assert not result.ok and result.code != 0 and result.product_id == ""
    assert set(result.failed_platforms) == set(BOTH)


def test_batch_item_errors_are_per_product_and_platform(sandbox):
    [pid] = sandbox.store.seed_products([product_body(4)])

    async def main():
        async with make_client(sandbox) as client:
            activated = await client.activate([pid, "1234567890123"], BOTH)  # live already; unknown
            return activated

    result = run(main())
    assert not result.ok and set(result.failed) == {pid, "1234567890123"}
    assert result.outcome(pid, "TOKOPEDIA").code == 12052990  # "check failed" wrapping the real reason
    assert result.failed[pid][0].extra and result.failed[pid][0].extra[0][0] == 12052003
    assert result.outcome("1234567890123").code == 12052032


def test_batch_limit_is_enforced_before_sending(sandbox):
    async def main():
        async with make_client(sandbox) as client:
            with pytest.raises(ValueError, match="1..20"):
                await client.deactivate([str(n) for n in range(21)], BOTH)
            return client.calls

    assert sum(run(main()).values()) == 0


def test_read_errors_raise_with_code_and_request_id(sandbox):
    async def main():
        async with make_client(sandbox) as client:
            await client.get_product("1234567890123")

    with pytest.raises(ApiError) as info:
        run(main())
    assert info.value.code == 12052032 and info.value.request_id
    assert "12052032" in str(info.value) and info.value.request_id in str(info.value)


# --------------------------------------------------------------------------- credentials
def test_shop_cipher_is_discovered_when_not_configured(sandbox):
    creds = ShopCredentials.sandbox().model_copy(update={"shop_cipher": None})

    async def main():
        async with make_client(sandbox, creds) as client:
            await asyncio.gather(client.warehouses(), client.search_products())
            return client.calls

    calls = run(main())
    assert calls["GET /authorization/202309/shops"] == 1  # discovered once, shared by both calls


def test_wrong_app_secret_is_an_auth_error_without_the_secret(sandbox):
    creds = ShopCredentials.sandbox().model_copy(update={"app_secret": __import__("pydantic").SecretStr("nope-x")})

    async def main():
        async with make_client(sandbox, creds) as client:
            await client.warehouses()

    with pytest.raises(AuthError) as info:
        run(main())
    assert info.value.code == 106001 and "TTS_APP_SECRET" in str(info.value)
    assert "nope-x" not in str(info.value)


@pytest.mark.sandbox(faults="token_ttl=30")
def test_expired_token_is_refreshed_once_and_kept(sandbox, caplog):
    caplog.set_level(logging.DEBUG)

    async def main():
        async with make_client(sandbox) as client:
            await client.warehouses()
            sandbox.clock.advance(31)  # the access token expires (105002)
            await asyncio.gather(*(client.warehouses() for _ in range(5)))
            await client.warehouses()
            return client.calls, client.wire.token_refreshes

    calls, refreshes = run(main())
    assert refreshes == 1 and calls["GET /api/v2/token/refresh"] == 1
    assert_no_secret(caplog.text)


@pytest.mark.sandbox(faults="token_ttl=30")
def test_failed_refresh_is_a_clear_auth_error(sandbox):
    creds = ShopCredentials.sandbox().model_copy(
        update={"refresh_token": __import__("pydantic").SecretStr("stale-refresh-token")})

    async def main():
        async with make_client(sandbox, creds) as client:
            sandbox.clock.advance(31)
            await client.warehouses()

    with pytest.raises(AuthError) as info:
        run(main())
    assert "re-authorize" in str(info.value) and "stale-refresh-token" not in str(info.value)


# --------------------------------------------------------------------------- retries
class Sleeps:
    """Records the client's retry waits without waiting (optionally moving a sandbox clock)."""

    def __init__(self, clock=None) -> None:
        self.waits: list[float] = []
        self.clock = clock

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)
        await asyncio.sleep(0)


@pytest.mark.sandbox(faults="5xx=0.3", seed=7)
def test_reads_are_retried_through_server_errors(sandbox):
    async def main():
        async with make_client(sandbox, retry=RetryPolicy(max_attempts=10, base_delay=0.01)) as client:
            for _ in range(20):
                await client.warehouses()
            return client.calls, client.wire.retries

    calls, retries = run(main())
    api = "GET /logistics/202309/warehouses"
    assert retries[api] > 0 and calls[api] == 20 + retries[api]
    assert sandbox.store.calls()[api] == calls[api]


@pytest.mark.sandbox(qps=1)
def test_throttling_honours_retry_after(sandbox):
    sandbox.clock.freeze()
    sleeps = Sleeps(sandbox.clock)  # waiting moves the sandbox's clock: its bucket refills

    async def main():
        async with make_client(sandbox, qps=1000, sleep=sleeps) as client:  # client far above the server
            for _ in range(3):
                await client.warehouses()
            return client.wire.retries

    retries = run(main())
    assert sum(retries.values()) == len(sleeps.waits) >= 2
    assert all(wait >= 1.0 for wait in sleeps.waits)  # the sandbox answers Retry-After: 1


@pytest.mark.sandbox(faults="429burst=1.0:100")
def test_still_throttled_after_the_throttle_budget_is_rate_limited_error(sandbox):
    sleeps = Sleeps()
    policy = RetryPolicy(max_attempts=2, max_throttle_wait=5.0)  # throttling does not use max_attempts

    async def main():
        async with make_client(sandbox, sleep=sleeps, retry=policy, rng=lambda: 0.5) as client:
            await client.update_price("1", [{"id": "2", "price": {"amount": "1", "currency": "IDR"}}])

    with pytest.raises(RateLimitedError) as info:
        run(main())
    assert info.value.code == 36009002 and info.value.http_status == 429
    assert "after 4 attempts and 4 s of waiting (limit 5 s)" in str(info.value)
    # Retry-After: 1 plus half of max(backoff, 0.5 s): 1.25 + 1.25 + 1.5 = 4 s; the next 2 s would pass 5 s
    assert sleeps.waits == [1.25, 1.25, 1.5]
    assert sandbox.store.calls()["POST /product/202309/products/{product_id}/prices/update"] == 4


@pytest.mark.sandbox(qps=5)
def test_client_limiter_keeps_under_the_server_limit(sandbox):
    async def main():
        async with make_client(sandbox, qps=5) as client:
            await asyncio.gather(*(client.warehouses() for _ in range(12)))  # 12 at once, 5 per second
            return client.wire.retries

    assert sum(run(main()).values()) == 0  # paced: the server never had to refuse


@pytest.mark.sandbox(faults="5xx=1.0")
def test_ambiguous_write_is_reported_and_never_repeated(sandbox):
    [pid] = sandbox.store.seed_products([product_body(5)])

    async def main():
        async with make_client(sandbox) as client:
            await client.partial_edit_product(pid, {"title": "Kemeja Batik Parang Lengan Panjang Revisi"})

    with pytest.raises(AmbiguousWriteError) as info:
        run(main())
    assert "may or may not have happened" in str(info.value)
    assert sandbox.store.calls()[ENDPOINTS["partial_edit"].api] == 1


@pytest.mark.sandbox(faults="drop=1.0")
def test_dropped_connection_on_a_write_is_ambiguous(sandbox):
    [pid] = sandbox.store.seed_products([product_body(6)])

    async def main():
        async with make_client(sandbox) as client:
            await client.activate([pid], BOTH)

    with pytest.raises(AmbiguousWriteError) as info:
        run(main())
    assert "RemoteProtocolError" in str(info.value)
    assert sandbox.store.calls()["POST /product/202309/products/activate"] == 1


@pytest.mark.sandbox(faults="5xx=1.0")
def test_idempotent_writes_and_reads_retry_then_give_up(sandbox):
    sandbox.store.seed_products([product_body(6)])  # registers image tos-img-1 for this shop

    async def main():
        async with make_client(sandbox, retry=RetryPolicy(max_attempts=3, base_delay=0.001)) as client:
            with pytest.raises(TransientApiError) as read_error:
                await client.warehouses()
            with pytest.raises(TransientApiError):
                await client.create_product(product_body(7), idempotency_key="retry-me")
            with pytest.raises(AmbiguousWriteError):
                await client.create_product(product_body(8), idempotency_key=None)  # no key: not repeatable
            return read_error.value

    error = run(main())
    assert error.code == 36009003 and error.http_status == 500 and error.request_id
    calls = sandbox.store.calls()
    assert calls["GET /logistics/202309/warehouses"] == 3
    assert calls["POST /product/202309/products"] == 3 + 1


@pytest.mark.sandbox(faults="drop=0.5", seed=11)
def test_replayed_state_writes_are_flagged(sandbox):
    ids = sandbox.store.seed_products([product_body(n) for n in range(10, 16)])

    async def main():
        async with make_client(sandbox, retry=RetryPolicy(max_attempts=12, base_delay=0.001)) as client:
            results = [await client.deactivate([pid], BOTH) for pid in ids]
            return results, client.wire.retries["POST /product/202309/products/deactivate"]

    results, retries = run(main())
    assert retries > 0 and any(r.replayed for r in results)
    # Deactivating a product that is no longer ACTIVATE is a per-item error (the spec, issue 20): a replay
    # after a lost answer that had done it meets 12052003, and the result says it was replayed.
    assert all(r.ok or (r.replayed and {e.code for errors in r.failed.values() for e in errors} == {12052003})
               for r in results)
    assert {p["platforms"]["TOKOPEDIA"] for p in sandbox.store.products()} == {"SELLER_DEACTIVATED"}


# --------------------------------------------------------------------------- secrets
@pytest.mark.sandbox(faults="5xx=0.2,429burst=0.1:2,token_ttl=30", seed=3)
def test_no_secret_in_logs_or_errors(sandbox, caplog):
    caplog.set_level(logging.DEBUG)  # everything: engine.shop, httpx, httpcore
    [pid] = sandbox.store.seed_products([product_body(9)])
    texts = []

    async def main():
        async with make_client(sandbox, sleep=Sleeps()) as client:
            await client.get_product(pid)
            sandbox.clock.advance(31)
            await client.search_products()
            for call in (client.get_product("999"), client.partial_edit_product(pid, {"title": "x"})):
                try:
                    await call
                except Exception as exc:  # noqa: BLE001 — collecting every message
                    texts.append(f"{exc!s} {exc!r} {exc.__cause__!s}")

    with sandbox.off_contract():  # the 1-character title is deliberately invalid
        run(main())
    assert texts
    assert_no_secret(caplog.text, *texts)
    assert "sign=" not in caplog.text and "app_secret" not in caplog.text


def test_missing_cipher_and_no_shop_is_a_config_error(sandbox):
    creds = ShopCredentials.sandbox().model_copy(update={"shop_cipher": None})

    async def main():
        async with make_client(sandbox, creds, market="MY") as client:
            await client.warehouses()

    with pytest.raises(ConfigError, match="not authorized for any MY shop"):
        run(main())
