"""Throttling and token-refresh resilience (issue 9: nothing lost under failure).

- Retry-After is a floor with jitter on top: calls throttled together do not come back in
  lockstep;
- a 429 has its own budget (seconds of waiting), not the attempts meant for server errors;
- the per-API rate adapts: halved on a 429 (once per overload), recovered step by step,
  never above the configured QPS;
- the token refresh is retried through the auth host's blips, and its final error is a
  clear AuthError without any secret.

Against the sandbox (tests/conftest.py); clock, sleep and rng are injected, nothing is timed.
The sandbox spares its token endpoint any fault, so the auth host's blips come from
`BlippingAuthHost`, a transport that fails the first refresh requests and hands every other
request to the sandbox unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket

import httpx
import pytest
from test_shop_client import Sleeps, assert_no_secret, make_client
from test_shop_units import FakeTime

from engine.errors import AuthError
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.limiter import RateLimiter, RetryPolicy
from engine.shop.settings import ShopCredentials

WAREHOUSES = ENDPOINTS["warehouses"].api
REFRESH = "GET /api/v2/token/refresh"


def run(coro):
    return asyncio.run(coro)


# --------------------------------------------------------------------------- retry timing
def test_calls_throttled_together_come_back_spread_not_in_lockstep():
    policy, rng = RetryPolicy(), random.Random(9).random
    waits = [policy.throttle_delay(1, retry_after=1.0, rng=rng) for _ in range(50)]
    assert min(waits) >= 1.0  # never before the server's Retry-After
    assert max(waits) <= 1.5  # spread over half of it (the backoff, 0.25 s, is smaller)
    assert len(set(waits)) == 50 and max(waits) - min(waits) > 0.4
    assert sum(1 for w in waits if w < 1.25) in range(15, 36)  # roughly uniform, not clumped


def test_repeated_throttling_backs_off_above_retry_after():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, max_retry_after=30)
    assert [policy.throttle_delay(n, 1.0, rng=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [1.5, 2.0, 3.0, 5.0, 5.0]
    assert policy.throttle_delay(1, 100.0, rng=lambda: 0.0) == 30  # the floor is capped...
    assert policy.throttle_delay(1, 100.0, rng=lambda: 1.0) == 45  # ...the jitter still spreads it


def test_throttling_without_retry_after_never_waits_zero():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.throttle_delay(n, None, rng=lambda: 0.0) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 2.0]
    assert policy.throttle_delay(3, None, rng=lambda: 1.0) == 2.0


@pytest.mark.parametrize("options", [dict(max_attempts=0), dict(base_delay=0), dict(base_delay=2, max_delay=1),
                                     dict(max_throttle_wait=-1), dict(max_retry_after=-1)])
def test_retry_policy_refuses_nonsense(options):
    with pytest.raises(ValueError):
        RetryPolicy(**options)


# --------------------------------------------------------------------------- adaptive rate
def test_a_429_halves_the_api_rate_and_answered_calls_bring_it_back_to_the_ceiling():
    t = FakeTime()
    limiter = RateLimiter(50, clock=t.clock, sleep=t.sleep)
    generation = run(limiter.acquire("GET /a"))
    run(limiter.acquire("GET /b"))
    assert limiter.throttled("GET /a", generation) == 25.0
    assert limiter.rates() == {"GET /a": 25.0, "GET /b": 50.0}  # only the API that answered 429
    assert limiter.bucket("GET /a").reserve() == pytest.approx(1 / 25)  # and its calls are spaced further
    limiter.succeeded("GET /a")
    assert limiter.rates()["GET /a"] == pytest.approx(25.4)  # + 20 % of 50 QPS per second: 10 / 25 per call
    answered = 0
    while limiter.rates()["GET /a"] < 50:
        limiter.succeeded("GET /a")
        answered += 1
    assert limiter.rates()["GET /a"] == 50.0  # never above the configured rate...
    assert 50 < answered < 100  # ...reached after about 2.5 s worth of answered calls


def test_one_overload_slows_the_api_down_once():
    t = FakeTime()
    limiter = RateLimiter(40, clock=t.clock, sleep=t.sleep)
    sent = [run(limiter.acquire("GET /a")) for _ in range(5)]  # five calls out at 40 QPS
    assert [limiter.throttled("GET /a", g) for g in sent] == [20.0, None, None, None, None]  # in flight
    t.now += 0.5
    assert limiter.throttled("GET /a", run(limiter.acquire("GET /a"))) is None  # the same second
    t.now += 0.5
    assert limiter.throttled("GET /a", run(limiter.acquire("GET /a"))) == 10.0  # still refused a second later


def test_callers_waiting_for_a_slot_queue_again_at_the_lower_rate():
    t, gate = FakeTime(), None

    async def sleep(seconds):  # records the wait; returns when the test opens the gate
        t.sleeps.append(seconds)
        await gate.wait()

    async def scenario():
        nonlocal gate
        gate = asyncio.Event()
        limiter = RateLimiter(10, clock=t.clock, sleep=sleep)
        waiting = [asyncio.create_task(limiter.acquire("GET /a")) for _ in range(3)]
        await asyncio.sleep(0)  # the first goes at once, two wait for slots 0.1 s and 0.2 s away
        limiter.throttled("GET /a", 0)  # the first one came back 429: 10 → 5 QPS
        gate.set()
        return await asyncio.gather(*waiting)

    assert run(scenario()) == [0, 1, 1]
    assert t.sleeps == pytest.approx([0.1, 0.2, 0.2, 0.4])  # re-queued 1 / 5 s apart (time stood still)


def test_the_rate_never_drops_below_its_floor_and_overrides_are_ceilings():
    t = FakeTime()
    limiter = RateLimiter(50, overrides={"GET /slow": 4}, floor=0.25, cooldown=0, clock=t.clock, sleep=t.sleep)
    for _ in range(5):
        limiter.throttled("GET /slow", run(limiter.acquire("GET /slow")))
    assert limiter.rates()["GET /slow"] == 1.0  # 4 → 2 → 1 (= 25 % of 4), then no lower
    for _ in range(1000):
        limiter.succeeded("GET /slow")
    assert limiter.rates()["GET /slow"] == 4.0


def test_a_fixed_rate_limiter_does_not_adapt():
    t = FakeTime()
    limiter = RateLimiter(50, adaptive=False, clock=t.clock, sleep=t.sleep)
    assert limiter.throttled("GET /a", run(limiter.acquire("GET /a"))) is None
    assert limiter.rates() == {"GET /a": 50.0}
    for bad in (dict(decrease=1.0), dict(recovery=0), dict(floor=2), dict(cooldown=-1)):
        with pytest.raises(ValueError):
            RateLimiter(50, **bad)


@pytest.mark.sandbox(qps=1)
def test_a_shop_slower_than_configured_slows_the_client_down(sandbox, caplog):
    sandbox.clock.freeze()
    sleeps = Sleeps(sandbox.clock)  # waiting moves the sandbox's clock: its bucket refills

    async def main():
        async with make_client(sandbox, qps=50, sleep=sleeps, rng=lambda: 0.0) as client:
            client.wire.limiter = RateLimiter(50, cooldown=0)  # the retry waits are fake: no second passes
            for _ in range(3):  # the shop takes 1 per second: each call after the first meets a 429
                await client.warehouses()
            return client.wire.limiter.rates(), client.wire.throttled

    rates, throttled = run(main())
    assert throttled == {WAREHOUSES: 2}
    # 50 → 25 (429) → 25.4 (retry answered: + 10 / 25) → 12.7 (429) → 12.7 + 10 / 12.7 (answered)
    assert rates[WAREHOUSES] == pytest.approx(12.7 + 10 / 12.7)
    assert "answered 429 at the client's pace: slowing it to 25 QPS (configured 50)" in caplog.text


# --------------------------------------------------------------------------- throttle budget
class SlowClock(Sleeps):
    """Each retry wait moves the sandbox clock by only `step` seconds: the shop stays
    throttled for several attempts in a row."""

    def __init__(self, clock, step: float) -> None:
        super().__init__()
        self.sandbox_clock, self.step = clock, step

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sandbox_clock.advance(self.step)
        await asyncio.sleep(0)


@pytest.mark.sandbox(qps=1)
def test_throttling_does_not_use_up_the_attempts_meant_for_server_errors(sandbox):
    sandbox.clock.freeze()
    sleeps = SlowClock(sandbox.clock, 0.125)  # the shop's bucket refills after 8 waits

    async def main():
        async with make_client(sandbox, sleep=sleeps, retry=RetryPolicy(max_attempts=2), adaptive=False) as client:
            await client.warehouses()
            await client.warehouses()  # 8 429s in a row, then answered
            return client.wire.throttled

    assert run(main()) == {WAREHOUSES: 8}
    assert len(sleeps.waits) == 8 and sum(sleeps.waits) <= 120
    assert sandbox.store.calls()[WAREHOUSES] == 10


@pytest.mark.sandbox(faults="429burst=0.5:3", seed=4)
def test_a_heavy_429_rate_slows_calls_down_but_fails_none(sandbox):
    async def main():
        async with make_client(sandbox, sleep=Sleeps(), retry=RetryPolicy(max_attempts=2), adaptive=False) as client:
            for _ in range(30):
                await client.warehouses()
            return client.wire.throttled

    throttled = run(main())[WAREHOUSES]
    assert throttled >= 3  # requests were refused in bursts of 3, more than max_attempts...
    assert sandbox.store.calls()[WAREHOUSES] == 30 + throttled  # ...and every call got through


# --------------------------------------------------------------------------- token refresh
class BlippingAuthHost(httpx.AsyncBaseTransport):
    """The sandbox, except that the first refresh requests fail as `failures` says:
    "connect" (refused), "reset" (dropped after sending), "502" (a proxy's HTML page) or
    "503" (an envelope with code 36009003 and Retry-After)."""

    def __init__(self, sandbox_transport: httpx.AsyncBaseTransport, failures: list[str]) -> None:
        self.inner, self.failures, self.refreshes = sandbox_transport, list(failures), 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/api/v2/token/refresh" or not self.failures:
            return await self.inner.handle_async_request(request)
        self.refreshes += 1
        kind = self.failures.pop(0)
        if kind == "connect":
            raise httpx.ConnectError("All connection attempts failed", request=request)
        if kind == "reset":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if kind == "502":
            return httpx.Response(502, text="<html>Bad Gateway</html>", request=request)
        return httpx.Response(503, json={"code": 36009003, "message": "Internal error", "request_id": "r-503",
                                         "data": {}}, headers={"Retry-After": "2"}, request=request)


@pytest.mark.sandbox(faults="token_ttl=30")
def test_a_token_refresh_is_retried_through_auth_host_blips(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    host = BlippingAuthHost(sandbox.transport, ["connect", "502", "reset", "503"])
    sleeps = Sleeps()

    async def main():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=host, sleep=sleeps,
                              rng=lambda: 0.5, retry=RetryPolicy(max_attempts=6, base_delay=0.25)) as client:
            await client.warehouses()
            sandbox.clock.advance(31)  # the access token expires (105002)
            await asyncio.gather(*(client.warehouses() for _ in range(4)))
            await client.warehouses()  # the new token is kept
            return client.calls, client.wire.token_refreshes

    calls, refreshes = run(main())
    assert refreshes == 1 and calls[REFRESH] == 5 and host.refreshes == 4
    assert sleeps.waits == [0.125, 0.25, 0.5, 3.0]  # jittered backoff; the 503's Retry-After: 2 as a floor
    assert "retry GET /api/v2/token/refresh attempt=4 reason=HTTP 503, code 36009003" in caplog.text
    assert_no_secret(caplog.text)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.sandbox(faults="token_ttl=30")
def test_an_auth_host_that_stays_down_is_a_clear_auth_error_without_secrets(sandbox_http, caplog):
    caplog.set_level(logging.DEBUG)
    sleeps = Sleeps()

    async def main():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox_http.base_url,
                              auth_url=f"http://127.0.0.1:{closed_port()}", sleep=sleeps,
                              retry=RetryPolicy(max_attempts=4)) as client:
            await client.warehouses()
            sandbox_http.clock.advance(31)
            try:
                await client.warehouses()
            finally:
                assert client.calls[REFRESH] == 4

    with pytest.raises(AuthError) as info:
        run(main())
    text = str(info.value)
    assert "the token refresh failed 4 times (last: ConnectError): the auth host is unavailable" in text
    assert "run again later" in text and info.value.code == 105002
    assert len(sleeps.waits) == 3
    assert_no_secret(text, repr(info.value), caplog.text)


@pytest.mark.sandbox(faults="token_ttl=30")
def test_a_refused_refresh_token_is_not_retried(sandbox):
    creds = ShopCredentials.sandbox().model_copy(
        update={"refresh_token": __import__("pydantic").SecretStr("stale-refresh-token")})

    async def main():
        async with make_client(sandbox, creds, sleep=Sleeps()) as client:
            sandbox.clock.advance(31)
            try:
                await client.warehouses()
            finally:
                assert client.calls[REFRESH] == 1  # re-authorizing is the only cure: no retry

    with pytest.raises(AuthError) as info:
        run(main())
    assert "could not be refreshed" in str(info.value) and "re-authorize" in str(info.value)
    assert_no_secret(str(info.value))
    assert "stale-refresh-token" not in str(info.value)
