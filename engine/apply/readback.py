"""After the writes: what the shop holds now, read once (Search by seller SKU, Get Product only
for review failures' reasons — `Writer.review_states`).

    reads = await read_back(writer, {product_id: seller_sku}, "the review state after apply")
    review = review_of(reads[product_id], market)      # ReviewState per platform, reasons as sellers read them
    step = confirmed(step, platform, reads.get(pid))   # a repeated batch call the read shows done → applied

A read that fails is a warning, never a failed run: the writes already happened.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from engine.apply.hints import seller_text
from engine.errors import ApiError
from engine.plan import model as m
from engine.plan.report import APPLIED, PlatformResult, ReviewState, StepResult, worst
from engine.shop.writer import ReviewRead, Writer

log = logging.getLogger("engine.apply")

# the raw platform statuses that show a batch call's effect (a repeated call is confirmed by them)
REACHED = {m.ACTIVATE: frozenset({"ACTIVATE", "PENDING"}), m.DEACTIVATE: frozenset({"SELLER_DEACTIVATED"}),
           m.DELETE: frozenset({"DELETED"}), m.RECOVER: frozenset({"ACTIVATE", "PENDING", "SELLER_DEACTIVATED"})}
CONFIRMED = "confirmed by reading the product after a lost answer"


async def read_back(writer: Writer, wanted: Mapping[str, str], what: str) -> dict[str, ReviewRead]:
    """product_id → its state now, for {product_id: one of its seller SKUs}; {} when the read fails."""
    if not wanted:
        return {}
    try:
        return await writer.review_states(wanted)
    except ApiError as exc:
        log.warning("%s could not be read: %s", what, exc)
        return {}


def review_of(read: ReviewRead, market: str) -> tuple[ReviewState, ...]:
    """The status per platform, with the platform's reasons and suggestions where review failed."""
    failures = {f.platform: f for f in read.failures}
    return tuple(sorted(ReviewState(
        platform, status,
        tuple(seller_text(r, market) for r in failures[platform].reasons) if platform in failures else (),
        tuple(seller_text(s, market) for s in failures[platform].suggestions) if platform in failures else ())
        for platform, status in read.product.platform_statuses))


def confirmed(step: StepResult, platform: str, read: ReviewRead | None) -> StepResult:
    """A batch call repeated after a lost answer and refused ("cannot", e.g. 12052003 on a product
    the lost attempt already deactivated) is unknown until the product is read: applied (and says
    so) when its status on `platform` ("" = every platform) is what the call asked for; else as it was."""
    statuses = dict(read.product.platform_statuses) if read is not None else {}
    now = [statuses.get(platform)] if platform else list(statuses.values())
    if not now or not all(s in REACHED.get(step.kind, ()) for s in now):
        return step
    results = tuple(PlatformResult(platform, APPLIED, message=CONFIRMED) if r.platform == platform else r
                    for r in step.results)
    return StepResult(step.kind, step.platforms, worst(r.outcome for r in results), results, step.sends_to_review,
                      step.message, step.warnings, step.request_id)
