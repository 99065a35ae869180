"""SKU rules (per product) and shop-wide rules (unique keys, seller_skus, barcodes).

Same contract as rules.py: normalised values and findings with a path inside the product, in
a seller's words, each distinct value checked once per load.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.limits import (
    GROUPED,
    MAX_SALES_ATTRIBUTES,
    MAX_SKUS,
    PRE_SALE_MAX,
    PRE_SALE_MIN,
    PRICE_MAX,
    SELLER_SKU_MAX,
    SPACE_OR_CONTROL,
    STOCK_MAX,
    UNQUOTED_PRICE,
    Finding,
    barcode_problem,
    decimal_places,
    literal,
    read_amount,
    written,
)
from engine.catalog.spec import SalesAttribute, SkuSpec, canonical_decimal

Checked = tuple[Any, tuple[Finding, ...]]  # (normalised value, findings)
_BY_SELLER_SKU = attrgetter("seller_sku")


class SkuRules:
    """Every rule about a product's SKUs; prices, stock per warehouse, sales attributes and
    barcodes are checked once per distinct value of a load (see rules.py)."""

    def __init__(self, warehouses: dict[str, str]) -> None:
        self.warehouses = warehouses
        self._prices: dict[tuple, Checked] = {}
        self._sales: dict[tuple, Sales] = {}
        self._barcodes: dict[tuple[str, str], str | None] = {}

    def check(self, skus: list, *, stock_required: bool = True) -> tuple[tuple[SkuSpec, ...], list[Finding]]:
        """(the SKU specs sorted by seller_sku, findings) of a product's SKUs. `stock_required`
        (manage.stock: always): every SKU writes its inventory; otherwise a SKU may leave it out
        (the plan asks for it when the SKU does not exist yet: plan.context.new_sku_stock_errors)."""
        if not skus:
            return (), [Finding(("skus",), "a product needs at least one SKU")]
        findings: list[Finding] = []
        if len(skus) > MAX_SKUS:
            findings.append(Finding(("skus", MAX_SKUS), f"at most {MAX_SKUS} SKUs per product (there are {len(skus)})"))
        specs, sales, pre_orders = [], [], 0
        for index, sku in enumerate(skus):
            code = sku.seller_sku
            if not 0 < len(code) <= SELLER_SKU_MAX or SPACE_OR_CONTROL.search(code):
                findings += _seller_sku(index, code)
            priced = self._prices.get(written_price := (type(sku.price), sku.price))
            if priced is None:
                priced = self._prices[written_price] = _price(sku.price)
            price, found = priced
            if found:
                findings += _under(("skus", index), found)
            inventory: tuple[tuple[str, int], ...] | None = ()
            if sku.inventory is not None:
                inventory = self._inventory(sku.inventory)
                if inventory is None:
                    findings += self._stock_findings(("skus", index, "inventory"), sku.inventory)
            elif stock_required:
                findings.append(Finding(("skus", index), f"SKU {code}: give its `inventory` (manage.stock is "
                                                         "`always`: git owns the stock of every SKU)"))
            pairs = tuple(sku.sales_attributes.items())
            attributes = self._sales.get(pairs) or self._sales_of(pairs)
            sales.append(attributes)
            days = None
            if sku.pre_sale is not None:
                days = sku.pre_sale.handling_duration_days
                pre_orders += 1
                if not PRE_SALE_MIN <= days <= PRE_SALE_MAX:
                    findings.append(Finding(("skus", index, "pre_sale", "handling_duration_days"),
                                            f"pre-order handling time must be {PRE_SALE_MIN}-{PRE_SALE_MAX} "
                                            f"calendar days (got {written(days)})"))
            barcode = None
            if sku.identifier_code is not None:
                barcode = (sku.identifier_code.type, sku.identifier_code.code)
                if barcode not in self._barcodes:
                    self._barcodes[barcode] = barcode_problem(*barcode)
                problem = self._barcodes[barcode]
                if problem:
                    findings.append(Finding(("skus", index, "identifier_code", "code"), problem))
            specs.append(SkuSpec(code, price, inventory or (), attributes.values, days, barcode))
        findings += _variants(skus, sales)
        if 0 < pre_orders < len(skus):
            findings += _pre_sale_consistency(skus)
        specs.sort(key=_BY_SELLER_SKU)
        return tuple(specs), findings

    def _inventory(self, stock: dict[str, int]) -> tuple[tuple[str, int], ...] | None:
        """((warehouse id, quantity), ...) sorted; None when something is wrong (_stock_findings says what)."""
        inventory = []
        for name, quantity in stock.items():
            warehouse = self.warehouses.get(name)
            if warehouse is None or not 0 <= quantity <= STOCK_MAX:
                return None
            inventory.append((warehouse, quantity))
        if not inventory:
            return None
        inventory.sort()
        return tuple(inventory)

    def _stock_findings(self, path: tuple, stock: dict[str, int]) -> list[Finding]:
        if not stock:
            return [Finding(path, "give the stock of at least one warehouse (name: quantity)")]
        findings = []
        for name, quantity in stock.items():
            if name not in self.warehouses:
                known = sorted(self.warehouses)
                findings.append(Finding(path + (name,), f"unknown warehouse {name!r}{did_you_mean(name, known)}; "
                                                        f"shop.yaml warehouses: {', '.join(known)}", at_key=True))
            if not 0 <= quantity <= STOCK_MAX:
                findings.append(Finding(path + (name,), f"stock must be 0-{STOCK_MAX} (got {written(quantity)})"))
        return findings

    def _sales_of(self, written_items: tuple[tuple[str, str], ...]) -> Sales:
        combination = tuple(sorted(written_items))
        sales = Sales(values=tuple(SalesAttribute(name=n, value=v) for n, v in combination),
                      names=tuple(n for n, _ in combination), combination=combination,
                      lengths_ok=all(0 < len(name) <= 20 and 0 < len(value) <= 50 and name.strip() and value.strip()
                                     for name, value in written_items))
        self._sales[written_items] = sales
        return sales


@dataclass(frozen=True)
class Sales:
    """A SKU's sales attributes as written, checked once per distinct set of name: value pairs."""

    values: tuple[SalesAttribute, ...]  # the spec's, sorted
    names: tuple[str, ...]  # sorted
    combination: tuple[tuple[str, str], ...]  # (name, value) sorted
    lengths_ok: bool


def _under(prefix: tuple, findings: tuple[Finding, ...]) -> list[Finding]:
    return [dataclasses.replace(f, path=prefix + f.path) for f in findings]


def _seller_sku(index: int, code: str) -> list[Finding]:
    path, findings = ("skus", index, "seller_sku"), []
    if not 1 <= len(code) <= SELLER_SKU_MAX:
        findings.append(Finding(path, f"seller_sku must be 1-{SELLER_SKU_MAX} characters (it has {len(code)})"))
    if SPACE_OR_CONTROL.search(code):
        findings.append(Finding(path, f"seller_sku must not contain spaces or control characters: {code!r}"))
    return findings


def _price(value: int | float | str) -> Checked:
    """The canonical price text and findings (paths under the SKU) of a price as written."""
    text, path = literal(value), ("price",)
    number = read_amount(value)
    if number is None:
        hint = (f"; leave out the thousands separators: {re.sub(r'[.,]', '', text.strip())}"
                if text is not None and GROUPED.fullmatch(text.strip()) else "")
        shown = repr(text) if text is not None else written(value)
        return None, (Finding(path, "price must be a plain number of rupiah like 150000 or 99999.5, "
                                    f"got {shown}{hint}"),)
    findings = []
    if number <= 0:
        findings.append(Finding(path, f"price must be more than 0 (got {written(value)})"))
    elif number > PRICE_MAX:
        findings.append(Finding(path, f"price must be at most {PRICE_MAX} rupiah (got {written(value)})"))
    if decimal_places(number) > 2:
        hint = (f"; to write {canonical_decimal(number * 1000)} rupiah, leave out the thousands separator"
                if number == number.to_integral_value() else "")
        findings.append(Finding(path, f"IDR prices have at most 2 decimals (got {written(value)}){hint}"))
    return (None if findings else canonical_decimal(number)), tuple(findings)


def _variants(skus: list, sales: list[Sales]) -> list[Finding]:
    first = sales[0]
    if len(skus) == 1 and len(first.names) <= 1 and first.lengths_ok:
        return []
    findings: list[Finding] = []
    seen: dict[tuple, str] = {}
    for index, (sku, attributes) in enumerate(zip(skus, sales, strict=True)):
        path = ("skus", index, "sales_attributes")
        if len(skus) > 1 and not attributes.names:
            findings.append(Finding(("skus", index), f"SKU {sku.seller_sku!r} needs sales_attributes: a product "
                                                     "with several SKUs tells them apart by sales attributes "
                                                     "(e.g. Ukuran: M)"))
            continue
        if len(attributes.names) > MAX_SALES_ATTRIBUTES:
            findings.append(Finding(path, f"at most {MAX_SALES_ATTRIBUTES} sales attributes per SKU "
                                          f"(got {len(attributes.names)})"))
        if not attributes.lengths_ok:
            findings += _attribute_lengths(path, sku.sales_attributes)
        if index and attributes.names != first.names:
            findings.append(Finding(path, f"sales attributes must have the same names on every SKU: {sku.seller_sku!r} "
                                          f"has {', '.join(attributes.names)}, {skus[0].seller_sku!r} has "
                                          f"{', '.join(first.names) or 'none'}"))
            continue
        combination = attributes.combination
        if combination and combination in seen:
            shown = ", ".join(f"{k}: {v}" for k, v in combination)
            findings.append(Finding(path, f"SKU {sku.seller_sku!r} has the same sales attributes ({shown}) as "
                                          f"{seen[combination]!r}: every SKU needs a different combination"))
        seen.setdefault(combination, sku.seller_sku)
    return findings


def _attribute_lengths(path: tuple, attributes: dict[str, str]) -> list[Finding]:
    findings = []
    for name, value in attributes.items():
        if not name.strip() or len(name) > 20:
            findings.append(Finding(path + (name,), "sales attribute name must be 1-20 characters", at_key=True))
        if not value.strip() or len(value) > 50:
            findings.append(Finding(path + (name,), "sales attribute value must be 1-50 characters"))
    return findings


def _pre_sale_consistency(skus: list) -> list[Finding]:
    pre_order = [sku.seller_sku for sku in skus if sku.pre_sale is not None]
    return [Finding(("skus", index), f"SKU {sku.seller_sku!r} is not pre-order but {pre_order[0]!r} is: "
                                     "all SKUs of a product must share the same pre-sale type")
            for index, sku in enumerate(skus) if sku.pre_sale is None]


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
                                      f"seller_sku {code!r} is already used by {by}: seller_skus are unique in "
                                      "the shop")
            skus.setdefault(code, (key, where))
            if barcode and barcode in codes and codes[barcode] != code:
                yield number, Finding(("skus", index, "identifier_code", "code"),
                                      f"barcode {barcode} is already used by SKU {codes[barcode]!r}")
            if barcode:
                codes.setdefault(barcode, code)
