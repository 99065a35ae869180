"""The daily health check of one shop (issue 18): what a plan of the whole catalog says needs a
person, as the body of the shop's health issue.

    findings = health_findings(plan)        # sections, most urgent first; empty: the shop is clean
    body = health_body(plan, shop_id, findings, run_url)

Sections (each line names the product key, the platform and the product id):

    guards          guards the plan trips that nobody acknowledged: an apply refuses the whole plan
    errors          the plan's errors (identity conflicts…): nothing is applied for them
    review failed   the platform refused the listing in review, with its reasons
    frozen          frozen by the platform: cannot be edited or deleted
    offline         declared active but not live on a platform (an apply would activate it), or its
                    category is not permitted there
    drift           managed fields changed outside git since the last apply (an apply puts them back)
    not applied     the catalog has changes the shop does not (a merge whose apply failed or was skipped)
    unmanaged       live products no catalog product describes (never touched; `catalog import` adopts them)

Warnings of the plan are listed when there is something else to report, but do not keep the
issue open on their own (an invite-only category warns on every plan). A product under review
is not a finding. Lines per section are capped (MAX_LINES) and the body stays under GitHub's
65,536 characters; the saved plan has everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from engine.plan import model as m
from engine.plan.model import Plan, ProductPlan
from engine.render import fmt
from engine.render.guards import headline
from engine.render.markdown import md_escape

MAX_LINES = 60  # per section
BODY_LIMIT = 60_000  # characters (GitHub: 65,536)


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]
    keeps_open: bool = True


def health_findings(plan: Plan) -> list[Section]:
    """Non-empty sections, most urgent first."""
    review: list[str] = []
    frozen: list[str] = []
    offline: list[str] = []
    drift: list[str] = []
    pending: list[str] = []
    for item in plan.products:
        where = f" (product {item.product_id})" if item.product_id else ""
        for action in item.actions:
            for blocker in action.blockers:
                text = f"`{item.key}` {md_escape(fmt.blocker_lines(blocker)[0])}{where}"
                {m.REVIEW_FAILED: review, m.FROZEN: frozen, m.CATEGORY_NOT_PERMITTED: offline}.get(
                    blocker.code, []).append(text)
            if action.kind == m.ACTIVATE:
                offline.append(f"`{item.key}` not live on {fmt.platforms(action.platforms)}: "
                               f"an apply activates it{where}")
        if item.has_changes or any(a.kind == m.DEFERRED for a in item.actions):
            (drift if item.drift else pending).append(f"`{item.key}` {md_escape(_what(item))}{where}")
    unmanaged = [f"product {u.product_id} {md_escape(fmt.scalar(u.title))}"
                 + (f" {fmt.former_key_note(u.former_key)}" if u.former_key else "") for u in plan.unmanaged]
    sections = [
        Section("Guards tripped and not acknowledged: an apply refuses the plan",
                tuple(md_escape(headline(t)) for t in plan.tripped)),
        Section("Plan errors", tuple(md_escape(i.message) for i in plan.errors)),
        Section("Review failed", tuple(review)),
        Section("Frozen by the platform", tuple(frozen)),
        Section("Offline", tuple(offline)),
        Section("Drift: changed outside git since the last apply", tuple(drift)),
        Section("Not applied yet: the catalog has changes the shop does not", tuple(pending)),
        Section("Unmanaged: live products no catalog product describes", tuple(unmanaged)),
    ]
    found = [s for s in sections if s.lines]
    if found:
        found.append(Section("Warnings", tuple(md_escape(i.message) for i in plan.warnings), keeps_open=False))
    return [s for s in found if s.lines]


def is_clean(findings: list[Section]) -> bool:
    return not any(s.keeps_open for s in findings)


def _what(item: ProductPlan) -> str:
    labels = []
    for action in item.actions:
        if not action.is_write and action.kind != m.DEFERRED:
            continue
        changed = sorted({fmt.label(c.path, fmt.Names(())) for c in action.changes})[:4]
        label = fmt.KIND_LABELS[action.kind]
        if action.kind == m.DEFERRED:  # a listing past the daily limit: its kind is in the blocker
            waits = fmt.KIND_LABELS.get(action.blockers[0].detail, "") if action.blockers else ""
            label = f"{waits} (deferred: daily listing limit)".lstrip()
        text = label + (f" ({', '.join(changed)})" if changed else "")
        labels.append(text)
    return "; ".join(labels)


def title(plan: Plan, shop_id: str, findings: list[Section]) -> str:
    count = sum(len(s.lines) for s in findings if s.keeps_open)
    return f"Catalog health: {plan.shop_name or shop_id} ({shop_id}) — {count} finding(s)"


def marker_prefix(shop_id: str) -> str:
    return f"<!-- catalog-engine:health id={shop_id} "


def health_body(plan: Plan, shop_id: str, findings: list[Section], run_url: str | None = None) -> str:
    head = [f"{marker_prefix(shop_id)}shop={quote(plan.shop_name, safe='')} -->",
            f"### Catalog health: {md_escape(plan.shop_name or shop_id)} · shop folder `{shop_id}`", ""]
    if is_clean(findings):
        head.append("✔ The last check found the live shop matching the catalog: nothing needs attention.")
    else:
        head.append("The daily check planned the catalog against the live shop. This issue is updated by every "
                    "check and closed when nothing here is left.")
    lines: list[str] = []
    for section in findings:
        lines += ["", f"#### {section.title} ({len(section.lines):,})"]
        lines += [f"- {line}" for line in section.lines[:MAX_LINES]]
        if len(section.lines) > MAX_LINES:
            lines.append(f"- … and {len(section.lines) - MAX_LINES:,} more (`catalog plan` on the shop lists all)")
    foot = ["", "<sub>catalog-engine · catalog " + (plan.catalog_digest[:12] or "?")
            + (f" · [the check's run]({run_url})" if run_url else "") + "</sub>", ""]
    body = "\n".join(head + lines + foot)
    while len(body) > BODY_LIMIT and lines:  # very long lines: drop from the end, say so
        lines = lines[:-1]
        body = "\n".join(head + lines + ["", "_… cut to fit; `catalog plan` on the shop lists all._"] + foot)
    return body
