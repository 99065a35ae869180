"""Create, Edit (PUT, full replace), Partial Edit and Check Listing (API.md §7.3–7.5, §7.12).

Per-platform outcome: when the request passes on one platform and fails on the other, the
product is written for the passing platform and `data.errors[]` carries the failure as
`{code, message, detail: {listing_platform}}`; when every requested platform fails, the call
fails (non-zero code, same `data.errors[]`) and nothing is written.

Edit semantics: anything omitted is cleared, except SKU price / inventory; existing SKU ids
not sent are deleted; SKUs without id are created. Partial edit replaces whole top-level
properties onto the latest version (v2 under review if any). `listing_platforms` omitting a
platform the product is on hides it there (SELLER_DEACTIVATED); adding one lists it there
(PENDING → review); omitted, the platforms where the product is currently shown are kept.
A change of content sends the product to review on those platforms; price/stock never does.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.sandbox import codes, model
from engine.sandbox.batch import check_promotions
from engine.sandbox.codes import PlatformError, RuleError, RuleErrors
from engine.sandbox.rules import (
    CHECK_FIELDS,
    CREATE_FIELDS,
    EDIT_FIELDS,
    PARTIAL_FIELDS,
    Checked,
    check_product,
    reject_unknown_fields,
)
from engine.sandbox.shop import Shop
from engine.sandbox.views import sku_response

SHOWN = ("ACTIVATE", "PENDING", "FAILED", "DRAFT")


def _save_mode(body: dict[str, Any]) -> str:
    mode = body.get("save_mode", "LISTING")
    if mode not in ("LISTING", "AS_DRAFT"):
        raise PlatformError(codes.INVALID_PARAMS, "save_mode must be LISTING or AS_DRAFT")
    return mode


def _rule_failure(error: RuleError) -> PlatformError:
    return PlatformError(error.code, error.message)


def _platform_errors(checked: Checked) -> list[dict[str, Any]]:
    return [e.as_item() for platform in sorted(checked.failures) for e in checked.failures[platform]]


def _all_failed(checked: Checked) -> PlatformError:
    errors = _platform_errors(checked)
    first = errors[0]
    names = ", ".join(sorted(checked.failures))
    return PlatformError(first["code"], f"The product failed on every requested platform ({names}): "
                         f"{first['message']}", data={"errors": errors})


def create(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    reject_unknown_fields(body, CREATE_FIELDS)
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        raise PlatformError(codes.INVALID_PARAMS, "idempotency_key must be a string of 1–128 characters")
    mode = _save_mode(body)
    now = shop.now()
    with shop.db.write() as tx:
        if key and (previous := tx.idempotent(key)) is not None:
            return previous
        try:
            checked = check_product(body, shop.context(tx))
        except RuleError as error:
            raise _rule_failure(error) from None
        if not checked.passing:
            raise _all_failed(checked)
        if mode == "LISTING":
            shop.check_listing_limit(tx, now)
        ids = tx.next_ids(1 + model.new_sku_count(checked.content), now)
        content, skus = model.split_stock(checked.content, {}, ids[1:])
        record = model.new_record(ids[0], now, content, body.get("external_product_id"), skus)
        if mode == "AS_DRAFT":
            record["platforms"] = {p: "DRAFT" for p in checked.passing}
        else:
            model.start_review(record, checked.passing, now, shop.settings.review_seconds)
        tx.put(record)
        response: dict[str, Any] = {"product_id": record["id"], "skus": sku_response(content)}
        if checked.warnings:
            response["warnings"] = [{"message": w} for w in checked.warnings]
        if checked.failures:
            response["errors"] = _platform_errors(checked)
        if key:
            tx.remember(key, record["id"], response)
    return response


def _writable(record: dict[str, Any]) -> None:
    if model.is_frozen(record):
        raise PlatformError(codes.PRODUCT_STATUS_INVALID,
                            f"Product {record['id']} is frozen (FREEZE) by the platform and cannot be changed")
    if model.is_deleted(record):
        raise PlatformError(codes.PRODUCT_STATUS_INVALID, f"Product {record['id']} is deleted; recover it first")


def _shown_platforms(record: dict[str, Any]) -> list[str]:
    shown = [p for p, s in record["platforms"].items() if s in SHOWN]
    return sorted(shown) or sorted(record["platforms"]) or ["TIKTOK_SHOP"]


def body_of(content: dict[str, Any]) -> dict[str, Any]:
    """A stored version as an Edit body (partial edits are merged onto it)."""
    body = copy.deepcopy(content)
    return {k: v for k, v in body.items() if v is not None}


def edit(shop: Shop, product_id: str, body: dict[str, Any], *, partial: bool = False,
         version: str = "202309") -> dict[str, Any]:
    """Edit / Partial Edit; `version` 202509 adds SKU inventory backorders (the only difference)."""
    reject_unknown_fields(body, PARTIAL_FIELDS if partial else EDIT_FIELDS)
    mode = _save_mode(body)
    now = shop.now()
    with shop.db.write() as tx:
        record = shop.load(tx, product_id, now)
        _writable(record)
        base = model.latest(record)
        merged = {**body_of(base), **body} if partial else dict(body)
        existing = {s["id"]: record["skus"].get(s["id"], {"inventory": []}) for s in base["skus"]}
        try:
            checked = check_product(merged, shop.context(tx), product_id=record["id"], existing_skus=existing,
                                    default_platforms=_shown_platforms(record),
                                    present=tuple(record["platforms"]), backorders=version != "202309")
        except RuleError as error:
            raise _rule_failure(error) from None
        if not checked.passing:
            raise _all_failed(checked)
        check_promotions(tx.promoted(record["id"], now), _repriced(record, checked.content))
        ids = tx.next_ids(model.new_sku_count(checked.content), now) if model.new_sku_count(checked.content) else []
        content, states = model.split_stock(checked.content, record["skus"], ids)
        reviewing = _apply_edit(shop, tx, record, base, content, checked, mode, now)
        record["skus"].update(states)
        if not partial or "external_product_id" in body:
            record["external_product_id"] = body.get("external_product_id") or None
        model.prune_skus(record)
        model.touch(record, now)
        tx.put(record)
    response: dict[str, Any] = {"product_id": record["id"], "skus": sku_response(model.latest(record)),
                                "audit": {"status": "AUDITING" if reviewing or record["review"] else "APPROVED"}}
    if checked.warnings and not partial:  # the Partial Edit response has no warnings field (OAS)
        response["warnings"] = [{"message": w} for w in checked.warnings]
    if checked.failures:
        response["errors"] = _platform_errors(checked)
    return response


def _repriced(record: dict[str, Any], content: dict[str, Any]) -> list[str]:
    """Existing SKUs whose price the edit changes."""
    return [s["id"] for s in content["skus"] if s.get("id") and s.get("_price") is not None
            and s["_price"] != record["skus"].get(s["id"], {}).get("price")]


def _apply_edit(shop: Shop, tx: Any, record: dict[str, Any], base: dict[str, Any], content: dict[str, Any],
                checked: Checked, mode: str, now: float) -> list[str]:
    """Visibility per platform, then where the new content goes. Returns the platforms sent to review."""
    changed = model.content_without_stock(content) != model.content_without_stock(base)
    statuses = record["platforms"]
    if mode == "AS_DRAFT":
        if any(s != "DRAFT" for s in statuses.values()):
            raise PlatformError(codes.INVALID_PARAMS, "The sandbox keeps no post-live drafts: save_mode AS_DRAFT "
                                "is accepted only for products that were never listed")
        record["content"] = content
        return []
    if checked.platforms_given:
        for platform, status in list(statuses.items()):
            if platform not in checked.platforms and status in SHOWN:
                statuses[platform] = "SELLER_DEACTIVATED"
                model.cancel_review(record, platform)
    reviewing = []
    for platform in checked.passing:
        status = statuses.get(platform)
        relist = checked.platforms_given and (status is None or status in model.DEACTIVATED)
        if relist or status in ("FAILED", "DRAFT") or (changed and status in ("ACTIVATE", "PENDING")):
            reviewing.append(platform)
    if changed:
        if reviewing and model.is_live(record):
            record["pending"] = content  # v2 under review; v1 stays live
        else:
            record["content"], record["pending"] = content, None
    if reviewing:
        shop.check_listing_limit(tx, now)
        model.start_review(record, reviewing, now, shop.settings.review_seconds)
    return reviewing


def listing_check(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    """Every failure at once: the request-wide ones, then the per-platform ones (with `errors[]`)."""
    reject_unknown_fields(body, CHECK_FIELDS)
    with shop.db.read() as tx:
        try:
            checked = check_product(body, shop.context(tx))
            errors, failures = [], checked.failures
        except RuleErrors as several:
            errors, failures = several.errors, several.failures
        except RuleError as error:
            errors, failures = [error], {}
    if not errors and not failures:
        return {"check_result": "PASS", "fail_reasons": []}
    reasons = [{"code": e.code, "message": e.message} for e in errors]
    reasons += [{"code": e.code, "message": f"{e.platform}: {e.message}"}
                for p in sorted(failures) for e in failures[p]]
    result: dict[str, Any] = {"check_result": "FAILED", "fail_reasons": reasons}
    if failures:
        result["errors"] = [e.as_item() for p in sorted(failures) for e in failures[p]]
    return result
