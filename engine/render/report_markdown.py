"""The apply report as Markdown (templates/report.md.j2): the PR comment and job summary.

    render_report_markdown(report, max_chars=65_536)

Heading and summary; "Needs attention" (every failure with its code, message and hint,
unknown writes, stale products, review failures, blocked products); a product × platform
table; one collapsible block per product with its text report. With `max_chars` the result
never exceeds the budget: product details go first, then table rows of products that went
fine, then (only if still needed) attention lines — each cut is counted in the output.
"""

from __future__ import annotations

import re

from engine.catalog.spec import PLATFORMS
from engine.plan.report import (
    APPLIED,
    BLOCKED,
    DEFERRED,
    FAILED,
    HELD,
    SKIPPED,
    STALE,
    UNKNOWN,
    ApplyReport,
    PlatformResult,
    ProductResult,
)
from engine.render import fmt
from engine.render.markdown import environment
from engine.render.markdown import md_escape as md
from engine.render.report_text import done_on, header, product_lines, summary_line, unreviewed_text

EMOJI = {APPLIED: "✅", FAILED: "❌", UNKNOWN: "❔", STALE: "⚠️", SKIPPED: "⏭️", BLOCKED: "⏸️", DEFERRED: "⏳",
         HELD: "🔒"}
PROBLEM_ORDER = (FAILED, UNKNOWN, STALE, SKIPPED, HELD, DEFERRED, BLOCKED)
MAX_UNREVIEWED = 50  # actions listed in the comment; the JSON report holds them all


def render_report_markdown(report: ApplyReport, max_chars: int | None = None) -> str:
    """The report as Markdown; with `max_chars`, never longer than that (see the module docstring)."""
    products = sorted(report.products, key=lambda p: (p.outcome not in PROBLEM_ORDER and not p.attention, p.key))
    attention = [line for item in products for line in attention_lines(item)]
    context = dict(heading=header(report), summary=summary_line(report), aborted=report.aborted,
                   attention=attention, more_attention=0, platforms=[fmt.platform(p) for p in PLATFORMS],
                   rows=[_row(item) for item in products], omitted=0,
                   errors=[i.message for i in report.issues if i.severity == "error"],
                   details=[_details(item) for item in products], review=_review(report))
    text = _render(context)
    if max_chars is None or len(text) <= max_chars:
        return text
    return _fit(context, products, max_chars)


def _review(report: ApplyReport) -> dict | None:
    review = report.plan_review
    if review is None:
        return None
    lines = [md(unreviewed_text(action)) for action in review.not_reviewed[:MAX_UNREVIEWED]]
    return {"reviewed": review.reviewed, "note": review.note, "sentence": review.note[:1].upper() + review.note[1:],
            "count": len(review.not_reviewed), "lines": lines,
            "more": max(0, len(review.not_reviewed) - MAX_UNREVIEWED)}


def _render(context: dict) -> str:
    return environment().get_template("report.md.j2").render(**context)


def _fit(context: dict, products: list[ProductResult], max_chars: int) -> str:
    """Cut, in order: details; table rows of products that went fine (last first); other rows;
    attention lines. Each round drops enough estimated lines to cover the excess, then renders
    again (a few renders, not one per line)."""
    context = dict(context, details=[])
    problems = {item.key for item in products if item.outcome in PROBLEM_ORDER or item.attention}
    text = _render(context)
    while len(text) > max_chars:
        excess = len(text) - max_chars + 120  # room for the "left out" note
        rows = context["rows"]
        order = [i for i in range(len(rows) - 1, -1, -1) if rows[i]["key"] not in problems]
        order += [i for i in range(len(rows) - 1, -1, -1) if rows[i]["key"] in problems]
        drop: set[int] = set()
        for i in order:
            if excess <= 0:
                break
            drop.add(i)
            excess -= _row_size(rows[i])
        context["rows"] = [row for i, row in enumerate(rows) if i not in drop]
        context["omitted"] += len(drop)
        attention = context["attention"]
        cut = 0
        while excess > 0 and len(attention) > cut:
            cut += 1
            excess -= len(attention[-cut]) + 3
        if cut:
            context["attention"] = attention[:-cut]
            context["more_attention"] += cut
        if not drop and not cut:
            break  # nothing left to cut: the hard limit below applies
        text = _render(context)
    return text if len(text) <= max_chars else text[:max(0, max_chars - 2)] + "…\n"


def _row_size(row: dict) -> int:
    return len(row["product"]) + sum(len(cell) + 3 for cell in row["cells"]) + 6


def _row(item: ProductResult) -> dict:
    cells = []
    for platform in PLATFORMS:
        result = item.platform(platform)
        cells.append(_cell(result, item) if result is not None else "—")
    title = f" — {md(item.title)}" if item.title else ""
    return {"key": item.key, "product": f"{EMOJI.get(item.outcome, '')} `{item.key}`{title}", "cells": cells}


def _cell(result: PlatformResult, item: ProductResult) -> str:
    said = done_on(item, result.platform) if result.outcome == APPLIED else result.outcome
    text = f"{EMOJI.get(result.outcome, '')} {said}"
    if result.outcome == FAILED and result.code:
        text += f" ({result.code})"
    review = item.review_on(result.platform)
    if review is not None and result.outcome != BLOCKED:
        text += f" · {md(fmt.status(review.status))}"
    return text


def attention_lines(item: ProductResult) -> list[str]:
    """One line per thing the seller must look at in this product."""
    lines = []
    for result in item.platforms:
        if result.outcome not in PROBLEM_ORDER:
            continue
        where = fmt.platform(result.platform) if result.platform else "every platform"
        detail = " ".join(x for x in (str(result.code) if result.code else "", result.message) if x)
        line = f"{EMOJI[result.outcome]} **{md(item.key)}** on {md(where)}: {result.outcome}"
        if detail:
            line += f" — {md(detail)}"
        if result.hint:
            line += f". _Hint:_ {md(result.hint)}"
        lines.append(line)
    for review in item.attention:
        where = md(fmt.platform(review.platform))
        line = (f"❌ **{md(item.key)}** failed review on {where}" if review.reasons or review.status == "FAILED"
                else f"❌ **{md(item.key)}** is now {md(fmt.status(review.status))} on {where}")
        if review.reasons:
            line += f": {md('; '.join(r.rstrip('.') for r in review.reasons))}"
        if review.suggestions:
            line += f". _Suggestion:_ {md('; '.join(review.suggestions))}"
        lines.append(line)
    return lines


def _details(item: ProductResult) -> dict:
    body = "\n".join(product_lines(item))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    summary = f"{EMOJI.get(item.outcome, '')} {md(item.key)} — {item.outcome}"
    return {"summary": summary, "body": body, "fence": "`" * max(3, longest + 1)}
