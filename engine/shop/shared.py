"""One object per equal value across a read, and cached products brought up to Search's state.

    shared = Shared()                       # the read's table of values
    product = share(fetched, shared)        # a fetched product, its repeated values shared
    product = overlay(cached, search_state) # a cached product with the price and stock Search shows now
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from engine.plan.live import LiveProduct

T = TypeVar("T")


class Shared:
    """One object per equal value across a read. Live products repeat a handful of statuses,
    brands, attribute sets, sales attributes and package values: sharing them makes the
    snapshot smaller and the planner's walk over 10,000 products cheaper (fewer objects to
    touch, each string's hash computed once)."""

    def __init__(self) -> None:
        self.values: dict = {}

    def __call__(self, value: T) -> T:
        return self.values.setdefault((type(value), value), value)  # by type too: True == 1, () == ()


def share(product: LiveProduct, shared: Shared) -> LiveProduct:
    """A fetched product with its repeated values shared."""
    spec = product.spec
    if spec is None:
        return product
    skus = tuple(dataclasses.replace(sku, sales_attributes=shared(sku.sales_attributes)) for sku in spec.skus)
    spec = dataclasses.replace(spec, skus=skus, **{name: shared(getattr(spec, name)) for name in SHARED_FIELDS})
    return dataclasses.replace(product, spec=spec, status=shared(product.status), audit_status=shared(
        product.audit_status), platform_statuses=shared(product.platform_statuses))


def overlay(product: LiveProduct, state: dict[str, tuple[str | None, tuple[tuple[str, int], ...]]]) -> LiveProduct:
    """A cached product with the price and stock Search reports now (fresher: stock moves with
    orders without touching `update_time`); the same object when nothing moved."""
    spec = product.spec
    if spec is None:
        return product
    skus = []
    for sku in spec.skus:
        price, inventory = state.get(sku.seller_sku, (None, None))
        price, inventory = price or sku.price, inventory if inventory is not None else sku.inventory
        moved = price != sku.price or inventory != sku.inventory
        skus.append(dataclasses.replace(sku, price=price, inventory=inventory) if moved else sku)
    if all(new is old for new, old in zip(skus, spec.skus, strict=True)):
        return product
    return dataclasses.replace(product, spec=dataclasses.replace(spec, skus=tuple(skus)))


SHARED_FIELDS = ("category_id", "brand", "product_attributes", "package_weight", "package_dimensions",
                  "listing_platforms", "status", "shipping_insurance_requirement", "delivery_option_ids")
