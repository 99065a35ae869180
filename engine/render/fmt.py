"""Formatting shared by the text and Markdown renderers: values as a seller reads them.

Platforms by their display names ("Shop | Tokopedia", "Tokopedia" — never the enum value, never
the platform's former brand), prices in rupiah with thousands separators (Rp150.000), stock per warehouse name,
long HTML descriptions as a short line diff, SKUs by seller_sku.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.catalog.spec import PLATFORM_LABELS
from engine.plan import model as m
from engine.plan.model import Blocker, FieldChange

MAX_VALUE = 100  # characters of a value shown inline
MAX_DESCRIPTION_LINES = 8  # changed description lines shown

KIND_LABELS = {
    m.CREATE: "create", m.EDIT: "edit (full)", m.PARTIAL_EDIT: "partial edit", m.UPDATE_PRICE: "update price",
    m.UPDATE_INVENTORY: "update stock", m.ACTIVATE: "activate", m.DEACTIVATE: "deactivate", m.DELETE: "delete",
    m.RECOVER: "recover", m.HELD: "waiting for review", m.BLOCKED: "blocked", m.DEFERRED: "deferred",
}
STATUS_LABELS = {
    "ACTIVATE": "live", "PENDING": "under review", "FAILED": "review failed", "DRAFT": "draft",
    "SELLER_DEACTIVATED": "deactivated", "PLATFORM_DEACTIVATED": "deactivated by the platform",
    "FREEZE": "frozen", "DELETED": "deleted", "SCHEDULED": "scheduled",
}
FIELD_LABELS = {"listing_platforms": "platforms"}


def platform(name: str) -> str:
    return PLATFORM_LABELS.get(name, name.replace("_", " ").title())


def platforms(names) -> str:
    return ", ".join(platform(p) for p in names) if names else "(none)"


def marketplace(market: str) -> str:
    return "Tokopedia & Shop" if market == "ID" else f"the {market} shop"


def rupiah(value: object) -> str:
    """'150000' -> 'Rp150.000', '1500.5' -> 'Rp1.500,5' (Indonesian separators)."""
    if type(value) is str and value.isascii() and value.isdigit():  # a whole price (the usual): digits grouped
        return "Rp" + f"{int(value):,}".replace(",", ".")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    whole, _, fraction = format(number, "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = ".".join(reversed([digits[max(i - 3, 0):i] for i in range(len(digits), 0, -3)]))
    return f"{sign}Rp{grouped}" + (f",{fraction}" if fraction else "")


def quantity(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    return scalar(value)


def scalar(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = value if len(value) <= MAX_VALUE else value[:MAX_VALUE - 1] + "…"
        return '"' + text.replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_bare(v) for v in value) + "]" if value else "[]"
    return str(value)


def _bare(value: object) -> str:
    return value if isinstance(value, str) else scalar(value)


def status(value: object) -> str:
    return STATUS_LABELS.get(str(value), str(value).lower()) if value is not None else "(not listed)"


class Names:
    """Display names for ids the plan carries (warehouses, categories)."""

    def __init__(self, names) -> None:
        self._names = dict(names)

    def warehouse(self, warehouse_id: str) -> str:
        return self._names.get(warehouse_id, warehouse_id)

    def category(self, category_id: object) -> str:
        if category_id is None:
            return "(none)"
        name = self._names.get(str(category_id))
        return f"{category_id} ({name})" if name else str(category_id)


def sku_summary(view: dict[str, Any], names: Names) -> str:
    parts = []
    if view.get("price") is not None:
        parts.append(f"price {rupiah(view['price'])}")
    stock = view.get("inventory") or {}
    if stock:
        warehouse = names.warehouse
        parts.append("stock " + ", ".join([f"{warehouse(w)} {quantity(q)}" for w, q in sorted(stock.items())]))
    if view.get("sales_attributes"):
        parts.append(", ".join(view["sales_attributes"]))
    if view.get("pre_sale_days") is not None:
        parts.append(f"pre-order {view['pre_sale_days']} days")
    if view.get("identifier_code"):
        parts.append(str(view["identifier_code"]))
    return " · ".join(parts)


def value(path: tuple[str, ...], raw: Any, names: Names) -> str:
    """One side of a change, formatted for its field."""
    head = path[0]
    if raw is None:
        return "(none)"
    if head == "skus" and len(path) >= 3:
        if path[2] == "price":
            return rupiah(raw)
        if path[2] == "inventory":
            return quantity(raw) if len(path) == 4 else ", ".join(
                f"{names.warehouse(w)} {quantity(q)}" for w, q in sorted(raw.items()))
        if path[2] == "pre_sale_days":
            return f"pre-order {raw} days"
    if head == "category_id":
        return names.category(raw)
    if head == "listing_platforms":
        return platforms(raw)
    if head == "status":
        return status(raw)
    if head == "package_weight":
        return f"{raw} kg"
    if head == "package_dimensions" and isinstance(raw, list):
        return " × ".join(str(v) for v in raw) + " cm"
    if head == "product_attributes" and isinstance(raw, list):
        return ", ".join(str(v) for v in raw) or "(none)"
    return scalar(raw)


def label(path: tuple[str, ...], names: Names) -> str:
    head = path[0]
    if head == "skus" and len(path) >= 3:
        what = {"price": "price", "inventory": "stock", "sales_attributes": "variation",
                "pre_sale_days": "pre-order", "identifier_code": "barcode"}.get(path[2], path[2])
        where = f" at {names.warehouse(path[3])}" if len(path) == 4 else ""
        return f"SKU {path[1]} {what}{where}"
    if head == "product_attributes" and len(path) == 2:
        return f"attribute {path[1]}"
    if head == "status" and len(path) == 2:
        return f"status on {platform(path[1])}"
    return FIELD_LABELS.get(head, head)


# A description's lines end at these tags (kept on their line), at `<br>` and `</hN>`, and at
# str.splitlines' breaks. Every alternative starts with a literal character, so the regex engine
# skips ahead by that set instead of trying each alternative at every character.
_LINE_ENDS = ("</p>", "</li>", "</ul>", "</ol>", "</div>")
_BREAK = re.compile("|".join(map(re.escape, [*_LINE_ENDS, *"\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"]))
                    + r"|<br\s*/?>|</h[1-6]>")


def _description_lines(text: str) -> Iterator[str]:
    """The non-blank lines of an HTML description, stripped, read lazily."""
    start = 0
    for found in _BREAK.finditer(text):
        line = text[start:found.end() if found.group()[0] == "<" else found.start()].strip()
        if line:
            yield line
        start = found.end()
    line = text[start:].strip()
    if line:
        yield line


def description_lines(text: str | None) -> list[str]:
    return list(_description_lines(text)) if text else []


def description_first_line(text: str) -> str | None:
    """`description_lines(text)[0]` (None when there is none), reading only up to it: a plan of
    10,000 creates shows the first line of 10,000 descriptions."""
    return next(_description_lines(text), None)


def description_diff(old: str | None, new: str | None) -> list[str]:
    """At most MAX_DESCRIPTION_LINES '- ' / '+ ' lines, then a count of the rest."""
    changed = [line for line in difflib.ndiff(description_lines(old), description_lines(new))
               if line[:1] in "+-"]
    shown = [f"{line[0]} {_clip(line[2:])}" for line in changed[:MAX_DESCRIPTION_LINES]]
    if len(changed) > MAX_DESCRIPTION_LINES:
        shown.append(f"… {len(changed) - MAX_DESCRIPTION_LINES} more changed lines")
    return shown


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def change_lines(change: FieldChange, names: Names) -> list[str]:
    """A field change as display lines (the first is the headline)."""
    path, old, new = change.path, change.old, change.new
    if path[0] == "skus" and len(path) == 2:
        if old is None:
            return [f"+ SKU {path[1]}: {sku_summary(new, names)}"]
        if new is None:
            return [f"- SKU {path[1]} (removed): {sku_summary(old, names)}"]
    if path == ("description",) and old is not None and new is not None:
        return ["description:", *("  " + line for line in description_diff(old, new))]
    if path == ("description",) and old is None:
        first = description_first_line(new) if new else None
        return [f"description: {scalar(new if first is None else first)} ({len(new or '')} characters)"]
    name = label(path, names)
    if old is None and new is not None and path[0] != "skus":
        return [f"{name}: {value(path, new, names)}"]
    return [f"{name}: {value(path, old, names)} → {value(path, new, names)}"]


def blocker_lines(blocker: Blocker) -> list[str]:
    where = platform(blocker.platform) if blocker.platform else "every platform"
    if blocker.code == m.FROZEN:
        return [f"frozen on {where}: the platform froze this product; it cannot be edited or deleted "
                "until the freeze is lifted in Seller Center"]
    if blocker.code == m.REVIEW_FAILED:
        reasons = "; ".join(blocker.reasons) or "no reason given"
        lines = [f"review failed on {where}: {reasons}"]
        return lines + [f"  suggestion: {s}" for s in blocker.suggestions]
    if blocker.code == m.CATEGORY_NOT_PERMITTED:
        permission = m.PERMISSION_TEXT.get(blocker.detail, blocker.detail.lower())
        return [f"not listed on {where}: category is {permission} on {where}"]
    if blocker.code == m.UNDER_REVIEW:
        return [f"under review on {where}"]
    if blocker.code == m.DAILY_LIMIT:
        return [f"{KIND_LABELS.get(blocker.detail, blocker.detail)}: past today's daily listing limit, not sent today"]
    return [f"{blocker.code} on {where}"]


def review_marker(action) -> str:
    if not action.sends_to_review:
        return ""
    return "goes to review" if action.kind in (m.CREATE, m.ACTIVATE) else "goes back to review"


def listing_limit_line(plan) -> str:
    """The daily listing limit's effect on a plan, or "" when it defers nothing."""
    deferred = plan.summary().deferred
    if not deferred or plan.daily_listing_limit is None:
        return ""
    return (f"Daily listing limit {plan.daily_listing_limit:,} (shop.yaml): {deferred:,} product(s) deferred to a "
            "later day — creates and edits that go back to review past the limit are not sent today (higher priority "
            "first, then by key); `catalog apply` on the next day sends them.")


def former_key_note(key: str) -> str:
    """What a live product carrying this catalog's annotation, no longer in the YAML, is told as
    (text plan, PR comment, the daily health issue)."""
    return f"no longer in the catalog (was `{key}`): left as it is; write `status: deleted` to delete it"
