"""Client-side throttling and retry timing.

The platform allows 50 QPS per API per (app, shop) (API.md §5): an "API" is one path
template + method, e.g. `GET /product/202309/products/{product_id}`. `RateLimiter` keeps one
`TokenBucket` per API, shared by every concurrent call of a client, so a fan-out of Get
Product calls runs at the limit without tripping it, and a Search page is never delayed by
the Get traffic (different API, different bucket).

The bucket hands out reservations: each `acquire()` takes a token (the count may go
negative) and sleeps until its token exists, so waiting callers are served in arrival
order and the steady rate is exact. Its capacity (the burst) defaults to one token: requests
leave evenly spaced, which stays inside any server-side window (1 s fixed or sliding, token
bucket) instead of bursting into it.

`RetryPolicy.delay()` is exponential backoff with full jitter, capped, and `Retry-After`
(seconds, as the server sent it) wins when larger.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

DEFAULT_QPS = 50.0


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float = 1.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.capacity = max(1.0, float(capacity))
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._last = clock()

    def reserve(self) -> float:
        """Take one token now; return how long the caller must wait before using it."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)


class RateLimiter:
    """One token bucket per API (method + path template), created on first use."""

    def __init__(self, qps: float = DEFAULT_QPS, *, burst: float = 1.0,
                 overrides: dict[str, float] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        self.qps = float(qps)
        self.burst = burst
        self.overrides = dict(overrides or {})
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, api: str) -> TokenBucket:
        if api not in self._buckets:
            rate = self.overrides.get(api, self.qps)
            self._buckets[api] = TokenBucket(rate, self.burst, clock=self._clock, sleep=self._sleep)
        return self._buckets[api]

    async def acquire(self, api: str) -> None:
        await self.bucket(api).acquire()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a retryable failure."""

    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None,
              rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        jittered = backoff * rng()
        if retry_after is not None and retry_after > 0:
            return min(self.max_retry_after, max(retry_after, jittered))
        return jittered


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - now()
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, seconds)
    return seconds if seconds >= 0 else None
