"""The plan as Markdown (Jinja2 templates under engine/render/templates/): a summary table per
platform, then one collapsible <details> per product holding its text block. The PR comment
and the job summary reuse `render_markdown`.

With a size budget (`max_chars`: a GitHub comment holds 65,536 characters, a job summary
1 MiB) the plan keeps, in this order: heading, summary and table; every error; one line for
every product that needs attention (engine.render.attention: deletes, deactivations, platform
and SKU removals, blocked items, changes that go back to review); warnings; then product
details — those that need attention first, routine ones (in key order) while they fit. What
is left out is counted per kind, with a pointer to the full plan.
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
from engine.render.attention import attention_groups, attention_line, attention_rank, needs_attention, routine_counts
from engine.render.text import Paint, product_lines, product_symbol, summary_line

TEMPLATES = Path(__file__).parent / "templates"
RESERVED = 6_000  # smallest sensible budget: heading, table and the "left out" note
DEFAULT_POINTER = "`catalog show plan.json` prints the whole plan"


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


def _details(item: ProductPlan, names: fmt.Names, macro) -> str:
    body = "\n".join(product_lines(item, names, Paint(False)))
    return str(macro({"symbol": product_symbol(item), "key": item.key, "what": _what(item),
                      "body": body, "fence": _fence(body)}))


def _context(plan: Plan) -> dict:
    heading = f"Plan for {plan.shop_name or 'the shop'} on {fmt.marketplace(plan.market)}"
    if plan.targets:
        heading += " (targets: " + ", ".join(plan.targets) + ")"
    return dict(heading=heading, summary=summary_line(plan.summary()), rows=_rows(plan), notice="",
                listing=fmt.listing_limit_line(plan),
                left_out=None, omitted=0, warnings=[w.message for w in plan.warnings], more_warnings=0,
                errors=[e.message for e in plan.errors], more_errors=0, unmanaged=plan.unmanaged,
                unmanaged_count=len(plan.unmanaged))


def _render(context: dict, chunks: list[str]) -> str:
    text = environment().get_template("plan.md.j2").render(products=chunks, **context)
    return re.sub(r"\n{3,}", "\n\n", text)  # product bodies never hold blank lines


def render_markdown(plan: Plan, *, max_chars: int | None = None, pointer: str = DEFAULT_POINTER,
                    measure=len) -> str:
    """The plan as Markdown. With `max_chars` (measured by `measure`: `len` for characters, a
    UTF-8 byte count for the job summary) the result never exceeds the budget and keeps what
    the module docstring lists; `pointer` says where the whole plan is (Markdown)."""
    chunks = _Chunks(plan)
    context = _context(plan)
    if max_chars is not None and sum(len(p.key) + 60 for p in plan.products) > max_chars:
        return _Fitter(plan, context, chunks, max_chars, pointer, measure).render()  # cannot fit: don't try
    text = _render(context, [chunks[i] for i in range(len(chunks))])
    if max_chars is None or measure(text) <= max_chars:
        return text
    return _Fitter(plan, context, chunks, max_chars, pointer, measure).render()


class _Chunks:
    """Each product's <details> block, rendered when first needed (a budgeted 10,000-product
    plan shows a few hundred)."""

    def __init__(self, plan: Plan) -> None:
        self.products = plan.products
        self.names = fmt.Names(plan.names)
        # the template's `details` macro (Jinja sets a template module's names at run time)
        self.macro = environment().get_template("product.md.j2").module.details  # type: ignore[attr-defined]
        self.cache: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.products)

    def __getitem__(self, index: int) -> str:
        chunk = self.cache.get(index)
        if chunk is None:
            chunk = self.cache[index] = _details(self.products[index], self.names, self.macro)
        return chunk


class _Fitter:
    """Chooses what fits in `max_chars`, in the order of the module docstring."""

    def __init__(self, plan: Plan, context: dict, chunks: _Chunks, max_chars: int, pointer: str,
                 measure) -> None:
        self.plan, self.chunks, self.max, self.measure = plan, chunks, max_chars, measure
        self.context = dict(context, unmanaged=())
        ranked = sorted((attention_rank(item), i) for i, item in enumerate(plan.products) if needs_attention(item))
        self.attention = [i for _, i in ranked]  # most destructive first, then key order
        self.lines = {i: attention_line(plan.products[i], md_escape) for i in self.attention}
        self.pointer = pointer

    def _size(self, texts) -> int:
        return sum(self.measure(text) + 1 for text in texts)

    def _left_out(self, shown: set[int], lines: list[str], missing: int) -> dict:
        products = self.plan.products
        routine = [products[i] for i in range(len(products)) if i not in shown and i not in self.lines]
        count = len(products) - len(shown)
        return {"count": count, "pointer": self.pointer, "routine": routine_counts(routine),
                "attention": count - len(routine), "lines": lines, "missing": missing}

    def _notice(self, shown: int, missing: int) -> str:
        total = len(self.chunks)
        text = f"**Large plan:** details of {total - shown:,} of {total:,} products are left out to fit"
        if missing:
            return text + f"; {missing:,} product(s) that need attention did not fit at all: read the full plan."
        return text + "; every product that needs attention is listed."

    def _fixed(self) -> int:
        """Size of everything but details and attention lines, the notes at their largest."""
        missing = len(self.attention)
        context = dict(self.context, notice=self._notice(0, missing), omitted=len(self.chunks),
                       left_out=self._left_out(set(), [""], missing))
        return self.measure(_render(context, [])) + 16

    def _trim(self, name: str, room: int) -> None:
        """Keep as many `name` (warnings / errors) as fit in `room`; count the rest."""
        items, kept = self.context[name], []
        for item in items:
            room -= self.measure(item) + 3
            if room < 0:
                break
            kept.append(item)
        self.context[name] = kept
        self.context["more_" + name] = len(items) - len(kept)

    def render(self) -> str:
        lines = [self.lines[i] for i in self.attention]
        warnings = self.context["warnings"]
        self._trim("warnings", 0)
        bare = self._fixed()  # without warnings
        if bare > self.max:  # errors alone overflow: keep what fits, and no attention line
            self._trim("errors", self.max - bare + self._size(self.context["errors"]) - 200)
            return self._final(set(), [], len(lines))
        if bare + self._size(lines) > self.max:
            grouped = attention_groups(self.plan.products[i] for i in self.attention)
            if bare + self._size(grouped) <= self.max:  # keys only, per category: all of them
                return self._final(set(), grouped, 0, grouped=True)
            kept = self._prefix(lines, self.max - bare)
            return self._final(set(), kept, len(lines) - len(kept))
        self.context["warnings"] = warnings
        self._trim("warnings", self.max - bare - self._size(lines))
        return self._final(self._choose(self.max - self._fixed() - self._size(lines)), lines, 0)

    def _prefix(self, texts: list[str], room: int) -> list[str]:
        kept = []
        for text in texts:
            room -= self.measure(text) + 1
            if room < 0:
                break
            kept.append(text)
        return kept

    def _choose(self, free: int) -> set[int]:
        shown: set[int] = set()
        for i in self.attention:  # details replace the one-line form
            cost = self.measure(self.chunks[i]) - self.measure(self.lines[i])
            if cost > free:
                break
            shown.add(i)
            free -= cost
        for i in range(len(self.chunks)):
            if i in self.lines:
                continue
            cost = self.measure(self.chunks[i]) + 1
            if cost > free:
                break
            shown.add(i)
            free -= cost
        return shown

    def _final(self, shown: set[int], lines: list[str], missing: int, grouped: bool = False) -> str:
        omitted = len(self.chunks) - len(shown)
        if not grouped:
            lines = [line for i, line in zip(self.attention, lines, strict=False) if i not in shown]
        context = dict(self.context, notice=self._notice(len(shown), missing), omitted=omitted,
                       left_out=self._left_out(shown, lines, missing))
        chunks = [self.chunks[i] for i in sorted(shown)]
        text = _render(context, chunks)
        if self.measure(text) > self.max:  # estimates are upper bounds; never trust them blindly
            if chunks:
                return self._final(shown - {max(shown)}, lines, missing, grouped=True)
            if lines:
                return self._final(shown, lines[:-1], missing + 1, grouped=True)
        if self.plan.unmanaged:
            with_unmanaged = _render(dict(context, unmanaged=self.plan.unmanaged), chunks)
            if self.measure(with_unmanaged) <= self.max:
                return with_unmanaged
        return text
