"""The apply report as terminal text: one block per product, one line per platform.

    ✖ seiko-presage-cocktail  "Seiko Presage Cocktail Time…"  product 7495000000000000042
        Shop | Tokopedia: created · live
        Tokopedia: failed — 12052223 category 600030 is invite-only on Tokopedia
            hint: the category is restricted (e.g. invite-only) on Tokopedia: request access …

    Applied 9 of 10 products; 1 with failures. Product × platform: 17 applied, 1 failed, 1 blocked.

Problems come first (failed, unknown, stale, skipped), then blocked products (reported
prominently, not attempted), then what was applied — named per platform by what was done
("created", "price updated, stock updated", "deactivated"). After `apply --reviewed`, the
report says first whether the reviewed plan was applied, or a fresh plan and every action
that was not in the reviewed one (`review_lines`). Colour only with `color=True`.
"""

from __future__ import annotations

from engine.plan.report import (
    APPLIED,
    BLOCKED,
    DEFERRED,
    FAILED,
    HELD,
    OUTCOMES,
    SKIPPED,
    STALE,
    UNKNOWN,
    ApplyReport,
    PlatformResult,
    ProductResult,
    ReviewState,
    StepResult,
)
from engine.render import fmt
from engine.render.text import Paint

INDENT = "    "
SYMBOLS = {APPLIED: "✔", FAILED: "✖", UNKNOWN: "?", STALE: "!", SKIPPED: "-", BLOCKED: "⊘", DEFERRED: "»",
           HELD: "…"}
COLORS = {APPLIED: "32", FAILED: "31", UNKNOWN: "35", STALE: "33", SKIPPED: "2", BLOCKED: "33", DEFERRED: "33",
          HELD: "33"}
ORDER = {outcome: index for index, outcome in enumerate(OUTCOMES)}
DONE = {"create": "created", "edit": "edited", "partial_edit": "edited", "update_price": "price updated",
        "update_inventory": "stock updated", "activate": "activated", "deactivate": "deactivated",
        "delete": "deleted", "recover": "recovered"}
MAX_UNREVIEWED = 200  # actions listed in the text; the JSON report holds them all
WORDS = {APPLIED: "applied", FAILED: "failed", UNKNOWN: "unknown — re-run plan", STALE: "stale (not applied)",
         SKIPPED: "skipped", BLOCKED: "blocked (not attempted)", DEFERRED: "deferred to a later day",
         HELD: "held — not written for now"}


def render_report_text(report: ApplyReport, *, color: bool = False) -> str:
    paint = Paint(color)
    lines = [header(report), ""]
    if report.plan_review is not None:
        lines += [paint(line, "1" if report.plan_review.reviewed else "33") if i == 0 else line
                  for i, line in enumerate(review_lines(report.plan_review, MAX_UNREVIEWED))] + [""]
    if report.aborted:
        lines += [paint(f"The run stopped early: {report.aborted}", "31"), ""]
    lines += attention_lines(report, paint)
    for item in sorted(report.products, key=lambda p: (rank(p), p.key)):
        lines += product_lines(item, paint)
        lines.append("")
    lines += issue_lines(report, paint)
    lines.append(paint(summary_line(report), "1"))
    return "\n".join(lines) + "\n"


def rank(item: ProductResult) -> int:
    """Problems first, then what needs attention (a held write, review failed or offline), then the rest."""
    return min(ORDER.get(item.outcome, 99), ORDER[HELD] if item.attention or item.held else 99)


def attention_lines(report: ApplyReport, paint: Paint) -> list[str]:
    """"Needs attention": written products left review-failed / offline, and held writes — one line each."""
    items = report.needs_attention
    if not items:
        return []
    lines = [paint(f"Needs attention ({len(items)}):", "33")]
    for item in items:
        lines += [f"  ⚠ {item.key}: {text}" for text in attention_texts(item)]
    return lines + [""]


def attention_texts(item: ProductResult) -> list[str]:
    texts = []
    for review in item.attention:
        what = (f"review failed on {fmt.platform(review.platform)}" if review.status == "FAILED" or
                review.status in ("ACTIVATE", "SELLER_DEACTIVATED") else
                f"now {fmt.status(review.status)} on {fmt.platform(review.platform)}")
        texts.append(what + (f": {'; '.join(review.reasons)}" if review.reasons else ""))
    held = sorted({r.message for s in item.steps if s.outcome == HELD for r in s.results})
    texts += [f"held — {message}: the next plan shows it pending" for message in held]
    return texts


def header(report: ApplyReport) -> str:
    parts = [f"Apply to {report.shop_name or 'the shop'} on {fmt.marketplace(report.market)}"]
    if report.catalog_digest:
        parts.append(f"catalog {report.catalog_digest[:12]}")
    if report.saved_plan:
        parts.append("saved plan")
    return " · ".join(parts)


def product_lines(item: ProductResult, paint: Paint | None = None) -> list[str]:
    paint = paint or Paint(False)
    head = [f"{SYMBOLS.get(item.outcome, ' ')} {item.key}"]
    if item.title:
        head.append(fmt.scalar(item.title))
    head.append(f"product {item.product_id}" if item.product_id else "not created")
    lines = [paint("  ".join(head), COLORS.get(item.outcome, "1"))]
    for result in item.platforms:
        lines += [INDENT + line for line in platform_lines(result, item.review_on(result.platform), item)]
    if len(item.steps) > 1 or any(s.outcome not in (APPLIED, BLOCKED) and not s.results for s in item.steps):
        lines.append(INDENT + "steps: " + "; ".join(step_text(s) for s in item.steps))
    for step in item.steps:
        shown = {r.message for r in step.results}
        if step.message and step.outcome in (APPLIED, FAILED, UNKNOWN) and step.message not in shown:
            lines.append(f"{INDENT}{'note' if step.outcome == APPLIED else 'detail'}: {step.message}")
        lines += [f"{INDENT}warning: the shop reset a value instead of failing: {w}" for w in step.warnings]
    lines += [f"{INDENT}{note}" if note.startswith("STALE") else f"{INDENT}note: {note}" for note in item.notes]
    return lines


def review_lines(review, limit: int) -> list[str]:
    """Whether the reviewed plan was applied; else why not and the actions nobody reviewed (≤ limit)."""
    if review.reviewed:
        return [f"Reviewed plan applied: {review.note}."]
    missing = review.not_reviewed
    lines = [f"A fresh plan was applied, not the reviewed one: {review.note}.",
             f"{len(missing)} action(s) were not in the reviewed plan" + (":" if missing else ".")]
    lines += [INDENT + unreviewed_text(action) for action in missing[:limit]]
    if len(missing) > limit:
        lines.append(f"{INDENT}… and {len(missing) - limit} more (the JSON report lists them all)")
    return lines


def unreviewed_text(action) -> str:
    symbol = {"create": "+", "edit": "~", "partial_edit": "±", "update_price": "$", "update_inventory": "#",
              "activate": "▲", "deactivate": "▼", "delete": "-", "recover": "↺"}.get(action.kind, "")
    text = f"{symbol} {action.key}: {fmt.KIND_LABELS.get(action.kind, action.kind)}"
    if action.platforms:
        text += f" on {fmt.platforms(action.platforms)}"
    names = fmt.Names(())
    shown = [fmt.change_lines(change, names)[0] for change in action.changes[:3]]
    if shown:
        text += " — " + "; ".join(shown) + (f"; +{len(action.changes) - 3} more" if len(action.changes) > 3 else "")
    return text


def done_on(item: ProductResult, platform: str) -> str:
    """What was done on `platform` ("price updated, stock updated"); "applied" when no step says."""
    verbs: list[str] = []
    for step in item.steps:
        applied = any(r.platform == platform and r.outcome == APPLIED for r in step.results) or (
            not step.results and step.outcome == APPLIED and (platform in step.platforms or not platform))
        verb = DONE.get(step.kind)
        if applied and verb and verb not in verbs:
            verbs.append(verb)
    return ", ".join(verbs) or WORDS[APPLIED]


def platform_lines(result: PlatformResult, review: ReviewState | None, item: ProductResult) -> list[str]:
    label = fmt.platform(result.platform) if result.platform else "all platforms"
    said = done_on(item, result.platform) if result.outcome == APPLIED else WORDS.get(result.outcome, result.outcome)
    text = f"{label}: {said}"
    if result.outcome == APPLIED and _back_in_review(item, result.platform):
        text += " · sent back to review"
    if review is not None and result.outcome != BLOCKED:
        text += f" · now {fmt.status(review.status)}"
    if result.outcome != APPLIED and (result.code or result.message):
        text += " — " + " ".join(x for x in (str(result.code) if result.code else "", result.message) if x)
    lines = [text]
    if result.hint:
        lines.append(f"{INDENT}hint: {result.hint}")
    if review is not None and review.reasons:
        lines.append(f"{INDENT}review failed: {'; '.join(review.reasons)}")
        lines += [f"{INDENT}  suggestion: {s}" for s in review.suggestions]
    return lines


def _back_in_review(item: ProductResult, platform: str) -> bool:
    return any(s.sends_to_review and s.kind not in ("create", "activate") and s.outcome == APPLIED
               and platform in s.platforms for s in item.steps)


def step_text(step: StepResult) -> str:
    label = fmt.KIND_LABELS.get(step.kind, step.kind)
    symbol = {"create": "+", "edit": "~", "partial_edit": "±", "update_price": "$", "update_inventory": "#",
              "activate": "▲", "deactivate": "▼", "delete": "-", "recover": "↺", "held": "…",
              "blocked": "✖", "deferred": "»"}.get(step.kind, "")
    text = f"{symbol} {label} {WORDS.get(step.outcome, step.outcome).split(' (')[0].split(' —')[0]}"
    if step.outcome in (SKIPPED,) and step.message:
        text += f" ({step.message})"
    return text


def issue_lines(report: ApplyReport, paint: Paint) -> list[str]:
    lines = []
    errors = [i for i in report.issues if i.severity == "error"]
    if errors:
        lines.append(paint("Not applied — the plan has errors for these products:", "31"))
        lines += [f"  ✖ {e.message}" for e in errors]
        lines.append("")
    return lines


def summary_line(report: ApplyReport) -> str:
    products = report.products
    if not products:
        return ("Apply: nothing was written." if report.aborted
                else "Apply: nothing to do — the shop matches the catalog.")
    attempted = [p for p in products if p.attempted]
    with_problems = [p for p in products if p.outcome in (FAILED, UNKNOWN, STALE, SKIPPED)]
    blocked = [p for p in products if p.outcome == BLOCKED]
    counts = report.counts()
    cells = ", ".join(f"{n} {WORDS[o].split(' (')[0].split(' —')[0]}" for o, n in counts.items() if n)
    text = f"Apply: {len(attempted)} of {len(products)} product(s) written"
    if with_problems:
        text += f", {len(with_problems)} with problems"
    if blocked:
        text += f", {len(blocked)} blocked"
    text += f". Product × platform: {cells or 'nothing'}."
    deferred = report.deferred
    if deferred:
        text += (f" {len(deferred)} deferred to a later day: the shop's daily listing limit is used up — "
                 "apply again tomorrow.")
    attention = report.needs_attention
    if attention:
        text += f" {len(attention)} need(s) attention (above)."
    if report.exit_code == 3 and report.has_problems:
        text += " Partly applied: see the failures."
    elif report.exit_code == 1:
        text += " Nothing was applied."
    return text
