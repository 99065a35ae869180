"""The plan as terminal text, like Terraform's: the guards it trips first, then one block per
product (what needs attention first: engine.render.attention), then the summary.

    ✖ 1 guard tripped: apply refuses this plan until it is acknowledged
        $ kopi-arabika  SKU KOPI-250 price Rp45.000 → Rp450 (−99 %), past max_price_change (50 %)
      ...
    ± kopi-arabika  "Kopi Arabika Gayo"  product 1729  (drift: changed outside git)
        ± partial edit on Tokopedia · goes back to review
            title: "Kopi Arabika Gayo" → "Kopi Arabika Gayo 250 g"
        $ update price on Shop | Tokopedia, Tokopedia
            SKU KOPI-250 price: Rp45.000 → Rp42.000

    Plan: 2 to create, 3 to edit (2 go back to review), 1 price, 1 stock, 1 to activate, ...

Colour (ANSI) only when `color=True` — the CLI passes it when stdout is a terminal.
"""

from __future__ import annotations

from engine.plan import model as m
from engine.plan.model import Action, Plan, PlanSummary, ProductPlan
from engine.render import fmt
from engine.render.attention import attention_order
from engine.render.guards import text_lines as guard_lines

INDENT = "    "
MAX_UNMANAGED = 50  # listed by id; the JSON plan has them all
_COLORS = {
    m.CREATE: "32", m.EDIT: "33", m.PARTIAL_EDIT: "33", m.UPDATE_PRICE: "36", m.UPDATE_INVENTORY: "36",
    m.ACTIVATE: "32", m.DEACTIVATE: "31", m.DELETE: "31", m.RECOVER: "35", m.HELD: "2", m.BLOCKED: "31",
    m.DEFERRED: "2",
}


class Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text


def render_text(plan: Plan, *, color: bool = False) -> str:
    paint = Paint(color)
    names = fmt.Names(plan.names)
    lines = [_header(plan), ""]
    lines += guard_lines(plan, paint)
    for index in attention_order(plan):
        lines += product_lines(plan.products[index], names, paint)
        lines.append("")
    limit = fmt.listing_limit_line(plan)
    if limit:
        lines += [paint(limit, "33"), ""]
    lines += _issues(plan, paint)
    lines += _unmanaged(plan)
    if not plan.has_changes:
        matches = not plan.products and not plan.errors
        lines.append("No changes: the shop matches the catalog." if matches else "No changes to apply.")
    lines.append(paint(summary_line(plan.summary()), "1"))
    return "\n".join(lines) + "\n"


def _header(plan: Plan) -> str:
    parts = [f"Plan for {plan.shop_name or 'the shop'} on {fmt.marketplace(plan.market)}"]
    if plan.catalog_digest:
        parts.append(f"catalog {plan.catalog_digest[:12]}")
    if plan.targets:
        parts.append("targets: " + ", ".join(plan.targets))
    return " · ".join(parts)


def product_symbol(item: ProductPlan) -> str:
    return item.actions[0].symbol if item.actions else "="


def product_header(item: ProductPlan) -> str:
    parts = [f"{product_symbol(item)} {item.key}"]
    if item.title:
        parts.append(fmt.scalar(item.title))
    parts.append(f"product {item.product_id}" if item.product_id else "new")
    if item.drift:
        parts.append("(drift: changed outside git since the last apply)")
    if item.adopted:
        parts.append("(adopted)")
    return "  ".join(parts)


def product_lines(item: ProductPlan, names: fmt.Names, paint: Paint) -> list[str]:
    """One product block (also used, uncoloured, inside the Markdown details)."""
    kind = item.actions[0].kind if item.actions else ""
    lines = [paint(product_header(item), _COLORS.get(kind, "1"))]
    for action in item.actions:
        action_lines(action, names, paint, lines, INDENT)
    lines += [f"{INDENT}note: {note}" for note in item.notes]
    if item.check is not None:
        reasons = "; ".join(item.check.reasons)
        lines.append(f"{INDENT}listing check: {item.check.result}" + (f" — {reasons}" if reasons else ""))
        lines += [f"{INDENT}  warning: {w}" for w in item.check.warnings]
    return lines


def action_lines(action: Action, names: fmt.Names, paint: Paint, out: list[str] | None = None,
                 indent: str = "") -> list[str]:
    """The action's lines, each prefixed with `indent`, appended to `out` (a new list when None):
    a plan of 10,000 creates is ~150,000 lines, so nothing is copied per nesting level."""
    lines = [] if out is None else out
    head = f"{action.symbol} {fmt.KIND_LABELS[action.kind]}"
    if action.save_mode == "AS_DRAFT":
        head += " as a hidden draft"
    if action.platforms and action.kind != m.BLOCKED:
        head += f" on {fmt.platforms(action.platforms)}"
    marker = fmt.review_marker(action)
    if marker:
        head += f" · {marker}"
    lines.append(indent + paint(head, _COLORS[action.kind]))
    inner = indent + INDENT
    append, change_lines = lines.append, fmt.change_lines
    for blocker in action.blockers:
        if blocker.code == m.UNDER_REVIEW:
            continue  # the head says it: "… waiting for review on <platforms>"
        for line in fmt.blocker_lines(blocker):
            append(inner + line)
    for change in action.changes:
        for line in change_lines(change, names):
            append(inner + line)
    if action.uploads:
        append(inner + "images to upload: " + ", ".join(i.path or "" for i in action.uploads))
    if action.note:
        append(f"{inner}({action.note})")
    return lines


def summary_line(s: PlanSummary) -> str:
    goes = "goes" if s.review == 1 else "go"
    line = (f"Plan: {s.create} to create, {s.edit} to edit ({s.review} {goes} back to review), {s.price} price, "
            f"{s.stock} stock, {s.activate} to activate, {s.deactivate} to deactivate, {s.delete} to delete")
    if s.recover:
        line += f", {s.recover} to recover"
    line += f"; {s.blocked} blocked"
    if s.held:
        line += f", {s.held} waiting for review"
    if s.deferred:
        line += f", {s.deferred} deferred to a later day"
    line += f", {s.unmanaged} unmanaged."
    if s.errors or s.warnings:
        line += f" {_count(s.errors, 'error')}, {_count(s.warnings, 'warning')}."
    return line


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _issues(plan: Plan, paint: Paint) -> list[str]:
    lines = []
    if plan.warnings:
        lines.append(paint("Warnings:", "33"))
        lines += [f"  ! {w.message}" for w in plan.warnings]
        lines.append("")
    if plan.errors:
        lines.append(paint("Errors:", "31"))
        lines += [f"  ✖ {e.message}" for e in plan.errors]
        lines.append("")
    return lines


def _unmanaged(plan: Plan) -> list[str]:
    if not plan.unmanaged:
        return []
    lines = [f"Unmanaged: {len(plan.unmanaged)} live product(s) not in the catalog, never touched:"]
    for item in plan.unmanaged[:MAX_UNMANAGED]:
        line = f"  {item.product_id}"
        if item.title:
            line += f"  {fmt.scalar(item.title)}"
        if item.former_key:
            line += f"  {fmt.former_key_note(item.former_key)}"
        lines.append(line)
    if len(plan.unmanaged) > MAX_UNMANAGED:
        lines.append(f"  … and {len(plan.unmanaged) - MAX_UNMANAGED} more (all listed in the JSON plan)")
    lines.append("  To manage them from the catalog: catalog import DIR --product-id ID (or --all).")
    lines.append("")
    return lines
