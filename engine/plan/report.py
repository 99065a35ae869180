"""The ApplyReport value: what `catalog apply` did, per product × platform.

Frozen, sorted, JSON-round-trippable through `engine.codec` (`format_version` 1), so
`--report report.json` can be read back (`report_from_dict`) by the GitHub integration and
rendered again. It lives next to Plan (not in engine/apply/) so that renderers and the
GitHub layer can read it without importing the executor.

Outcomes, per step (one planned action) and per product × platform:

    applied   the shop accepted the write on that platform
    failed    the shop refused it (code, message, a hint the seller can act on)
    unknown   the shop did not confirm the write; it may or may not have happened — never
              retried: re-run `catalog plan` to see
    stale     saved plan only: the live product changed since the plan; not attempted
    blocked   the plan says it cannot be written now (frozen, review failed, category not
              permitted, waiting for review); not attempted
    deferred  a listing (create, edit back to review) past the shop's daily listing limit: the
              plan deferred it, or the shop refused it (12052093) and nothing more was listed
              after that; a later apply (the next day) sends it — not a failure, but exit 3
    held      the shop refused it for now, for a reason that passes by itself: a price locked by a
              running promotion (12052038 / 12019045) — not a failure, but exit 3; the next plan
              shows the change still pending, with the reason
    skipped   not attempted because an earlier step of the same product failed (see `message`)

`review` holds the platform status read once after the writes (PENDING = under review,
ACTIVATE = live, FAILED = review failed with the platform's reasons). A written product left
review-failed or offline on a platform (FAILED, PLATFORM_DEACTIVATED, FREEZE, or a failed review
of the new version while the old one stays live) "needs attention": exit 3, listed first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.codec import from_plain, to_plain
from engine.errors import PlanError
from engine.plan.model import PlanIssue
from engine.plan.reviewed import PlanReview

FORMAT_VERSION = 1

APPLIED = "applied"
FAILED = "failed"
UNKNOWN = "unknown"
STALE = "stale"
BLOCKED = "blocked"
SKIPPED = "skipped"
DEFERRED = "deferred"
HELD = "held"
OUTCOMES = (FAILED, UNKNOWN, STALE, SKIPPED, HELD, DEFERRED, APPLIED, BLOCKED)  # most serious first
ATTEMPTED = frozenset({APPLIED, FAILED, UNKNOWN})
PROBLEMS = frozenset({FAILED, UNKNOWN, STALE})
OFFLINE_STATUSES = frozenset({"FAILED", "PLATFORM_DEACTIVATED", "FREEZE"})  # raw platform statuses
PRICE_LOCKED = "price locked by a running promotion"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PARTIAL = 3


def worst(outcomes) -> str:
    """The most serious of `outcomes` (OUTCOMES order); "" for none."""
    present = set(outcomes)
    return next((o for o in OUTCOMES if o in present), "")


@dataclass(frozen=True, slots=True, order=True)
class PlatformResult:
    """The outcome of one step (or of a whole product) on one platform."""

    platform: str
    outcome: str
    code: int = 0
    message: str = ""
    hint: str = ""


@dataclass(frozen=True, slots=True)
class StepResult:
    """One planned action as it went."""

    kind: str
    platforms: tuple[str, ...] = ()
    outcome: str = ""
    results: tuple[PlatformResult, ...] = ()  # per platform, sorted
    sends_to_review: bool = False
    message: str = ""  # why it was skipped / blocked / unknown, or the whole call's error
    warnings: tuple[str, ...] = ()  # fields the shop reset instead of failing (brand, GTIN...)
    request_id: str = ""


@dataclass(frozen=True, slots=True, order=True)
class ReviewState:
    """The platform status after the writes (raw API status) and, for FAILED, the reasons."""

    platform: str
    status: str
    reasons: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductResult:
    key: str
    title: str = ""
    product_id: str | None = None
    source: str = ""
    outcome: str = ""  # worst of `platforms`
    platforms: tuple[PlatformResult, ...] = ()  # product × platform, sorted by platform
    steps: tuple[StepResult, ...] = ()  # in plan order
    review: tuple[ReviewState, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def attempted(self) -> bool:
        return any(s.outcome in ATTEMPTED for s in self.steps)

    def platform(self, name: str) -> PlatformResult | None:
        return next((p for p in self.platforms if p.platform == name), None)

    def review_on(self, name: str) -> ReviewState | None:
        return next((r for r in self.review if r.platform == name), None)

    @property
    def attention(self) -> tuple[ReviewState, ...]:
        """The platforms this run sent to review (a create, an edit, an activation written there)
        that are now review-failed or offline, with the reasons. A state the product had before,
        on a platform this run did not send to review, is the plan's to show, not this run's."""
        sent = {r.platform for s in self.steps if s.sends_to_review for r in s.results if r.outcome == APPLIED}
        return tuple(r for r in self.review if r.platform in sent and (r.status in OFFLINE_STATUSES or r.reasons))

    @property
    def held(self) -> bool:
        return any(s.outcome == HELD for s in self.steps)


@dataclass(frozen=True, slots=True)
class ApplyReport:
    kind: str = "apply_report"  # tells a report from a saved plan in a JSON file
    shop_name: str = ""
    market: str = "ID"
    catalog_digest: str = ""
    format_version: int = FORMAT_VERSION
    saved_plan: bool = False  # applied a saved plan (staleness checked) rather than a fresh one
    products: tuple[ProductResult, ...] = ()  # sorted by key
    issues: tuple[PlanIssue, ...] = ()  # the plan's errors and warnings (identity conflicts...)
    aborted: str = ""  # why the run stopped before the end ("" = it ran to the end)
    calls: tuple[tuple[str, int], ...] = ()  # API calls apply made, per endpoint
    seconds: float = 0.0
    plan_review: PlanReview | None = None  # `apply --reviewed` (engine.plan.reviewed); None without it

    def counts(self) -> dict[str, int]:
        """Products × platforms per outcome."""
        counter = Counter(p.outcome for item in self.products for p in item.platforms)
        return {outcome: counter.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def attempted(self) -> tuple[ProductResult, ...]:
        return tuple(p for p in self.products if p.attempted)

    @property
    def has_problems(self) -> bool:
        # A plan error (identity conflict...) means some catalog product was not written.
        if self.aborted or any(issue.severity == "error" for issue in self.issues):
            return True
        return any(p.outcome in PROBLEMS or any(s.outcome in PROBLEMS for s in p.steps)
                                         for p in self.products)

    @property
    def applied_anything(self) -> bool:
        return any(r.outcome == APPLIED for p in self.products for s in p.steps for r in s.results)

    @property
    def deferred(self) -> tuple[ProductResult, ...]:
        """Products with a listing left for a later day (the daily listing limit)."""
        return tuple(p for p in self.products if any(s.outcome == DEFERRED for s in p.steps))

    @property
    def needs_attention(self) -> tuple[ProductResult, ...]:
        """Written products now review-failed or offline on a platform, or with a held write."""
        return tuple(p for p in self.products if p.attention or p.held)

    @property
    def exit_code(self) -> int:
        """0 everything attempted succeeded (blocked products do not count), 3 partial (an
        attempted step failed or is unknown, a product was stale, or the plan had errors and
        something else was applied; or the run did what the shop allows today but not all of it:
        listings deferred to a later day, a price held by a promotion, a written product left
        review-failed or offline — even when nothing else was written), 1 nothing applied."""
        if self.has_problems:
            return EXIT_PARTIAL if self.applied_anything else EXIT_ERROR
        return EXIT_PARTIAL if self.deferred or self.needs_attention else EXIT_OK


def report_to_dict(report: ApplyReport) -> dict:
    return to_plain(report)


def report_from_dict(data: object) -> ApplyReport:
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise PlanError("not an apply report of format_version 1")
    try:
        return from_plain(ApplyReport, data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise PlanError(f"apply report is damaged ({exc})") from exc
