"""Who owns a field once a SKU exists: `manage:` in shop.yaml, a base or a product.

    manage:
      stock: on_create   # default: the YAML stock is used when a SKU is created; then the shop owns it
      price: always      # default: git owns the price; a price changed in the shop is put back

A shop-owned field is not compared at all: `shop_owned` gives the desired product with each
existing SKU's shop-owned values replaced by the live ones, so the planner sees no change (no
write, no drift) and any edit that carries the SKUs sends what the shop has. A new SKU keeps the
catalog's values — they are what it is created with. Under `stock: always` a plan that raises an
existing SKU's stock above what the shop shows warns: the difference may be stock buyers bought.
"""

from __future__ import annotations

from dataclasses import replace

from engine.catalog.spec import ProductSpec, SkuSpec
from engine.plan.context import Context
from engine.plan.model import PlanIssue

RESTOCK = "stock_restore"  # PlanIssue code of the warning


def shop_owned(desired: ProductSpec, live: ProductSpec, ctx: Context) -> ProductSpec:
    """`desired` with the live stock / price of every SKU that exists live, where the shop owns them."""
    stock, price = (owner == "on_create" for owner in ctx.owners(desired.key))
    if not (stock or price) or "skus" not in desired.declared:
        return desired
    have = {sku.seller_sku: sku for sku in live.skus}
    skus = tuple(_owned(sku, have[sku.seller_sku], stock, price) if sku.seller_sku in have else sku
                 for sku in desired.skus)
    return desired if skus == desired.skus else replace(desired, skus=skus)


def _owned(sku: SkuSpec, live: SkuSpec, stock: bool, price: bool) -> SkuSpec:
    return replace(sku, inventory=live.inventory if stock else sku.inventory,
                   price=live.price if price else sku.price)


def restock_warnings(desired: ProductSpec, live: ProductSpec, ctx: Context) -> list[PlanIssue]:
    """Under `manage: {stock: always}`: one warning per existing SKU and warehouse whose stock the
    plan raises above the shop's (orders may have sold it)."""
    if ctx.owners(desired.key)[0] != "always" or "skus" not in desired.declared:
        return []
    have = {sku.seller_sku: dict(sku.inventory) for sku in live.skus}
    issues = []
    for sku in desired.skus:
        shop = have.get(sku.seller_sku)
        if shop is None:
            continue
        for warehouse, quantity in sku.inventory:
            now = shop.get(warehouse)
            if now is None or quantity <= now:
                continue
            name = ctx.warehouse_names.get(warehouse, warehouse)
            where = ctx.where(desired, ("skus", sku.seller_sku, "inventory", name))
            issues.append(PlanIssue("warning", desired.key, RESTOCK, (
                f"{where}: {desired.key}: SKU {sku.seller_sku} in {name}: the shop has {now}; restoring {quantity} may "
                "sell stock you no longer have (manage.stock is `always`; `on_create` leaves stock to the shop)")))
    return issues
