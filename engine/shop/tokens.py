"""Refreshing the access token on the auth host (API.md §4), through the auth host's blips.

engine.shop.wire calls `refresh_tokens()` when a call answers 105002 (access token expired).
One refresh is `GET {auth_url}/api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type`.

- Retried, under the run's RetryPolicy (`max_attempts`, backoff with full jitter,
  `Retry-After` as a floor): transport failures (refused, reset, timed out), HTTP 5xx and
  429, the gateway codes 36009002 / 36009003 / 36009007, an answer that is not JSON. A
  refresh is safe to repeat: it only issues a new access token for the same refresh token.
  One blip of the auth host during a 10,000-product apply costs a second, not the run.
- Not retried: an envelope refusing the refresh (invalid or expired refresh token, wrong
  app secret): the seller must re-authorize, and the message says so.
- Either way the error is an AuthError (no call can go on without a token). Its text names
  the cause (exception type, HTTP status, code, the shop's message redacted) — never the
  query (app_secret, refresh_token) nor a token.

A refreshed token is handed to engine.shop.masking (the job-log mask) by engine.shop.wire
before it is used.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from engine.errors import AuthError
from engine.shop.limiter import RetryPolicy, parse_retry_after
from engine.shop.models import as_int

log = logging.getLogger("engine.shop")

REFRESH_PATH = "/api/v2/token/refresh"
REFRESH_API = f"GET {REFRESH_PATH}"
TOKEN_EXPIRED = 105002
RETRYABLE_CODES = frozenset({36009002, 36009003, 36009007})
REAUTHORIZE = " — re-authorize the app and update TTS_ACCESS_TOKEN / TTS_REFRESH_TOKEN"


class _Blip(Exception):
    """A retryable failure of one refresh attempt."""

    def __init__(self, reason: str, retry_after: float | None = None, request_id: str = "") -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.request_id = reason, retry_after, request_id


async def refresh_tokens(http: httpx.AsyncClient, auth_url: str, query: Mapping[str, str], *,
                         policy: RetryPolicy, sleep: Callable[[float], Awaitable[Any]],
                         rng: Callable[[], float], redact: Callable[[str], str],
                         calls: Counter[str], expired_request_id: str = "") -> dict[str, Any]:
    """The refresh's `data` (with a non-empty `access_token`), or AuthError."""
    attempt = 0
    while True:
        attempt += 1
        calls[REFRESH_API] += 1
        try:
            return await _refresh_once(http, auth_url + REFRESH_PATH, query, redact)
        except _Blip as blip:
            if attempt >= policy.max_attempts:
                raise AuthError(f"access token expired and the token refresh failed {attempt} times (last: "
                                f"{blip.reason}): the auth host is unavailable; the credentials may be "
                                "fine — run again later", code=TOKEN_EXPIRED,
                                request_id=blip.request_id or expired_request_id) from None
            wait = policy.delay(attempt, blip.retry_after, rng)
            log.warning("retry %s attempt=%d reason=%s wait=%.2fs", REFRESH_API, attempt, blip.reason, wait)
            await sleep(wait)


async def _refresh_once(http: httpx.AsyncClient, url: str, query: Mapping[str, str],
                        redact: Callable[[str], str]) -> dict[str, Any]:
    try:
        response = await http.get(url, params=dict(query))
    except httpx.HTTPError as exc:  # refused, reset, timed out, undecodable...
        raise _Blip(redact(type(exc).__name__)) from None
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        if status >= 500 or status == 429 or 200 <= status < 300:
            raise _Blip(f"HTTP {status}, not a JSON envelope", retry_after)
        raise AuthError(f"access token expired and the token refresh failed: HTTP {status} without an API "
                        "envelope", code=TOKEN_EXPIRED, http_status=status) from None
    code, request_id = as_int(payload.get("code")), str(payload.get("request_id") or "")
    if status >= 500 or status == 429 or code in RETRYABLE_CODES:
        raise _Blip(f"HTTP {status}" + (f", code {code}" if code else ""), retry_after, request_id)
    data = payload.get("data")
    token = data.get("access_token") if isinstance(data, dict) else None
    if code != 0 or not token or not isinstance(data, dict):
        message = redact(str(payload.get("message") or ""))
        raise AuthError(f"access token expired and could not be refreshed: {message or 'no token'}{REAUTHORIZE}",
                        code=code, request_id=request_id, http_status=status)
    return data


