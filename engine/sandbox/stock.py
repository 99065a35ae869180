"""SKU stock per warehouse: what a request may send, backorders, and buyers' orders.

- `inventory(items, ...)`: `skus[].inventory[]` of Create / Edit / Partial Edit / Check Listing.
  `quantity` 1–99,999 (the official spec on all four; older docs allowed 0 — RULES.md);
  `backorder_quantity` / `handling_time` where the endpoint's version declares them
  (Create, Check Listing, Update Inventory, Edit / Partial Edit 202509 — not 202309).
- `update_items(items, ...)`: Update Inventory's entries (0–99,999: zero is how a seller stops
  selling one SKU; every warehouse of the SKU listed, none added).
- Backorders: `backorder_quantity` 0–99,999 needs `handling_time` (1–30 working days, the same
  on every warehouse of the SKU); not with `pre_sale` (documented); an existing
  `backorder_quantity` persists when a request omits it (documented for Update Inventory).
- `sell(inventory, quantity, warehouse_id)`: an order takes in-stock quantity (the given
  warehouse, or the default warehouse first); a warehouse whose stock runs out converts its
  backorder into stock, as documented.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from engine.sandbox import codes
from engine.sandbox.codes import RuleError

MAX_QUANTITY = 99_999
MAX_HANDLING_DAYS = 30  # undocumented bound; pre-sale allows 3–30 calendar days
BACKORDER_FIELDS = ("backorder_quantity", "handling_time")


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _item(item: Any, warehouses: frozenset[str], where: str, minimum: int, backorders: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RuleError(codes.INVALID_PARAMS, f"{where}: inventory entries must be objects")
    warehouse = item.get("warehouse_id")
    if not isinstance(warehouse, str) or warehouse not in warehouses:
        raise RuleError(codes.WAREHOUSE_NOT_FOUND, f"{where}: warehouse {warehouse!r} does not exist")
    quantity = item.get("quantity")
    if not _integer(quantity) or not minimum <= quantity <= MAX_QUANTITY:
        raise RuleError(codes.INVENTORY_RANGE,
                        f"{where}: inventory quantity must be an integer {minimum}–{MAX_QUANTITY}, got {quantity!r}")
    result = {"warehouse_id": warehouse, "quantity": quantity}
    sent = [key for key in BACKORDER_FIELDS if key in item]
    if sent and not backorders:
        raise RuleError(codes.INVALID_PARAM, f"Invalid param: {where}: {', '.join(sent)} is not a field of this "
                        "API version (Edit / Partial Edit take backorders from version 202509)")
    backorder = item.get("backorder_quantity")
    if backorder is not None:
        if not _integer(backorder) or not 0 <= backorder <= MAX_QUANTITY:
            raise RuleError(codes.INVENTORY_RANGE, f"{where}: backorder_quantity must be an integer "
                            f"0–{MAX_QUANTITY}, got {backorder!r}")
        result["backorder_quantity"] = backorder
    handling = item.get("handling_time")
    if handling is not None:
        if not _integer(handling) or not 1 <= handling <= MAX_HANDLING_DAYS:
            raise RuleError(codes.INVALID_PARAMS, f"{where}: handling_time must be 1–{MAX_HANDLING_DAYS} working "
                            f"days, got {handling!r}")
        result["handling_time"] = handling
    return result


def inventory(items: Any, warehouses: frozenset[str], *, where: str, backorders: bool = True,
              minimum: int = 1) -> list[dict[str, Any]]:
    """A new SKU's (or an edited SKU's) inventory: every entry `minimum` (1)–99,999, one per warehouse."""
    if not isinstance(items, list) or not items:
        raise RuleError(codes.INVENTORY_REQUIRED, f"{where}: inventory is required for every SKU")
    result: dict[str, dict[str, Any]] = {}
    for item in items:
        entry = _item(item, warehouses, where, minimum, backorders)
        if entry["warehouse_id"] in result:
            raise RuleError(codes.INVALID_PARAMS, f"{where}: warehouse {entry['warehouse_id']} listed twice")
        result[entry["warehouse_id"]] = entry
    return [result[w] for w in sorted(result)]


def check_backorders(stock: list[dict[str, Any]], has_pre_sale: bool, where: str) -> None:
    """Backorder rules across the warehouses of one SKU (after merging what persists)."""
    ordered = [i for i in stock if i.get("backorder_quantity")]
    if ordered and has_pre_sale:
        raise RuleError(codes.INVALID_PARAMS, f"{where}: pre-order products cannot be backordered "
                        "(backorder_quantity with pre_sale)")
    if any("handling_time" not in i for i in ordered):
        raise RuleError(codes.INVALID_PARAMS, f"{where}: backorder_quantity needs a handling_time")
    if len({i["handling_time"] for i in stock if "handling_time" in i}) > 1:
        raise RuleError(codes.INVALID_PARAMS, f"{where}: every warehouse of a SKU must have the same handling_time")


def carry_backorders(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An existing backorder (and its handling time) persists where the request does not send one."""
    before = {i["warehouse_id"]: i for i in old}
    result = []
    for item in new:
        kept = dict(item)
        if "backorder_quantity" not in item:
            for key in BACKORDER_FIELDS:
                if key in before.get(item["warehouse_id"], {}):
                    kept.setdefault(key, before[item["warehouse_id"]][key])
        result.append(kept)
    return result


def update_items(items: Any, current: list[dict[str, Any]],
                 known: frozenset[str]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Update Inventory entries of one SKU: (new inventory, None) or ([], extra_error)."""
    if not isinstance(items, list) or not items:
        return [], {"code": codes.INVENTORY_REQUIRED, "message": "inventory is required", "warehouse_id": ""}
    warehouses = [i["warehouse_id"] for i in current]
    result: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, dict) and item.get("warehouse_id") is None and len(warehouses) == 1:
            item = {**item, "warehouse_id": warehouses[0]}  # optional when the SKU has one warehouse
        warehouse = item.get("warehouse_id") if isinstance(item, dict) else None
        try:
            entry = _item(item, known, "inventory", 0, True)
        except RuleError as error:
            return [], {"code": error.code, "message": error.message, "warehouse_id": str(warehouse or "")}
        if entry["warehouse_id"] not in warehouses:
            return [], {"code": codes.WAREHOUSE_CHANGE, "message": f"Warehouse {entry['warehouse_id']} is not a "
                        "warehouse of this SKU; warehouses cannot change", "warehouse_id": entry["warehouse_id"]}
        result[entry["warehouse_id"]] = entry
    missing = sorted(set(warehouses) - set(result))
    if missing:
        return [], {"code": codes.INVENTORY_REQUIRED, "message": "Every warehouse of the SKU must be listed "
                    f"(missing {', '.join(missing)})", "warehouse_id": missing[0]}
    return carry_backorders([result[w] for w in sorted(result)], current), None


def sell(stock: list[dict[str, Any]], quantity: int, warehouse_id: str | None,
         default_warehouse: str) -> list[dict[str, Any]]:
    """The inventory after an order of `quantity` (ValueError when it cannot be served)."""
    if not _integer(quantity) or quantity < 1:
        raise ValueError(f"an order takes a positive whole quantity, not {quantity!r}")
    items = [dict(i) for i in stock]
    if warehouse_id is not None and warehouse_id not in {i["warehouse_id"] for i in items}:
        raise ValueError(f"warehouse {warehouse_id} does not hold this SKU "
                         f"(its warehouses: {', '.join(i['warehouse_id'] for i in items)})")
    order = sorted(items, key=lambda i: (i["warehouse_id"] != default_warehouse, i["warehouse_id"]))
    sources = [i for i in order if warehouse_id is None or i["warehouse_id"] == warehouse_id]
    available = sum(i["quantity"] + i.get("backorder_quantity", 0) for i in sources)
    if quantity > available:
        raise ValueError(f"only {available} in stock{f' in warehouse {warehouse_id}' if warehouse_id else ''}; "
                         f"an order of {quantity} cannot be served")
    left = quantity
    for item in sources:
        while left and (item["quantity"] or item.get("backorder_quantity")):
            if not item["quantity"]:  # sold out: the backorder becomes in-stock quantity
                item["quantity"], item["backorder_quantity"] = item["backorder_quantity"], 0
            taken = min(left, item["quantity"])
            item["quantity"] -= taken
            left -= taken
    return items
