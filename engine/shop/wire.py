"""The signed, throttled, retrying HTTP exchange with the Open API (API.md §1–5).

`ApiCaller.call(endpoint, ...)` is the single place a request is built and sent:

- the JSON body is serialised once (compact) and those exact bytes are signed and sent;
  `timestamp`, `app_key`, `shop_cipher` (shop-scoped endpoints only) and `sign` go in the
  query, the access token in `x-tts-access-token`; every attempt is re-signed;
- a token bucket per API paces the calls, a semaphore bounds the calls in flight; a 429
  slows that API's bucket down, successes bring it back to the configured QPS (adaptive
  rate: engine.shop.limiter);
- retries (exponential backoff, full jitter, `Retry-After` as a floor with jitter on top) on
  HTTP 429 / 36009002, HTTP 5xx / 36009003 / 36009007 and transport failures, according to
  the endpoint's kind:

      kind         throttled (429)   server error / lost response        connection refused
      READ         retry             retry                               retry
      IDEMPOTENT   retry             retry (the result is marked replayed) retry
      WRITE        retry             AmbiguousWriteError, never repeated retry

  (a 429 and a refused connection mean the request was not processed; anything else may
  have been). Two budgets per call: `RetryPolicy.max_attempts` counts the attempts that met
  a server error or a transport failure; throttled attempts are not counted — a call waits
  out 429s for up to `RetryPolicy.max_throttle_wait` seconds in all (120 s by default), so a
  heavy 429 rate slows a run down instead of failing it;
- 105002 (access token expired) → refresh the token once on the auth host (that exchange
  retried through the auth host's blips: engine.shop.tokens), keep the new one for the rest
  of the run (announced to engine.shop.masking first, like a discovered cipher), retry;
- envelopes and httpx exceptions become engine.errors values (`raise ... from exc`).

Logs (logger `engine.shop`) carry method, path, HTTP status, code, request_id, attempt —
never a query string, header or secret. The `httpx` logger, which logs full URLs, gets a
filter that drops query strings (they hold `sign` and `shop_cipher`, and `app_secret` on
token refresh).
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from engine import signing
from engine.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    ConfigError,
    RateLimitedError,
    TransientApiError,
    redact,
)
from engine.shop.limiter import RateLimiter, RetryPolicy, parse_retry_after
from engine.shop.masking import announce_secret
from engine.shop.models import as_int
from engine.shop.settings import ShopCredentials
from engine.shop.tokens import TOKEN_EXPIRED, refresh_tokens

log = logging.getLogger("engine.shop")

THROTTLED_CODES = frozenset({36009002})
SERVER_CODES = frozenset({36009003, 36009007})
AUTH_CODES = frozenset({101000, 105001, 105002, 105005, 106001, 36004001})
# Connection never established: the request cannot have reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class Kind(enum.Enum):
    READ = "read"
    IDEMPOTENT = "idempotent"  # repeating it cannot do anything the first attempt did not
    WRITE = "write"  # repeating it could do it twice


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    kind: Kind
    shop_scoped: bool = True

    @property
    def api(self) -> str:
        """The rate-limit unit and the call-count key: method + path template."""
        return f"{self.method} {self.template}"


@dataclass
class Envelope:
    """A decoded response: `{code, message, request_id, data}` plus how we got it."""

    code: int
    message: str
    request_id: str
    data: dict
    http_status: int = 200
    attempts: int = 1
    replayed: bool = False  # an earlier attempt of this (idempotent) call may have happened


@dataclass
class _Failure:
    """Why an attempt failed, and what that allows."""

    reason: str  # "throttled" | "server" | "transport"
    sent: bool  # the server may have processed it
    http_status: int = 0
    code: int = 0
    message: str = ""
    request_id: str = ""
    retry_after: float | None = None
    cause: BaseException | None = field(default=None, repr=False)


class _QueryRedactingFilter(logging.Filter):
    """Strip query strings from httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(a.copy_with(query=None) if isinstance(a, httpx.URL) else a
                                for a in record.args)
        return True


def encode_body(body: Any) -> bytes:
    """The one serialisation of a JSON body: compact, UTF-8 (orjson); signed and sent as is."""
    try:
        return orjson.dumps(body)
    except TypeError as exc:  # a value JSON cannot carry (an integer beyond 64 bits): never sent
        raise ApiError(f"the request body cannot be encoded as JSON ({exc})") from None


class ApiCaller:
    """Sends signed requests; owns the limiter, the retry loop, the token and the counters."""

    def __init__(self, credentials: ShopCredentials, *, base_url: str, auth_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, qps: float = 50.0,
                 concurrency: int = 16, retry: RetryPolicy | None = None, timeout: float = 30.0,
                 clock: Callable[[], float] = time.time, market: str = "ID",
                 sleep: Callable[[float], Any] = asyncio.sleep, rng: Callable[[], float] = random.random,
                 adaptive: bool = True) -> None:
        self._creds = credentials
        self.base_url = base_url.rstrip("/")
        self.auth_url = (auth_url or base_url).rstrip("/")
        self.market = market
        self.limiter = RateLimiter(qps, adaptive=adaptive)
        self.retry = retry or RetryPolicy()
        self.concurrency = concurrency
        self._semaphore = asyncio.Semaphore(concurrency)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout,
                                       limits=httpx.Limits(max_connections=concurrency,
                                                           max_keepalive_connections=concurrency))
        self._access_token = _secret(credentials.access_token)
        self._refresh_token = _secret(credentials.refresh_token)
        self._cipher = _secret(credentials.shop_cipher)
        self._secrets = set(credentials.secret_values())
        self._refresh_lock = asyncio.Lock()
        self._cipher_lock = asyncio.Lock()
        self.discover_cipher: Callable[[], Any] | None = None  # set by ShopClient
        self.calls: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()  # 429 answers per API
        self.token_refreshes = 0
        httpx_log = logging.getLogger("httpx")  # its request lines: without query strings
        if not any(isinstance(f, _QueryRedactingFilter) for f in httpx_log.filters):
            httpx_log.addFilter(_QueryRedactingFilter())

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ public
    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    @property
    def has_cipher(self) -> bool:
        return bool(self._cipher)

    async def identity(self) -> str:
        """sha256 of (base URL, app key, market, shop cipher): which shop this caller reaches."""
        await self._ensure_cipher()  # (at once when the cipher is known)
        parts = (self.base_url, self._creds.app_key or "", self.market, self._cipher)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def set_cipher(self, cipher: str) -> None:
        announce_secret(cipher)
        self._cipher = cipher
        self._secrets.add(cipher)

    async def call(self, endpoint: Endpoint, *, path_params: Mapping[str, str] | None = None,
                   query: Mapping[str, object] | None = None, body: Any = None,
                   files: Mapping[str, Any] | None = None, form: Mapping[str, str] | None = None,
                   kind: Kind | None = None) -> Envelope:
        """One logical call (possibly several attempts). Returns the envelope whatever its
        code, except for retryable failures (retried, then raised) and auth failures."""
        kind = kind or endpoint.kind
        path = endpoint.template.format(**{k: str(v) for k, v in (path_params or {}).items()})
        if endpoint.shop_scoped and not self._cipher:
            await self._ensure_cipher()
        body_bytes = None if body is None else encode_body(body)
        attempt, failures, throttles, waited = 0, 0, 0, 0.0
        refreshed, replayed = False, False
        while True:
            attempt += 1
            token = self._access_token
            outcome = await self._attempt(endpoint, path, query, body_bytes, files, form, attempt)
            if isinstance(outcome, Envelope):
                if outcome.code == TOKEN_EXPIRED and not refreshed:
                    refreshed = True
                    await self._refresh(token, outcome)
                    continue
                if outcome.code in AUTH_CODES:
                    raise AuthError(self._auth_hint(outcome), code=outcome.code,
                                    request_id=outcome.request_id, http_status=outcome.http_status, path=path)
                outcome.attempts, outcome.replayed = attempt, replayed
                return outcome
            failure = outcome
            if failure.sent and kind is Kind.WRITE and failure.reason != "throttled":
                raise AmbiguousWriteError(
                    f"{endpoint.method} {path}: the shop did not confirm the write ({failure.reason}: "
                    f"{failure.message}); it may or may not have happened — re-read before retrying",
                    code=failure.code, request_id=failure.request_id, http_status=failure.http_status,
                    path=path) from failure.cause
            if failure.reason == "throttled":
                throttles += 1
                delay = self.retry.throttle_delay(throttles, failure.retry_after, self._rng)
                if waited + delay > self.retry.max_throttle_wait:
                    self._give_up(endpoint, path, failure, attempt, waited)
                waited += delay
            else:
                replayed = replayed or failure.sent
                failures += 1
                if failures >= self.retry.max_attempts:
                    self._give_up(endpoint, path, failure, attempt)
                delay = self.retry.delay(failures, failure.retry_after, self._rng)
            self.retries[endpoint.api] += 1
            log.warning("retry %s %s attempt=%d reason=%s http=%s code=%s request_id=%s wait=%.2fs",
                        endpoint.method, path, attempt, failure.reason, failure.http_status or "-",
                        failure.code or "-", failure.request_id or "-", delay)
            await self._sleep(delay)

    # ------------------------------------------------------------------ one attempt
    async def _attempt(self, endpoint: Endpoint, path: str, query: Mapping[str, object] | None,
                       body: bytes | None, files: Mapping[str, Any] | None,
                       form: Mapping[str, str] | None, attempt: int) -> Envelope | _Failure:
        generation = await self.limiter.acquire(endpoint.api)
        async with self._semaphore:
            request = self._build(endpoint, path, query, body, files, form)
            self.calls[endpoint.api] += 1
            started = time.monotonic()
            try:
                response = await self._http.send(request)
                await response.aread()
            except httpx.TransportError as exc:
                return self._transport_failure(endpoint, path, attempt, exc)
        elapsed = (time.monotonic() - started) * 1000
        outcome = self._classify(endpoint, path, attempt, response, elapsed)
        if isinstance(outcome, _Failure) and outcome.reason == "throttled":
            self._slow_down(endpoint.api, generation)
        elif isinstance(outcome, Envelope):
            self.limiter.succeeded(endpoint.api)
        return outcome

    def _slow_down(self, api: str, generation: int) -> None:
        self.throttled[api] += 1
        rate = self.limiter.throttled(api, generation)
        if rate is not None:
            log.warning("%s answered 429 at the client's pace: slowing it to %.3g QPS (configured %.3g)",
                        api, rate, self.limiter.configured(api))

    def _build(self, endpoint: Endpoint, path: str, query: Mapping[str, object] | None,
               body: bytes | None, files: Mapping[str, Any] | None,
               form: Mapping[str, str] | None) -> httpx.Request:
        params = {k: ("true" if v else "false") if isinstance(v, bool) else str(v)
                  for k, v in (query or {}).items() if v is not None}
        params["app_key"] = self._creds.app_key or ""
        params["timestamp"] = str(int(self._clock()))
        if endpoint.shop_scoped:
            params["shop_cipher"] = self._cipher or ""
        headers = {"x-tts-access-token": self._access_token}
        url = self.base_url + path
        if files is not None:  # multipart: httpx sets the boundary; the body is never signed
            params["sign"] = signing.sign(self._secret, path, params, None, "multipart/form-data")
            return self._http.build_request(endpoint.method, url, params=params, files=files,
                                            data=form, headers=headers)
        headers["content-type"] = "application/json"
        params["sign"] = signing.sign(self._secret, path, params, body, "application/json")
        return self._http.build_request(endpoint.method, url, params=params, content=body,
                                        headers=headers)

    @property
    def _secret(self) -> str:
        return _secret(self._creds.app_secret)

    def _transport_failure(self, endpoint: Endpoint, path: str, attempt: int,
                           exc: httpx.TransportError) -> _Failure:
        sent = not isinstance(exc, NOT_SENT)
        message = self.redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
        log.info("%s %s attempt=%d transport error %s", endpoint.method, path, attempt, type(exc).__name__)
        return _Failure("transport", sent, message=message, cause=exc)

    def _classify(self, endpoint: Endpoint, path: str, attempt: int, response: httpx.Response,
                  elapsed_ms: float) -> Envelope | _Failure:
        status = response.status_code
        try:
            payload = orjson.loads(response.content)
        except ValueError:  # orjson.JSONDecodeError is a ValueError
            payload = None
        if not isinstance(payload, dict):
            payload = {}
        code = as_int(payload.get("code"), default=-1 if not payload else 0)
        message = str(payload.get("message") or "")
        request_id = str(payload.get("request_id") or response.headers.get("x-tt-logid", "") or "")
        log.debug("%s %s attempt=%d http=%d code=%s request_id=%s ms=%.0f", endpoint.method, path,
                 attempt, status, code, request_id or "-", elapsed_ms)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 429 or code in THROTTLED_CODES:
            return _Failure("throttled", False, status, code, message or "too many requests",
                            request_id, retry_after)
        if status >= 500 or code in SERVER_CODES:
            return _Failure("server", True, status, code if code > 0 else 0,
                            message or f"HTTP {status}", request_id, retry_after)
        if code == -1:  # not an envelope at all
            if 200 <= status < 300:
                return _Failure("server", True, status, 0, "response is not a JSON envelope", request_id)
            raise ApiError(f"HTTP {status} without an API envelope", http_status=status, path=path)
        data = payload.get("data")
        return Envelope(code, self.redact(message), request_id, data if isinstance(data, dict) else {}, status)

    def _give_up(self, endpoint: Endpoint, path: str, failure: _Failure, attempts: int,
                 waited: float = 0.0) -> None:
        text = f"{endpoint.method} {path}: {failure.message} after {attempts} attempts"
        error = RateLimitedError if failure.reason == "throttled" else TransientApiError
        if failure.reason == "throttled":
            text = f"still throttled: {text} and {waited:.0f} s of waiting (limit {self.retry.max_throttle_wait:g} s)"
        else:
            text = f"shop unavailable: {text}"
        raise error(text, code=failure.code, request_id=failure.request_id, http_status=failure.http_status,
                    path=path) from failure.cause

    # ------------------------------------------------------------------ tokens, cipher
    async def _refresh(self, used_token: str, expired: Envelope) -> None:
        async with self._refresh_lock:
            if self._access_token != used_token:
                return  # another call refreshed it meanwhile
            query = {"app_key": self._creds.app_key or "", "app_secret": self._secret,
                     "refresh_token": self._refresh_token, "grant_type": "refresh_token"}
            data = await refresh_tokens(self._http, self.auth_url, query, policy=self.retry, sleep=self._sleep,
                                        rng=self._rng, redact=self.redact, calls=self.calls,
                                        expired_request_id=expired.request_id)
            access, refresh = str(data["access_token"]), str(data.get("refresh_token") or self._refresh_token)
            announce_secret(access, *([refresh] if refresh != self._refresh_token else []))
            self._access_token, self._refresh_token = access, refresh
            self._secrets.update({self._access_token, self._refresh_token})
            self.token_refreshes += 1
            log.info("access token refreshed (kept for the rest of this run)")

    async def _ensure_cipher(self) -> None:
        async with self._cipher_lock:
            if self._cipher:
                return
            if self.discover_cipher is None:
                raise ConfigError("TTS_SHOP_CIPHER is not set and the shop cannot be discovered")
            self.set_cipher(await self.discover_cipher())

    @staticmethod
    def _auth_hint(envelope: Envelope) -> str:
        hints = {
            TOKEN_EXPIRED: "access token expired (still expired after a refresh)",
            105005: "the app lacks a scope this call needs; grant it in Partner Center",
            106001: "the shop rejected the request signature; check TTS_APP_SECRET",
            101000: "access token invalid or not for this shop; re-authorize the app",
        }
        return hints.get(envelope.code, envelope.message or "authorization failed")


def _secret(value: object) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


