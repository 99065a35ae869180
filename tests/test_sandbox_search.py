"""Search Products (API.md §7.1): page size, opaque keyset tokens under concurrent writes, filters,
field sets per version."""

from __future__ import annotations

import threading
import time

import pytest
from rawclient import RawClient, batik, png, sku

RATE_LIMITED = 36009002  # the gateway's 'Too many requests'

SEARCH = "/product/{version}/products/search"


def bodies(count: int, prefix: str = "P") -> list[dict]:
    return [batik("tos-alisg-i-seeded-sandbox/0", prefix=f"{prefix}{i:05d}") for i in range(count)]


def search(client, version: str = "202502", page_size: int = 100, token: str | None = None, **body):
    query = {"page_size": str(page_size)}
    if token:
        query["page_token"] = token
    response = client.call("POST", SEARCH.format(version=version), query=query, body=body)
    assert response.code == 0, response.json
    return response.data


def all_pages(client, page_size: int, between=None, **body) -> list[str]:
    ids, token = [], None
    while True:
        page = search(client, page_size=page_size, token=token, **body)
        ids.extend(p["id"] for p in page["products"])
        token = page["next_page_token"]
        if not token:
            return ids
        if between:
            between()


@pytest.mark.parametrize("size", ["0", "101", "abc"])
def test_page_size_is_1_to_100(sandbox, size):
    with sandbox.off_contract():
        response = sandbox.client().call("POST", SEARCH.format(version="202502"), query={"page_size": size}, body={})
    assert response.code == 36009004


def test_missing_page_size_and_bad_token(sandbox):
    client = sandbox.client()
    with sandbox.off_contract():
        assert client.call("POST", SEARCH.format(version="202502"), body={}).code == 36009004
    bad = client.call("POST", SEARCH.format(version="202502"), query={"page_size": "5", "page_token": "garbage"},
                      body={})
    assert bad.code == 36009004


def test_pages_cover_everything_once_newest_first(sandbox):
    ids = sandbox.store.seed_products(bodies(25), status="ACTIVATE")
    client = sandbox.client()
    first = search(client, page_size=10)
    assert first["total_count"] == 25 and len(first["products"]) == 10 and first["next_page_token"]
    assert all_pages(client, 10) == sorted(ids, reverse=True)


def test_pagination_stays_correct_while_products_are_written(sandbox):
    store = sandbox.store
    ids = store.seed_products(bodies(30), status="ACTIVATE")
    client = sandbox.client()
    created: list[str] = []
    deleted = ids[20:22]

    def write_between_pages() -> None:
        created.extend(store.seed_products(bodies(3, prefix=f"N{len(created)}"), status="ACTIVATE"))
        store.outside_edit(ids[0], title="Kemeja Batik Pria Diedit Di Antara Halaman")
        for product_id in deleted:
            store.set_status(product_id, "TIKTOK_SHOP", "DELETED")

    seen = all_pages(client, 7, between=write_between_pages)
    assert len(seen) == len(set(seen))
    assert set(ids) <= set(seen)  # nothing that existed at the start was skipped
    assert not set(created) & set(seen)  # products created meanwhile sort before the cursor


def test_pagination_under_concurrent_http_writes(sandbox_http):
    sandbox_http.store.seed_products(bodies(120), status="ACTIVATE")
    before = {p["id"] for p in sandbox_http.store.products()}
    stop = threading.Event()
    errors: list[str] = []

    def writer(index: int) -> None:
        client = RawClient(sandbox_http.base_url)
        uri = client.upload(png(800, 800)).data["uri"]
        n = 0
        while not stop.is_set():
            response = client.call("POST", "/product/202309/products",
                                   body=batik(uri, prefix=f"W{index}-{n}"))
            if response.code == RATE_LIMITED:  # two writers can outrun the per-API limit: back off, as a client does
                time.sleep(0.05)
                continue
            if response.code != 0:
                errors.append(str(response.json))
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        seen = all_pages(RawClient(sandbox_http.base_url), 9, status="ACTIVATE")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(seen) == len(set(seen)) and before <= set(seen)
    assert sandbox_http.store.counts()["products"] > 120


def test_filters(sandbox):
    store, client = sandbox.store, sandbox.client()
    both = store.seed_products([batik("u", prefix="BOTH")], status="ACTIVATE", platforms=["TIKTOK_SHOP", "TOKOPEDIA"])
    toko = store.seed_products([batik("u", prefix="TOKO")], status="ACTIVATE", platforms=["TOKOPEDIA"])
    tts = store.seed_products([batik("u", prefix="TTS")], status="SELLER_DEACTIVATED")
    sandbox.clock.advance(100)
    later = store.seed_products([batik("u", prefix="LATE")], status="ACTIVATE")
    late_time = store.product(later[0])["create_time"]

    def ids(**body):
        return sorted(p["id"] for p in search(client, **body)["products"])

    assert ids() == sorted(both + toko + tts + later)
    assert ids(status="ACTIVATE") == sorted(both + toko + later)
    assert ids(status="ACTIVATE", listing_platforms=["TOKOPEDIA"]) == sorted(both + toko)
    assert ids(status="ACTIVATE", listing_platforms=["TIKTOK_SHOP", "TOKOPEDIA"]) == both
    assert ids(status="SELLER_DEACTIVATED") == tts
    assert ids(seller_skus=["TOKO-M", "TTS-L", "NOPE"]) == sorted(toko + tts)
    assert ids(create_time_ge=late_time) == later
    assert ids(update_time_le=late_time - 1) == sorted(both + toko + tts)
    sku_id = store.product(toko[0])["content"]["skus"][0]["id"]
    assert ids(sku_ids=[sku_id]) == toko
    with sandbox.off_contract():
        needs_status = client.call("POST", SEARCH.format(version="202502"), query={"page_size": "5"},
                                   body={"listing_platforms": ["TOKOPEDIA"]})
        old_version = client.call("POST", SEARCH.format(version="202309"), query={"page_size": "5"},
                                  body={"listing_platforms": ["TOKOPEDIA"], "status": "ACTIVATE"})
    assert needs_status.code == 36009004 and old_version.code == 36009004


def test_fields_per_version(sandbox):
    sandbox.store.seed_products([batik("u", platforms=["TIKTOK_SHOP", "TOKOPEDIA"])], status="ACTIVATE")
    client = sandbox.client()
    old = search(client, version="202309")["products"][0]
    mid = search(client, version="202312")["products"][0]
    new = search(client, version="202502")["products"][0]
    assert set(old) == {"id", "title", "status", "create_time", "update_time", "sales_regions", "skus"}
    assert set(mid) - set(old) == {"audit", "integrated_platform_statuses", "is_not_for_sale"}
    assert set(new) - set(mid) == {"has_draft"}
    assert set(new["skus"][0]) == {"id", "seller_sku", "price", "inventory", "status_info"}
    for product in (old, mid, new):
        assert not {"description", "main_images", "product_attributes", "external_product_id"} & set(product)
    assert new["skus"][0]["price"] == {"currency": "IDR", "sale_price": "150000", "tax_exclusive_price": "150000"}


def test_search_resolves_due_reviews(sandbox):
    client = sandbox.client()
    uri = client.upload(png(800, 800)).data["uri"]
    product_id = client.call("POST", "/product/202309/products", body=batik(uri)).data["product_id"]
    assert sandbox.store.product(product_id, resolve=False)["platforms"]["TIKTOK_SHOP"] == "PENDING"
    assert search(client, status="ACTIVATE")["products"][0]["id"] == product_id


def test_seller_sku_search_sees_one_product_per_match(sandbox):
    store, client = sandbox.store, sandbox.client()
    body = batik("u", prefix="DUP")
    body["skus"].append(sku("SHARED", "XL"))
    other = batik("u", prefix="OTHER")
    other["skus"].append(sku("SHARED", "XL"))
    ids = store.seed_products([body, other], status="ACTIVATE")
    found = search(client, seller_skus=["SHARED"])
    assert found["total_count"] == 2 and sorted(p["id"] for p in found["products"]) == sorted(ids)
