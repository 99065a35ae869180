"""read_snapshot against the in-process sandbox: pagination, matching, cache, special products,
metadata. Requests are validated against the official spec by the `sandbox` fixture."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3

import orjson
from test_shop_client import WAREHOUSE, make_client, product_body

from engine.catalog.spec import external_product_id
from engine.plan.live import SkuConflict, snapshot_from_dict, snapshot_to_dict
from engine.shop.cache import FILENAME
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.read import ReadStats, read_snapshot

SEARCH = ENDPOINTS["search"].api
GET = ENDPOINTS["get"].api


def desired_for(bodies, keys=None):
    keys = keys or [f"p{n}" for n in range(len(bodies))]
    return {key: tuple(s["seller_sku"] for s in body["skus"]) for key, body in zip(keys, bodies, strict=False)}


def read(sandbox, desired, *, cache_dir=None, metadata_for=None, client_class=ShopClient, **options):
    stats = ReadStats()

    async def main():
        async with make_client(sandbox, **options) as client:
            if client_class is not ShopClient:
                client.__class__ = client_class
            snapshot = await read_snapshot(client, desired, cache_dir=cache_dir, metadata_for=metadata_for,
                                           shop_name="Toko", stats=stats)
            return snapshot, client.calls

    snapshot, calls = asyncio.run(main())
    return snapshot, calls, stats


def test_cold_then_warm_read_costs_the_floor(sandbox, tmp_path):
    bodies = [product_body(n) for n in range(250)]
    ids = sandbox.store.seed_products(bodies)
    desired = desired_for(bodies)
    cache = tmp_path / "cache"

    cold, calls, stats = read(sandbox, desired, cache_dir=cache)
    pages = math.ceil(250 / 100)
    assert calls[SEARCH] == pages and calls[GET] == 250 and sum(calls.values()) == pages + 250
    assert stats.fetched == 250 and stats.pages == pages
    assert [p.product_id for p in cold.products] == sorted(ids)
    assert all(p.spec is not None for p in cold.products) and cold.unmanaged == ()
    assert dict(cold.claims) == {f"p{n}": (pid,) for n, pid in enumerate(ids)}
    assert cold.products[0].spec.key == dict((pid, k) for k, (pid,) in cold.claims)[cold.products[0].product_id]

    warm, calls, stats = read(sandbox, desired, cache_dir=cache)
    assert calls == {SEARCH: pages}  # ⌈N/100⌉ calls and not a single Get
    assert stats.cache_hits == 250 and stats.fetched == 0
    assert warm == cold  # the cache gives exactly what Get Product gave


def test_update_time_moving_invalidates_only_that_product(sandbox, tmp_path):
    bodies = [product_body(n) for n in range(5)]
    ids = sandbox.store.seed_products(bodies)
    desired = desired_for(bodies)
    read(sandbox, desired, cache_dir=tmp_path)
    new_title = "Kemeja Batik Parang Diubah di Seller Center"
    sandbox.store.outside_edit(ids[2], title=new_title, stock={"BATIK-2-M": {WAREHOUSE: 3}})

    snapshot, calls, _ = read(sandbox, desired, cache_dir=tmp_path)
    assert calls[GET] == 1
    changed = snapshot.product(ids[2])
    assert changed.spec.title == new_title
    assert dict(changed.spec.skus[1].inventory) == {WAREHOUSE: 3}


def test_no_cache_fetches_everything_again(sandbox, tmp_path):
    bodies = [product_body(n) for n in range(3)]
    sandbox.store.seed_products(bodies)
    read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    _, calls, _ = read(sandbox, desired_for(bodies), cache_dir=None)
    assert calls[GET] == 3


def cache_rows(directory):
    """The read cache's product rows: product id → plain product (engine.shop.cache)."""
    with sqlite3.connect(directory / FILENAME) as conn:
        return {pid: orjson.loads(body) for pid, body in conn.execute("SELECT id, body FROM products")}


def write_row(directory, product_id, body: bytes) -> None:
    with sqlite3.connect(directory / FILENAME) as conn:
        conn.execute("UPDATE products SET body = ? WHERE id = ?", (body, product_id))


def test_corrupt_cache_entry_is_ignored_and_rewritten(sandbox, tmp_path):
    bodies = [product_body(n) for n in range(2)]
    ids = sandbox.store.seed_products(bodies)
    read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    write_row(tmp_path, ids[0], b'{"product_id": ')
    _, calls, _ = read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    assert calls[GET] == 1
    assert cache_rows(tmp_path)[ids[0]]["product_id"] == ids[0]
    _, calls, _ = read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    assert GET not in calls


def test_cached_products_take_price_and_stock_from_search(sandbox, tmp_path):
    """Stock moves with orders without moving update_time on the real platform: Search wins."""
    bodies = [product_body(0)]
    [pid] = sandbox.store.seed_products(bodies)
    read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    entry = cache_rows(tmp_path)[pid]
    for sku in entry["spec"]["skus"]:
        sku["inventory"], sku["price"] = [[WAREHOUSE, 999]], "1"  # stale cached values
    write_row(tmp_path, pid, orjson.dumps(entry))

    snapshot, calls, _ = read(sandbox, desired_for(bodies), cache_dir=tmp_path)
    assert GET not in calls
    assert {(s.price, s.inventory) for s in snapshot.product(pid).spec.skus} == {("150000", ((WAREHOUSE, 10),))}


def test_frozen_and_deleted_products_are_never_fetched_unmanaged_ones_once(sandbox, tmp_path):
    bodies = [product_body(n) for n in range(4)]
    ids = sandbox.store.seed_products(bodies)
    sandbox.store.set_status(ids[0], "TOKOPEDIA", "FREEZE")
    for platform in ("TIKTOK_SHOP", "TOKOPEDIA"):
        sandbox.store.set_status(ids[1], platform, "DELETED")
    desired = desired_for(bodies[:3])  # the 4th product is not in the catalog

    snapshot, calls, _ = read(sandbox, desired, cache_dir=tmp_path)
    assert calls[GET] == 2  # the ordinary managed product, and the unmanaged one (its annotation)
    frozen, deleted, plain, unmanaged = (snapshot.product(i) for i in ids)
    assert frozen.is_frozen and frozen.spec is None and frozen.status_on("TOKOPEDIA") == "FREEZE"
    assert frozen.sku_ids and frozen.title == bodies[0]["title"]
    assert deleted.is_deleted and deleted.spec is None
    assert plain.spec is not None
    assert unmanaged.spec is not None and unmanaged.last_applied is None and snapshot.unmanaged == (ids[3],)
    assert dict(snapshot.claims) == {"p0": (ids[0],), "p1": (ids[1],), "p2": (ids[2],)}
    again, calls, _ = read(sandbox, desired, cache_dir=tmp_path)
    assert GET not in calls and again.product(ids[3]) == unmanaged  # from the read cache


def test_conflicts_and_spread_claims_are_explicit(sandbox):
    a = product_body(1, sizes=("M",))
    b = product_body(2, sizes=("M",))
    b["skus"][0]["seller_sku"] = "BATIK-1-M"  # the same seller_sku in two live products
    c = product_body(3, sizes=("M",))
    d = product_body(4, sizes=("M",))
    ids = sandbox.store.seed_products([a, b, c, d])
    desired = {"shared": ("BATIK-1-M",), "spread": ("BATIK-3-M", "BATIK-4-M")}

    snapshot, calls, _ = read(sandbox, desired)
    assert snapshot.conflicts == (SkuConflict("BATIK-1-M", tuple(sorted(ids[:2]))),)
    assert snapshot.claimed_by("shared") == tuple(sorted(ids[:2]))
    assert snapshot.claimed_by("spread") == tuple(sorted(ids[2:]))
    assert snapshot.unmanaged == () and calls[GET] == 4


def test_last_applied_key_names_the_spec(sandbox):
    body = product_body(1)
    body["external_product_id"] = external_product_id("batik-parang", "0123456789abcdef")
    [pid] = sandbox.store.seed_products([body])
    snapshot, _, _ = read(sandbox, {"batik-parang": ("BATIK-1-M",)})
    product = snapshot.product(pid)
    assert product.last_applied == ("batik-parang", "0123456789abcdef") and product.spec.key == "batik-parang"


class WritesBetweenPages(ShopClient):
    """Seller Center keeps working while we page: after the first page, products are created
    and one product on a later page is edited."""

    hook = None

    async def search_products(self, **kwargs):
        page = await super().search_products(**kwargs)
        if kwargs.get("page_token") is None and self.hook:
            self.hook()
        return page


def test_pagination_survives_writes_between_pages(sandbox):
    bodies = [product_body(n) for n in range(230)]
    ids = sandbox.store.seed_products(bodies)
    desired = desired_for(bodies)
    edited = sorted(ids)[0]  # ids page from the newest down: the oldest is on the last page

    def hook():
        sandbox.store.seed_products([product_body(n) for n in range(900, 905)])
        sandbox.store.outside_edit(edited, title="Kemeja Batik Parang Diubah Saat Membaca")

    WritesBetweenPages.hook = staticmethod(hook)
    snapshot, calls, stats = read(sandbox, desired, client_class=WritesBetweenPages)
    seen = [p.product_id for p in snapshot.products]
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(ids) <= set(seen)  # nothing that existed all along is missed
    assert snapshot.product(edited).spec.title == "Kemeja Batik Parang Diubah Saat Membaca"
    assert calls[GET] == 230


def test_metadata_for_the_catalog_categories(sandbox):
    snapshot, calls, stats = read(sandbox, {}, metadata_for={"600010", "600021", "600030", "600001", "999999"})
    metadata = snapshot.metadata
    assert [c.id for c in metadata.categories] == ["600001", "600010", "600021", "600030"]  # 999999 unknown
    ponsel_bekas = metadata.category("600021")
    assert dict(ponsel_bekas.permissions) == {"TIKTOK_SHOP": ("PROHIBITED",), "TOKOPEDIA": ("AVAILABLE",)}
    assert metadata.category("600030").cod_supported is False
    assert dict(metadata.attributes)["600010"][0].name == "Bahan"
    assert "600001" not in dict(metadata.attributes)  # not a leaf: no rules or attributes asked
    assert {w.id for w in metadata.warehouses} >= {WAREHOUSE}
    assert "Rotan Lombok" in {b.name for b in metadata.brands}  # unauthorized but not T1: selectable
    # 2 category trees + brands + warehouses + rules and attributes per leaf (3 leaves)
    assert stats.metadata_calls == 4 + 2 * 3 == sum(calls.values()) - calls[SEARCH]


def test_snapshot_round_trips_as_json(sandbox):
    bodies = [product_body(n) for n in range(3)]
    sandbox.store.seed_products(bodies)
    snapshot, _, _ = read(sandbox, desired_for(bodies), metadata_for={"600010"})
    assert snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot)))) == snapshot


def test_review_states_and_reasons_per_platform(sandbox):
    body = product_body(1, title="Kemeja Batik Parang Replika Kualitas Premium")  # 'replika' fails review
    [failed] = sandbox.store.seed_products([body])
    [pending] = sandbox.store.seed_products([product_body(2)])
    sandbox.store.set_status(pending, "TIKTOK_SHOP", "PENDING")
    sandbox.store.set_status(pending, "TOKOPEDIA", "SELLER_DEACTIVATED")
    snapshot, _, _ = read(sandbox, {"failed": ("BATIK-1-M",), "pending": ("BATIK-2-M",)})
    rejected = snapshot.product(failed)
    assert dict(rejected.platform_statuses) == {"TIKTOK_SHOP": "FAILED", "TOKOPEDIA": "FAILED"}
    assert {f.platform for f in rejected.audit_failures} == {"TIKTOK_SHOP", "TOKOPEDIA"}
    in_review = snapshot.product(pending)
    assert in_review.status == "PENDING" and in_review.spec.status == "active"
    assert in_review.spec.listing_platforms == ("TIKTOK_SHOP",)  # hidden on Tokopedia


def test_equal_values_are_one_object_across_products_cold_and_warm(sandbox, tmp_path):
    """Repeated values (statuses, category, attributes, sales attributes, package) are shared
    across the snapshot: fewer objects for the planner to walk, equal to what was read."""
    bodies = [product_body(n) for n in range(3)]
    sandbox.store.seed_products(bodies)
    desired = desired_for(bodies)
    cold, _, _ = read(sandbox, desired, cache_dir=tmp_path / "cache")
    warm, _, stats = read(sandbox, desired, cache_dir=tmp_path / "cache")
    assert stats.cache_hits == 3 and warm == cold
    for snapshot in (cold, warm):
        first, *others = snapshot.products
        for other in others:
            assert other.platform_statuses is first.platform_statuses and other.status is first.status
            for name in ("category_id", "product_attributes", "package_weight", "listing_platforms"):
                assert getattr(other.spec, name) is getattr(first.spec, name), name
            for mine, theirs in zip(other.spec.skus, first.spec.skus, strict=True):
                assert mine.sales_attributes is theirs.sales_attributes and mine.price == theirs.price
        assert first.spec.skus[0].sales_attributes is not first.spec.skus[1].sales_attributes  # M, L: not equal
