"""Wiring for the CLI: a catalog + a plan → a client, a Writer, the executor → an ApplyReport.

    report = run_apply(catalog, plan, app=sandbox_app)                    # a fresh plan
    report = run_apply(catalog, saved, app=sandbox_app, saved_plan=True)  # `apply plan.json`

No plan is applied while it trips a guard that is not acknowledged (`refuse_tripped`: GuardError,
nothing written; the message says how to acknowledge). A saved plan is applied verbatim after
`verify_saved_plan` (same shop, same catalog content, same format version — load_plan checks
that one — and the same plan when the catalog is planned again against the live state the plan
recorded: engine.plan.verify), then checked against the shop: Search pages give every live
product (⌈N/100⌉ calls). A product the plan writes to that is still at its recorded update_time
must hold the seller SKUs (and SKU ids) the plan recorded, and some of them the catalog
product's — or, for a product whose SKUs were all renamed, carry the catalog key in its
annotation (one Get Product each) — else the plan's live state was edited and the whole plan is
refused (`check_recorded_live`, before any write). A planned product whose update_time moved,
or that vanished, or a planned create whose seller SKUs now exist, is STALE: skipped and named
(`strict=True` refuses the whole plan instead: StalePlanError).
After the run, prices the shop held (a promotion lock) are noted in the shop's read cache, and
those re-priced forgotten (`note_holds`): the next plan shows a held price as pending, with why.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.apply.execute import Executor
from engine.apply.progress import Progress
from engine.errors import GuardError, PlanError, StalePlanError
from engine.plan import model as m
from engine.plan.guards import refusal
from engine.plan.live import ShopMetadata
from engine.plan.model import Plan
from engine.plan.payload import Known
from engine.plan.report import APPLIED, HELD, ApplyReport
from engine.plan.verify import check_rederived
from engine.shop.cache import ReadCache
from engine.shop.connect import cache_dir, client_for, run_sync
from engine.shop.normalize import from_get
from engine.shop.settings import ShopCredentials
from engine.shop.uploads import ImageCache, image_scope
from engine.shop.writer import LiveIndex, Writer

DEFAULT_CONCURRENCY = 8
REPRICING = (m.UPDATE_PRICE, m.PARTIAL_EDIT, m.EDIT)


def verify_saved_plan(plan: Plan, catalog: Any) -> None:
    """Refuse a saved plan made for another shop or from other catalog content, or that is not
    what planning the catalog against its recorded live state gives (no call to the shop)."""
    shop = catalog.shop
    if plan.shop_name != shop.name or plan.market != shop.market:
        raise PlanError(f"this plan is for shop {plan.shop_name!r} ({plan.market}), but the catalog at "
                        f"{catalog.root} is shop {shop.name!r} ({shop.market}): use the catalog the plan was "
                        "made from")
    if plan.catalog_digest != catalog.digest:
        raise PlanError(f"the catalog at {catalog.root} changed since this plan was made (plan "
                        f"{plan.catalog_digest[:12] or 'none'}, catalog now {catalog.digest[:12]}): run `catalog plan "
                        "--out` again and review the new plan")
    check_rederived(plan, catalog)


def check_recorded_live(plan: Plan, index: LiveIndex, seller_skus: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Refuse a saved plan whose recorded live state is not the shop's, for every product it
    writes to that is still at the recorded update_time (a moved one is STALE, not refused): the
    shop must list it with the seller SKUs and SKU ids the plan recorded. The products among them
    that hold none of their catalog product's seller SKUs (every SKU renamed: matched by the
    engine's annotation) are returned, {product_id: key}, for `prove_annotations`."""
    assert plan.live is not None
    renamed: dict[str, str] = {}
    for item in plan.products:
        if not item.has_changes or not item.product_id:
            continue
        live, recorded = index.products.get(item.product_id), plan.live.product(item.product_id)
        if live is None or recorded is None or live.update_time != recorded.update_time:
            continue  # vanished or moved: stale_reasons names it
        if live.sku_ids != recorded.sku_ids:
            raise PlanError(f"the saved plan's live state was edited: it records live product {item.product_id} "
                            f"({item.key}) with seller SKUs {_skus(recorded.sku_ids)}, the shop lists "
                            f"{_skus(live.sku_ids)} at the same update_time; run `catalog plan --out` again — "
                            "nothing was applied")
        if not set(live.seller_skus) & set(seller_skus.get(item.key, ())):
            renamed[item.product_id] = item.key
    return renamed


async def prove_annotations(client: Any, renamed: Mapping[str, str]) -> None:
    """Each product a saved plan matched by the engine's annotation alone must carry that key in
    the shop (one Get Product each): else the plan was edited to write to another product."""
    for product_id, key in sorted(renamed.items()):
        applied = from_get(await client.get_product(product_id)).last_applied
        if applied is None or applied[0] != key:
            raise PlanError(f"the saved plan writes to live product {product_id} for {key}, but that product holds "
                            f"none of {key}'s seller SKUs and its annotation names "
                            f"{repr(applied[0]) if applied else 'no catalog key'}: the plan was edited; run "
                            "`catalog plan --out` again — nothing was applied")


def _skus(sku_ids: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{sku} ({sku_id})" for sku, sku_id in sku_ids) or "none"


def refuse_tripped(plan: Plan) -> None:
    """GuardError (nothing is written) while the plan trips a guard nobody acknowledged."""
    message = refusal(plan)
    if message is not None:
        raise GuardError(f"apply refused: {message}")


def stale_reasons(plan: Plan, index: LiveIndex) -> dict[str, str]:
    """key → why a planned product can no longer be applied as planned."""
    out: dict[str, str] = {}
    for item in plan.products:
        if not item.has_changes:
            continue
        if item.product_id:
            live = index.products.get(item.product_id)
            if live is None:
                out[item.key] = f"STALE: product {item.product_id} is no longer in the shop; plan again"
            elif live.update_time != item.update_time:
                out[item.key] = (f"STALE: product {item.product_id} changed in the shop since the plan was made "
                                 f"(update_time {item.update_time} → {live.update_time}); plan again")
            continue
        create = next((a for a in item.actions if a.kind == m.CREATE and a.spec is not None), None)
        skus = create.spec.seller_skus if create is not None and create.spec is not None else ()
        owners = sorted({pid for sku in skus for pid in index.owners.get(sku, ())
                         if not index.products[pid].is_deleted})
        if owners:
            out[item.key] = (f"STALE: its seller SKUs are now in live product {', '.join(owners)}, created since "
                             "the plan was made; plan again")
    return out


async def apply_async(catalog: Any, plan: Plan, *, app: Any = None, saved_plan: bool = False, strict: bool = False,
                      concurrency: int = DEFAULT_CONCURRENCY, progress: Progress | None = None,
                      metadata: ShopMetadata | None = None, client: Any = None) -> ApplyReport:
    refuse_tripped(plan)
    shop = catalog.shop
    credentials = ShopCredentials.for_target(shop.target)
    owned = client is None
    client = client or client_for(shop, app=app, credentials=credentials, concurrency=concurrency)
    images = ImageCache.for_catalog(catalog.root, image_scope(shop, credentials.app_key))
    writer = Writer(client, root=catalog.root, images=images, known=Known(metadata) if metadata else None)
    try:
        stale: dict[str, str] = {}
        if saved_plan:
            index = await writer.live_index()
            await prove_annotations(client, check_recorded_live(plan, index, seller_skus(catalog)))
            stale = stale_reasons(plan, index)
            if stale and strict:
                names = ", ".join(sorted(stale))
                raise StalePlanError(f"--strict: {len(stale)} planned product(s) changed in the shop since the plan "
                                     f"was made ({names}); nothing was applied — run `catalog plan --out` again",
                                     tuple(sorted(stale)))
        executor = Executor(plan, writer, market=shop.market, concurrency=concurrency, progress=progress,
                            stale=stale, seller_skus=seller_skus(catalog), saved_plan=saved_plan)
        report = await executor.run()
        await note_holds(report, cache_dir(catalog.root, shop), client)
        return report
    finally:
        images.save()
        if owned:
            await client.aclose()


async def note_holds(report: ApplyReport, directory: Path, client: Any) -> None:
    """Record in the read cache which products' price change the shop held, and forget the holds
    of products whose price this run changed."""
    held = {p.product_id: next(r.message for s in p.steps if s.outcome == HELD for r in s.results)
            for p in report.products if p.product_id and p.held}
    repriced = [p.product_id for p in report.products if p.product_id and any(
        s.kind in REPRICING and s.outcome == APPLIED for s in p.steps)]
    if not held and not repriced:
        return
    cache = ReadCache.open(directory, await client.shop_identity())
    try:
        cache.record_holds(held, repriced)
    finally:
        cache.close()


def run_apply(catalog: Any, plan: Plan, **options: Any) -> ApplyReport:
    """Synchronous apply_async (for the CLI)."""
    return run_sync(apply_async(catalog, plan, **options))


def seller_skus(catalog: Any) -> Mapping[str, tuple[str, ...]]:
    return {spec.key: spec.seller_skus for spec in catalog.products}
