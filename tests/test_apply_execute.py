"""The executor against the sandbox shop: handlers, order, failures, batches, review state.

Each test reads the sandbox with the real reader, plans with make_plan and runs the Executor
with a Writer on the same client — the path `catalog apply` takes, minus the CLI.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from conftest import SandboxHandle
from test_apply_images import PNG
from test_plan_builders import catalog, sku, spec

from engine.apply.execute import Executor
from engine.apply.progress import LogProgress
from engine.catalog.spec import ImageRef
from engine.plan import model as m
from engine.plan.payload import Known
from engine.plan.planner import make_plan
from engine.plan.report import (
    APPLIED,
    BLOCKED,
    DEFERRED,
    FAILED,
    HELD,
    PRICE_LOCKED,
    SKIPPED,
    UNKNOWN,
    report_from_dict,
    report_to_dict,
)
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.limiter import RetryPolicy
from engine.shop.read import read_snapshot
from engine.shop.settings import ShopCredentials
from engine.shop.writer import Writer

API = {name: endpoint.api for name, endpoint in ENDPOINTS.items()}


def uploaded(sandbox) -> ImageRef:
    return ImageRef(sandbox.client().upload(PNG.read_bytes()).data["uri"])


def product(sandbox, key: str, image: ImageRef, **changes):
    skus = changes.pop("skus", (sku(f"{key.upper()}-M", "150000", 10, "M"), sku(f"{key.upper()}-L", "155000", 4, "L")))
    return spec(key, main_images=(image,), skus=skus, **changes)


async def _apply(sandbox, specs, *, credentials=None, retry=None, **options):
    async with ShopClient(credentials or ShopCredentials.sandbox(), base_url=sandbox.base_url,
                          transport=sandbox.transport, retry=retry or RetryPolicy(max_attempts=2, base_delay=0.01)
                          ) as client:
        desired = {s.key: s.seller_skus for s in specs}
        snapshot = await read_snapshot(client, desired, metadata_for={s.category_id for s in specs})
        plan = make_plan(catalog(*specs), snapshot)
        writer = Writer(client, known=Known(snapshot.metadata))
        report = await Executor(plan, writer, seller_skus=desired, **options).run()
        return plan, report


def apply(sandbox, *specs, **options):
    return asyncio.run(_apply(sandbox, specs, **options))


def writes(sandbox) -> dict[str, int]:
    calls = sandbox.store.calls()
    names = ("create", "edit", "partial_edit", "update_price", "update_inventory", "activate", "deactivate",
             "delete", "recover")
    return {n: calls[API[n]] for n in names if calls.get(API[n])}


def request_order(sandbox) -> list[str]:
    """The writes the shop received, in order."""
    order = []
    for request, _ in sandbox.exchanges:
        method, path = request["method"], request["path"]
        if path.endswith("/prices/update"):
            order.append("update_price")
        elif path.endswith("/products/deactivate"):
            order.append("deactivate")
        elif method == "DELETE" and path == "/product/202309/products":
            order.append("delete")
    return order


# --------------------------------------------------------------------------- handlers and order
def test_creates_then_every_kind_of_change_in_phase_order(sandbox):
    image = uploaded(sandbox)
    keep, hide, gone = (product(sandbox, k, image) for k in ("batik-a", "batik-b", "batik-c"))
    _, first = apply(sandbox, keep, hide, gone)
    assert first.exit_code == 0 and writes(sandbox) == {"create": 3}
    sandbox.store.reset_calls()
    sandbox.exchanges.clear()
    plan, report = apply(sandbox, replace(keep, skus=(replace(keep.skus[0], price="140000"), keep.skus[1])),
                         replace(hide, status="inactive"), replace(gone, status="deleted"))
    assert [p.kinds() for p in plan.products] == [(m.UPDATE_PRICE,), (m.DEACTIVATE,), (m.DELETE,)]
    assert report.exit_code == 0, report
    assert writes(sandbox) == {"update_price": 1, "deactivate": 1, "delete": 1}
    order = [name for name in request_order(sandbox) if name in ("update_price", "deactivate", "delete")]
    assert order.index("update_price") < order.index("deactivate")
    assert order.index("update_price") < order.index("delete")
    assert {p.key: p.outcome for p in report.products} == {"batik-a": APPLIED, "batik-b": APPLIED, "batik-c": APPLIED}
    assert report_from_dict(report_to_dict(report)) == report


def test_a_failed_write_does_not_hold_back_other_products_deletes(sandbox):
    image = uploaded(sandbox)
    keep, gone = product(sandbox, "batik-a", image), product(sandbox, "batik-c", image)
    apply(sandbox, keep, gone)
    sandbox.store.reset_calls()
    # an image the shop never uploaded: the plan cannot know it, the shop refuses the edit
    broken = replace(keep, main_images=(ImageRef(uri="tos-id-i-never-uploaded"),),
                     title="Kemeja Batik Parang Judul Baru Sekali", status="inactive")
    _, report = apply(sandbox, broken, replace(gone, status="deleted"))
    outcomes = {p.key: p.outcome for p in report.products}
    assert outcomes == {"batik-a": FAILED, "batik-c": APPLIED}
    # the failed product's own later step (its deactivation) is skipped, and says why
    (edit, deactivate) = report.products[0].steps
    assert (edit.outcome, deactivate.outcome) == (FAILED, SKIPPED) and "an earlier step" in deactivate.message
    assert writes(sandbox) == {"partial_edit": 1, "delete": 1} and report.exit_code == 3
    assert "tos-id-i-never-uploaded" in report.products[0].platforms[0].message


def test_a_price_locked_by_a_promotion_is_held_and_the_shop_goes_on(sandbox):
    image = uploaded(sandbox)
    promoted, hidden = product(sandbox, "batik-a", image), product(sandbox, "batik-b", image)
    _, first = apply(sandbox, promoted, hidden)
    product_id = next(p.product_id for p in first.products if p.key == "batik-a")
    sandbox.store.start_promotion(product_id, name="Flash Sale 12.12")
    sandbox.store.reset_calls()
    repriced = replace(promoted, skus=(replace(promoted.skus[0], price="140000"), promoted.skus[1]))
    plan, report = apply(sandbox, repriced, replace(hidden, status="inactive"))
    assert [p.kinds() for p in plan.products] == [(m.UPDATE_PRICE,), (m.DEACTIVATE,)]
    held, deactivated = report.products
    assert held.outcome == HELD and held.held and deactivated.outcome == APPLIED
    (step,) = held.steps
    assert step.results[0].message.startswith(PRICE_LOCKED) and "Flash Sale 12.12" in step.results[0].message
    assert step.results[0].code == 12052038 and "promotion" in step.results[0].hint
    assert writes(sandbox) == {"update_price": 1, "deactivate": 1}
    assert report.exit_code == 3 and [p.key for p in report.needs_attention] == ["batik-a"]
    assert report_from_dict(report_to_dict(report)) == report


def test_a_title_change_is_reported_back_in_review_with_the_review_state(sandbox):
    image = uploaded(sandbox)
    item = product(sandbox, "batik-a", image)
    apply(sandbox, item)
    sandbox.store.configure(review_seconds=3600)  # reviews now take an hour
    _, report = apply(sandbox, replace(item, title="Kemeja Batik Parang Lengan Panjang Edisi Baru"))
    (result,) = report.products
    assert [s.kind for s in result.steps] == [m.PARTIAL_EDIT] and result.steps[0].sends_to_review
    assert {r.platform: r.status for r in result.review} == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}


# --------------------------------------------------------------------------- per-platform results and hints
def test_a_pre_owned_item_fails_on_shop_tokopedia_only_with_a_hint(sandbox):
    image = uploaded(sandbox)
    used = product(sandbox, "batik-bekas", image, is_pre_owned=True)
    used = replace(used, declared=used.declared | {"is_pre_owned"})
    _, report = apply(sandbox, used)
    (result,) = report.products
    shop = result.platform("TIKTOK_SHOP")
    assert shop.outcome == FAILED and shop.code == 12052316 and "Tokopedia only" in shop.hint
    assert result.platform("TOKOPEDIA").outcome == APPLIED and report.exit_code == 3


@pytest.mark.sandbox(daily_listing_limit=1)
def test_the_daily_listing_limit_defers_with_a_hint(sandbox):
    image = uploaded(sandbox)
    _, report = apply(sandbox, product(sandbox, "batik-a", image), product(sandbox, "batik-b", image))
    deferred = [p for p in report.products if p.outcome == DEFERRED]  # refused by the shop: deferred, not failed
    assert len(deferred) == 1 and deferred[0].platforms[0].code == 12052093
    assert "daily listing limit" in deferred[0].platforms[0].hint and report.exit_code == 3
    assert not [p for p in report.products if p.outcome == FAILED]


def test_batch_item_errors_map_back_to_their_products(sandbox):
    image = uploaded(sandbox)
    a, b = product(sandbox, "batik-a", image), product(sandbox, "batik-b", image)
    apply(sandbox, a, b)
    _, report = apply(sandbox, replace(a, status="inactive"), replace(b, status="inactive"))
    ids = [p.product_id for p in report.products]
    sandbox.store.set_status(ids[1], "TOKOPEDIA", "FREEZE")  # frozen after the plan: Activate refuses it
    plan_ids = {}

    async def run():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=sandbox.transport) as c:
            snap = await read_snapshot(c, {s.key: s.seller_skus for s in (a, b)}, metadata_for={"600010"})
            plan = make_plan(catalog(a, b), snap)
            plan_ids.update({p.key: p.kinds() for p in plan.products})
            return plan
    plan = asyncio.run(run())
    assert plan_ids["batik-a"] == (m.ACTIVATE,) and plan_ids["batik-b"] == (m.BLOCKED,)
    # both in one batch, as a plan made before the freeze would have them:
    batch = m.Batch(m.ACTIVATE, ("TIKTOK_SHOP", "TOKOPEDIA"), tuple(ids), ("batik-a", "batik-b"))
    item_a = plan.products[0]
    item_b = replace(item_a, key="batik-b", product_id=ids[1])
    plan = replace(plan, products=(item_a, item_b), batches=(batch,))

    async def execute():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=sandbox.transport) as c:
            return await Executor(plan, Writer(c)).run()
    report = asyncio.run(execute())
    outcomes = {p.key: p.outcome for p in report.products}
    assert outcomes == {"batik-a": APPLIED, "batik-b": FAILED}
    assert sandbox.store.calls()[API["activate"]] == 1  # one call for both


# --------------------------------------------------------------------------- unconfirmed writes, auth
def test_an_unconfirmed_write_is_unknown_and_never_retried(sandbox):
    image = uploaded(sandbox)
    item = product(sandbox, "batik-a", image)
    apply(sandbox, item)
    gateway = sandbox.app.state.gateway
    from engine.sandbox.faults import FaultInjector, parse_faults

    async def run():  # plan on a healthy shop, then every request fails with HTTP 500
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=sandbox.transport,
                              retry=RetryPolicy(max_attempts=3, base_delay=0.01)) as c:
            desired = replace(item, title="Kemeja Batik Parang Lengan Panjang Edisi Baru")
            snap = await read_snapshot(c, {item.key: item.seller_skus}, metadata_for={"600010"})
            plan = make_plan(catalog(desired), snap)
            sandbox.store.reset_calls()
            gateway.faults = FaultInjector(parse_faults("5xx=1.0"), 1, 0)
            return await Executor(plan, Writer(c)).run()

    report = asyncio.run(run())
    gateway.faults = FaultInjector(parse_faults(""), 1, 0)
    (result,) = report.products
    assert result.outcome == UNKNOWN and "not retried" in result.steps[0].message
    assert sandbox.store.calls().get(API["partial_edit"]) == 1 and report.exit_code == 1


def test_an_authorization_error_stops_the_run(sandbox):
    image = uploaded(sandbox)
    items = [product(sandbox, f"batik-{n}", image) for n in "abc"]
    bad = ShopCredentials.sandbox().model_copy(update={"access_token": ShopCredentials.sandbox().refresh_token})

    async def run():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=sandbox.transport) as c:
            snap = await read_snapshot(c, {s.key: s.seller_skus for s in items}, metadata_for={"600010"})
            plan = make_plan(catalog(*items), snap)
        async with ShopClient(bad, base_url=sandbox.base_url, transport=sandbox.transport) as c:
            return await Executor(plan, Writer(c, known=Known(snap.metadata)), concurrency=1).run()

    with sandbox.off_contract():
        report = asyncio.run(run())
    assert report.aborted and report.exit_code == 1
    assert sorted(p.outcome for p in report.products) == [FAILED, SKIPPED, SKIPPED]
    assert sandbox.store.counts()["products"] == 0


def test_blocked_products_are_reported_not_attempted(sandbox):
    image = uploaded(sandbox)
    item = product(sandbox, "batik-a", image)
    _, created = apply(sandbox, item)
    sandbox.store.set_status(created.products[0].product_id, "TIKTOK_SHOP", "FREEZE")
    sandbox.store.reset_calls()
    _, report = apply(sandbox, replace(item, title="Kemeja Batik Parang Lengan Panjang Edisi Baru"))
    (result,) = report.products
    assert result.outcome == BLOCKED and "frozen" in result.platforms[0].message
    assert report.exit_code == 0 and writes(sandbox) == {}


def test_progress_log_lines_name_counts_not_secrets(sandbox, capsys):
    import io

    image = uploaded(sandbox)
    stream = io.StringIO()
    apply(sandbox, product(sandbox, "batik-a", image), progress=LogProgress(stream, every_seconds=0))
    text = stream.getvalue()
    assert "apply: 1 write(s) to make" in text and "apply done: 1/1 write(s) (1 applied)" in text
    assert "sandbox-access-token" not in text



def test_a_repeated_deactivation_that_met_already_done_is_confirmed_by_reading(sandbox):
    """A deactivation whose answer was lost is repeated; the product is already deactivated, so the
    shop answers 12052003 ("status does not allow"). Reading the product tells it happened."""
    image = uploaded(sandbox)
    items = [product(sandbox, f"batik-{n}", image) for n in "ab"]
    apply(sandbox, *items)
    faulty = SandboxHandle(sandbox.db_path, {"faults": "drop=0.3", "seed": 5})  # seed 5: the batch answer is lost
    try:
        _, report = apply(faulty, *(replace(i, status="inactive") for i in items),
                          retry=RetryPolicy(max_attempts=12, base_delay=0.001))
        refused = [r for _, r in faulty.exchanges if "12052003" in str(r.get("json"))]
    finally:
        faulty.finish()
    assert refused, "the repeat did not meet 12052003: the test proves nothing"
    assert [p.outcome for p in report.products] == [APPLIED, APPLIED] and report.exit_code == 0
    results = [r for p in report.products for s in p.steps for r in s.results]
    assert {r.message for r in results} == {"confirmed by reading the product after a lost answer"}
    assert {p["platforms"]["TOKOPEDIA"] for p in sandbox.store.products()} == {"SELLER_DEACTIVATED"}
