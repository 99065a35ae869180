"""The guards a plan trips, as a seller reads them — first in the text plan, the PR comment and
the job summary (engine.plan.guards decides what trips).

    ✖ 2 guards tripped: apply refuses this plan until they are acknowledged
        $ kaos-polos  SKU KAOS-M price Rp185.000 → Rp1.850 (−99 %), past max_price_change (50 %)
        ▼ deactivates 14 of 14 live products (100 %), past max_deactivate (10 products or 25 %)
      To allow them, acknowledge exactly these changes in the catalog, then plan again:
        in products/kaos.yaml, product kaos-polos:
            acknowledge: {price_change: {KAOS-M: {from: 185000, to: 1850}}}
        in shop.yaml, under guards:
            acknowledge: {deactivate: {count: 14, products: "3fa9c2e1"}}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from engine.catalog.guard_settings import DEACTIVATE, DELETE, PRICE_CHANGE
from engine.plan.guards import SETTING, VERBS, acknowledgements, change_percent, percent_text
from engine.plan.model import GuardTrip, Plan
from engine.render import fmt

SYMBOLS = {PRICE_CHANGE: "$", DEACTIVATE: "▼", DELETE: "-"}
WHOSE = {DEACTIVATE: "live products", DELETE: "products in the shop"}
HELP = ("To allow these changes, write these acknowledgements in the catalog (reviewed with the change in its pull "
        "request), then plan again:")


def what(trip: GuardTrip) -> str:
    """'SKU KAOS-M price Rp185.000 → Rp1.850 (−99 %)' / 'deactivates 14 of 14 live products (100 %)'."""
    if trip.guard == PRICE_CHANGE:
        return (f"SKU {trip.sku} price {fmt.rupiah(trip.old)} → {fmt.rupiah(trip.new)} "
                f"({percent_text(change_percent(trip.old, trip.new))})")
    share = percent_text(Decimal(trip.count) / max(trip.total, 1) * 100, signed=False)
    return (f"{VERBS[trip.guard][0]} {fmt.quantity(trip.count)} of {fmt.quantity(trip.total)} "
            f"{WHOSE[trip.guard]} ({share})")


def past(trip: GuardTrip) -> str:
    return f"past {SETTING[trip.guard]} ({trip.limit})"


def headline(trip: GuardTrip) -> str:
    """One line: symbol, product key (price), what, the guard."""
    head = f"{SYMBOLS[trip.guard]} {trip.key}  " if trip.key else f"{SYMBOLS[trip.guard]} "
    return f"{head}{what(trip)}, {past(trip)}"


def title(plan: Plan) -> str:
    count = len(plan.tripped)
    if count == 1:
        return "1 guard tripped: apply refuses this plan until it is acknowledged"
    return f"{count} guards tripped: apply refuses this plan until they are acknowledged"


def text_lines(plan: Plan, paint: Callable[[str, str], str]) -> list[str]:
    """The guard section of the text plan (empty when no guard trips), then a blank line."""
    if not plan.guards:
        return []
    lines = []
    tripped = plan.tripped
    if tripped:
        lines.append(paint("✖ " + title(plan), "1;31"))
        lines += [paint(f"    {headline(t)}", "31") for t in tripped]
        lines.append("  " + HELP)
        for file, key, yaml in acknowledgements(plan):
            lines.append(f"    in {file}" + (f", product {key}:" if key else ", under guards:"))
            lines.append(f"        {yaml}")
    done = [t for t in plan.guards if t.acknowledged]
    if done:
        lines.append(paint(f"✔ {len(done)} guard{'' if len(done) == 1 else 's'} tripped and acknowledged:", "33"))
        lines += [f"    {headline(t)} — acknowledged at {t.acknowledged}" for t in done]
    return lines + [""]


def code(text: str) -> str:
    """`text` as a Markdown code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_parts(plan: Plan, escape: Callable[[object], str]) -> dict:
    """The Markdown guard section's lines (the template lays them out; a budget trims them)."""
    def line(trip: GuardTrip) -> str:
        key = f"{code(SYMBOLS[trip.guard] + ' ' + trip.key)} " if trip.key else f"{code(SYMBOLS[trip.guard])} "
        return f"- {key}{escape(what(trip))}, {escape(past(trip))}"

    help_lines = [f"- in {code(file)}" + (f", product {code(key)}: " if key else f", under {code('guards:')}: ")
                  + code(yaml) for file, key, yaml in acknowledgements(plan)]
    return dict(guards=[line(t) for t in plan.tripped], guard_help=help_lines, guard_title=title(plan),
                guard_help_title=HELP, acknowledged=[f"{line(t)} — acknowledged at {code(t.acknowledged)}"
                                                     for t in plan.guards if t.acknowledged],
                more_guards=0, more_guard_help=0, more_acknowledged=0)


GUARD_PARTS = ("guards", "guard_help", "acknowledged")  # kept in this order when a budget is short
