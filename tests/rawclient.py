"""A plain client for the sandbox, written from API.md alone: urllib + hmac, no engine code.

It is what a platform engineer would write with curl: build the query, sign it by hand
(HMAC-SHA256 keyed with the app secret over secret + path + sorted key+value pairs + body
+ secret, lower-case hex), send, decode the envelope. Tests use it to prove the sandbox
speaks the documented protocol, independently of engine.signing and engine.shop.

`RawClient(base_url)` talks HTTP (urllib); `RawClient(base_url, transport=httpx.ASGITransport(app))`
sends the same bytes to an in-process app (httpx, one private event loop per client).
A dropped connection surfaces as `ConnectionDropped`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

APP_KEY = "sandbox-app-key"
APP_SECRET = "sandbox-app-secret"
ACCESS_TOKEN = "sandbox-access-token"
REFRESH_TOKEN = "sandbox-refresh-token"
CIPHER = "ROW_SANDBOX_ID"


def signature(secret: str, path: str, query: dict[str, str], body: bytes = b"") -> str:
    pairs = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in ("sign", "access_token"))
    message = secret.encode() + path.encode() + pairs.encode() + body + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class ConnectionDropped(Exception):
    """The server closed the connection without an answer."""


class RawResponse:
    def __init__(self, status: int, headers: dict[str, str], payload: Any) -> None:
        self.status = status
        self.headers = headers
        self.json = payload

    @property
    def code(self) -> int:
        return self.json["code"]

    @property
    def data(self) -> Any:
        return self.json["data"]


class RawClient:
    def __init__(self, base_url: str, *, app_key: str = APP_KEY, secret: str = APP_SECRET,
                 token: str = ACCESS_TOKEN, cipher: str | None = CIPHER, timeout: float = 30,
                 transport: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self.app_key, self.secret, self.token, self.cipher, self.timeout = app_key, secret, token, cipher, timeout

    def call(self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None,
             cipher: bool = True, timestamp: int | None = None, sign: str | None = None,
             content_type: str = "application/json", raw_body: bytes | None = None) -> RawResponse:
        params = {"app_key": self.app_key, "timestamp": str(timestamp if timestamp is not None else int(time.time()))}
        if cipher and self.cipher:
            params["shop_cipher"] = self.cipher
        params.update(query or {})
        data = raw_body if raw_body is not None else (
            json.dumps(body, separators=(",", ":")).encode() if body is not None else b"")
        signed_body = b"" if content_type.startswith("multipart/form-data") else data
        params["sign"] = sign if sign is not None else signature(self.secret, path, params, signed_body)
        headers = {"Content-Type": content_type, "x-tts-access-token": self.token}
        return self._send(method, f"{self.base_url}{path}?{urlencode(params)}", data or None, headers)

    def upload(self, image: bytes, use_case: str = "MAIN_IMAGE", filename: str = "image.png") -> RawResponse:
        boundary = uuid.uuid4().hex
        parts = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{filename}\"\r\n"
                 f"Content-Type: application/octet-stream\r\n\r\n").encode() + image + (
                 f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"use_case\"\r\n\r\n{use_case}\r\n"
                 f"--{boundary}--\r\n").encode()
        return self.call("POST", "/product/202309/images/upload", cipher=False, raw_body=parts,
                         content_type=f"multipart/form-data; boundary={boundary}")

    def refresh(self, refresh_token: str = REFRESH_TOKEN) -> RawResponse:
        query = {"app_key": self.app_key, "app_secret": self.secret, "refresh_token": refresh_token,
                 "grant_type": "refresh_token"}
        return self._send("GET", f"{self.base_url}/api/v2/token/refresh?{urlencode(query)}", None, {})

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> RawResponse:
        if self.transport is not None:
            return self._send_asgi(method, url, data, headers)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return RawResponse(response.status, dict(response.headers), json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return RawResponse(error.code, dict(error.headers), json.loads(error.read()))
        except (ConnectionError, http.client.RemoteDisconnected) as error:
            raise ConnectionDropped(str(error)) from error

    def _send_asgi(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> RawResponse:
        import httpx

        async def send() -> RawResponse:
            async with httpx.AsyncClient(transport=self.transport) as client:
                response = await client.request(method, url, content=data, headers=headers)
                return RawResponse(response.status_code, dict(response.headers), response.json())

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        try:
            return self._loop.run_until_complete(send())
        except httpx.TransportError as error:
            raise ConnectionDropped(str(error)) from error

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None


# ----------------------------------------------------------------------------- sample data
WAREHOUSE_JKT = "7400000000000000001"
WAREHOUSE_SBY = "7400000000000000002"


def png(width: int, height: int) -> bytes:
    """The first bytes of a PNG file: enough for anyone reading the size from the header."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00" * 16)


def jpeg(width: int, height: int) -> bytes:
    import struct

    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp(width: int, height: int) -> bytes:
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + (10).to_bytes(4, "little") + b"\x00\x00\x00\x00" + canvas
    return b"RIFF" + (4 + len(chunk)).to_bytes(4, "little") + b"WEBP" + chunk


def sku(seller_sku: str, size: str | None = "M", price: str = "150000", stock: int = 10,
        warehouse: str = WAREHOUSE_JKT, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"seller_sku": seller_sku, "price": {"amount": price, "currency": "IDR"},
                            "inventory": [{"warehouse_id": warehouse, "quantity": stock}]}
    if size is not None:
        body["sales_attributes"] = [{"name": "Ukuran", "value_name": size}]
    body.update(extra)
    return body


def batik(uri: str, *, prefix: str = "BATIK", platforms: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A valid Create body: a batik shirt in two sizes (category 600010, Bahan required)."""
    body: dict[str, Any] = {
        "title": "Kemeja Batik Pria Lengan Panjang Motif Parang",
        "description": "<p>Kemeja batik tulis dari Solo, bahan katun adem.</p>",
        "category_id": "600010",
        "category_version": "v2",
        "main_images": [{"uri": uri}],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "skus": [sku(f"{prefix}-M", "M"), sku(f"{prefix}-L", "L", price="155000", stock=5)],
    }
    if platforms is not None:
        body["listing_platforms"] = platforms
    body.update(extra)
    return body


def whole_skus(view: dict, amount: str | None = None) -> list[dict]:
    """A Partial Edit's `skus`: every SKU, complete (a top-level property is replaced whole)."""
    return [{"id": s["id"], "seller_sku": s["seller_sku"],
             "price": {"amount": amount or s["price"]["sale_price"], "currency": "IDR"},
             "sales_attributes": [{k: a[k] for k in ("id", "name", "value_id", "value_name")}
                                  for a in s["sales_attributes"]]} for s in view["skus"]]
