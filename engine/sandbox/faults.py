"""Injected faults for tests and benchmarks, deterministic under a seed.

Grammar (`--faults`): comma-separated items, no spaces needed:

    latency=MS          add MS milliseconds to every request (same as --latency-ms)
    spike=RATE:MS       with probability RATE, add MS milliseconds more (a latency spike)
    5xx=RATE            with probability RATE, answer HTTP 500 {code 36009003}
    429burst=RATE[:N]   with probability RATE, start a burst: this and the next N-1 requests
                        (default N=5) get HTTP 429 {code 36009002} with Retry-After
    drop=RATE           with probability RATE, close the connection without any response
                        (in-process: httpx.RemoteProtocolError, what a client sees over HTTP)
    token_ttl=SECONDS   access tokens (the default one and refreshed ones) expire after SECONDS

RATE is a probability 0–1. Example: `5xx=0.05,429burst=0.02:3,drop=0.01,spike=0.01:500,token_ttl=30`.

Faults never corrupt state. A 5xx or a drop on a write happens either BEFORE the write (nothing
changed) or AFTER it (the change is committed, the client gets no success answer — an
ambiguous write); which one is decided per request, half of each. Reads always fail before.
Decisions are a pure function of (seed, request number, fault name): the same seed and the
same request sequence give the same faults. Token endpoints (/api/v2/token/*) get none.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

NAMES = ("latency", "spike", "5xx", "429burst", "drop", "token_ttl")


@dataclass(frozen=True)
class FaultSpec:
    latency_ms: float = 0.0
    spike_rate: float = 0.0
    spike_ms: float = 0.0
    error_rate: float = 0.0
    burst_rate: float = 0.0
    burst_length: int = 5
    drop_rate: float = 0.0
    token_ttl: float | None = None

    @property
    def is_empty(self) -> bool:
        return self == FaultSpec()


@dataclass(frozen=True)
class Decision:
    """What happens to one request."""

    delay_ms: float = 0.0
    throttle: bool = False
    error: str | None = None  # None | "before" | "after"
    drop: str | None = None  # None | "before" | "after"


def _rate(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"fault {name}: {text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise ValueError(f"fault {name}: rate must be between 0 and 1, got {text}")
    return value


def _positive(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"fault {name}: {text!r} is not a number") from None
    if value < 0:
        raise ValueError(f"fault {name}: must not be negative, got {text}")
    return value


def parse_faults(spec: str | None) -> FaultSpec:
    """Parse a fault spec; raises ValueError with a message naming the bad item."""
    values: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in NAMES:
            raise ValueError(f"unknown fault {item!r}; expected one of {', '.join(n + '=' for n in NAMES)}")
        first, _, second = value.partition(":")
        if name == "latency":
            values["latency_ms"] = _positive(name, value)
        elif name == "spike":
            if not second:
                raise ValueError("fault spike: expected spike=RATE:MS, e.g. spike=0.01:500")
            values["spike_rate"], values["spike_ms"] = _rate(name, first), _positive(name, second)
        elif name == "5xx":
            values["error_rate"] = _rate(name, value)
        elif name == "429burst":
            values["burst_rate"] = _rate(name, first)
            if second:
                length = _positive(name, second)
                if length < 1 or length != int(length):
                    raise ValueError(f"fault 429burst: burst length must be a whole number ≥ 1, got {second}")
                values["burst_length"] = int(length)
        elif name == "drop":
            values["drop_rate"] = _rate(name, value)
        else:
            ttl = _positive(name, value)
            if ttl <= 0:
                raise ValueError("fault token_ttl: must be more than 0 seconds")
            values["token_ttl"] = ttl
    return FaultSpec(**values)  # type: ignore[arg-type]


class FaultInjector:
    """Numbers requests and decides, deterministically, which fault each one meets."""

    def __init__(self, spec: FaultSpec, seed: int = 0, latency_ms: float = 0.0) -> None:
        self.spec = spec
        self.seed = seed
        self.base_latency = latency_ms + spec.latency_ms
        self._lock = threading.Lock()
        self._count = 0
        self._burst_left = 0

    def _draw(self, number: int, name: str) -> float:
        digest = hashlib.sha256(f"{self.seed}:{number}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def decide(self, is_write: bool) -> Decision:
        spec = self.spec
        with self._lock:
            self._count += 1
            number = self._count
            throttle = self._burst_left > 0
            if throttle:
                self._burst_left -= 1
            elif spec.burst_rate and self._draw(number, "429burst") < spec.burst_rate:
                throttle, self._burst_left = True, spec.burst_length - 1
        delay = self.base_latency
        if spec.spike_rate and self._draw(number, "spike") < spec.spike_rate:
            delay += spec.spike_ms
        when = "after" if is_write and self._draw(number, "when") < 0.5 else "before"
        error = when if spec.error_rate and self._draw(number, "5xx") < spec.error_rate else None
        drop = when if spec.drop_rate and not error and self._draw(number, "drop") < spec.drop_rate else None
        return Decision(delay_ms=delay, throttle=throttle, error=error, drop=drop)
