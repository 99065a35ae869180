"""The sandbox shop as a Starlette app: `create_app(db_path, ...)`.

Works without lifespan events (httpx.ASGITransport does not send them): everything is set up
when the app is created. Usage in-process:

    app = create_app(tmp_path / "shop.db")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox")

and over HTTP with `catalog sandbox serve` (engine.sandbox.server). Arguments:

    latency_ms           added to every request
    qps                  rate limit per API per (app_key, shop_cipher); default seed limits.qps_per_api (50)
    faults, seed         fault spec (see engine.sandbox.faults) and its deterministic seed
    clock                `() -> float` seconds; tests move it (token expiry, review delays, rate limit,
                         create/update times). The signed `timestamp` window is checked against the
                         wall clock: clock skew is between real clocks.
    review_seconds       how long review takes (default: the database's setting — `catalog sandbox
                         config` / SandboxStore.configure — else seed limits.review_seconds, 0)
    daily_listing_limit  listings + relistings per day (default: the database's setting, else seed
                         limits.daily_listing_limit, 1,000)
    observer             `observer(request_info, response_info)` after every exchange:
                         request_info {method, path, query, headers, body (bytes), route (template|None)},
                         response_info {status, json, headers} ({status: None, dropped: True} on a drop)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.sandbox.auth import issue_default_tokens
from engine.sandbox.db import Database
from engine.sandbox.faults import FaultInjector, parse_faults
from engine.sandbox.gateway import DropConnection, Gateway, Observer
from engine.sandbox.ratelimit import RateLimiter
from engine.sandbox.seed import load_seed
from engine.sandbox.shop import Shop

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


class DropConnectionMiddleware:
    """Turns DropConnection into a connection closed without a response.

    Under uvicorn the transport is aborted (the client sees the server disconnect); in-process
    (httpx.ASGITransport) the app raises httpx.RemoteProtocolError, the same error an httpx
    client gets over HTTP.
    """

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        try:
            await self.app(scope, receive, send)
        except DropConnection:
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is None:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.") from None
            transport.abort()
            while True:  # let the server notice the disconnect before this app returns
                message = await receive()
                if message["type"] == "http.disconnect":
                    return


class SandboxApp(Starlette):
    """Starlette with DropConnectionMiddleware outside everything (it needs the server's own `send`)."""

    def build_middleware_stack(self) -> Callable[..., Any]:
        return DropConnectionMiddleware(super().build_middleware_stack())


def create_app(db_path: Path | str, *, latency_ms: float = 0, qps: float | None = None, faults: str = "",
               seed: int = 0, clock: Callable[[], float] | None = None, review_seconds: float | None = None,
               daily_listing_limit: int | None = None, observer: Observer | None = None) -> Starlette:
    spec = parse_faults(faults)
    shop_seed = load_seed()
    overrides = {"review_seconds": review_seconds, "daily_listing_limit": daily_listing_limit,
                 "token_ttl": spec.token_ttl}
    shop = Shop(Database(db_path), shop_seed, clock, overrides)
    issue_default_tokens(shop)
    limiter = RateLimiter(qps or shop_seed.limits["qps_per_api"], shop.now)
    gateway = Gateway(shop, limiter, FaultInjector(spec, seed, latency_ms), observer)

    async def endpoint(request: Request) -> Response:
        return await gateway.handle(request)

    app = SandboxApp(routes=[Route("/{path:path}", endpoint, methods=METHODS)])
    app.state.shop = shop
    app.state.gateway = gateway
    return app
