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

Adaptive rate (AIMD). The configured QPS is a ceiling, not a promise: the shop's real limit
can be lower, or other tools may share the (app, shop) quota. When an API answers 429 the
client slows that API's bucket down (multiplicative decrease: ×`decrease` = 0.5, never below
`floor` = 2 % of the configured rate) and speeds it up again as calls are answered (additive
increase: `recovery` = 20 % of the configured rate per second of answered calls, never above
the configured rate). One overload is one decrease: a 429 slows the bucket only if its
request was sent at the current rate (`acquire()` returns the bucket's generation; calls
already in flight at the old rate that come back 429 too do not count) and at most once per
`cooldown` = 1 s (the platform's window: the next requests of the same overload do not
count either). Callers still waiting for a slot reserved at the old rate queue again at the
new one. Measured (in-process sandbox, 16 workers, client at 50 QPS): against a shop that
takes 20 QPS, 21 429s for 400 calls instead of 199, same 20 QPS; against a 50 QPS shop that
refuses 2 % of requests at random in bursts of 3 (a harsh fault), 27 QPS instead of 45 — the
price of reading every 429 as "too fast". `adaptive=False` keeps the rate fixed.

Retry timing (`RetryPolicy`):
- server errors and transport failures: exponential backoff with full jitter,
  uniform in [0, min(max_delay, base_delay × 2^(attempt-1))];
- `Retry-After` is a floor, never an exact instant: the wait is
  `floor + U[0, 1) × max(backoff, floor / 2)` with floor = min(Retry-After, max_retry_after).
  Calls throttled together (a 429 burst answers every one with the same `Retry-After: 1`)
  come back spread over [1 s, 1.5 s] instead of all at the same instant, which would only
  start the next burst. The wait is at most 1.5 × max_retry_after (or floor + max_delay);
- a 429 without `Retry-After`: equal jitter, backoff/2 + U[0, 1) × backoff/2 — never zero, so
  the throttle budget below always runs out.
A 429 means "not processed, come back later": it is never ambiguous, so throttling has its
own budget, `max_throttle_wait` seconds of cumulative retry waiting per call (120 s by
default), and does not use up `max_attempts`, which bounds server errors and transport
failures only.
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
        self.generation = 0  # bumped by every slow_down()
        self.slowed_at = float("-inf")  # clock() at the last slow_down()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def reserve(self) -> float:
        """Take one token now; return how long the caller must wait before using it."""
        self._refill()
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def set_rate(self, rate: float) -> None:
        """Change the rate from now on (the tokens accrued so far were earned at the old one)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._refill()
        self.rate = float(rate)

    def slow_down(self, rate: float) -> None:
        """Lower the rate and start a new generation: the slots reserved at the old rate are
        forgotten (no token saved up either), their holders queue again when they wake."""
        self.set_rate(min(self.rate, rate))
        self._tokens = 0.0
        self.generation += 1
        self.slowed_at = self._last

    async def acquire(self) -> int:
        """Wait for a slot; returns the generation (the rate) it was granted under."""
        while True:
            generation, wait = self.generation, self.reserve()
            if wait <= 0:
                return generation
            await self._sleep(wait)
            if generation == self.generation:
                return generation
            # slowed down meanwhile: the slot was forgotten, queue again at the new rate


class RateLimiter:
    """One token bucket per API (method + path template), created on first use; adaptive
    (see the module docstring) unless `adaptive=False`."""

    def __init__(self, qps: float = DEFAULT_QPS, *, burst: float = 1.0,
                 overrides: dict[str, float] | None = None, adaptive: bool = True,
                 decrease: float = 0.5, recovery: float = 0.2, floor: float = 0.02, cooldown: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        if not (0 < decrease < 1 and 0 < recovery <= 1 and 0 < floor <= 1 and cooldown >= 0):
            raise ValueError("decrease must be in (0, 1), recovery and floor in (0, 1], cooldown ≥ 0")
        self.qps = float(qps)
        self.burst = burst
        self.overrides = dict(overrides or {})
        self.adaptive = adaptive
        self.decrease, self.recovery, self.floor, self.cooldown = decrease, recovery, floor, cooldown
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}

    def configured(self, api: str) -> float:
        """The ceiling for this API: its override, else the client's QPS."""
        return float(self.overrides.get(api, self.qps))

    def bucket(self, api: str) -> TokenBucket:
        if api not in self._buckets:
            self._buckets[api] = TokenBucket(self.configured(api), self.burst, clock=self._clock,
                                             sleep=self._sleep)
        return self._buckets[api]

    async def acquire(self, api: str) -> int:
        """Wait for this API's next slot; returns the generation to hand to `throttled()`."""
        return await self.bucket(api).acquire()

    def throttled(self, api: str, generation: int) -> float | None:
        """The shop answered 429 to a call sent at `generation`: slow the API down, once per
        overload. Returns the new rate, or None when the rate did not change."""
        bucket = self.bucket(api)
        lowest = self.configured(api) * self.floor
        if not self.adaptive or generation != bucket.generation or bucket.rate <= lowest \
                or self._clock() - bucket.slowed_at < self.cooldown:
            return None
        bucket.slow_down(max(lowest, bucket.rate * self.decrease))
        return bucket.rate

    def succeeded(self, api: str) -> None:
        """A call of this API got an answer that was not a 429: recover a step. At rate r,
        r calls take a second: each adds recovery × ceiling / r, so the rate regains
        `recovery` × the ceiling per second of answered calls, whatever it is."""
        bucket = self.bucket(api)
        ceiling = self.configured(api)
        if self.adaptive and bucket.rate < ceiling:
            bucket.set_rate(min(ceiling, bucket.rate + ceiling * self.recovery / bucket.rate))

    def rates(self) -> dict[str, float]:
        """The current rate of every API used so far (sorted by API)."""
        return {api: self._buckets[api].rate for api in sorted(self._buckets)}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a retryable failure.

    `max_attempts` bounds the attempts of a call that meets server errors or transport
    failures (throttled attempts are not counted); `max_throttle_wait` bounds the seconds a
    call spends waiting out 429s; `max_retry_after` caps the `Retry-After` a server may ask.
    """

    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    max_throttle_wait: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay <= 0 or self.max_delay < self.base_delay:
            raise ValueError("RetryPolicy needs max_attempts ≥ 1 and 0 < base_delay ≤ max_delay")
        if self.max_retry_after < 0 or self.max_throttle_wait < 0:
            raise ValueError("RetryPolicy: max_retry_after and max_throttle_wait must not be negative")

    def backoff(self, attempt: int) -> float:
        """The exponential backoff ceiling after failure number `attempt` (1-based)."""
        return min(self.max_delay, self.base_delay * (2 ** (max(1, attempt) - 1)))

    def delay(self, attempt: int, retry_after: float | None = None,
              rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): full jitter, or
        `Retry-After` as a floor with jitter on top."""
        backoff = self.backoff(attempt)
        if retry_after is None or retry_after <= 0:
            return backoff * rng()
        floor = min(retry_after, self.max_retry_after)
        return floor + rng() * max(backoff, floor / 2)

    def throttle_delay(self, attempt: int, retry_after: float | None = None,
                       rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after throttled attempt number `attempt`: as `delay()` with
        `Retry-After`, equal jitter without it (never zero)."""
        if retry_after is not None and retry_after > 0:
            return self.delay(attempt, retry_after, rng)
        backoff = self.backoff(attempt)
        return backoff / 2 + rng() * backoff / 2


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
