"""`ShopClient`: typed, async methods for every Open API endpoint the engine uses.

    async with ShopClient(credentials, base_url=..., transport=...) as client:
        page = await client.search_products(page_size=100)
        result = await client.partial_edit_product(pid, {"title": "..."})
        if not result.ok: ...  # per-platform outcomes in result.per_platform

The transport is injected: `httpx.ASGITransport(app)` reaches the in-process sandbox, the
default (network) transport reaches `base_url`. Signing, throttling, retries and token
refresh live in engine.shop.wire; this module maps each endpoint to its path, version,
retry kind and the parsed result type.

Retry decisions (see wire.Kind), per write:
- Create carries an `idempotency_key` (the platform de-duplicates it) → retried.
- Update Price / Update Inventory set absolute values → retried; repeating them is harmless.
- Deactivate / Delete drive products to a target state → retried. If an earlier attempt
  may have happened, `BatchResult.replayed` is set: an item error such as "status cannot
  be deactivated" may then mean it already was.
- Edit, Partial Edit, Activate and Recover send the product to review / count against the
  daily listing quota, so they are never repeated after an unconfirmed attempt: the caller
  gets AmbiguousWriteError and must re-read.
- Image upload: a repeat only leaves an unused image behind → retried.

Business rejections of a write (product-domain codes) come back as results with
`ok == False` and per-platform outcomes; rejections of the request itself (gateway
360xxxxx, signature/token 10xxxx) raise ApiError/AuthError. Reads raise on any non-zero code.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx

from engine.errors import ApiError, ConfigError
from engine.shop.limiter import DEFAULT_QPS, RetryPolicy
from engine.shop.models import (
    AttributeInfo,
    AuthorizedShop,
    BatchResult,
    Brand,
    Category,
    CategoryRules,
    ImageUpload,
    ItemError,
    ListingCheck,
    SearchPage,
    Warehouse,
    WriteResult,
    as_mapping,
    known_platforms,
    nested,
    parse_attribute,
    parse_errors,
    parse_skus,
    parse_statuses,
    parse_warnings,
    platform_outcomes,
)
from engine.shop.settings import ShopCredentials
from engine.shop.wire import ApiCaller, Endpoint, Envelope, Kind

API_BASE_URL = "https://open-api.tiktokglobalshop.com"
AUTH_BASE_URL = "https://auth.tiktok-shops.com"
SANDBOX_BASE_URL = "http://sandbox.local"  # any host: the ASGI transport never resolves it
BATCH_LIMIT = 20  # Activate / Deactivate / Delete / Recover take at most 20 ids
SEARCH_PAGE_SIZE = 100

R, IDEM, W = Kind.READ, Kind.IDEMPOTENT, Kind.WRITE
ENDPOINTS = {
    "shops": Endpoint("GET", "/authorization/202309/shops", R, shop_scoped=False),
    "search": Endpoint("POST", "/product/202502/products/search", R),
    "get": Endpoint("GET", "/product/202309/products/{product_id}", R),
    "create": Endpoint("POST", "/product/202309/products", W),  # IDEMPOTENT with idempotency_key
    "edit": Endpoint("PUT", "/product/202509/products/{product_id}", W),  # the spec's latest (backorders)
    "partial_edit": Endpoint("POST", "/product/202509/products/{product_id}/partial_edit", W),
    "update_price": Endpoint("POST", "/product/202309/products/{product_id}/prices/update", IDEM),
    "update_inventory": Endpoint("POST", "/product/202309/products/{product_id}/inventory/update", IDEM),
    "activate": Endpoint("POST", "/product/202309/products/activate", W),
    "deactivate": Endpoint("POST", "/product/202309/products/deactivate", IDEM),
    "delete": Endpoint("DELETE", "/product/202309/products", IDEM),
    "recover": Endpoint("POST", "/product/202309/products/recover", W),
    "listing_check": Endpoint("POST", "/product/202309/products/listing_check", R),
    "categories": Endpoint("GET", "/product/202309/categories", R),
    "attributes": Endpoint("GET", "/product/202309/categories/{category_id}/attributes", R),
    "rules": Endpoint("GET", "/product/202309/categories/{category_id}/rules", R),
    "brands": Endpoint("GET", "/product/202309/brands", R),
    "upload_image": Endpoint("POST", "/product/202309/images/upload", IDEM, shop_scoped=False),
    "warehouses": Endpoint("GET", "/logistics/202309/warehouses", R),
}
REQUEST_ERROR_PREFIXES = ("360", "101", "105", "106")  # the request itself was refused


class ShopClient:
    """Async client of one shop. Use as `async with`; counts calls per API in `calls`."""

    def __init__(self, credentials: ShopCredentials, *, base_url: str = API_BASE_URL,
                 auth_url: str | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 app: Any = None, qps: float = DEFAULT_QPS, concurrency: int = 16,
                 retry: RetryPolicy | None = None, timeout: float = 30.0, market: str = "ID",
                 clock: Callable[[], float] = time.time, **wire_options: Any) -> None:
        """`app`: an ASGI application (the in-process sandbox) reached through
        httpx.ASGITransport, so callers above this layer never touch httpx."""
        self.market = market
        if app is not None:  # an app crash answers HTTP 500, as a server would (retried / ambiguous)
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            base_url = base_url if base_url != API_BASE_URL else SANDBOX_BASE_URL
        self.wire = ApiCaller(credentials, base_url=base_url, auth_url=auth_url, transport=transport,
                              qps=qps, concurrency=concurrency, retry=retry, timeout=timeout,
                              clock=clock, market=market, **wire_options)
        self.wire.discover_cipher = self._discover_cipher

    async def __aenter__(self) -> ShopClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.wire.aclose()

    @property
    def calls(self) -> Counter[str]:
        """HTTP exchanges per API ("METHOD /path/{template}"), retries included."""
        return Counter(self.wire.calls)

    @property
    def concurrency(self) -> int:
        return self.wire.concurrency

    async def shop_identity(self) -> str:
        """A hash naming this shop and these credentials' scope (host, app key, market, cipher —
        the cipher discovered first when it is not configured); safe to store (read cache)."""
        return await self.wire.identity()

    # ------------------------------------------------------------------ authorization
    async def authorized_shops(self) -> tuple[AuthorizedShop, ...]:
        data = self._read(await self.wire.call(ENDPOINTS["shops"]))
        shops = (AuthorizedShop(id=str(s.get("id") or ""), name=str(s.get("name") or ""),
                                region=str(s.get("region") or ""), seller_type=str(s.get("seller_type") or ""),
                                code=str(s.get("code") or ""), cipher=str(s.get("cipher") or ""))
                 for s in data.get("shops") or () if isinstance(s, Mapping))
        return tuple(sorted(shops, key=lambda s: s.id))

    async def _discover_cipher(self) -> str:
        shops = [s for s in await self.authorized_shops() if s.region == self.market and s.cipher]
        if len(shops) == 1:
            return shops[0].cipher
        if not shops:
            raise ConfigError(f"the access token is not authorized for any {self.market} shop; "
                              "authorize the app for your shop or set TTS_SHOP_CIPHER")
        names = ", ".join(f"{s.name} (id {s.id})" for s in shops)
        raise ConfigError(f"the access token is authorized for several {self.market} shops ({names}); "
                          "set TTS_SHOP_CIPHER to the cipher of the shop this catalog manages")

    # ------------------------------------------------------------------ products: read
    async def search_products(self, *, page_size: int = SEARCH_PAGE_SIZE, page_token: str | None = None,
                              status: str = "ALL", seller_skus: Sequence[str] | None = None,
                              listing_platforms: Sequence[str] | None = None,
                              update_time_ge: int | None = None, create_time_ge: int | None = None,
                              create_time_le: int | None = None) -> SearchPage:
        """One page of Search Products (202502)."""
        body: dict[str, Any] = {"status": status}
        if seller_skus:
            body["seller_skus"] = list(seller_skus)
        if listing_platforms:
            body["listing_platforms"] = list(listing_platforms)
        for name, value in (("update_time_ge", update_time_ge), ("create_time_ge", create_time_ge),
                            ("create_time_le", create_time_le)):
            if value is not None:
                body[name] = int(value)
        query = {"page_size": page_size, "page_token": page_token or None}
        data = self._read(await self.wire.call(ENDPOINTS["search"], query=query, body=body))
        products = tuple(p for p in data.get("products") or () if isinstance(p, dict))
        return SearchPage(products, str(data.get("next_page_token") or ""), int(data.get("total_count") or 0))

    async def iter_search(self, *, after: SearchPage | None = None, **filters: Any) -> AsyncGenerator[SearchPage, None]:
        """Every page, following `next_page_token` until it is empty (or repeats); `after`: a
        first page already read with the same filters (its successors only)."""
        token: str | None = None
        seen: set[str] = set()
        page = after
        while True:
            if page is not None:
                token = page.next_page_token
                if not token or token in seen or not page.products:
                    return
                seen.add(token)
            page = await self.search_products(page_token=token, **filters)
            yield page

    async def get_product(self, product_id: str, *, under_review: bool = False) -> dict:
        """Get Product: the raw `data` object (engine.shop.normalize turns it into a LiveProduct)."""
        query = {"return_under_review_version": True} if under_review else None
        envelope = await self.wire.call(ENDPOINTS["get"], path_params={"product_id": product_id}, query=query)
        return self._read(envelope)

    async def listing_check(self, body: Mapping[str, Any]) -> ListingCheck:
        envelope = await self.wire.call(ENDPOINTS["listing_check"], body=dict(body))
        data = self._read(envelope)
        reasons = tuple((int(r.get("code") or 0), str(r.get("message") or ""))
                        for r in data.get("fail_reasons") or () if isinstance(r, Mapping))
        pre = tuple((str(r.get("pre_check_item") or ""), str(d.get("short_reason") or ""))
                    for r in data.get("pre_check_results") or () if isinstance(r, Mapping)
                    for d in r.get("pre_check_details") or () if isinstance(d, Mapping))
        errors = parse_errors(data.get("errors"))
        return ListingCheck(passed=data.get("check_result") == "PASS" and not errors, fail_reasons=reasons,
                            warnings=parse_warnings(data.get("warnings")), errors=errors, pre_check=pre,
                            request_id=envelope.request_id)

    # ------------------------------------------------------------------ products: write
    async def create_product(self, body: Mapping[str, Any], *, idempotency_key: str | None) -> WriteResult:
        payload = dict(body)
        if idempotency_key:
            payload["idempotency_key"] = idempotency_key
        kind = Kind.IDEMPOTENT if idempotency_key else Kind.WRITE
        envelope = await self.wire.call(ENDPOINTS["create"], body=payload, kind=kind)
        platforms = payload.get("listing_platforms") or ("TIKTOK_SHOP",)
        return self._write_result(envelope, "", platforms)

    async def edit_product(self, product_id: str, body: Mapping[str, Any],
                           *, platforms: Iterable[str] = ()) -> WriteResult:
        """Full Edit (replaces everything; omitted fields are cleared)."""
        envelope = await self.wire.call(ENDPOINTS["edit"], path_params={"product_id": product_id},
                                        body=dict(body))
        return self._write_result(envelope, product_id, body.get("listing_platforms") or platforms)

    async def partial_edit_product(self, product_id: str, body: Mapping[str, Any],
                                   *, platforms: Iterable[str] = ()) -> WriteResult:
        envelope = await self.wire.call(ENDPOINTS["partial_edit"], path_params={"product_id": product_id},
                                        body=dict(body))
        return self._write_result(envelope, product_id, body.get("listing_platforms") or platforms)

    async def update_price(self, product_id: str, skus: Sequence[Mapping[str, Any]],
                           *, platforms: Iterable[str] = ()) -> WriteResult:
        """skus: [{"id": sku_id, "price": {"amount": "150000", "currency": "IDR"}}, ...]"""
        envelope = await self.wire.call(ENDPOINTS["update_price"], path_params={"product_id": product_id},
                                        body={"skus": [dict(s) for s in skus]})
        return self._write_result(envelope, product_id, platforms)

    async def update_inventory(self, product_id: str, skus: Sequence[Mapping[str, Any]],
                               *, platforms: Iterable[str] = ()) -> WriteResult:
        """skus: [{"id": sku_id, "inventory": [{"warehouse_id": ..., "quantity": n}, ...]}, ...]
        (every warehouse of each SKU). Per-SKU failures are `errors` with item_id = sku_id."""
        envelope = await self.wire.call(ENDPOINTS["update_inventory"], path_params={"product_id": product_id},
                                        body={"skus": [dict(s) for s in skus]})
        return self._write_result(envelope, product_id, platforms, id_key="sku_id")

    async def activate(self, product_ids: Sequence[str], platforms: Sequence[str] = ()) -> BatchResult:
        return await self._batch("activate", product_ids, platforms)

    async def deactivate(self, product_ids: Sequence[str], platforms: Sequence[str] = ()) -> BatchResult:
        return await self._batch("deactivate", product_ids, platforms)

    async def delete(self, product_ids: Sequence[str]) -> BatchResult:
        return await self._batch("delete", product_ids, ())

    async def recover(self, product_ids: Sequence[str]) -> BatchResult:
        return await self._batch("recover", product_ids, ())

    async def upload_image(self, content: bytes, *, filename: str = "image.jpg",
                           use_case: str = "MAIN_IMAGE", mime_type: str = "image/jpeg") -> ImageUpload:
        envelope = await self.wire.call(ENDPOINTS["upload_image"], files={"data": (filename, content, mime_type)},
                                        form={"use_case": use_case})
        data = self._read(envelope)
        return ImageUpload(uri=str(data.get("uri") or ""), url=str(data.get("url") or ""),
                           width=int(data.get("width") or 0), height=int(data.get("height") or 0),
                           use_case=str(data.get("use_case") or use_case))

    # ------------------------------------------------------------------ reference data
    async def categories(self, platform: str = "TIKTOK_SHOP", *, keyword: str | None = None,
                         locale: str | None = None, category_version: str | None = None,
                         include_prohibited: bool = False) -> tuple[Category, ...]:
        """The category tree as one platform sees it, with `permission_statuses`."""
        query = {"listing_platform": platform, "keyword": keyword, "locale": locale,
                 "category_version": category_version,
                 "include_prohibited_categories": True if include_prohibited else None}
        data = self._read(await self.wire.call(ENDPOINTS["categories"], query=query))
        cats = (Category(id=str(c.get("id") or ""), parent_id=str(c.get("parent_id") or "0"),
                         name=str(c.get("local_name") or ""), is_leaf=bool(c.get("is_leaf")),
                         permission_statuses=parse_statuses(c.get("permission_statuses")))
                for c in data.get("categories") or () if isinstance(c, Mapping))
        return tuple(sorted(cats, key=lambda c: c.id))

    async def attributes(self, category_id: str, *, locale: str | None = None,
                         category_version: str | None = None) -> tuple[AttributeInfo, ...]:
        envelope = await self.wire.call(ENDPOINTS["attributes"], path_params={"category_id": category_id},
                                        query={"locale": locale, "category_version": category_version})
        data = self._read(envelope)
        return tuple(sorted((parse_attribute(a) for a in data.get("attributes") or () if isinstance(a, Mapping)),
                            key=lambda a: a.id))

    async def category_rules(self, category_id: str, *, locale: str | None = None,
                             category_version: str | None = None) -> CategoryRules:
        envelope = await self.wire.call(ENDPOINTS["rules"], path_params={"category_id": category_id},
                                        query={"locale": locale, "category_version": category_version})
        data = self._read(envelope)
        certs = tuple(sorted(str(c.get("id") or "") for c in data.get("product_certifications") or ()
                             if isinstance(c, Mapping) and c.get("is_required")))
        return CategoryRules(
            allowed_special_product_types=tuple(sorted(data.get("allowed_special_product_types") or ())),
            cod_supported=bool(nested(data, "cod", "is_supported", default=True)),
            package_dimension_required=bool(nested(data, "package_dimension", "is_required")),
            size_chart_supported=bool(nested(data, "size_chart", "is_supported")),
            size_chart_required=bool(nested(data, "size_chart", "is_required")),
            required_certifications=certs)

    async def brands(self, *, category_id: str | None = None, brand_name: str | None = None,
                     authorized_only: bool = False, page_size: int = 100) -> tuple[Brand, ...]:
        """Every page of Get Brands."""
        out: dict[str, Brand] = {}
        token: str | None = None
        while True:
            query = {"page_size": page_size, "page_token": token, "category_id": category_id,
                     "brand_name": brand_name, "is_authorized": 1 if authorized_only else None}
            data = self._read(await self.wire.call(ENDPOINTS["brands"], query=query))
            for b in data.get("brands") or ():
                if isinstance(b, Mapping) and b.get("id"):
                    out[str(b["id"])] = Brand(
                        id=str(b["id"]), name=str(b.get("name") or ""),
                        authorized=b.get("authorized_status") == "AUTHORIZED",
                        available=b.get("brand_status", "AVAILABLE") == "AVAILABLE",
                        is_t1=bool(b.get("is_t1_brand")))
            next_token = str(data.get("next_page_token") or "")
            if not next_token or next_token == token or not data.get("brands"):
                return tuple(sorted(out.values(), key=lambda b: b.id))
            token = next_token

    async def warehouses(self) -> tuple[Warehouse, ...]:
        data = self._read(await self.wire.call(ENDPOINTS["warehouses"]))
        items = (Warehouse(id=str(w.get("id") or ""), name=str(w.get("name") or ""),
                           is_default=bool(w.get("is_default")), type=str(w.get("type") or ""),
                           effect_status=str(w.get("effect_status") or ""))
                 for w in data.get("warehouses") or () if isinstance(w, Mapping))
        return tuple(sorted(items, key=lambda w: w.id))

    # ------------------------------------------------------------------ helpers
    def _read(self, envelope: Envelope) -> dict:
        if envelope.code != 0:
            raise ApiError(envelope.message or "the shop refused the request", code=envelope.code,
                           request_id=envelope.request_id, http_status=envelope.http_status)
        return envelope.data

    def _refuse_request_errors(self, envelope: Envelope) -> None:
        if envelope.code != 0 and str(envelope.code).startswith(REQUEST_ERROR_PREFIXES):
            raise ApiError(envelope.message or "the shop refused the request", code=envelope.code,
                           request_id=envelope.request_id, http_status=envelope.http_status)

    def _write_result(self, envelope: Envelope, product_id: str, platforms: Iterable[str],
                      id_key: str = "product_id") -> WriteResult:
        self._refuse_request_errors(envelope)
        data = envelope.data
        errors = parse_errors(data.get("errors"), id_key)
        requested = known_platforms(platforms)
        audit = as_mapping(data.get("audit"))
        return WriteResult(
            product_id=str(data.get("product_id") or product_id),
            per_platform=platform_outcomes(requested, errors, envelope.code, envelope.message),
            errors=errors, warnings=parse_warnings(data.get("warnings")), skus=parse_skus(data.get("skus")),
            audit_status=audit.get("status"), code=envelope.code, message=envelope.message,
            request_id=envelope.request_id)

    async def _batch(self, name: str, product_ids: Sequence[str], platforms: Sequence[str]) -> BatchResult:
        ids = tuple(dict.fromkeys(str(p) for p in product_ids))
        if not ids or len(ids) > BATCH_LIMIT:
            raise ValueError(f"{name} takes 1..{BATCH_LIMIT} product ids, got {len(ids)}")
        body: dict[str, Any] = {"product_ids": list(ids)}
        if platforms:
            body["listing_platforms"] = list(platforms)
        envelope = await self.wire.call(ENDPOINTS[name], body=body)
        self._refuse_request_errors(envelope)
        errors = parse_errors(envelope.data.get("errors"))
        failed: dict[str, list] = {}
        for error in errors:
            targets = (error.item_id,) if error.item_id else ids  # unattributed: all of them
            for pid in targets:
                failed.setdefault(pid, []).append(error)
        if envelope.code != 0 and not errors:  # the whole batch was rejected
            failed = {pid: [_whole_call_error(envelope)] for pid in ids}
        return BatchResult(requested=ids, platforms=tuple(platforms),
                           failed={k: tuple(v) for k, v in sorted(failed.items())},
                           request_id=envelope.request_id, replayed=envelope.replayed)


def _whole_call_error(envelope: Envelope) -> ItemError:
    return ItemError(code=envelope.code, message=envelope.message)
