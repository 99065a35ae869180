"""The stored product record and its lifecycle (API.md §6), as pure functions on a dict.

A record (JSON in the `products.doc` column):

    id, create_time, update_time, external_product_id
    content     the base version: live once approved (v1), or the only version so far
    pending     v2 under review while v1 stays live (edit of a live product), else None
    platforms   {platform: raw status}; a platform is absent until the product is listed there
    prior       {platform: status before the running review} (restored when v2 fails everywhere)
    review      {"due": seconds, "platforms": [...]} while a review runs, else None
    audit       NONE | AUDITING | FAILED | APPROVED;  audit_failed_reasons: per-platform reasons
    skus        {sku_id: {"price": {...}, "inventory": [...]}} — price and stock apply at once to
                every version and are never reviewed

Review is lazy and deterministic: `resolve_review` runs whenever the record is read or
written once `review.due` has passed on the clock. Outcome per platform from rules.review:
- no live version (create / activate / edit of a never-approved product): pass → ACTIVATE,
  fail → FAILED;
- v2 of a live product: some pass → v2 replaces v1, passing → ACTIVATE, failing →
  PLATFORM_DEACTIVATED (hidden, "deactivated and hidden entirely" per the OAS); all fail →
  v1 stays and every platform gets its prior status back; audit FAILED with the reasons.
`update_time` moves on every change, strictly increasing per product even within a second.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.sandbox.rules import review as review_rules
from engine.sandbox.seed import Seed

LIVE = "ACTIVATE"
PENDING = "PENDING"
DEACTIVATED = ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED")


def new_record(product_id: str, now: float, content: dict[str, Any], external_product_id: str | None,
               skus: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": product_id, "create_time": int(now), "update_time": int(now),
        "external_product_id": external_product_id or None, "content": content, "pending": None,
        "platforms": {}, "prior": None, "review": None, "audit": "NONE", "audit_failed_reasons": [],
        "skus": skus,
    }


def touch(record: dict[str, Any], now: float) -> None:
    """Move update_time: never backwards, never the same value twice."""
    record["update_time"] = max(int(now), int(record["update_time"]) + 1)


def is_live(record: dict[str, Any]) -> bool:
    """A version is (or was, before the running review) approved and visible on some platform."""
    statuses = list(record["platforms"].values()) + list((record.get("prior") or {}).values())
    return LIVE in statuses


def not_live_on(record: dict[str, Any]) -> list[str]:
    """Platforms the product is listed on where no approved version is shown to buyers
    (deactivated, failed, first review running...); v1 live while v2 is reviewed counts as live."""
    prior = record.get("prior") or {}
    return sorted(p for p, s in record["platforms"].items()
                  if s != LIVE and not (s == PENDING and prior.get(p) == LIVE))


def latest(record: dict[str, Any]) -> dict[str, Any]:
    """The newest content: v2 under review if any, else the base version."""
    return record["pending"] or record["content"]


def status_on(record: dict[str, Any], platform: str) -> str | None:
    return record["platforms"].get(platform)


def is_frozen(record: dict[str, Any]) -> bool:
    return "FREEZE" in record["platforms"].values()


def is_deleted(record: dict[str, Any]) -> bool:
    return bool(record["platforms"]) and all(s == "DELETED" for s in record["platforms"].values())


def delete(record: dict[str, Any]) -> None:
    """DELETED on every platform (Delete Products, or a delete in Seller Center); a running review is dropped."""
    record["platforms"] = {p: "DELETED" for p in record["platforms"]}
    record["pending"], record["prior"], record["review"] = None, None, None
    if record["audit"] == "AUDITING":
        record["audit"] = "NONE"


def start_review(record: dict[str, Any], platforms: list[str], now: float, review_seconds: float) -> None:
    """Send the latest content to review on `platforms` (status PENDING, audit AUDITING)."""
    if not platforms:
        return
    prior = record.get("prior") or {}
    running = list((record.get("review") or {}).get("platforms", []))
    for platform in platforms:
        if platform not in prior:
            prior[platform] = record["platforms"].get(platform)
        record["platforms"][platform] = PENDING
    record["prior"] = prior
    record["review"] = {"due": now + review_seconds, "platforms": sorted(set(running) | set(platforms))}
    record["audit"] = "AUDITING"
    record["audit_failed_reasons"] = [r for r in record["audit_failed_reasons"]
                                      if r["listing_platform"] not in platforms]


def cancel_review(record: dict[str, Any], platform: str) -> None:
    """Stop reviewing on one platform (it was deactivated or deleted meanwhile)."""
    running = record.get("review")
    if not running or platform not in running["platforms"]:
        return
    running["platforms"] = [p for p in running["platforms"] if p != platform]
    (record.get("prior") or {}).pop(platform, None)
    if not running["platforms"]:
        record["review"], record["prior"], record["pending"] = None, None, None
        record["audit"] = "NONE" if record["audit"] == "AUDITING" else record["audit"]


def is_review_due(record: dict[str, Any], now: float) -> bool:
    running = record.get("review")
    return isinstance(running, dict) and bool(running) and running["due"] <= now


def resolve_review(record: dict[str, Any], seed: Seed) -> None:
    running = record["review"]
    platforms = list(running["platforms"])
    version = latest(record)
    failed = review_rules(version, platforms, seed)
    passed = [p for p in platforms if p not in failed]
    prior = record.get("prior") or {}
    had_live = LIVE in prior.values() and record["pending"] is not None
    if had_live and not passed:
        for platform in platforms:
            restored = prior.get(platform)
            if restored is None:
                record["platforms"].pop(platform, None)
            else:
                record["platforms"][platform] = restored
    else:
        if record["pending"] is not None:
            record["content"] = record["pending"]
        for platform in platforms:
            if platform in passed:
                record["platforms"][platform] = LIVE
            else:
                was_live = had_live and prior.get(platform) == LIVE
                record["platforms"][platform] = "PLATFORM_DEACTIVATED" if was_live else "FAILED"
    reasons = [r for r in record["audit_failed_reasons"] if r["listing_platform"] not in platforms]
    for platform in sorted(failed):
        reasons.extend(failed[platform])
    record["audit_failed_reasons"] = reasons
    record["audit"] = "FAILED" if failed else "APPROVED"
    record["pending"], record["prior"], record["review"] = None, None, None
    record["update_time"] = max(int(running["due"]), int(record["update_time"]) + 1)


def content_without_stock(content: dict[str, Any]) -> dict[str, Any]:
    """Content as review sees it: SKU price / inventory never count as a content change."""
    stripped = copy.deepcopy(content)
    for sku in stripped.get("skus", []):
        sku.pop("_price", None)
        sku.pop("_inventory", None)
    return stripped


def live_skus(record: dict[str, Any]) -> list[dict[str, Any]]:
    """SKUs of every version (live and under review), for the SKU index."""
    seen: dict[str, dict[str, Any]] = {}
    for version in (record["content"], record["pending"]):
        for sku in (version or {}).get("skus", []):
            seen.setdefault(sku["id"], sku)
    return list(seen.values())


def split_stock(content: dict[str, Any], known: dict[str, dict[str, Any]],
                new_ids: list[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Give new SKUs ids and move `_price` / `_inventory` out of the content into SKU state.

    `known` is the product's current SKU state (price and inventory of existing SKUs stay
    when the request omits them); returns (content, state of the SKUs in this content).
    """
    fresh = iter(new_ids)
    state: dict[str, dict[str, Any]] = {}
    for sku in content["skus"]:
        if not sku.get("id"):
            sku["id"] = next(fresh)
        current = copy.deepcopy(known.get(sku["id"], {}))
        price, stock = sku.pop("_price", None), sku.pop("_inventory", None)
        if price is not None:
            current["price"] = price
        if stock is not None:
            current["inventory"] = stock
        state[sku["id"]] = current
        # keep key order stable: id first
        ordered = {"id": sku.pop("id"), **sku}
        sku.clear()
        sku.update(ordered)
    return content, state


def new_sku_count(content: dict[str, Any]) -> int:
    return sum(1 for sku in content["skus"] if not sku.get("id"))


def prune_skus(record: dict[str, Any]) -> None:
    """Forget price/stock of SKUs no version has any more."""
    keep = {sku["id"] for sku in live_skus(record)}
    record["skus"] = {k: v for k, v in record["skus"].items() if k in keep}
