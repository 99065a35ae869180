"""The executor: a dumb interpreter of a Plan, driving a Writer (engine.shop.writer).

One handler per action kind, no re-diffing: what the plan says is what is sent. Order:

    1. image uploads          every local file the plan's creates and edits need, once
    2. content                creates, full and partial edits (and recovers), product by product
    3. price / stock          Update Price, Update Inventory
    4. activations            Activate batches (≤ 20 ids)
    5. removals               Deactivate and Delete batches

Products run concurrently (`concurrency` at a time) under the client's per-API rate limiter,
started in listing order (priority, then key); a product's own steps run in plan order, and once
one of them fails outright the rest of *that product* is skipped — a failure never holds back
other products' steps, deactivations and deletes included (seller SKUs are unique across a
catalog, so no product's removal depends on another product's write). A price the shop locks for
a running promotion (12052038 / 12019045) is `held`, not failed: the product's other steps go on,
and the next plan shows the price as pending with that reason. Listings (creates, edits back to
review) pass engine.apply.quota's gate: the shop's daily listing limit (12052093) defers them —
what the plan deferred is reported `deferred` too. A write the shop did not confirm
(AmbiguousWriteError) is "unknown" and never retried; an authorization or configuration error
stops the run (the rest is skipped).
After the writes, one read of the written products gives their review state per platform
(engine.apply.readback), and confirms batch calls repeated after a lost answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from engine.apply.hints import AMBIGUOUS, hint, seller_text
from engine.apply.progress import NullProgress, Progress
from engine.apply.quota import DEFERRED_NOTE, LISTING_LIMIT, PLANNED_LATER, ListingGate
from engine.apply.readback import confirmed, read_back, review_of
from engine.errors import AmbiguousWriteError, ApiError, AuthError, ConfigError
from engine.plan import model as m
from engine.plan.model import Action, Batch, Plan, ProductPlan
from engine.plan.quota import is_listing, listing_order
from engine.plan.report import (
    APPLIED,
    BLOCKED,
    DEFERRED,
    FAILED,
    HELD,
    PRICE_LOCKED,
    SKIPPED,
    STALE,
    UNKNOWN,
    ApplyReport,
    PlatformResult,
    ProductResult,
    ReviewState,
    StepResult,
    worst,
)
from engine.render.fmt import blocker_lines
from engine.shop.build import Unsendable
from engine.shop.models import BatchResult, PlatformOutcome, WriteResult
from engine.shop.writer import Writer

log = logging.getLogger("engine.apply")

CONTENT = (m.CREATE, m.EDIT, m.PARTIAL_EDIT)
PRICE_STOCK = (m.UPDATE_PRICE, m.UPDATE_INVENTORY)
REMOVALS = (m.DEACTIVATE, m.DELETE)
NOT_WRITES = (m.HELD, m.BLOCKED, m.DEFERRED)
PRICE_LOCK_CODES = frozenset({12052038, 12019045})  # a price locked by a running promotion


@dataclass
class _Product:
    """Working state of one product during the run."""

    item: ProductPlan
    product_id: str | None
    results: dict[int, StepResult] = field(default_factory=dict)  # action index → result
    halted: str = ""  # why its remaining steps are skipped
    stale: str = ""  # saved plan: why it is not attempted at all


class Executor:
    def __init__(self, plan: Plan, writer: Writer, *, market: str = "ID", concurrency: int = 8,
                 progress: Progress | None = None, stale: Mapping[str, str] | None = None,
                 seller_skus: Mapping[str, tuple[str, ...]] | None = None, saved_plan: bool = False) -> None:
        self.plan = plan
        self.writer = writer
        self.market = market
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.progress = progress or NullProgress()
        self.seller_skus = dict(seller_skus or {})
        self.saved_plan = saved_plan
        self.products = {item.key: _Product(item, item.product_id, stale=(stale or {}).get(item.key, ""))
                         for item in plan.products}
        self.aborted = ""
        self.replayed: list[tuple[_Product, int, str]] = []  # (product, action index, platform) to confirm
        self.gate = ListingGate()

    # ------------------------------------------------------------------ the run
    async def run(self) -> ApplyReport:
        started, calls = time.monotonic(), self.writer.client.calls
        self.progress.start(self._total(), len(self._images()))
        try:
            await self._uploads()
            await self._phase(CONTENT, (m.RECOVER,))
            await self._phase(PRICE_STOCK, ())
            await self._phase((), (m.ACTIVATE,))
            await self._phase((), REMOVALS)
        finally:
            self.progress.finish()
        self._not_attempted()
        await self._confirm_replayed()
        reviews = await self._reviews()
        used = self.writer.client.calls - calls
        return ApplyReport(
            shop_name=self.plan.shop_name, market=self.plan.market, catalog_digest=self.plan.catalog_digest,
            saved_plan=self.saved_plan, products=tuple(self._result(p, reviews.get(p.product_id or ""))
                                                       for p in sorted(self.products.values(),
                                                                       key=lambda p: p.item.key)),
            issues=self.plan.issues, aborted=self.aborted, calls=tuple(sorted(used.items())),
            seconds=round(time.monotonic() - started, 3))

    def _total(self) -> int:
        return sum(1 for p in self.products.values() for a in p.item.actions if a.is_write and not p.stale)

    def _images(self) -> dict[str, object]:
        return {i.sha256: i for p in self.products.values() if not p.stale
                for a in p.item.actions if a.kind in CONTENT for i in a.uploads if i.sha256}

    async def _uploads(self) -> None:
        """Upload every needed file first (a failure here is retried once by the write that needs it)."""
        async def one(image) -> None:
            async with self.semaphore:
                if self.aborted:
                    return
                try:
                    await self.writer.upload(image)
                except (AuthError, ConfigError) as exc:
                    self.aborted = str(exc)
                except (ApiError, Unsendable) as exc:
                    log.warning("image %s: %s", image.path, exc)
                self.progress.uploaded(image.path or "")

        await asyncio.gather(*(one(image) for image in self._images().values()))

    async def _phase(self, kinds: tuple[str, ...], batch_kinds: tuple[str, ...]) -> None:
        ordered = sorted(self.products.values(), key=lambda p: listing_order(p.item))
        jobs = [self._product_steps(p, kinds) for p in ordered
                if kinds and any(a.kind in kinds for a in p.item.actions)]
        jobs += [self._batch(batch) for batch in self.plan.batches if batch.kind in batch_kinds]
        await asyncio.gather(*jobs)

    # ------------------------------------------------------------------ single-product writes
    async def _product_steps(self, product: _Product, kinds: tuple[str, ...]) -> None:
        async with self.semaphore:
            for index, action in enumerate(product.item.actions):
                if action.kind in kinds:
                    await self._single(product, index, action)

    async def _single(self, product: _Product, index: int, action: Action) -> None:
        reason = self._not_now(product)
        if reason:
            self._record(product, index, self._skipped(action, reason, product))
            return
        if action.kind != m.CREATE and not product.product_id:
            self._record(product, index, self._error(action, "the plan names no live product for this write"))
            return
        if is_listing(action):
            step = await self._listing(product, action)
        else:
            step = await self._guarded(action, lambda: self._call(product, action))
        self._record(product, index, step)

    async def _listing(self, product: _Product, action: Action) -> StepResult:
        """A create or an edit back to review, through the daily listing limit's gate."""
        if not await self.gate.admit():
            return self._each(action, DEFERRED, DEFERRED_NOTE)
        if self.aborted:  # while it waited for the run's first listing
            self.gate.settle()
            return self._skipped(action, f"the run stopped: {self.aborted}", product)
        step: StepResult | None = None
        try:
            step = await self._guarded(action, lambda: self._call(product, action))
        finally:
            refused = [r for r in step.results if r.outcome == DEFERRED] if step is not None else []
            self.gate.settle(f"{refused[0].code} {refused[0].message}".strip() if refused else "")
        return step

    async def _call(self, product: _Product, action: Action) -> StepResult:
        handler = {m.CREATE: lambda: self.writer.create(action),
                   m.EDIT: lambda: self.writer.edit(product.product_id or "", action),
                   m.PARTIAL_EDIT: lambda: self.writer.partial_edit(product.product_id or "", action),
                   m.UPDATE_PRICE: lambda: self.writer.update_price(product.product_id or "", action),
                   m.UPDATE_INVENTORY: lambda: self.writer.update_inventory(product.product_id or "", action),
                   }[action.kind]
        result = await handler()
        if action.kind == m.CREATE and result.product_id:
            product.product_id = result.product_id
        return self._from_write(action, result)

    async def _guarded(self, action: Action, call: Callable) -> StepResult:
        """Run one write; every failure becomes a StepResult (auth/config errors stop the run)."""
        try:
            return await call()
        except AmbiguousWriteError as exc:
            return self._each(action, UNKNOWN, AMBIGUOUS, code=exc.code)
        except (AuthError, ConfigError) as exc:
            self.aborted = self.aborted or str(exc)
            return self._error(action, str(exc), getattr(exc, "code", 0))
        except ApiError as exc:
            if exc.code in PRICE_LOCK_CODES:
                return self._each(action, HELD, _held_text(seller_text(exc.api_message, self.market)), code=exc.code,
                                  hint_text=hint(exc.code, None, action.kind))
            return self._error(action, seller_text(str(exc), self.market), exc.code)
        except Unsendable as exc:
            return self._error(action, str(exc))

    def _from_write(self, action: Action, result: WriteResult) -> StepResult:
        per_platform: Mapping[str, PlatformOutcome | None] = result.per_platform or dict.fromkeys(action.platforms)
        results = []
        for platform, outcome in sorted(per_platform.items()):
            ok = result.ok if outcome is None else outcome.ok
            code = (result.code if outcome is None else outcome.code) if not ok else 0
            text = (result.message if outcome is None else outcome.message) if not ok else ""
            said = APPLIED if ok else DEFERRED if code == LISTING_LIMIT and is_listing(action) else \
                HELD if code in PRICE_LOCK_CODES else FAILED
            text = seller_text(text, self.market)
            results.append(PlatformResult(platform, said, code, _held_text(text) if said == HELD else text,
                                          "" if ok else hint(code, platform, action.kind)))
        details = "; ".join(f"{'SKU ' + e.item_id + ': ' if e.item_id else ''}{e.describe()}"
                            for e in result.errors if e.item_id)
        return StepResult(action.kind, action.platforms, worst(r.outcome for r in results) or APPLIED,
                          tuple(results), action.sends_to_review, seller_text(details, self.market),
                          tuple(seller_text(w, self.market) for w in result.warnings), result.request_id)

    # ------------------------------------------------------------------ batches
    async def _batch(self, batch: Batch) -> None:
        members = []
        for product_id, key in zip(batch.product_ids, batch.keys, strict=True):
            product = self.products.get(key)
            if product is None:
                continue
            index, action = _action_of(product.item, batch)
            reason = self._not_now(product)
            if reason:
                self._record(product, index, self._skipped(action, reason, product))
            else:
                members.append((product_id, product, index, action))
        if not members:
            return
        async with self.semaphore:
            if self.aborted:
                for _, product, index, action in members:
                    self._record(product, index, self._skipped(action, f"the run stopped: {self.aborted}", product))
                return
            first = members[0][3]
            outcome = await self._guarded(first, lambda: self._send_batch(batch, members))
        if isinstance(outcome, StepResult):  # the whole call failed: the same result for each member
            for _, product, index, _action in members:
                self._record(product, index, outcome)

    async def _send_batch(self, batch: Batch, members: list) -> None:
        result = await self.writer.batch(batch.kind, batch.platforms, [pid for pid, *_ in members])
        for product_id, product, index, action in members:
            self._record(product, index, self._from_batch(action, result, product_id, product.item.key, index))
        return None

    def _from_batch(self, action: Action, result: BatchResult, product_id: str, product_key: str,
                    index: int) -> StepResult:
        results = []
        for platform in action.platforms or ("",):
            outcome = result.outcome(product_id, platform or None)
            if outcome.ok:
                results.append(PlatformResult(platform, APPLIED))
            elif result.replayed:  # a repeat after a lost answer: "cannot" may mean "already done"
                results.append(PlatformResult(platform, UNKNOWN, outcome.code,
                                              seller_text(outcome.message, self.market),
                                              "the call was repeated after a lost answer, so this may mean it "
                                              "already happened: run `catalog plan` to see"))
                self.replayed.append((self.products[product_key], index, platform))
            else:
                results.append(PlatformResult(platform, FAILED, outcome.code, seller_text(outcome.message, self.market),
                                              hint(outcome.code, platform, action.kind)))
        return StepResult(action.kind, action.platforms, worst(r.outcome for r in results), tuple(results),
                          action.sends_to_review, request_id=result.request_id)

    # ------------------------------------------------------------------ bookkeeping
    def _record(self, product: _Product, index: int, step: StepResult) -> None:
        product.results[index] = step
        if step.outcome in (FAILED, UNKNOWN) and not any(r.outcome == APPLIED for r in step.results):
            product.halted = product.halted or f"an earlier step ({m.SYMBOLS[step.kind]} {step.kind}) failed"
        elif step.outcome == HELD and step.kind in CONTENT:  # its later steps may need the new content
            product.halted = product.halted or f"an earlier step ({m.SYMBOLS[step.kind]} {step.kind}) is held"
        if step.outcome not in (STALE, BLOCKED):  # those are not counted in the total
            self.progress.advance(product.item.key, step)

    def _not_now(self, product: _Product) -> str:
        if product.stale:
            return product.stale
        if self.aborted:
            return f"the run stopped: {self.aborted}"
        return product.halted

    def _skipped(self, action: Action, reason: str, product: _Product) -> StepResult:
        outcome = STALE if product.stale and reason == product.stale else SKIPPED
        return self._each(action, outcome, reason)

    def _error(self, action: Action, message: str, code: int = 0) -> StepResult:
        return self._each(action, FAILED, message, code=code, hint_text=hint(code, None, action.kind))

    def _each(self, action: Action, outcome: str, message: str, *, code: int = 0, hint_text: str = "") -> StepResult:
        results = tuple(PlatformResult(p, outcome, code, message if outcome != STALE else "", hint_text)
                        for p in action.platforms or ("",))
        return StepResult(action.kind, action.platforms, outcome, results, action.sends_to_review, message)

    def _not_attempted(self) -> None:
        """Blocked / held actions, and anything a stop left out."""
        for product in self.products.values():
            for index, action in enumerate(product.item.actions):
                if index in product.results:
                    continue
                if action.kind in NOT_WRITES:
                    product.results[index] = _not_sent(action)
                else:
                    product.results[index] = self._skipped(action, self._not_now(product) or "not attempted",
                                                           product)

    # ------------------------------------------------------------------ after the writes
    async def _confirm_replayed(self) -> None:
        """Batch calls repeated after a lost answer and refused: applied when a read shows it done."""
        if self.aborted or not self.replayed:
            return
        reads = await read_back(self.writer, self._wanted(p for p, _, _ in self.replayed),
                                "the products of repeated calls")
        for product, index, platform in self.replayed:
            product.results[index] = confirmed(product.results[index], platform, reads.get(product.product_id or ""))

    async def _reviews(self) -> dict[str, tuple[ReviewState, ...]]:
        """The review state of every product the run wrote, read once."""
        if self.aborted:
            return {}
        written = (p for p in self.products.values()
                   if any(r.outcome == APPLIED for s in p.results.values() for r in s.results))
        reads = await read_back(self.writer, self._wanted(written), "the review state after apply")
        return {product_id: review_of(read, self.market) for product_id, read in reads.items()}

    def _wanted(self, products: Iterable[_Product]) -> dict[str, str]:
        """{product_id: one of its seller SKUs} to read them back by."""
        return {p.product_id: skus[0] for p in products if p.product_id and (skus := self._skus_of(p))}

    def _skus_of(self, product: _Product) -> tuple[str, ...]:
        for action in product.item.actions:
            if action.kind == m.CREATE and action.spec is not None:
                return action.spec.seller_skus
        return tuple(self.seller_skus.get(product.item.key, ()))

    def _result(self, product: _Product, review: tuple[ReviewState, ...] | None) -> ProductResult:
        item = product.item
        steps = tuple(product.results[i] for i in range(len(item.actions)))
        by_platform: dict[str, list[PlatformResult]] = {}
        for step in steps:
            for result in step.results:
                by_platform.setdefault(result.platform, []).append(result)
        platforms = []
        for _platform, results in sorted(by_platform.items()):
            outcome = worst(r.outcome for r in results)
            platforms.append(next(r for r in results if r.outcome == outcome))
        notes = (product.stale,) if product.stale else ()
        return ProductResult(key=item.key, title=item.title, product_id=product.product_id, source=item.source,
                             outcome=worst(p.outcome for p in platforms), platforms=tuple(platforms), steps=steps,
                             review=review or (), notes=notes)


def _action_of(item: ProductPlan, batch: Batch) -> tuple[int, Action]:
    for index, action in enumerate(item.actions):
        if action.kind == batch.kind and action.platforms == batch.platforms:
            return index, action
    for index, action in enumerate(item.actions):
        if action.kind == batch.kind:
            return index, action
    raise ValueError(f"{item.key}: the plan's {batch.kind} batch has no matching action (damaged plan?)")


def _held_text(shop_message: str) -> str:
    return f"{PRICE_LOCKED}: {shop_message}" if shop_message else PRICE_LOCKED


def _not_sent(action: Action) -> StepResult:
    """A held or blocked action (reported blocked), or a listing the plan deferred (deferred)."""
    if action.kind == m.DEFERRED:
        results = tuple(PlatformResult(p, DEFERRED, message=PLANNED_LATER) for p in action.platforms or ("",))
        return StepResult(action.kind, action.platforms, DEFERRED, results, message=action.note)
    lines = {b.platform: blocker_lines(b)[0] for b in action.blockers}
    results = tuple(PlatformResult(p, BLOCKED, message=lines.get(p, lines.get("", action.note)))
                    for p in action.platforms or ("",))
    return StepResult(action.kind, action.platforms, BLOCKED, results, message=action.note)
