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


def render_markdown(plan: Plan) -> str:
    names = fmt.Names(plan.names)
    products = []
    for item in plan.products:
        body = "\n".join(product_lines(item, names, Paint(False)))
        products.append({"symbol": product_symbol(item), "key": item.key, "what": _what(item),
                         "body": body, "fence": _fence(body)})
    heading = f"Plan for {plan.shop_name or 'the shop'} on {fmt.marketplace(plan.market)}"
    if plan.targets:
        heading += " (targets: " + ", ".join(plan.targets) + ")"
    return environment().get_template("plan.md.j2").render(
        heading=heading, summary=summary_line(plan.summary()), rows=_rows(plan), products=products,
        warnings=[w.message for w in plan.warnings], errors=[e.message for e in plan.errors],
        unmanaged=plan.unmanaged)
