"""The plan as Markdown (Jinja2 templates under engine/render/templates/): the guards it trips
(engine.render.guards), a summary table per platform, then one collapsible <details> per
product holding its text block, in attention order (engine.render.attention: guards tripped,
offline / review failed, deletes, deactivations, platform and SKU removals, blocked, back to
review — then routine changes, in key order). The PR comment and the job summary reuse
`render_markdown`.

With a size budget (`max_chars`: a GitHub comment holds 65,536 characters, a job summary
1 MiB) the plan keeps, in this order: heading, summary, the guards tripped and how to
acknowledge them (at most half the budget), table; every error; one line for every product
that needs attention; warnings; then product details in attention order while they fit.
What is left out is counted per kind, with a pointer to the full plan.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from engine.catalog.spec import PLATFORMS
from engine.plan.model import GuardTrip, Plan, ProductPlan, summarize
from engine.render import fmt
from engine.render.attention import (
    CATEGORIES,
    attention_groups,
    attention_line,
    attention_order,
    attention_rank,
    guards_by_key,
    routine_counts,
)
from engine.render.guards import GUARD_PARTS, markdown_parts
from engine.render.text import Paint, product_lines, product_symbol, summary_line

TEMPLATES = Path(__file__).parent / "templates"
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
    env.filters["former_key_note"] = fmt.former_key_note
    return env


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _what(item: ProductPlan, guards: tuple[GuardTrip, ...] = ()) -> str:
    kinds = ["guard tripped" if any(not t.acknowledged for t in guards) else "guard acknowledged"] if guards else []
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


def _details(item: ProductPlan, names: fmt.Names, macro, guards: tuple[GuardTrip, ...] = ()) -> str:
    body = "\n".join(product_lines(item, names, Paint(False)))
    return str(macro({"symbol": product_symbol(item), "key": item.key, "what": _what(item, guards),
                      "body": body, "fence": _fence(body)}))


def _context(plan: Plan) -> dict:
    heading = f"Plan for {plan.shop_name or 'the shop'} on {fmt.marketplace(plan.market)}"
    if plan.targets:
        heading += " (targets: " + ", ".join(plan.targets) + ")"
    return dict(heading=heading, summary=summary_line(plan.summary()), rows=_rows(plan), notice="",
                listing=fmt.listing_limit_line(plan),
                left_out=None, omitted=0, warnings=[w.message for w in plan.warnings], more_warnings=0,
                errors=[e.message for e in plan.errors], more_errors=0, unmanaged=plan.unmanaged,
                unmanaged_count=len(plan.unmanaged), **markdown_parts(plan, md_escape))


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
    text = _render(context, [chunks[i] for i in attention_order(plan)])
    if max_chars is None or measure(text) <= max_chars:
        return text
    return _Fitter(plan, context, chunks, max_chars, pointer, measure).render()


class _Chunks:
    """Each product's <details> block, rendered when first needed (a budgeted 10,000-product
    plan shows a few hundred)."""

    def __init__(self, plan: Plan) -> None:
        self.products = plan.products
        self.names = fmt.Names(plan.names)
        self.guards = guards_by_key(plan)
        # the template's `details` macro (Jinja sets a template module's names at run time)
        self.macro = environment().get_template("product.md.j2").module.details  # type: ignore[attr-defined]
        self.cache: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.products)

    def __getitem__(self, index: int) -> str:
        chunk = self.cache.get(index)
        if chunk is None:
            item = self.products[index]
            chunk = self.cache[index] = _details(item, self.names, self.macro, self.guards.get(item.key, ()))
        return chunk


class _Fitter:
    """Chooses what fits in `max_chars`, in the order of the module docstring."""

    def __init__(self, plan: Plan, context: dict, chunks: _Chunks, max_chars: int, pointer: str,
                 measure) -> None:
        self.plan, self.chunks, self.max, self.measure = plan, chunks, max_chars, measure
        self.context = dict(context, unmanaged=())
        guards = guards_by_key(plan)
        self.order = attention_order(plan, guards)  # every product, in the order they are shown
        self.position = {i: n for n, i in enumerate(self.order)}
        routine = len(CATEGORIES)
        self.attention = [i for i in self.order
                          if attention_rank(plan.products[i], guards.get(plan.products[i].key, ())) < routine]
        self.lines = {i: attention_line(plan.products[i], md_escape, guards.get(plan.products[i].key, ()))
                      for i in self.attention}
        self.guards = guards
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

    def _trim_guards(self) -> None:
        """The guard section takes at most half the budget: what does not fit is counted."""
        room = self.max // 2
        for name in GUARD_PARTS:
            self._trim(name, room)
            room -= self._size(self.context[name]) + 200

    def render(self) -> str:
        self._trim_guards()
        lines = [self.lines[i] for i in self.attention]
        warnings = self.context["warnings"]
        self._trim("warnings", 0)
        bare = self._fixed()  # without warnings
        if bare > self.max:  # errors alone overflow: keep what fits, and no attention line
            self._trim("errors", self.max - bare + self._size(self.context["errors"]) - 200)
            return self._final(set(), [], len(lines))
        if bare + self._size(lines) > self.max:
            grouped = attention_groups((self.plan.products[i] for i in self.attention), self.guards)
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
        for i in self.order:
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
        chunks = [self.chunks[i] for i in sorted(shown, key=self.position.__getitem__)]
        text = _render(context, chunks)
        if self.measure(text) > self.max:  # estimates are upper bounds; never trust them blindly
            if chunks:
                return self._final(shown - {max(shown, key=self.position.__getitem__)}, lines, missing, grouped=True)
            if lines:
                return self._final(shown, lines[:-1], missing + 1, grouped=True)
        if self.plan.unmanaged:
            with_unmanaged = _render(dict(context, unmanaged=self.plan.unmanaged), chunks)
            if self.measure(with_unmanaged) <= self.max:
                return with_unmanaged
        return text
