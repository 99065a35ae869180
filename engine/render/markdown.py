"""The plan as Markdown (Jinja2 templates under engine/render/templates/): a summary table per
platform, then one collapsible <details> per product holding its text block. The PR comment
and the job summary reuse `render_markdown`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from engine.catalog.spec import PLATFORMS
from engine.plan.model import Plan, ProductPlan, summarize
from engine.render import fmt
from engine.render.text import Paint, product_lines, product_symbol, summary_line

TEMPLATES = Path(__file__).parent / "templates"
RESERVED = 6_000  # heading, table, warnings, errors and the "left out" note


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: object) -> str:
    """Escape Markdown/HTML specials in seller text (titles, messages): `Shop | Tokopedia` in a table."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


@functools.cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                               autoescape=False, keep_trailing_newline=True)
    env.filters["md"] = md_escape
    return env


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _what(item: ProductPlan) -> str:
    kinds = []
    for action in item.actions:
        label = fmt.KIND_LABELS[action.kind]
        if label not in kinds:
            kinds.append(label)
    parts = [", ".join(kinds) if kinds else "no changes"]
    if any(a.sends_to_review and a.is_write for a in item.actions):
        parts.append("review")
    if item.drift:
        parts.append("drift")
    if item.adopted:
        parts.append("adopted")
    return " · ".join(parts)


def _rows(plan: Plan) -> list[dict]:
    rows = []
    for platform in PLATFORMS:
        counts = summarize(plan, platform)
        rows.append({"label": fmt.platform(platform), **{k: getattr(counts, k) for k in counts.__slots__}})
    return rows


def render_markdown(plan: Plan, *, max_chars: int | None = None) -> str:
    """The plan as Markdown. `max_chars` (e.g. 60,000 for a GitHub comment, whose limit is
    65,536) keeps the table and summary and drops product details past the budget, saying how
    many were left out."""
    names = fmt.Names(plan.names)
    products, used, omitted = [], 0, 0
    budget = None if max_chars is None else max_chars - RESERVED
    for item in plan.products:
        body = "\n".join(product_lines(item, names, Paint(False)))
        entry = {"symbol": product_symbol(item), "key": item.key, "what": _what(item),
                 "body": body, "fence": _fence(body)}
        used += len(body) + len(item.key) + 120
        if budget is not None and used > budget:
            omitted += 1
            continue
        products.append(entry)
    heading = f"Plan for {plan.shop_name or 'the shop'} on {fmt.marketplace(plan.market)}"
    if plan.targets:
        heading += " (targets: " + ", ".join(plan.targets) + ")"
    unmanaged = plan.unmanaged if budget is None or used + 80 * len(plan.unmanaged) <= budget else ()
    text = environment().get_template("plan.md.j2").render(
        heading=heading, summary=summary_line(plan.summary()), rows=_rows(plan), products=products,
        omitted=omitted, warnings=[w.message for w in plan.warnings], errors=[e.message for e in plan.errors],
        unmanaged=unmanaged, unmanaged_count=len(plan.unmanaged))
    return re.sub(r"\n{3,}", "\n\n", text)  # product bodies never hold blank lines
