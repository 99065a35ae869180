"""Unit tests of the shop adapter's pure parts: limiter, retry timing, settings, result parsing."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from engine.errors import ConfigError
from engine.shop.limiter import RateLimiter, RetryPolicy, TokenBucket, parse_retry_after
from engine.shop.models import (
    ItemError,
    PlatformOutcome,
    WriteResult,
    parse_errors,
    parse_warnings,
    platform_outcomes,
)
from engine.shop.settings import ShopCredentials


class FakeTime:
    """A clock the bucket reads and a sleep that advances it (no real waiting)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# --------------------------------------------------------------------------- token bucket
def test_bucket_spaces_requests_evenly_at_the_rate():
    t = FakeTime()
    bucket = TokenBucket(50, clock=t.clock, sleep=t.sleep)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.02, 0.04, 0.06, 0.08])


def test_bucket_refills_with_time_but_never_beyond_capacity():
    t = FakeTime()
    bucket = TokenBucket(10, capacity=3, clock=t.clock, sleep=t.sleep)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    t.now += 10  # long idle: refills to capacity (3), not 100
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.1)


def test_concurrent_acquires_share_one_bucket_per_api():
    t = FakeTime()

    async def burst():
        await asyncio.gather(*(limiter.acquire("GET /a") for _ in range(51)))
        await limiter.acquire("POST /b")  # another API: its own bucket, no wait

    async def frozen_sleep(seconds):  # time stands still: every reservation is made at once
        t.sleeps.append(seconds)

    limiter = RateLimiter(50, clock=t.clock, sleep=frozen_sleep)
    asyncio.run(burst())
    # 51 concurrent calls at 50 QPS: the first goes at once, the others queue 20 ms apart,
    # the 51st one second later; the other API's call did not wait at all
    assert sorted(t.sleeps) == pytest.approx([0.02 * n for n in range(1, 51)])


def test_limiter_rejects_nonsense_rates():
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        TokenBucket(-1)


# --------------------------------------------------------------------------- retry timing
def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.delay(n, rng=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(3, rng=lambda: 0.25) == 0.5  # full jitter: uniform in [0, backoff]


def test_retry_after_is_a_floor_with_jitter_on_top_and_is_capped():
    policy = RetryPolicy(base_delay=0.1, max_retry_after=30)
    assert policy.delay(1, retry_after=2.0, rng=lambda: 0.0) == 2.0  # never before Retry-After
    assert policy.delay(1, retry_after=2.0, rng=lambda: 1.0) == 3.0  # spread over half of it on top
    assert policy.delay(1, retry_after=3600, rng=lambda: 0.0) == 30  # a huge Retry-After is capped


def test_parse_retry_after_forms():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-1") is None
    # HTTP-date form, relative to "now"
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now=lambda: 1445412480.0) == 5.0


# --------------------------------------------------------------------------- settings
ENV = ("TTS_APP_KEY", "TTS_APP_SECRET", "TTS_ACCESS_TOKEN", "TTS_REFRESH_TOKEN", "TTS_SHOP_CIPHER")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_api_target_names_every_missing_variable(clean_env):
    clean_env.setenv("TTS_APP_KEY", "key")
    clean_env.setenv("TTS_APP_SECRET", "s3cr3t-value")
    with pytest.raises(ConfigError) as info:
        ShopCredentials.for_target("api")
    message = str(info.value)
    assert "TTS_ACCESS_TOKEN" in message and "TTS_REFRESH_TOKEN" in message
    assert "TTS_APP_KEY" not in message and "s3cr3t-value" not in message


def test_api_target_reads_environment_and_cipher_is_optional(clean_env):
    for name, value in zip(ENV[:4], ("key", "secret-1", "token-1", "refresh-1"), strict=True):
        clean_env.setenv(name, value)
    creds = ShopCredentials.for_target("api")
    assert creds.app_key == "key"
    assert creds.access_token.get_secret_value() == "token-1"
    assert creds.shop_cipher is None
    assert "secret-1" not in repr(creds) and "token-1" not in str(creds)
    assert set(creds.secret_values()) == {"secret-1", "token-1", "refresh-1"}


def test_blank_variable_counts_as_missing(clean_env):
    for name, value in zip(ENV[:4], ("key", "secret", "  ", "refresh"), strict=True):
        clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match="TTS_ACCESS_TOKEN"):
        ShopCredentials.for_target("api")


def test_sandbox_target_uses_sandbox_credentials_and_ignores_environment(clean_env):
    clean_env.setenv("TTS_APP_SECRET", "production-secret")
    creds = ShopCredentials.for_target("sandbox")
    assert creds.app_key == "sandbox-app-key"
    assert creds.app_secret == SecretStr("sandbox-app-secret")
    assert creds.shop_cipher.get_secret_value() == "ROW_SANDBOX_ID"


def test_unknown_target_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown shop target"):
        ShopCredentials.for_target("production")


# --------------------------------------------------------------------------- result parsing
def test_batch_errors_parse_every_documented_shape():
    raw = [
        {"code": 12052990, "message": "Check failed",
         "detail": {"product_id": "2", "extra_errors": [{"code": 12052003, "message": "status"}]}},
        {"code": 36002005, "message": "Tokopedia says no", "detail": {"listing_platform": "TOKOPEDIA"}},
        {"code": 12052533, "message": "warehouse", "detail": {"sku_id": "s1", "extra_errors": [
            {"code": 12052097, "message": "no such warehouse", "warehouse_id": "w9"}]}},
        "garbage",
    ]
    errors = parse_errors(raw)
    assert errors == (
        ItemError(36002005, "Tokopedia says no", "", "TOKOPEDIA"),
        ItemError(12052990, "Check failed", "2", None, ((12052003, "status", ""),)),
        ItemError(12052533, "warehouse", "s1", None, ((12052097, "no such warehouse", "w9"),)),
    )
    assert errors[1].describe() == "12052990 Check failed [12052003 status]"


def test_platform_outcomes_split_success_and_failure_per_platform():
    errors = parse_errors([{"code": 36002005, "message": "nope", "detail": {"listing_platform": "TOKOPEDIA"}}])
    assert platform_outcomes(["TIKTOK_SHOP", "TOKOPEDIA"], errors) == {
        "TIKTOK_SHOP": PlatformOutcome(True), "TOKOPEDIA": PlatformOutcome(False, 36002005, "nope")}
    # an error that names no platform fails every requested platform
    unnamed = parse_errors([{"code": 12052910, "message": "bad"}])
    assert {p: o.ok for p, o in platform_outcomes(["TIKTOK_SHOP", "TOKOPEDIA"], unnamed).items()} == {
        "TIKTOK_SHOP": False, "TOKOPEDIA": False}
    # a rejected call fails every requested platform with the top-level code
    assert platform_outcomes(["TOKOPEDIA"], (), 12052093, "limit") == {
        "TOKOPEDIA": PlatformOutcome(False, 12052093, "limit")}


def test_write_result_with_errors_or_warnings_is_not_plain_success():
    errors = parse_errors([{"code": 1, "message": "x", "detail": {"listing_platform": "TOKOPEDIA"}}])
    result = WriteResult("p1", platform_outcomes(["TIKTOK_SHOP", "TOKOPEDIA"], errors), errors)
    assert not result.ok and result.failed_platforms == ("TOKOPEDIA",)
    warned = WriteResult("p1", platform_outcomes(["TIKTOK_SHOP"], ()), warnings=("brand reset",))
    assert warned.ok and warned.warnings == ("brand reset",)
    assert parse_warnings({"message": "not sent for review"}) == ("not sent for review",)
