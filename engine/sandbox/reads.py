"""Get Product, Search Products (202309 / 202312 / 202502) and the shop's metadata reads.

Search pages are keyset-paginated on the product id (immutable, newest first): the opaque
`page_token` names the last id served, so products created, edited or deleted between pages
never shift, duplicate or skip the others. `total_count` counts the whole filtered set at
the time of the call. `status` defaults to ALL (every product, DELETED included); without
`listing_platforms` a status matches when the product has it on any platform.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from engine.sandbox import codes, model
from engine.sandbox.codes import PlatformError
from engine.sandbox.db import SearchFilter
from engine.sandbox.rules import reject_unknown_fields
from engine.sandbox.seed import PLATFORMS
from engine.sandbox.shop import Shop
from engine.sandbox.views import product_view, search_view

STATUSES = ("ALL", "DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED",
            "FREEZE", "DELETED")
MAX_SELLER_SKUS = 1000  # undocumented upper bound; the sandbox keeps SQL parameters in bounds
SEARCH_FIELDS = {
    "202309": frozenset({"status", "seller_skus", "create_time_ge", "create_time_le", "update_time_ge",
                         "update_time_le"}),
    "202312": frozenset({"status", "seller_skus", "create_time_ge", "create_time_le", "update_time_ge",
                         "update_time_le", "category_version", "listing_platforms", "audit_status", "sku_ids",
                         "listing_quality_tier"}),
    "202502": frozenset({"status", "seller_skus", "create_time_ge", "create_time_le", "update_time_ge",
                         "update_time_le", "category_version", "listing_platforms", "audit_status", "sku_ids",
                         "listing_quality_tiers", "return_draft_version", "sns_filter"}),
}


def invalid(message: str) -> PlatformError:
    return PlatformError(codes.INVALID_PARAM, f"Invalid param: {message}")


def query_bool(query: dict[str, str], name: str) -> bool:
    value = query.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false", "1", "0"):
        raise invalid(f"{name} must be true or false")
    return value.lower() in ("true", "1")


def page_size(query: dict[str, str]) -> int:
    value = query.get("page_size")
    if value is None or not value.isdigit() or not 1 <= int(value) <= 100:
        raise invalid("page_size is required and must be 1–100")
    return int(value)


def encode_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 1, "after": last_id}).encode()).decode().rstrip("=")


def decode_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after = data["after"] if data.get("v") == 1 else None
    except (ValueError, KeyError, TypeError, binascii.Error):
        after = None
    if not isinstance(after, str) or not after.isdigit():
        raise invalid("page_token is not a token this shop issued")
    return after


def get_product(shop: Shop, product_id: str, query: dict[str, str]) -> dict[str, Any]:
    under_review = query_bool(query, "return_under_review_version")
    if under_review and query_bool(query, "return_draft_version"):
        raise invalid("return_under_review_version and return_draft_version are mutually exclusive")
    record = shop.read_record(product_id, shop.now())
    if model.is_deleted(record):
        raise PlatformError(codes.PRODUCT_NOT_FOUND, f"Product {product_id} does not exist (it is DELETED; "
                            "Search Products with status DELETED lists it)")
    if model.is_frozen(record):
        raise PlatformError(codes.PRODUCT_STATUS_INVALID, f"Product {product_id} is frozen (FREEZE); "
                            "Get Product is not available for frozen products")
    return product_view(record, shop.seed, under_review=under_review)


def _str_list(body: dict[str, Any], name: str, allowed: tuple[str, ...] | None = None,
              limit: int | None = None) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        raise invalid(f"{name} must be a list of strings")
    if allowed and any(v not in allowed for v in value):
        raise invalid(f"{name} values must be among {', '.join(allowed)}")
    if limit is not None and len(value) > limit:
        raise invalid(f"{name} takes at most {limit} values")
    return list(dict.fromkeys(value))


def _time(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise invalid(f"{name} must be a Unix timestamp in seconds")
    return value


def search_filter(version: str, body: dict[str, Any]) -> SearchFilter:
    reject_unknown_fields(body, SEARCH_FIELDS[version])
    status = body.get("status", "ALL")
    if status not in STATUSES:
        raise invalid(f"status must be one of {', '.join(STATUSES)}")
    platforms = _str_list(body, "listing_platforms", PLATFORMS)
    if platforms and status == "ALL":
        raise invalid("listing_platforms requires a status other than ALL")
    return SearchFilter(status=status, platforms=sorted(platforms),
                        seller_skus=_str_list(body, "seller_skus", limit=MAX_SELLER_SKUS),
                        sku_ids=_str_list(body, "sku_ids", limit=10),
                        audit=_str_list(body, "audit_status", ("AUDITING", "FAILED", "APPROVED")),
                        create_ge=_time(body, "create_time_ge"), create_le=_time(body, "create_time_le"),
                        update_ge=_time(body, "update_time_ge"), update_le=_time(body, "update_time_le"))


def search(shop: Shop, version: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    size = page_size(query)
    after = decode_token(query.get("page_token"))
    filters = search_filter(version, body)
    now = shop.now()
    shop.resolve_due(now)
    with shop.db.read() as tx:
        records, total = tx.search(filters, before=after, limit=size + 1)
    page = records[:size]
    token = encode_token(page[-1]["id"]) if len(records) > size else ""
    return {"products": [search_view(r, version) for r in page], "total_count": total, "next_page_token": token}


# ---------------------------------------------------------------------- metadata
def categories(shop: Shop, query: dict[str, str]) -> dict[str, Any]:
    platform = query.get("listing_platform", "TIKTOK_SHOP")
    if platform not in PLATFORMS:
        raise invalid(f"listing_platform must be one of {', '.join(PLATFORMS)}")
    if query.get("category_version", "v2") not in ("v1", "v2"):
        raise invalid("category_version must be v1 or v2")
    keyword = query.get("keyword", "").lower()
    with_prohibited = query_bool(query, "include_prohibited_categories")
    result = []
    for category in shop.seed.categories:
        permission = shop.seed.permission(category["id"], platform) if category["is_leaf"] else ["AVAILABLE"]
        if "PROHIBITED" in permission and not with_prohibited:
            continue
        if keyword and keyword not in category["local_name"].lower():
            continue
        result.append({**{k: category[k] for k in ("id", "parent_id", "local_name", "is_leaf")},
                       "permission_statuses": permission})
    return {"categories": result}


def _leaf(shop: Shop, category_id: str) -> str:
    category = shop.seed.category(category_id)
    if category is None:
        raise PlatformError(codes.CATEGORY_INVALID, f"category {category_id} does not exist")
    if not category["is_leaf"]:
        raise PlatformError(codes.CATEGORY_NOT_LEAF, f"category {category_id} is not a leaf category")
    return category["id"]


def attributes(shop: Shop, category_id: str) -> dict[str, Any]:
    return {"attributes": shop.seed.attributes(_leaf(shop, category_id))}


def category_rules(shop: Shop, category_id: str) -> dict[str, Any]:
    rules = shop.seed.rules(_leaf(shop, category_id))
    data: dict[str, Any] = {"product_certifications": [], "size_chart": rules["size_chart"], "cod": rules["cod"],
                            "package_dimension": rules["package_dimension"]}
    if rules.get("allowed_special_product_types"):
        data["allowed_special_product_types"] = list(rules["allowed_special_product_types"])
    return data


def brands(shop: Shop, query: dict[str, str]) -> dict[str, Any]:
    """Brands, optionally of one leaf category (a brand without `category_ids` in the seed is offered
    in every category), authorized only (`is_authorized=1`), by name prefix; pages of `page_size`."""
    size = page_size(query)
    start = int(decode_token(query.get("page_token")) or 0)
    category = _leaf(shop, query["category_id"]) if query.get("category_id") else None
    only_authorized = query_bool(query, "is_authorized")
    prefix = query.get("brand_name", "").lower()
    matching = [b for b in shop.seed.brands if (not only_authorized or b["authorized_status"] == "AUTHORIZED")
                and b["name"].lower().startswith(prefix) and (category is None or category in b.get(
                    "category_ids", (category,)))]
    page = matching[start:start + size]
    token = encode_token(str(start + size)) if start + size < len(matching) else ""
    fields = ("id", "name", "authorized_status", "brand_status", "is_t1_brand")
    return {"brands": [{k: b[k] for k in fields} for b in page], "total_count": len(matching),
            "next_page_token": token}


def warehouses(shop: Shop) -> dict[str, Any]:
    return {"warehouses": [{"id": w["id"], "name": w["name"], "is_default": w["is_default"],
                            "effect_status": "ENABLED", "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
                            "address": dict(w["address"])} for w in shop.seed.warehouses]}


def shops(shop: Shop) -> dict[str, Any]:
    s = shop.seed.shop
    return {"shops": [{"cipher": s["cipher"], "code": s["code"], "id": s["id"], "name": s["name"],
                       "region": s["region"], "seller_type": s["seller_type"]}]}
