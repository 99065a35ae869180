"""The sandbox's API surface: every path, method and query parameter it serves.

Paths and methods are exactly those of the official spec; a request for a path the table
does not know is 36009009, a known path with another method 36009010, a known path with an
unknown version segment 36009014. Query parameters beyond the common ones (app_key,
timestamp, sign, shop_cipher where the API takes it) and the route's own are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.sandbox import auth, batch, images, reads, writes
from engine.sandbox.shop import Shop

Handler = Callable[[Shop, "Call"], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """A checked request as handlers see it."""

    params: dict[str, str]  # path parameters
    query: dict[str, str]
    body: Any  # parsed JSON (dict) or {"data": bytes|None, "use_case": str|None} for multipart
    version: str


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    query: frozenset[str] = frozenset()
    shop_scoped: bool = True
    kind: str = "json"  # json | multipart | token

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def is_write(self) -> bool:
        return self.method != "GET" and not self.template.endswith(("/search", "/listing_check"))


PAGE = frozenset({"page_size", "page_token"})
LOCALE = frozenset({"locale", "category_version"})


def _routes() -> list[Route]:
    r: list[Route] = [
        Route("GET", "/api/v2/token/get", lambda s, c: auth.token_get(s, c.query), shop_scoped=False, kind="token",
              query=frozenset({"app_key", "app_secret", "auth_code", "grant_type"})),
        Route("GET", "/api/v2/token/refresh", lambda s, c: auth.token_refresh(s, c.query), shop_scoped=False,
              kind="token", query=frozenset({"app_key", "app_secret", "refresh_token", "grant_type"})),
        Route("GET", "/authorization/202309/shops", lambda s, c: reads.shops(s), shop_scoped=False),
        Route("GET", "/logistics/202309/warehouses", lambda s, c: reads.warehouses(s)),
        Route("GET", "/product/202309/products/{product_id}",
              lambda s, c: reads.get_product(s, c.params["product_id"], c.query),
              query=frozenset({"return_under_review_version", "return_draft_version", "locale"})),
        Route("POST", "/product/202309/products", lambda s, c: writes.create(s, c.body)),
        Route("DELETE", "/product/202309/products", lambda s, c: batch.delete(s, c.body)),
        Route("POST", "/product/202309/products/activate", lambda s, c: batch.activate(s, c.body)),
        Route("POST", "/product/202309/products/deactivate", lambda s, c: batch.deactivate(s, c.body)),
        Route("POST", "/product/202309/products/recover", lambda s, c: batch.recover(s, c.body)),
        Route("POST", "/product/202309/products/listing_check", lambda s, c: writes.listing_check(s, c.body),
              query=frozenset({"is_diagnosis_required"})),
        Route("POST", "/product/202309/products/{product_id}/prices/update",
              lambda s, c: batch.update_price(s, c.params["product_id"], c.body)),
        Route("POST", "/product/202309/products/{product_id}/inventory/update",
              lambda s, c: batch.update_inventory(s, c.params["product_id"], c.body)),
        Route("GET", "/product/202309/categories", lambda s, c: reads.categories(s, c.query),
              query=LOCALE | {"keyword", "listing_platform", "include_prohibited_categories"}),
        Route("GET", "/product/202309/categories/{category_id}/attributes",
              lambda s, c: reads.attributes(s, c.params["category_id"]), query=LOCALE),
        Route("GET", "/product/202309/categories/{category_id}/rules",
              lambda s, c: reads.category_rules(s, c.params["category_id"]), query=LOCALE),
        Route("GET", "/product/202309/brands", lambda s, c: reads.brands(s, c.query),
              query=PAGE | {"category_id", "is_authorized", "brand_name", "category_version"}),
        Route("POST", "/product/202309/images/upload",
              lambda s, c: images.upload(s, c.body["data"], c.body["use_case"]), shop_scoped=False,
              kind="multipart"),
    ]
    for version in ("202309", "202312", "202502"):
        extra = frozenset({"category_version"}) if version == "202309" else frozenset()
        r.append(Route("POST", f"/product/{version}/products/search",
                       lambda s, c: reads.search(s, c.version, c.query, c.body), query=PAGE | extra))
    for version in ("202309", "202509"):
        r.append(Route("PUT", f"/product/{version}/products/{{product_id}}",
                       lambda s, c: writes.edit(s, c.params["product_id"], c.body, version=c.version)))
        r.append(Route("POST", f"/product/{version}/products/{{product_id}}/partial_edit",
                       lambda s, c: writes.edit(s, c.params["product_id"], c.body, partial=True, version=c.version)))
    return r


ROUTES = _routes()


def _match(template: str, path: str) -> dict[str, str] | None:
    parts, wanted = path.strip("/").split("/"), template.strip("/").split("/")
    if len(parts) != len(wanted):
        return None
    params = {}
    for part, want in zip(parts, wanted, strict=True):
        if want.startswith("{"):
            if not part:
                return None
            params[want[1:-1]] = part
        elif part != want:
            return None
    return params


def _literals(template: str) -> int:
    return sum(1 for part in template.split("/") if part and not part.startswith("{"))


def _unversioned(path: str) -> str:
    parts = path.strip("/").split("/")
    if len(parts) > 1 and parts[1].isdigit():
        parts[1] = "*"
    return "/".join(parts)


def resolve(method: str, path: str) -> tuple[Route | None, dict[str, str], str]:
    """(route, path params, problem) where problem is "", "path", "method" or "version"."""
    matches = [(route, params) for route in ROUTES if (params := _match(route.template, path)) is not None]
    if matches:  # a literal segment beats a placeholder: /products/activate is not product "activate"
        most = max(_literals(route.template) for route, _ in matches)
        matches = [(route, params) for route, params in matches if _literals(route.template) == most]
    for route, params in matches:
        if route.method == method:
            return route, params, ""
    if matches:
        return None, {}, "method"
    loose = _unversioned(path)
    if any(_match(_unversioned(route.template), loose) is not None for route in ROUTES):
        return None, {}, "version"
    return None, {}, "path"


def version_of(template: str) -> str:
    parts = template.strip("/").split("/")
    return parts[1] if len(parts) > 1 else ""
