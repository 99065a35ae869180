"""The request pipeline: what the platform checks before and around every call.

Order: route (36009009 path / 36009010 method / 36009014 version) → app_key, timestamp window,
signature over the exact bytes (36009004 / 106001) → access token (36009004 missing, 101000
unknown, 105002 expired) → shop_cipher (106013 missing on shop-scoped calls, 36009004 when
unexpected or unknown) → query parameters → Content-Type (36009022 JSON / 36009023
multipart) → rate limit (HTTP 429, 36009002) → faults → handler. Token endpoints take
app_key + app_secret and no signature (API.md §4). Every answer is `{code, message,
request_id, data}`; handlers run in a worker thread (SQLite is synchronous).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any, Callable
from urllib.parse import parse_qsl

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from engine.sandbox import codes
from engine.sandbox.auth import check_access_token
from engine.sandbox.codes import PlatformError
from engine.sandbox.faults import FaultInjector
from engine.sandbox.ratelimit import RateLimiter, retry_after
from engine.sandbox.routes import Call, Route, resolve, version_of
from engine.sandbox.shop import Shop
from engine.signing import verify

COMMON = frozenset({"app_key", "timestamp", "sign"})
ROUTE_PROBLEMS = {"path": (codes.INVALID_PATH, 404, "Invalid path: no such API"),
                  "method": (codes.INVALID_METHOD, 405, "Invalid method for this API"),
                  "version": (codes.INVALID_VERSION, 404, "The version name is invalid")}
log = logging.getLogger("engine.sandbox")
Observer = Callable[[dict[str, Any], dict[str, Any]], None]


class DropConnection(BaseException):  # noqa: N818 — BaseException: Starlette must not turn it into a 500
    """Close the connection without answering (fault injection)."""


def request_id(now: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + secrets.token_hex(10).upper()


class Gateway:
    def __init__(self, shop: Shop, limiter: RateLimiter, faults: FaultInjector,
                 observer: Observer | None = None) -> None:
        self.shop = shop
        self.limiter = limiter
        self.faults = faults
        self.observer = observer
        self.internal_errors: list[str] = []  # unexpected exceptions (tests fail on any)

    async def handle(self, request: Request) -> Response:
        method, path = request.method, request.scope["path"]
        query = dict(parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            body = await request.body()
        except ClientDisconnect:  # the client went away mid-request (a killed apply): normal, nobody to answer
            log.info("client disconnected before sending the body of %s %s", method, path)
            return Response(status_code=400)
        info = {"method": method, "path": path, "query": query, "headers": headers, "body": body, "route": None}
        try:
            status, data, extra = 200, await self._dispatch(request, info), {}
            envelope = {"code": 0, "message": "Success", "request_id": request_id(self.shop.now()), "data": data}
        except PlatformError as error:
            status, extra = error.http_status, error.headers
            envelope = {"code": error.code, "message": error.message, "request_id": request_id(self.shop.now()),
                        "data": error.data}
        except DropConnection:
            self._observe(info, {"status": None, "json": None, "headers": {}, "dropped": True})
            raise
        except Exception as exc:  # a sandbox bug: answer like the platform would, keep serving, keep a record
            log.exception("sandbox internal error on %s %s", info["method"], info["path"])
            self.internal_errors.append(f"{info['method']} {info['path']}: {exc!r}")
            status, extra = 500, {}
            envelope = {"code": codes.INTERNAL_ERROR, "message": "Internal error, please try again",
                        "request_id": request_id(self.shop.now()), "data": {}}
        response = JSONResponse(envelope, status_code=status, headers=extra)
        self._observe(info, {"status": status, "json": envelope, "headers": dict(response.headers)})
        return response

    def _observe(self, request_info: dict[str, Any], response_info: dict[str, Any]) -> None:
        if self.observer is not None:
            self.observer(request_info, response_info)

    async def _dispatch(self, request: Request, info: dict[str, Any]) -> dict[str, Any]:
        route, params, problem = resolve(info["method"], info["path"])
        if route is None:
            code, status, message = ROUTE_PROBLEMS[problem]
            raise PlatformError(code, f"{message}: {info['method']} {info['path']}", http_status=status)
        info["route"] = route.template
        if route.kind == "token":
            await run_in_threadpool(self._count, route)
            self._check_query(route, info["query"])
            return await run_in_threadpool(route.handler, self.shop, Call(params, info["query"], {}, ""))
        await run_in_threadpool(self._authenticate, route, info)
        wait = self.limiter.acquire((route.name, info["query"]["app_key"], info["query"].get("shop_cipher", "")))
        if wait:
            raise self._throttled(wait)
        decision = self.faults.decide(route.is_write)
        if decision.delay_ms:
            await anyio.sleep(decision.delay_ms / 1000)
        if decision.throttle:
            raise self._throttled(1.0)
        if decision.error == "before" or decision.drop == "before":
            self._fail(decision.drop)
        call = Call(params, info["query"], await self._body(route, request, info["body"]), version_of(route.template))
        data = await run_in_threadpool(route.handler, self.shop, call)
        if decision.error == "after" or decision.drop == "after":
            self._fail(decision.drop)
        return data

    @staticmethod
    def _fail(drop: str | None) -> None:
        if drop:
            raise DropConnection()
        raise PlatformError(codes.INTERNAL_ERROR, "Internal error, please try again", http_status=500)

    @staticmethod
    def _throttled(wait: float) -> PlatformError:
        return PlatformError(codes.TOO_MANY_REQUESTS, "Too many requests. Refer to Rate limits.", http_status=429,
                             headers={"Retry-After": retry_after(wait)})

    def _count(self, route: Route) -> None:
        """Count the call and take the shop's stored settings (`catalog sandbox config`) for it."""
        with self.shop.db.write() as tx:
            tx.count_call(route.name)
            self.shop.refresh(tx)

    def _authenticate(self, route: Route, info: dict[str, Any]) -> None:
        self._count(route)
        query, headers, now = info["query"], info["headers"], self.shop.now()
        creds, limits = self.shop.seed.credentials, self.shop.seed.limits
        if query.get("app_key") != creds["app_key"]:
            raise PlatformError(codes.INVALID_PARAM, "Invalid credentials: missing or unknown app_key")
        stamp, wall = query.get("timestamp", ""), time.time()  # skew is between real clocks, not the shop clock
        if not stamp.isdigit():
            raise PlatformError(codes.INVALID_PARAM, "Invalid timestamp: timestamp is required (Unix seconds)")
        if not wall - limits["timestamp_window_past_seconds"] <= int(stamp) <= \
                wall + limits["timestamp_window_future_seconds"]:
            raise PlatformError(codes.INVALID_PARAM, "Invalid timestamp: outside the accepted window "
                                "(5 minutes back, 30 seconds ahead)")
        if not query.get("sign"):
            raise PlatformError(codes.INVALID_PARAM, "Missing signature: the sign parameter is required")
        content_type = headers.get("content-type")
        if not verify(creds["app_secret"], query["sign"], info["path"], query, info["body"] or None, content_type):
            raise PlatformError(codes.INVALID_SIGN, "Invalid sign: the signature does not match the request")
        check_access_token(self.shop, headers.get("x-tts-access-token"), now)
        self._check_cipher(route, query)
        self._check_query(route, query)
        self._check_content_type(route, info["method"], content_type)

    def _check_cipher(self, route: Route, query: dict[str, str]) -> None:
        cipher = query.get("shop_cipher")
        if route.shop_scoped and not cipher:
            raise PlatformError(codes.MISSING_SHOP_CIPHER, "Missing identifier: shop_cipher is required")
        if not route.shop_scoped and cipher is not None:
            raise PlatformError(codes.INVALID_PARAM, "Unexpected identifier: this API takes no shop_cipher")
        if cipher is not None and cipher != self.shop.seed.cipher:
            raise PlatformError(codes.INVALID_PARAM, "Invalid shop_cipher: the access token is not authorized "
                                "for this shop")

    @staticmethod
    def _check_query(route: Route, query: dict[str, str]) -> None:
        allowed = route.query | ({"shop_cipher"} if route.shop_scoped else set())
        allowed = allowed if route.kind == "token" else allowed | COMMON
        unknown = sorted(set(query) - allowed)
        if unknown:
            raise PlatformError(codes.INVALID_PARAM, f"Invalid param: unknown query parameter(s) {', '.join(unknown)}")

    @staticmethod
    def _check_content_type(route: Route, method: str, content_type: str | None) -> None:
        value = (content_type or "").split(";")[0].strip().lower()
        if route.kind == "multipart":
            if value != "multipart/form-data":
                raise PlatformError(codes.CONTENT_TYPE_MULTIPART, "Content-Type must be multipart/form-data")
        elif value != "application/json" and (method != "GET" or content_type):
            raise PlatformError(codes.CONTENT_TYPE_JSON, "Content-Type must be application/json")

    @staticmethod
    async def _body(route: Route, request: Request, raw: bytes) -> Any:
        if route.kind == "multipart":
            try:
                form = await request.form(max_part_size=11 * 1024 * 1024)
            except Exception:  # starlette: MultiPartException / HTTPException(400) on a malformed body
                raise PlatformError(codes.INVALID_PARAM, "Invalid param: the multipart/form-data body is "
                                    "malformed") from None
            upload, use_case = form.get("data"), form.get("use_case")
            data = upload.encode() if isinstance(upload, str) else await upload.read() if upload is not None else None
            return {"data": data, "use_case": use_case if isinstance(use_case, str) else None}
        if route.method == "GET" or not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise PlatformError(codes.INVALID_PARAM, "Invalid param: the request body must be a JSON object")
        return body
