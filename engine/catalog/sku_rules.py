"""SKU rules (per product) and shop-wide rules (unique keys, seller_skus, barcodes).

Same contract as rules.py: findings with a path inside the product, in a seller's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.limits import (
    GROUPED,
    MAX_SALES_ATTRIBUTES,
    MAX_SKUS,
    PRE_SALE_MAX,
    PRE_SALE_MIN,
    SELLER_SKU_MAX,
    SPACE_OR_CONTROL,
    STOCK_MAX,
    UNQUOTED_PRICE,
    Finding,
    barcode_problem,
    decimal_or_none,
    decimal_places,
)
from engine.catalog.spec import canonical_decimal


def check_skus(skus: list, warehouses: dict[str, str]) -> Iterator[Finding]:
    """Every rule about a product's SKUs."""
    if not skus:
        yield Finding(("skus",), "a product needs at least one SKU")
        return
    if len(skus) > MAX_SKUS:
        yield Finding(("skus", MAX_SKUS), f"at most {MAX_SKUS} SKUs per product (there are {len(skus)})")
    # The loop below runs 30,000 times for a big catalog: cheap checks first, details only on failure.
    for index, sku in enumerate(skus):
        code, price = sku.seller_sku, sku.price
        if not 0 < len(code) <= SELLER_SKU_MAX or SPACE_OR_CONTROL.search(code):
            yield from _seller_sku(index, code)
        if not (price.isdigit() and price.isascii() and price[0] != "0"):
            yield from _price(("skus", index, "price"), price)
        inventory = sku.inventory
        if not inventory or not all(name in warehouses and 0 <= qty <= STOCK_MAX for name, qty in inventory.items()):
            yield from _inventory(index, inventory, warehouses)
        if sku.pre_sale is not None and not PRE_SALE_MIN <= sku.pre_sale.handling_duration_days <= PRE_SALE_MAX:
            yield Finding(("skus", index, "pre_sale", "handling_duration_days"),
                          f"pre-order handling time must be {PRE_SALE_MIN}-{PRE_SALE_MAX} calendar days "
                          f"(got {sku.pre_sale.handling_duration_days})")
        if sku.identifier_code is not None:
            problem = barcode_problem(sku.identifier_code.type, sku.identifier_code.code)
            if problem:
                yield Finding(("skus", index, "identifier_code", "code"), problem)
    yield from _variants(skus)
    if any(sku.pre_sale is not None for sku in skus):
        yield from _pre_sale_consistency(skus)


def _seller_sku(index: int, code: str) -> Iterator[Finding]:
    path = ("skus", index, "seller_sku")
    if not 1 <= len(code) <= SELLER_SKU_MAX:
        yield Finding(path, f"seller_sku must be 1-{SELLER_SKU_MAX} characters (it has {len(code)})")
    if SPACE_OR_CONTROL.search(code):
        yield Finding(path, f"seller_sku must not contain spaces or control characters: {code!r}")


def _inventory(index: int, inventory: dict[str, int], warehouses: dict[str, str]) -> Iterator[Finding]:
    path = ("skus", index, "inventory")
    if not inventory:
        yield Finding(path, "give the stock of at least one warehouse (name: quantity)")
    for name, quantity in inventory.items():
        if name not in warehouses:
            known = sorted(warehouses)
            yield Finding(path + (name,), f"unknown warehouse {name!r}{did_you_mean(name, known)}; shop.yaml "
                                          f"warehouses: {', '.join(known)}", at_key=True)
        if not 0 <= quantity <= STOCK_MAX:
            yield Finding(path + (name,), f"stock must be 0-{STOCK_MAX} (got {quantity})")


def _price(path: tuple, text: str) -> Iterator[Finding]:
    number = decimal_or_none(text)
    if number is None:
        hint = (f"; leave out the thousands separators: {re.sub(r'[.,]', '', text.strip())}"
                if GROUPED.fullmatch(text.strip()) else "")
        yield Finding(path, f"price must be a plain number of rupiah like 150000 or 99999.5, got {text!r}{hint}")
        return
    if number <= 0:
        yield Finding(path, f"price must be more than 0 (got {text})")
    places = decimal_places(text)
    if places > 2:
        hint = (f"; to write {canonical_decimal(number * 1000)} rupiah, leave out the thousands separator"
                if decimal_places(canonical_decimal(number)) == 0 else "")
        yield Finding(path, f"IDR prices have at most 2 decimals (got {text}){hint}")


def _variants(skus: list) -> Iterator[Finding]:
    first = skus[0]
    if len(skus) == 1 and len(first.sales_attributes) <= 1 and _attribute_lengths_ok(first.sales_attributes):
        return
    names = sorted(first.sales_attributes)
    seen: dict[tuple, str] = {}
    for index, sku in enumerate(skus):
        path = ("skus", index, "sales_attributes")
        attributes = sku.sales_attributes
        if len(skus) > 1 and not attributes:
            yield Finding(("skus", index), f"SKU {sku.seller_sku!r} needs sales_attributes: a product with several "
                                           "SKUs tells them apart by sales attributes (e.g. Ukuran: M)")
            continue
        if len(attributes) > MAX_SALES_ATTRIBUTES:
            yield Finding(path, f"at most {MAX_SALES_ATTRIBUTES} sales attributes per SKU (got {len(attributes)})")
        if not _attribute_lengths_ok(attributes):
            yield from _attribute_lengths(path, attributes)
        if index and sorted(attributes) != names:
            yield Finding(path, f"sales attributes must have the same names on every SKU: {sku.seller_sku!r} has "
                                f"{', '.join(sorted(attributes))}, {first.seller_sku!r} has {', '.join(names) or 'none'}")
            continue
        combination = tuple(sorted(attributes.items()))
        if combination and combination in seen:
            shown = ", ".join(f"{k}: {v}" for k, v in combination)
            yield Finding(path, f"SKU {sku.seller_sku!r} has the same sales attributes ({shown}) as "
                                f"{seen[combination]!r}: every SKU needs a different combination")
        seen.setdefault(combination, sku.seller_sku)


def _attribute_lengths_ok(attributes: dict[str, str]) -> bool:
    return all(0 < len(name) <= 20 and 0 < len(value) <= 50 and name.strip() and value.strip()
               for name, value in attributes.items())


def _attribute_lengths(path: tuple, attributes: dict[str, str]) -> Iterator[Finding]:
    for name, value in attributes.items():
        if not name.strip() or len(name) > 20:
            yield Finding(path + (name,), "sales attribute name must be 1-20 characters", at_key=True)
        if not value.strip() or len(value) > 50:
            yield Finding(path + (name,), "sales attribute value must be 1-50 characters")


def _pre_sale_consistency(skus: list) -> Iterator[Finding]:
    pre_order = [sku.seller_sku for sku in skus if sku.pre_sale is not None]
    if pre_order and len(pre_order) != len(skus):
        for index, sku in enumerate(skus):
            if sku.pre_sale is None:
                yield Finding(("skus", index), f"SKU {sku.seller_sku!r} is not pre-order but {pre_order[0]!r} is: "
                                               "all SKUs of a product must share the same pre-sale type")


def unquoted_prices(text: str) -> list[tuple[int, str]]:
    """(offset, written) of each `price: 150.000` in a product file's text."""
    found = []
    for match in UNQUOTED_PRICE.finditer(text):
        before = text[match.start() - 1:match.start()]
        if not (before.isalnum() or before in "_-"):
            found.append((match.start(1), match.group(1)))
    return found


def unquoted_price_message(written: str) -> str:
    """Message for `price: 150.000` found in a file's text by UNQUOTED_PRICE."""
    whole, decimals = written.split(".")
    hint = f" (write {whole}{decimals} for {whole}{decimals} rupiah)" if len(decimals) == 3 else ""
    return (f"price {written} is read as {canonical_decimal(written)} rupiah: IDR prices have at most 2 "
            f"decimals and no thousands separator{hint}")


def check_shop(products: list[tuple[str, str, list[tuple[Any, Any]]]]) -> Iterator[tuple[int, Finding]]:
    """Shop-wide uniqueness of keys, seller_skus and barcodes.

    `products` = [(key, "file:line", [(seller_sku, barcode), ...] in YAML order)];
    yields (index into products, finding).
    """
    keys: dict[str, str] = {}
    skus: dict[str, tuple[str, str]] = {}
    codes: dict[str, str] = {}
    for number, (key, where, entries) in enumerate(products):
        if key in keys:
            yield number, Finding(("key",), f"key {key!r} is already used by the product at {keys[key]}")
        keys.setdefault(key, where)
        for index, (code, barcode) in enumerate(entries):
            if not isinstance(code, str):
                continue
            if code in skus:
                owner, owner_where = skus[code]
                by = "another SKU of this product" if owner == key else f"product {owner!r} ({owner_where})"
                yield number, Finding(("skus", index, "seller_sku"),
                                      f"seller_sku {code!r} is already used by {by}: seller_skus are unique in the shop")
            skus.setdefault(code, (key, where))
            if barcode and barcode in codes and codes[barcode] != code:
                yield number, Finding(("skus", index, "identifier_code", "code"),
                                      f"barcode {barcode} is already used by SKU {codes[barcode]!r}")
            if barcode:
                codes.setdefault(barcode, code)
