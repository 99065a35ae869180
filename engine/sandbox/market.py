"""What happens to a shop's sales outside the Open API: buyers' orders and promotions.

Called through `SandboxStore` (tests, benchmarks, `catalog sandbox order|promote`):

- `sell(seller_sku, quantity, warehouse_id)`: an order of a live product takes in-stock
  quantity (stock.sell: the given warehouse, or the default warehouse first; a sold-out
  warehouse's backorder becomes stock). The product's `update_time` does not move: orders
  are not product edits (the docs are silent; RULES.md says why the sandbox chose this).
- `start_promotion(product_id, seller_skus, name, seconds)` / `end_promotion(product_id)`:
  while a promotion runs, the price of its SKUs is locked (Update Price, Edit and Partial
  Edit changing it answer 12052038). A promotion does not move `update_time` either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.sandbox import model
from engine.sandbox.seeding import load_record
from engine.sandbox.stock import sell as take

if TYPE_CHECKING:
    from engine.sandbox.store import SandboxStore


def _on_sale(record: dict[str, Any]) -> bool:
    return model.is_live(record) and not model.is_frozen(record) and not model.is_deleted(record)


def sell(store: SandboxStore, seller_sku: str, quantity: int = 1,
         warehouse_id: str | None = None) -> list[dict[str, Any]]:
    """The SKU's inventory after the order (ValueError when no live product can serve it)."""
    now = store.now()
    with store.db.write() as tx:
        owners = [(record, sku_id) for product_id, sku_id in tx.sku_owners(seller_sku)
                  if _on_sale(record := load_record(store, tx, product_id, now))]
        if not owners:
            raise ValueError(f"no live product sells seller SKU {seller_sku!r}")
        if len(owners) > 1:
            raise ValueError(f"seller SKU {seller_sku!r} is sold by several live products "
                             f"({', '.join(r['id'] for r, _ in owners)})")
        record, sku_id = owners[0]
        state = record["skus"][sku_id]
        default = next(w["id"] for w in store.seed.warehouses if w["is_default"])
        state["inventory"] = take(state.get("inventory", []), quantity, warehouse_id, default)
        tx.put(record)
        return [dict(i) for i in state["inventory"]]


def start_promotion(store: SandboxStore, product_id: str, seller_skus: list[str] | None = None,
                    name: str = "Flash Sale", seconds: float | None = None) -> list[str]:
    """Start a promotion on the product's SKUs (all, or these seller SKUs); the SKU ids it locks."""
    now = store.now()
    with store.db.write() as tx:
        record = load_record(store, tx, product_id, now)
        if model.is_deleted(record):
            raise ValueError(f"product {product_id} is deleted")
        skus = {s["seller_sku"]: s["id"] for s in model.live_skus(record)}
        unknown = sorted(set(seller_skus or ()) - set(skus))
        if unknown:
            raise ValueError(f"product {product_id} has no seller SKU {', '.join(unknown)}")
        sku_ids = sorted(skus[s] for s in (seller_skus or skus))
        if seconds is not None and seconds <= 0:
            raise ValueError("a promotion lasts more than 0 seconds")
        tx.start_promotion(product_id, sku_ids, name, now, None if seconds is None else now + seconds)
        return sku_ids


def end_promotion(store: SandboxStore, product_id: str) -> int:
    """End the promotions running on the product; how many SKUs they had locked."""
    now = store.now()
    with store.db.write() as tx:
        if tx.get(product_id) is None:
            raise KeyError(f"product {product_id} does not exist")
        return tx.end_promotion(product_id, now)


def promoted(store: SandboxStore, product_id: str) -> dict[str, str]:
    """{sku_id: promotion name} running now."""
    now = store.now()
    with store.db.read() as tx:
        return tx.promoted(product_id, now)
