"""SKU rules of create / edit / partial edit / listing check (API.md §7.3 SKU object).

`check_skus` validates the `skus[]` of a request body and returns normalised SKUs:
structural fields (seller_sku, sales attributes with ids and names, pre-sale, identifier
code, external id) plus `_price` / `_inventory` (None on an existing SKU that omits them:
price and inventory stay unchanged when omitted). Violations raise `RuleError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from engine.sandbox import codes
from engine.sandbox.codes import Problems, RuleError
from engine.sandbox.stock import carry_backorders, check_backorders, inventory

MAX_SKUS = 100
# SKU fields of other markets (US list prices, EU fees / unit counts / extra codes): ignored with a warning.
NOT_IN_INDONESIA = ("sku_unit_count", "external_urls", "extra_identifier_codes", "fees", "list_price",
                    "external_list_prices", "combined_skus")
IDENTIFIER_LENGTHS = {"GTIN": (14,), "EAN": (8, 13, 14), "UPC": (12,), "ISBN": (10, 13), "JAN": (8, 13)}


def custom_id(*parts: str) -> str:
    """Stable 19-digit id for a custom (seller-named) sales attribute or value."""
    digest = hashlib.sha256("\x1f".join(p.strip().lower() for p in parts).encode()).hexdigest()
    return "7" + str(int(digest[:16], 16)).zfill(20)[:18]


def money(price: Any, *, where: str) -> dict[str, str]:
    if not isinstance(price, dict) or price.get("amount") in (None, ""):
        raise RuleError(codes.PRICE_MISSING, f"{where}: price.amount is required")
    amount = price.get("amount")
    if not isinstance(amount, str):  # the spec's type; a JSON number is refused, not converted
        raise RuleError(codes.PRICE_INVALID, f"{where}: price.amount must be a string of digits (e.g. \"150000\"), "
                        f"got the JSON {type(amount).__name__} {amount!r}")
    try:
        number = Decimal(amount)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number <= 0 or number > Decimal("1000000000"):
        raise RuleError(codes.PRICE_INVALID, f"{where}: price.amount must be a positive number, got {amount!r}")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RuleError(codes.PRICE_INVALID, f"{where}: price.amount has more than 2 decimals")
    if price.get("currency") != "IDR":
        raise RuleError(codes.PRICE_INVALID, f"{where}: price.currency must be IDR for an Indonesian shop")
    return {"amount": format(number.normalize(), "f"), "currency": "IDR"}


def _seller_sku(sku: dict[str, Any], where: str) -> str:
    value = sku.get("seller_sku")
    if not isinstance(value, str) or not value or re.search(r"\s", value):
        raise RuleError(codes.SELLER_SKU_INVALID, f"{where}: seller_sku must be 1–50 characters without spaces")
    if len(value) > 50:
        raise RuleError(codes.SELLER_SKU_TOO_LONG, f"{where}: seller_sku is longer than 50 characters")
    return value


def _pre_sale(value: Any, allowed: list[str], where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RuleError(codes.INVALID_PARAMS, f"{where}: pre_sale must be an object")
    kind = value.get("type")
    if kind == "NONE":
        return None
    if kind != "PRE_ORDER":
        raise RuleError(codes.PRE_SALE_DAYS, f"{where}: pre_sale.type must be PRE_ORDER (or NONE to clear)")
    if "PRE_ORDER" not in allowed:
        raise RuleError(codes.PRE_SALE_NOT_ALLOWED, f"{where}: this category does not allow PRE_ORDER SKUs")
    fulfillment = value.get("fulfillment_type")
    days = fulfillment.get("handling_duration_days") if isinstance(fulfillment, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or not 3 <= days <= 30:
        raise RuleError(codes.PRE_SALE_DAYS,
                        f"{where}: pre_sale handling_duration_days must be 3–30 calendar days, got {days!r}")
    return {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": days}}


def _identifier(value: Any, where: str, warnings: list[str]) -> dict[str, str] | None:
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    code = value.get("code") if isinstance(value, dict) else None
    if kind in IDENTIFIER_LENGTHS and isinstance(code, str) and code.isdigit() \
            and len(code) in IDENTIFIER_LENGTHS[kind]:
        return {"code": code, "type": kind}
    warnings.append(f"{where}: identifier_code {code!r} is not a valid {kind}; it was cleared")
    return None


class SalesAttributeResolver:
    """Resolves sales attributes by id or name against the category (custom names get stable ids)."""

    def __init__(self, category_attributes: list[dict[str, Any]],
                 image: Callable[[str | None], dict[str, Any] | None]) -> None:
        self.by_id = {a["id"]: a for a in category_attributes if a["type"] == "SALES_PROPERTY"}
        self.by_name = {a["name"].lower(): a for a in self.by_id.values()}
        self.image = image

    def resolve(self, attr: Any, where: str) -> dict[str, Any]:
        if not isinstance(attr, dict):
            raise RuleError(codes.INVALID_PARAMS, f"{where}: sales_attributes entries must be objects")
        for key in ("id", "name", "value_id", "value_name"):
            if attr.get(key) is not None and not isinstance(attr[key], str):
                raise RuleError(codes.INVALID_PARAMS, f"{where}: {key} must be a string")
        definition = self.by_id.get(attr.get("id") or "") or self.by_name.get(str(attr.get("name") or "").lower())
        if attr.get("id") and definition is None and not attr.get("name"):
            raise RuleError(codes.INVALID_PARAMS, f"{where}: sales attribute id {attr['id']} is not in this category")
        name = definition["name"] if definition else str(attr.get("name") or "").strip()
        if not name or len(name) > 20:
            raise RuleError(codes.INVALID_PARAMS, f"{where}: a sales attribute needs a name of 1–20 characters")
        attr_id = definition["id"] if definition else (attr.get("id") or custom_id(name))
        values = {v["id"]: v for v in (definition or {}).get("values", [])}
        value = values.get(attr.get("value_id") or "")
        if value is None and attr.get("value_name"):
            value = next((v for v in values.values() if v["name"].lower() == str(attr["value_name"]).lower()), None)
        value_name = value["name"] if value else str(attr.get("value_name") or "").strip()
        if not value_name or len(value_name) > 50:
            raise RuleError(codes.INVALID_PARAMS, f"{where}: sales attribute {name!r} needs a value of 1–50 characters")
        result = {"id": attr_id, "name": name,
                  "value_id": value["id"] if value else (attr.get("value_id") or custom_id(name, value_name)),
                  "value_name": value_name}
        image = attr.get("sku_img")
        if image:
            uri = image.get("uri") if isinstance(image, dict) else None
            info = self.image(uri)
            if info is None:
                raise RuleError(codes.IMAGE_NOT_FOUND, f"{where}: sku_img {uri!r} was not uploaded to this shop")
            result["sku_img"] = info
        return result


@dataclass
class SkuRules:
    """What the SKU rules need from the product: its current SKUs (id -> stored state), the
    category's special product types, the sales-attribute resolver, the shop's warehouses,
    whether the endpoint's version takes backorders, the lowest stock, and where warnings go."""

    existing: dict[str, dict[str, Any]]
    allowed: list[str]
    resolver: SalesAttributeResolver
    warehouses: frozenset[str]
    backorders: bool
    min_stock: int
    warnings: list[str]


def check_skus(raw: Any, rules: SkuRules) -> list[dict[str, Any]]:
    """Validate `skus[]`: every failure of every SKU (RuleErrors), or the normalised SKUs."""
    if not isinstance(raw, list) or not raw:
        raise RuleError(codes.INVALID_PARAMS, "skus: at least one SKU is required")
    if len(raw) > MAX_SKUS:
        raise RuleError(codes.TOO_MANY_SKUS, f"skus: more than {MAX_SKUS} SKUs ({len(raw)})")
    problems = Problems()
    result: list[dict[str, Any]] = []
    for index, sku in enumerate(raw):
        checked = problems.check(_check_sku, sku, f"skus[{index}]", rules)
        if checked is not None:
            result.append(checked)
    problems.check(_check_sku_set, result, len(raw), complete=not problems.errors)
    problems.raise_any()
    return result


def _check_sku(sku: Any, where: str, rules: SkuRules) -> dict[str, Any]:
    if not isinstance(sku, dict):
        raise RuleError(codes.INVALID_PARAMS, f"{where}: must be an object")
    sku_id = sku.get("id")
    if sku_id is not None and (not isinstance(sku_id, str) or sku_id not in rules.existing):
        raise RuleError(codes.SKU_ID_INVALID, f"{where}: SKU id {sku_id} does not belong to this product")
    problems = Problems()
    out: dict[str, Any] = {"seller_sku": problems.check(_seller_sku, sku, where)}
    if sku_id:
        out["id"] = sku_id
    out["_price"] = problems.check(money, sku.get("price"), where=where) \
        if sku.get("price") is not None or not sku_id else None
    out["_inventory"] = problems.check(_sku_inventory, sku, sku_id, where, rules) \
        if sku.get("inventory") is not None or not sku_id else None
    out["sales_attributes"] = problems.check(_sales_attributes, sku, where, rules.resolver, default=[])
    pre_sale = problems.check(_pre_sale, sku.get("pre_sale"), rules.allowed, where)
    if pre_sale:
        out["pre_sale"] = pre_sale
    stock = out["_inventory"] if out["_inventory"] is not None else rules.existing.get(sku_id or "", {}).get(
        "inventory", [])
    problems.check(check_backorders, stock, bool(pre_sale), where)
    identifier = _identifier(sku.get("identifier_code"), where, rules.warnings)
    if identifier:
        out["identifier_code"] = identifier
    external = sku.get("external_sku_id")
    if external is not None:
        if isinstance(external, str) and len(external) <= 999:
            out["external_sku_id"] = external
        else:
            problems.errors.append(RuleError(codes.INVALID_PARAMS,
                                             f"{where}: external_sku_id must be a string of ≤999 characters"))
    for key in NOT_IN_INDONESIA:
        if sku.get(key) not in (None, [], {}, ""):
            rules.warnings.append(f"{where}: {key} does not apply to Indonesian shops; it was ignored")
    problems.raise_any()
    return out


def _sku_inventory(sku: dict[str, Any], sku_id: str | None, where: str, rules: SkuRules) -> list[dict[str, Any]]:
    stock = inventory(sku.get("inventory"), rules.warehouses, where=where, backorders=rules.backorders,
                      minimum=rules.min_stock)
    if not sku_id:
        return stock
    before = rules.existing[sku_id]["inventory"]
    kept = sorted(i["warehouse_id"] for i in before)
    if kept != [i["warehouse_id"] for i in stock]:
        raise RuleError(codes.WAREHOUSE_CHANGE, f"{where}: the warehouses of an existing SKU cannot change "
                        f"(keep {kept})")
    return carry_backorders(stock, before)


def _sales_attributes(sku: dict[str, Any], where: str, resolver: SalesAttributeResolver) -> list[dict[str, Any]]:
    attributes = sku.get("sales_attributes") or []
    if not isinstance(attributes, list):
        raise RuleError(codes.INVALID_PARAMS, f"{where}: sales_attributes must be a list")
    problems = Problems()
    resolved = [problems.check(resolver.resolve, a, f"{where}.sales_attributes[{i}]")
                for i, a in enumerate(attributes)]
    problems.raise_any()
    return resolved


def _check_sku_set(skus: list[dict[str, Any]], count: int, *, complete: bool) -> None:
    """Rules across SKUs; those on sales attributes and pre-sale only when every SKU passed
    (`complete`): a SKU that failed would only add noise."""
    problems = Problems()
    seller_skus = [s["seller_sku"] for s in skus if s["seller_sku"] is not None]
    duplicated = sorted({s for s in seller_skus if seller_skus.count(s) > 1})
    if duplicated:
        # Not documented as a rule by the platform; a seller_sku twice in one product is a sure mistake.
        problems.errors.append(RuleError(codes.SELLER_SKU_INVALID,
                                         f"skus: seller_sku {duplicated[0]!r} appears twice in the product"))
    ids = [s["id"] for s in skus if s.get("id")]
    if len(ids) != len(set(ids)):
        problems.errors.append(RuleError(codes.SKU_ID_INVALID, "skus: a SKU id appears twice"))
    if complete:
        problems.check(_sales_attribute_set, skus, count)
        if len({bool(s.get("pre_sale")) for s in skus}) > 1:
            problems.errors.append(RuleError(codes.PRE_SALE_MIXED, "skus: all SKUs must share the same pre-sale type"))
    problems.raise_any()


def _sales_attribute_set(skus: list[dict[str, Any]], count: int) -> None:
    shapes = {tuple(a["id"] for a in s["sales_attributes"]) for s in skus}
    if count > 1 and any(not s["sales_attributes"] for s in skus):
        raise RuleError(codes.INVALID_PARAMS, "skus: every SKU of a multi-SKU product needs sales_attributes")
    if len(shapes) > 1:
        raise RuleError(codes.INVALID_PARAMS, "skus: every SKU must use the same sales attributes")
    if any(len(shape) > 3 or len(set(shape)) != len(shape) for shape in shapes):
        raise RuleError(codes.INVALID_PARAMS, "skus: at most 3 different sales attributes per SKU")
    combos = [tuple(a["value_id"] for a in s["sales_attributes"]) for s in skus]
    if len(combos) != len(set(combos)):
        raise RuleError(codes.DUPLICATE_SALES_ATTRIBUTE, "skus: two SKUs have the same sales attribute values")
