"""What tests and benchmarks do to a sandbox shop without going through HTTP.

- `seed_products(bodies, status=None, platforms=None)`: bulk insert of Create-shaped bodies
  (validated by the same rules as Create, except that stock may be 0 — a sold-out SKU is a
  shop state; image URIs they name are registered as uploaded).
  `status=None` gives the review outcome at once (ACTIVATE, or FAILED where a banned word
  fails review); any other status is set on every platform as is (e.g. "PENDING" starts a
  review lasting the shop's review_seconds, "SELLER_DEACTIVATED", "FREEZE"). `platforms`
  overrides the bodies' `listing_platforms`. Returns the new product ids in input order.
- `set_status(product_id, platform, status)`: what the platform does (FREEZE,
  PLATFORM_DEACTIVATED, ...); listing a product on a new platform is allowed. DELETED deletes
  the product on every platform (as `outside_delete`): no product is deleted on one only.
- `outside_delete(product_id)`: the seller deletes it in Seller Center: the state Delete
  Products leaves (DELETED on every platform, a running review dropped); update_time moves.
  Search lists it with status DELETED, Get Product answers 12052032.
- `outside_edit(product_id, **fields)`: a Seller Center edit: top-level content fields
  (title, description, brand_id, ...), `external_product_id`, and `prices={seller_sku: amount}` /
  `stock={seller_sku: {warehouse_id: quantity}}`. Applied at once (no review); update_time moves.
"""

from __future__ import annotations

import copy
import gc
from typing import TYPE_CHECKING, Any

from engine.sandbox import model
from engine.sandbox.codes import RuleError
from engine.sandbox.db import Tx
from engine.sandbox.rules import Context, check_product
from engine.sandbox.seed import PLATFORMS

if TYPE_CHECKING:
    from engine.sandbox.store import SandboxStore

STATUSES = ("DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE",
            "DELETED")


def _context(store: SandboxStore, tx: Tx, now: float) -> Context:
    def image(uri: str | None) -> dict[str, Any] | None:
        if not isinstance(uri, str) or not uri:
            return None
        found = tx.image(uri)
        if found is None:
            url = f"https://images.sandbox.invalid/obj/{uri}~tplv-origin.jpeg"
            tx.add_image(uri, url, 800, 800, "MAIN_IMAGE", now)
            found = {"uri": uri, "url": url, "width": 800, "height": 800}
        return found

    return Context(seed=store.seed, image=image, known_url=lambda url: True, external_owner=tx.external_owner)


def seed_products(store: SandboxStore, bodies: list[dict[str, Any]], *, status: str | None = None,
                  platforms: list[str] | None = None) -> list[str]:
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of small dicts: the cyclic collector would rescan them again and again
    try:
        return _seed_products(store, bodies, status, platforms)
    finally:
        if enabled:
            gc.enable()


def _seed_products(store: SandboxStore, bodies: list[dict[str, Any]], status: str | None,
                   platforms: list[str] | None) -> list[str]:
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if platforms is not None and (not platforms or any(p not in PLATFORMS for p in platforms)):
        raise ValueError(f"platforms must be a non-empty list of {', '.join(PLATFORMS)}")
    now = store.now()
    review_seconds = float(store.settings()["review_seconds"])
    with store.db.write() as tx:
        ctx = _context(store, tx, now)
        checked_all = []
        for index, body in enumerate(bodies):
            if platforms is not None:
                body = {**body, "listing_platforms": list(platforms)}
            try:
                checked_all.append(check_product(body, ctx, min_stock=0))  # sold-out SKUs are a shop state
            except RuleError as error:
                raise ValueError(f"seed body {index}: {error.message} (code {error.code})") from None
        ids = iter(tx.next_ids(sum(1 + len(c.content["skus"]) for c in checked_all), now))
        records, external = [], set()
        for body, checked in zip(bodies, checked_all, strict=True):
            external_id = body.get("external_product_id") or None
            if external_id and (external_id in external or tx.external_owner(external_id)):
                raise ValueError(f"external_product_id {external_id!r} is used twice")
            external.add(external_id)
            product_id = next(ids)
            content, skus = model.split_stock(checked.content, {}, [next(ids) for _ in checked.content["skus"]])
            record = model.new_record(product_id, now, content, external_id, skus)
            _initial_status(record, checked.platforms, status, now, review_seconds, store)
            records.append(record)
        tx.put_many(records)
    return [r["id"] for r in records]


def _initial_status(record: dict[str, Any], platforms: list[str], status: str | None, now: float,
                    review_seconds: float, store: SandboxStore) -> None:
    if status == "PENDING":
        model.start_review(record, platforms, now, review_seconds)
        return
    if status is None:
        model.start_review(record, platforms, now, 0)
        model.resolve_review(record, store.seed)
        record["update_time"] = int(now)
        return
    record["platforms"] = {p: status for p in platforms}
    record["audit"] = "APPROVED" if status in ("ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED") else "NONE"


def load_record(store: SandboxStore, tx: Tx, product_id: str, now: float) -> dict[str, Any]:
    """The stored record with a due review decided (KeyError when there is no such product)."""
    record = tx.get(product_id)
    if record is None:
        raise KeyError(f"product {product_id} does not exist")
    if model.is_review_due(record, now):
        model.resolve_review(record, store.seed)
    return record


def set_status(store: SandboxStore, product_id: str, platform: str, status: str) -> None:
    if platform not in PLATFORMS or status not in STATUSES:
        raise ValueError(f"platform must be one of {PLATFORMS} and status one of {STATUSES}")
    now = store.now()
    with store.db.write() as tx:
        record = load_record(store, tx, product_id, now)
        if status == "DELETED":  # a product is deleted on every platform at once, as on the platform
            model.delete(record)
        else:
            model.cancel_review(record, platform)
            record["platforms"][platform] = status
        model.touch(record, now)
        tx.put(record)


def outside_delete(store: SandboxStore, product_id: str) -> None:
    now = store.now()
    with store.db.write() as tx:
        record = load_record(store, tx, product_id, now)
        if model.is_frozen(record):
            raise ValueError(f"product {product_id} is frozen: Seller Center cannot delete it either")
        model.delete(record)
        model.touch(record, now)
        tx.put(record)


def outside_edit(store: SandboxStore, product_id: str, **fields: Any) -> dict[str, Any]:
    prices = fields.pop("prices", {}) or {}
    stock = fields.pop("stock", {}) or {}
    now = store.now()
    with store.db.write() as tx:
        record = load_record(store, tx, product_id, now)
        if "external_product_id" in fields:
            record["external_product_id"] = fields.pop("external_product_id") or None
        for version in filter(None, (record["content"], record["pending"])):
            for key, value in fields.items():
                if key == "skus" or key not in version and key not in _EDITABLE:
                    raise ValueError(f"outside_edit cannot set {key!r}")
                version[key] = copy.deepcopy(value)
        by_seller_sku = {s["seller_sku"]: s["id"] for s in model.live_skus(record)}
        for seller_sku, amount in prices.items():
            record["skus"][by_seller_sku[seller_sku]]["price"] = {"amount": str(amount), "currency": "IDR"}
        for seller_sku, warehouses in stock.items():
            record["skus"][by_seller_sku[seller_sku]]["inventory"] = [
                {"warehouse_id": w, "quantity": int(q)} for w, q in sorted(warehouses.items())]
        model.touch(record, now)
        tx.put(record)
    return record


_EDITABLE = frozenset({"title", "description", "brand_id", "main_images", "product_attributes", "package_weight",
                       "package_dimensions", "shipping_insurance_requirement", "is_pre_owned",
                       "minimum_order_quantity", "is_cod_allowed", "delivery_option_ids", "category_id"})
