"""Rate limit per API (method + path template) per (app_key, shop_cipher) — API.md §5.

A token bucket with capacity = rate: a client pacing at exactly the limit is never refused,
a burst above it is. Time comes from the shop's clock, so tests can move it. Buckets live in
the serving process: two processes on one database file each enforce the limit separately.
"""

from __future__ import annotations

import math
import threading
from typing import Callable


class RateLimiter:
    def __init__(self, qps: float, clock: Callable[[], float]) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        self.qps = float(qps)
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], tuple[float, float]] = {}  # key -> (tokens, last time)

    def acquire(self, key: tuple[str, ...]) -> float:
        """Take one token; returns 0 when allowed, else the seconds until a token is available."""
        now = float(self.clock())
        with self._lock:
            tokens, last = self._buckets.get(key, (self.qps, now))
            tokens = min(self.qps, tokens + max(0.0, now - last) * self.qps)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.qps


def retry_after(wait: float) -> str:
    """Retry-After header value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait)))
