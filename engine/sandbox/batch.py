"""Price, stock and status endpoints (API.md §7.6–7.11).

- Update Price: all-or-nothing; the product must be live (ACTIVATE, or its approved v1 is
  live while v2 is reviewed) on every platform it is listed on (12019113 otherwise), and no
  SKU of the request in a running promotion (12052038). Applies at once, never reviewed;
  `data` is empty.
- Update Inventory: per-SKU `data.errors[]` with `code 0`; every warehouse of a SKU must be
  listed (`warehouse_id` may be omitted when the SKU has exactly one); 0–99,999 (stock.py).
  Never reviewed.
- Activate / Deactivate (per `listing_platforms`, default TIKTOK_SHOP), Delete (all
  platforms), Recover: ≤ 20 ids, `code 0` with per-item `data.errors[]`. Activating a live
  product or deactivating one that is not ACTIVATE (already deactivated, under review) is a
  per-item error (12052003), never a silent success. Deleting a deleted product is a no-op
  success (undocumented; a retried delete stays safe). Activate on a platform the product was
  never listed on lists it there, subject to that platform's category permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.sandbox import codes, model
from engine.sandbox.codes import PlatformError, RuleError
from engine.sandbox.rules import reject_unknown_fields
from engine.sandbox.seed import PLATFORMS
from engine.sandbox.shop import Shop
from engine.sandbox.skurules import money
from engine.sandbox.stock import check_backorders, update_items

MAX_BATCH = 20


def _ids(body: dict[str, Any]) -> list[str]:
    ids = body.get("product_ids")
    if not isinstance(ids, list) or not ids:
        raise PlatformError(codes.PRODUCT_IDS_REQUIRED, "product_ids is required")
    if len(ids) > MAX_BATCH:
        raise PlatformError(codes.TOO_MANY_IDS, f"At most {MAX_BATCH} product ids per request ({len(ids)})")
    if any(not isinstance(i, str) or not i.isdigit() for i in ids):
        raise PlatformError(codes.INVALID_PARAMS, "product_ids must be numeric strings")
    return list(dict.fromkeys(ids))


def _platforms(body: dict[str, Any]) -> list[str]:
    value = body.get("listing_platforms")
    if value is None:
        return ["TIKTOK_SHOP"]
    if not isinstance(value, list) or not value or any(p not in PLATFORMS for p in value):
        raise PlatformError(codes.INVALID_PARAMS, f"listing_platforms must be a list of {', '.join(PLATFORMS)}")
    return sorted(set(value))


@dataclass
class _Batch:
    """What one product of an activate / deactivate / delete / recover batch is handled with."""

    shop: Shop
    now: float
    platforms: list[str]
    errors: list[dict[str, Any]]


Step = Callable[[_Batch, str, dict[str, Any]], bool]  # (batch, product id, record) -> changed?


def _each_product(shop: Shop, body: dict[str, Any], fields: frozenset[str], step: Step) -> dict[str, Any]:
    """The batch skeleton: check the body, then in one transaction load each product (an unknown
    one is a per-item error), let `step` act on it, and store it when it changed."""
    reject_unknown_fields(body, fields)
    ids = _ids(body)
    platforms = _platforms(body) if "listing_platforms" in fields else []
    batch = _Batch(shop, shop.now(), platforms, [])
    with shop.db.write() as tx:
        for product_id in ids:
            record = _load_or_error(batch, tx, product_id)
            if record is not None and step(batch, product_id, record):
                model.touch(record, batch.now)
                tx.put(record)
    return {"errors": batch.errors} if batch.errors else {}


def _load_or_error(batch: _Batch, tx: Any, product_id: str) -> dict[str, Any] | None:
    try:
        return batch.shop.load(tx, product_id, batch.now)
    except PlatformError as error:
        batch.errors.append({"code": error.code, "message": error.message, "detail": {"product_id": product_id}})
        return None


def activate(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    return _each_product(shop, body, frozenset({"product_ids", "listing_platforms"}), _activate)


def _activate(batch: _Batch, product_id: str, record: dict[str, Any]) -> bool:
    to_review = []
    for platform in batch.platforms:
        problem = _activation_problem(batch.shop, record, platform)
        if problem is None:
            to_review.append(platform)
        else:
            batch.errors.append({"code": codes.CHECK_FAILED, "message": "The check failed",
                                 "detail": {"product_id": product_id, "listing_platform": platform,
                                            "extra_errors": [{"code": problem.code, "message": problem.message}]}})
    if to_review:
        model.start_review(record, to_review, batch.now, batch.shop.settings.review_seconds)
    return bool(to_review)


def _activation_problem(shop: Shop, record: dict[str, Any], platform: str) -> RuleError | None:
    status = record["platforms"].get(platform)
    if status in model.DEACTIVATED and not model.is_frozen(record):
        return None
    if status is None and not model.is_frozen(record) and not model.is_deleted(record):
        permission = shop.seed.permission(record["content"]["category_id"], platform)
        if "AVAILABLE" in permission:
            return None
        return RuleError(codes.CATEGORY_RESTRICTED, f"The category is {'/'.join(permission).lower()} on {platform}")
    return RuleError(codes.STATUS_CONFLICT, f"The current product status ({status or 'not listed'}) "
                     f"can not be activated on {platform}")


def deactivate(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    return _each_product(shop, body, frozenset({"product_ids", "listing_platforms"}), _deactivate)


def _deactivate(batch: _Batch, product_id: str, record: dict[str, Any]) -> bool:
    changed = False
    for platform in batch.platforms:
        status = record["platforms"].get(platform)
        if status == "ACTIVATE":
            record["platforms"][platform] = "SELLER_DEACTIVATED"
            model.cancel_review(record, platform)
            changed = True
        else:  # already deactivated, under review, failed, not listed: not "in the Activate status" (OAS)
            batch.errors.append({"code": codes.STATUS_CONFLICT, "message": f"The current product status "
                                 f"({status or 'not listed'}) can not be deactivated on {platform}",
                                 "detail": {"product_id": product_id, "listing_platform": platform}})
    return changed


def delete(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    return _each_product(shop, body, frozenset({"product_ids"}), _delete)


def _delete(batch: _Batch, product_id: str, record: dict[str, Any]) -> bool:
    if model.is_deleted(record):
        return False
    if model.is_frozen(record):
        batch.errors.append({"code": codes.STATUS_CONFLICT, "message": "Frozen products cannot be deleted "
                             "(frozen on at least one platform)", "detail": {"product_id": product_id}})
        return False
    model.delete(record)
    return True


def recover(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    return _each_product(shop, body, frozenset({"product_ids"}), _recover)


def _recover(batch: _Batch, product_id: str, record: dict[str, Any]) -> bool:
    if not model.is_deleted(record):
        batch.errors.append({"code": codes.STATUS_CONFLICT, "message": "Only DELETED products can be recovered",
                             "detail": {"product_id": product_id}})
        return False
    record["platforms"] = {p: "SELLER_DEACTIVATED" for p in record["platforms"]}
    return True


def _sku_ids(record: dict[str, Any]) -> set[str]:
    return {s["id"] for s in model.live_skus(record)}


def _single_writable(record: dict[str, Any], what: str) -> None:
    if model.is_frozen(record) or model.is_deleted(record):
        state = "FREEZE" if model.is_frozen(record) else "DELETED"
        raise PlatformError(codes.PRODUCT_STATUS_INVALID, f"Product status invalid: {what} is not allowed "
                            f"for a {state} product")


def update_price(shop: Shop, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reject_unknown_fields(body, frozenset({"skus"}))
    skus, now = body.get("skus"), shop.now()
    if not isinstance(skus, list) or not skus:
        raise PlatformError(codes.INVALID_PARAMS, "skus is required")
    with shop.db.write() as tx:
        record = shop.load(tx, product_id, now)
        _single_writable(record, "Update Price")
        _price_updatable(record)
        known, prices = _sku_ids(record), {}
        for index, sku in enumerate(skus):
            sku_id = sku.get("id") if isinstance(sku, dict) else None
            if not isinstance(sku_id, str) or sku_id not in known:
                raise PlatformError(codes.SKU_ID_INVALID, f"skus[{index}]: SKU id {sku_id} is not in this product")
            try:
                prices[sku_id] = money(sku.get("price"), where=f"skus[{index}]")
            except RuleError as error:
                raise PlatformError(error.code, error.message) from None
        check_promotions(tx.promoted(record["id"], now), list(prices))
        for sku_id, price in prices.items():
            record["skus"].setdefault(sku_id, {})["price"] = price
        model.touch(record, now)
        tx.put(record)
    return {}


def _price_updatable(record: dict[str, Any]) -> None:
    """Update Price takes "a product in the ACTIVATE status" (OAS): on every platform the product is
    listed on (one price serves both) — RULES.md. A v1 live while v2 is reviewed counts as live."""
    if not record["platforms"] or not model.is_live(record):
        raise PlatformError(codes.PRODUCT_STATUS_INVALID, "Product status invalid: prices can be updated only "
                            "for ACTIVATE products; use Edit / Partial Edit instead")
    offline = model.not_live_on(record)
    if offline:
        states = ", ".join(f"{p} {record['platforms'][p]}" for p in offline)
        raise PlatformError(codes.PRODUCT_STATUS_INVALID, f"Product status invalid: the product is not ACTIVATE on "
                            f"every platform it is listed on ({states}); update the price with Edit / Partial Edit")


def check_promotions(promoted: dict[str, str], sku_ids: list[str]) -> None:
    """12052038 when any of these SKUs is in a running promotion (the whole call is refused)."""
    locked = [s for s in sku_ids if s in promoted]
    if locked:
        names = sorted({promoted[s] for s in locked})
        raise PlatformError(codes.PROMOTION_PRICE_LOCKED, "Product price locked due to ongoing promotion: the price "
                            f"of SKU {', '.join(locked)} cannot be modified during the promotion ({', '.join(names)})")


def update_inventory(shop: Shop, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reject_unknown_fields(body, frozenset({"skus"}))
    skus, now = body.get("skus"), shop.now()
    if not isinstance(skus, list) or not skus:
        raise PlatformError(codes.INVENTORY_REQUIRED, "skus is required")
    errors: list[dict[str, Any]] = []
    with shop.db.write() as tx:
        record = shop.load(tx, product_id, now)
        _single_writable(record, "Update Inventory")
        known, applied = _sku_ids(record), False
        pre_sale = {s["id"] for s in model.live_skus(record) if s.get("pre_sale")}
        for sku in skus:
            sku_id = sku.get("id") if isinstance(sku, dict) else None
            if not isinstance(sku_id, str) or sku_id not in known:
                errors.append({"code": codes.SKU_ID_INVALID, "message": f"SKU {sku_id} is not in this product",
                               "detail": {"sku_id": str(sku_id)}})
                continue
            current = record["skus"].setdefault(sku_id, {}).get("inventory", [])
            stock, problem = update_items(sku.get("inventory"), current, shop.seed.warehouse_ids)
            if problem is None:
                problem = _backorder_problem(stock, sku_id in pre_sale)
            if problem:
                errors.append({"code": problem["code"], "message": problem["message"],
                               "detail": {"sku_id": sku_id, "extra_errors": [problem]}})
                continue
            record["skus"][sku_id]["inventory"] = stock
            applied = True
        if applied:
            model.touch(record, now)
            tx.put(record)
    return {"errors": errors} if errors else {}


def _backorder_problem(stock: list[dict[str, Any]], has_pre_sale: bool) -> dict[str, Any] | None:
    try:
        check_backorders(stock, has_pre_sale, "inventory")
    except RuleError as error:
        return {"code": error.code, "message": error.message, "warehouse_id": stock[0]["warehouse_id"]}
    return None
