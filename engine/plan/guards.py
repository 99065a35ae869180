"""Guards: the changes a plan may make only with a reviewer's explicit, reviewable yes (issue 17).

    trips, issues = evaluate(products, settings, acknowledgements, counts, ...)   # pure

Three guards, on by default, tuned in shop.yaml `guards:` (engine.catalog.guard_settings):

    price_change   a SKU's price moves more than 50% (up or down) from the live price
    deactivate     more than 10 products, or more than 25% of the live ones, are deactivated
                   or taken off a platform in one plan
    delete         more than 5 products, or more than 10% of the shop's, are deleted

Changes written now, changes held until a review ends and listings deferred by the daily
listing limit all count (a later apply writes them, with nobody reviewing them then). A tripped guard is acknowledged
only by an acknowledgement bound to exactly that change:

    price_change   the product's `acknowledge: price_change: SKU: {from: <live>, to: <new>}`
    deactivate /   shop.yaml `guards: acknowledge: deactivate: {count: N, products: "<fp>"}`,
    delete         the count and the fingerprint of the products' keys (`products_fingerprint`)

An acknowledgement that matches no tripped guard is flagged for removal (a warning with its
file:line:column): its change is live, or the plan now makes another change it does not allow.
With `--target` only the selected products are judged (a shop-wide acknowledgement is then
never called stale: the plan does not see the whole change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from engine.catalog.guard_settings import (
    DEACTIVATE,
    DELETE,
    MASS_GUARDS,
    PRICE_CHANGE,
    GuardSettings,
    Limit,
    PriceAcknowledgement,
)
from engine.catalog.spec import ProductSpec
from engine.plan import model as m
from engine.plan.model import GuardTrip, Plan, PlanIssue, ProductPlan

ORDER = (DELETE, DEACTIVATE, PRICE_CHANGE)  # most destructive first
SETTING = {PRICE_CHANGE: "max_price_change", DEACTIVATE: "max_deactivate", DELETE: "max_delete"}
VERBS = {DEACTIVATE: ("deactivates", "deactivating"), DELETE: ("deletes", "deleting")}
SHOP_FILE = "shop.yaml"
CODE = "acknowledgement"  # PlanIssue code of an acknowledgement to remove or to correct
# what is written now, or by a later apply once a review ends or the next day's listings allow it (a
# create has no live price and takes nothing offline)
_JUDGED = (m.WRITE_KINDS | {m.HELD, m.DEFERRED}) - {m.CREATE}


@dataclass(frozen=True, slots=True)
class ShopCounts:
    """The denominators of the shares: products live on a platform, products in the shop."""

    live: int = 0
    in_shop: int = 0


def products_fingerprint(keys: Iterable[str]) -> str:
    """8 hex digits naming a set of product keys (what a shop-wide acknowledgement is bound to)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:8]


def change_percent(old: str, new: str) -> Decimal:
    """How far `new` is from `old`, in percent of `old` (negative: down)."""
    before, after = Decimal(old), Decimal(new)
    if before == 0:
        return Decimal(100) if after else Decimal(0)
    return (after - before) / before * 100


def percent_text(value: Decimal, signed: bool = True) -> str:
    """'−99 %', '+900 %', '12,5 %' — one decimal at most, a decimal comma, as sellers read it."""
    rounded = value.quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    text = format(abs(rounded), "f").removesuffix(".0").replace(".", ",")
    sign = ("−" if rounded < 0 else "+") if signed and rounded else ""
    return f"{sign}{text} %"


def limit_text(settings: GuardSettings, guard: str) -> str:
    """The guard as set, for humans: '50 %', '10 products or 25 %', 'off'."""
    if guard == PRICE_CHANGE:
        share = settings.price_change
        return "off" if share is None else percent_text(share * 100, signed=False)
    limit = settings.limit(guard)
    if limit is None or (limit.count is None and limit.share is None):
        return "off"
    parts = [f"{limit.count} product" + ("" if limit.count == 1 else "s")] if limit.count is not None else []
    parts += [percent_text(limit.share * 100, signed=False)] if limit.share is not None else []
    return " or ".join(parts)


def evaluate(products: Iterable[ProductPlan], settings: GuardSettings,
             acknowledgements: Iterable[PriceAcknowledgement], counts: Callable[[], ShopCounts], *,
             desired: Iterable[ProductSpec], where: Callable[[ProductSpec, tuple], str],
             targeted: bool = False) -> tuple[tuple[GuardTrip, ...], list[PlanIssue]]:
    """Every guard the planned products trip (acknowledged or not, sorted most destructive
    first) and a warning per acknowledgement that allows none of them. `counts()`: the shop's
    (asked only when a plan deactivates or deletes); `desired`: the selected catalog products;
    `where(spec, path)`: file:line:column of a product's value (Context.where)."""
    products = list(products)
    trips, issues = _prices(products, settings, tuple(acknowledgements), desired, where)
    for guard in MASS_GUARDS:
        trip, issue = _mass(guard, products, settings, counts, targeted)
        trips += [trip] if trip else []
        issues += [issue] if issue else []
    trips.sort(key=lambda t: (ORDER.index(t.guard), t.key, t.sku))
    return tuple(trips), issues


# --------------------------------------------------------------------------- price changes
def _price_changes(products: list[ProductPlan]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(key, seller SKU) → (old, new, the product's source) of every price change planned."""
    out = {}
    for item in products:
        for action in item.actions:
            if action.kind not in _JUDGED:
                continue
            for change in action.changes:
                path = change.path
                if len(path) == 3 and path[0] == "skus" and path[2] == "price" and change.old is not None \
                        and change.new is not None:
                    out[(item.key, path[1])] = (str(change.old), str(change.new), item.source)
    return out


def _prices(products: list[ProductPlan], settings: GuardSettings,
            acknowledgements: tuple[PriceAcknowledgement, ...], selected: Iterable[ProductSpec],
            where: Callable[[ProductSpec, tuple], str]) -> tuple[list[GuardTrip], list[PlanIssue]]:
    changes = _price_changes(products)
    limit = settings.price_change
    desired = {spec.key: spec for spec in selected} if acknowledgements else {}
    acks = {(a.key, a.sku): a for a in acknowledgements if a.key in desired}
    trips, issues = [], []
    for (key, sku), (old, new, source) in sorted(changes.items()):
        if limit is None or abs(change_percent(old, new)) <= limit * 100:
            continue
        ack = acks.pop((key, sku), None)
        at = where(desired[key], ("acknowledge", PRICE_CHANGE, sku)) if ack else ""
        allowed = ack is not None and (ack.old, ack.new) == (old, new)
        trips.append(GuardTrip(PRICE_CHANGE, key, sku, old, new, limit=limit_text(settings, PRICE_CHANGE),
                               source=source, acknowledged=at if allowed else ""))
        if ack is not None and not allowed:
            issues.append(_issue(key, f"the acknowledgement at {at} allows SKU {sku} {ack.old} → {ack.new}, but this "
                                      f"plan changes its price {old} → {new}: it does not allow this change; "
                                      "acknowledge this change instead"))
    for (key, sku), ack in sorted(acks.items()):
        at = where(desired[key], ("acknowledge", PRICE_CHANGE, sku))
        why = _price_staleness(ack, changes, desired, settings)
        issues.append(_issue(key, f"the acknowledgement at {at} is {why}; remove it"))
    return trips, issues


def _price_staleness(ack: PriceAcknowledgement, changes: Mapping[tuple[str, str], tuple[str, str, str]],
                     desired: Mapping[str, ProductSpec], settings: GuardSettings) -> str:
    planned = changes.get((ack.key, ack.sku))
    if planned is not None:
        return (f"not needed: SKU {ack.sku} {planned[0]} → {planned[1]} is within max_price_change "
                f"({limit_text(settings, PRICE_CHANGE)})")
    price = next((s.price for s in desired[ack.key].skus if s.seller_sku == ack.sku), None)
    if price == ack.new:
        return f"no longer needed: SKU {ack.sku} is at {price} in the shop, the change it allowed is live"
    return f"matches no change: SKU {ack.sku} is at {price} in the catalog and in the shop"


# --------------------------------------------------------------------------- mass changes
def _removes_platform(item: ProductPlan) -> bool:
    for action in item.actions:
        if action.kind not in _JUDGED:
            continue
        if action.kind == m.DEACTIVATE:
            return True
        for change in action.changes:
            if change.path == ("listing_platforms",) and isinstance(change.old, list) \
                    and set(change.old) - set(change.new if isinstance(change.new, list) else ()):
                return True
    return False


def _touched(guard: str, products: list[ProductPlan]) -> list[str]:
    if guard == DELETE:
        return [p.key for p in products if any(a.kind == m.DELETE for a in p.actions)]
    return [p.key for p in products if _removes_platform(p)]


def _trips(limit: Limit | None, count: int, total: int) -> bool:
    if limit is None or count == 0:
        return False
    return ((limit.count is not None and count > limit.count)
            or (limit.share is not None and count > limit.share * total))


def _mass(guard: str, products: list[ProductPlan], settings: GuardSettings, counts: Callable[[], ShopCounts],
          targeted: bool) -> tuple[GuardTrip | None, PlanIssue | None]:
    keys = _touched(guard, products)
    shop = counts() if keys else ShopCounts()
    total = shop.live if guard == DEACTIVATE else shop.in_shop
    ack = settings.acknowledgement(guard)
    at = f"{SHOP_FILE}:{ack.line}:{ack.column}" if ack else ""
    fingerprint = products_fingerprint(keys) if keys else ""
    verb, doing = VERBS[guard]
    if not _trips(settings.limit(guard), len(keys), total):
        if ack is None or targeted:
            return None, None
        now = (f"not needed: this plan {verb} {len(keys)} product(s), within {SETTING[guard]} "
               f"({limit_text(settings, guard)})" if keys
               else f"no longer needed: this plan {verb} no product (done, or not planned any more)")
        return None, _issue("", f"the acknowledgement at {at} is {now}; remove it")
    allowed = ack is not None and (ack.count, ack.products) == (len(keys), fingerprint)
    trip = GuardTrip(guard, count=len(keys), total=total, products=fingerprint, limit=limit_text(settings, guard),
                     source=SHOP_FILE, acknowledged=at if allowed else "")
    if ack is None or allowed:
        return trip, None
    return trip, _issue("", f"the acknowledgement at {at} allows {doing} {ack.count} product(s) (\"{ack.products}\"), "
                            f"but this plan {verb} {len(keys)} (\"{fingerprint}\"): it does not allow this change; "
                            "acknowledge this change instead")


def _issue(key: str, message: str) -> PlanIssue:
    return PlanIssue("warning", key, CODE, f"{key}: {message}" if key else message)


# --------------------------------------------------------------------------- acknowledging
def acknowledgement(trips: Iterable[GuardTrip]) -> str:
    """The YAML (flow style) that acknowledges `trips` — all of one product (its `acknowledge:`)
    or the shop's mass changes (under shop.yaml's `guards:`)."""
    trips = list(trips)
    prices = [t for t in trips if t.guard == PRICE_CHANGE]
    if prices:
        entries = ", ".join(f"{t.sku}: {{from: {t.old}, to: {t.new}}}" for t in sorted(prices, key=lambda t: t.sku))
        return f"acknowledge: {{price_change: {{{entries}}}}}"
    entries = ", ".join(f'{t.guard}: {{count: {t.count}, products: "{t.products}"}}'
                        for t in sorted(trips, key=lambda t: MASS_GUARDS.index(t.guard)))
    return f"acknowledge: {{{entries}}}"


def acknowledgements(plan: Plan) -> list[tuple[str, str, str]]:
    """(file, product key or "", YAML) per place to write for the plan's unacknowledged guards:
    one per product (with its acknowledged changes too: the line replaces its `acknowledge:`),
    then shop.yaml (under `guards:`)."""
    pending = {t.key for t in plan.tripped}
    out = []
    for key in sorted(k for k in pending if k):
        mine = [t for t in plan.guards if t.key == key]
        out.append((mine[0].source.rsplit(":", 1)[0] if mine[0].source else "the product's file", key,
                    acknowledgement(mine)))
    if "" in pending:
        out.append((SHOP_FILE, "", acknowledgement(t for t in plan.guards if not t.key)))
    return out


def describe(trip: GuardTrip) -> str:
    """One line, plain numbers as the YAML has them: for messages outside the rendered plan."""
    if trip.guard == PRICE_CHANGE:
        return (f"{trip.key}: SKU {trip.sku} price {trip.old} → {trip.new} "
                f"({percent_text(change_percent(trip.old, trip.new))}), past max_price_change ({trip.limit})")
    share = percent_text(Decimal(trip.count) / max(trip.total, 1) * 100, signed=False)
    whose = "live products" if trip.guard == DEACTIVATE else "products in the shop"
    return (f"{VERBS[trip.guard][0]} {trip.count} of {trip.total} {whose} ({share}), "
            f"past {SETTING[trip.guard]} ({trip.limit})")


def refusal(plan: Plan) -> str | None:
    """Why apply refuses `plan` and exactly how to acknowledge it; None when nothing is tripped."""
    tripped = plan.tripped
    if not tripped:
        return None
    lines = [f"{len(tripped)} guard{'' if len(tripped) == 1 else 's'} tripped and not acknowledged; nothing was "
             "written:"]
    lines += [f"  {describe(t)}" for t in tripped]
    lines.append("If these changes are intended, write these acknowledgements in the catalog (reviewed with the "
                 "change in its pull request), plan again and apply:")
    for file, key, yaml in acknowledgements(plan):
        lines.append(f"  {file}" + (f", product {key}" if key else ", under guards") + f" — {yaml}")
    return "\n".join(lines)
