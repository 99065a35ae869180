"""The guards a catalog sets (shop.yaml `guards:`) and the acknowledgements it carries.

    guards:                                   # shop.yaml; every guard is on by default
      max_price_change: 50%                   # per SKU, up or down, against the live price
      max_deactivate: {count: 10, share: 25%} # past 10 products, or past 25% of the live ones
      max_delete: {count: 5, share: 10%}      # past 5 products, or past 10% of the shop's products
      acknowledge:                            # mass changes the reviewers allowed, bound to the
        deactivate: {count: 14, products: "3fa9c2e1"}   # count and the products' fingerprint

    acknowledge:                              # a product's YAML: price changes it may make
      price_change:
        KAOS-M: {from: 185000, to: 1850}      # exactly this change: live 185000, catalog 1850

A limit written as a mapping keeps the default of the part it leaves out; `false` turns a
guard off. The planner (engine.plan.guards) decides what trips and what is acknowledged;
here the YAML is read into values, and a product's acknowledgement is checked against its
SKUs (an unknown SKU, a price that is not one, from = to are errors at file:line:column).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.limits import Finding, decimal_places, read_amount, written
from engine.catalog.models import PERCENT, GuardLimit, Guards, ProductAcknowledge
from engine.catalog.spec import canonical_decimal

PRICE_CHANGE = "price_change"
DEACTIVATE = "deactivate"
DELETE = "delete"
MASS_GUARDS = (DEACTIVATE, DELETE)


@dataclass(frozen=True, slots=True)
class Limit:
    """A mass guard: trips when a plan touches more than `count` products or more than `share`
    (a fraction, 0.25 for 25%) of the shop's; None = that part is off."""

    count: int | None
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class MassAcknowledgement:
    """`guards: acknowledge: <guard>: {count, products}` in shop.yaml, and where it is written."""

    guard: str  # DEACTIVATE | DELETE
    count: int
    products: str  # fingerprint of the products' keys (engine.plan.guards.products_fingerprint)
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """The guards of a shop (shop.yaml `guards:`, defaults filled in); None = the guard is off."""

    price_change: Decimal | None = Decimal("0.5")  # a fraction of the live price
    deactivate: Limit | None = Limit(10, Decimal("0.25"))
    delete: Limit | None = Limit(5, Decimal("0.1"))
    acknowledged: tuple[MassAcknowledgement, ...] = ()

    def limit(self, guard: str) -> Limit | None:
        return self.deactivate if guard == DEACTIVATE else self.delete if guard == DELETE else None

    def acknowledgement(self, guard: str) -> MassAcknowledgement | None:
        return next((a for a in self.acknowledged if a.guard == guard), None)


DEFAULT_GUARDS = GuardSettings()


@dataclass(frozen=True, slots=True, order=True)
class PriceAcknowledgement:
    """`acknowledge: price_change: <seller_sku>: {from, to}` in a product: canonical prices."""

    key: str
    sku: str
    old: str
    new: str


def fraction(percent: str) -> Decimal:
    """'25%' → Decimal('0.25') (the model checked the text)."""
    match = PERCENT.fullmatch(percent)
    if match is None:
        raise ValueError(f"not a percentage: {percent!r}")
    return Decimal(match.group(1)) / 100


def guard_settings(model: Guards, where) -> GuardSettings:
    """The shop's guards from shop.yaml's `guards:`; `where(path)` gives (line, column) of a
    value in shop.yaml (worked out only for acknowledgements, which are rare)."""
    fields: dict[str, Any] = {}
    if model.max_price_change is not None:
        fields["price_change"] = None if model.max_price_change is False else fraction(model.max_price_change)
    for guard, written_limit in ((DEACTIVATE, model.max_deactivate), (DELETE, model.max_delete)):
        if written_limit is not None:
            fields[guard] = None if written_limit is False else _limit(written_limit, DEFAULT_GUARDS.limit(guard))
    acknowledged = []
    for guard in MASS_GUARDS:
        ack = getattr(model.acknowledge, guard) if model.acknowledge is not None else None
        if ack is not None:
            line, column = where(("guards", "acknowledge", guard))
            acknowledged.append(MassAcknowledgement(guard, ack.count, ack.products, line, column))
    return GuardSettings(**fields, acknowledged=tuple(acknowledged))


def _limit(written_limit: GuardLimit, default: Limit | None) -> Limit:
    count = written_limit.count if "count" in written_limit.model_fields_set else (default.count if default else None)
    share = (fraction(written_limit.share) if written_limit.share is not None
             else default.share if default and "share" not in written_limit.model_fields_set else None)
    return Limit(count, share)


def limit_findings(model: Guards) -> list[Finding]:
    """What the shape cannot say: a share above 100%, a limit with neither part."""
    findings = []
    for name in ("max_deactivate", "max_delete"):
        value = getattr(model, name)
        if not isinstance(value, GuardLimit):
            continue
        if value.share is not None and fraction(value.share) > 1:
            findings.append(Finding(("guards", name, "share"), f"a share is at most 100% (got {value.share.strip()})"))
        if not value.model_fields_set:
            findings.append(Finding(("guards", name), "give count, share or both (or false to turn the guard off)"))
    return findings


def price_acknowledgements(key: str, model: ProductAcknowledge | None,
                           seller_skus: tuple[str, ...]) -> tuple[list[PriceAcknowledgement], list[Finding]]:
    """A product's `acknowledge: price_change:` entries, checked against its SKUs."""
    if model is None:
        return [], []
    acks: list[PriceAcknowledgement] = []
    findings: list[Finding] = []
    for sku, entry in model.price_change.items():
        path = ("acknowledge", PRICE_CHANGE, sku)
        if sku not in seller_skus:
            known = ", ".join(seller_skus[:10]) + (", …" if len(seller_skus) > 10 else "")
            findings.append(Finding(path, f"acknowledges a price change of SKU {sku!r}, which this product does not "
                                          f"have{did_you_mean(sku, seller_skus)}; its SKUs: {known or '(none)'}",
                                    at_key=True))
            continue
        old, new = _price(entry.old, path + ("from",), findings), _price(entry.new, path + ("to",), findings)
        if old is None or new is None:
            continue
        if old == new:
            findings.append(Finding(path, f"from and to are the same price ({old}): there is no change to acknowledge; "
                                          "remove it", at_key=True))
            continue
        acks.append(PriceAcknowledgement(key, sku, old, new))
    return sorted(acks), findings


def _price(value: int | float | str, path: tuple, findings: list[Finding]) -> str | None:
    number = read_amount(value)
    if number is None or number <= 0 or decimal_places(number) > 2:
        findings.append(Finding(path, f"a price of rupiah above 0 with at most 2 decimals, like 185000, "
                                      f"got {written(value)}"))
        return None
    return canonical_decimal(number)
