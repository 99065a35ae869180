"""Lifecycle (API.md §6): review, per-platform statuses, edit-while-live versions, price and stock
without review, activate / deactivate / delete / recover, FREEZE, update_time."""

from __future__ import annotations

import pytest
from rawclient import WAREHOUSE_JKT, WAREHOUSE_SBY, batik, png, sku

BOTH = ["TIKTOK_SHOP", "TOKOPEDIA"]


@pytest.fixture
def shop(sandbox_any):
    client = sandbox_any.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def create(client, **extra) -> str:
    response = client.call("POST", "/product/202309/products", body=batik(client.uri, **extra))
    assert response.code == 0, response.json
    return response.data["product_id"]


def get(client, product_id: str, **query) -> dict:
    response = client.call("GET", f"/product/202309/products/{product_id}",
                           query={k: str(v).lower() for k, v in query.items()})
    assert response.code == 0, response.json
    return response.data


def platforms(product: dict) -> dict:
    found = {"TIKTOK_SHOP": product["status"]} if "status" in product else {}
    found.update({p["platform"]: p["status"] for p in product.get("integrated_platform_statuses", [])})
    return found


def partial(client, product_id: str, body: dict):
    return client.call("POST", f"/product/202309/products/{product_id}/partial_edit", body=body)


def batch(client, action: str, ids: list[str], platforms_: list[str] | None = None):
    body: dict = {"product_ids": ids}
    if platforms_ is not None:
        body["listing_platforms"] = platforms_
    method = "DELETE" if action == "delete" else "POST"
    path = "/product/202309/products" if action == "delete" else f"/product/202309/products/{action}"
    response = client.call(method, path, body=body)
    assert response.code == 0, response.json
    return response.data.get("errors", [])


@pytest.mark.sandbox(review_seconds=60)
def test_create_is_reviewed_then_live(sandbox_any, shop):
    product_id = create(shop, platforms=BOTH)
    pending = get(shop, product_id)
    assert platforms(pending) == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}
    assert pending["audit"] == {"status": "AUDITING"} and pending["product_status"] == "INITIAL"
    sandbox_any.clock.advance(61)
    live = get(shop, product_id)
    assert platforms(live) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}
    assert live["audit"] == {"status": "APPROVED"} and live["product_status"] == "ACTIVATE"
    assert live["update_time"] > pending["update_time"]


def test_review_zero_seconds_is_decided_by_the_next_request(sandbox_any, shop):
    product_id = create(shop)
    assert sandbox_any.store.product(product_id, resolve=False)["platforms"] == {"TIKTOK_SHOP": "PENDING"}
    assert get(shop, product_id)["status"] == "ACTIVATE"
    second = create(shop, prefix="TWO")
    assert sandbox_any.store.product(second)["platforms"] == {"TIKTOK_SHOP": "ACTIVATE"}  # a read decides too


def test_banned_word_fails_review_on_one_platform(shop):
    product_id = create(shop, platforms=BOTH, description="<p>Batik tulis, garansi seumur hidup!</p>")
    product = get(shop, product_id)
    assert platforms(product) == {"TIKTOK_SHOP": "FAILED", "TOKOPEDIA": "ACTIVATE"}
    assert product["audit"]["status"] == "FAILED"
    assert product["audit_failed_reasons"] == [{
        "listing_platform": "TIKTOK_SHOP", "position": "description",
        "reasons": ["Misleading claim: lifetime warranty cannot be verified."],
        "suggestions": ["Describe the warranty period the buyer actually gets."]}]


@pytest.mark.sandbox(review_seconds=30)
def test_edit_while_live_keeps_v1_until_v2_passes(sandbox_any, shop):
    product_id = create(shop, platforms=BOTH)
    sandbox_any.clock.advance(31)
    v1 = get(shop, product_id)
    edited = partial(shop, product_id, {"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"})
    assert edited.code == 0 and edited.data["audit"] == {"status": "AUDITING"}
    during = get(shop, product_id)
    assert during["title"] == v1["title"]
    assert platforms(during) == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}
    assert during["product_status"] == "ACTIVATE"  # v1 is still live
    assert get(shop, product_id, return_under_review_version=True)["title"].endswith("Kawung")
    sandbox_any.clock.advance(31)
    after = get(shop, product_id)
    assert after["title"].endswith("Kawung")
    assert platforms(after) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}


def test_v2_failing_everywhere_keeps_v1(shop):
    product_id = create(shop, platforms=BOTH)
    v1 = get(shop, product_id)
    assert partial(shop, product_id, {"title": "Kemeja Batik Replika Merek Terkenal Lengan Panjang"}).code == 0
    after = get(shop, product_id)
    assert after["title"] == v1["title"]
    assert platforms(after) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}
    assert after["audit"]["status"] == "FAILED"
    assert sorted(r["listing_platform"] for r in after["audit_failed_reasons"]) == BOTH
    assert {r["position"] for r in after["audit_failed_reasons"]} == {"title"}


def test_v2_mixed_result_hides_the_failing_platform(shop):
    product_id = create(shop, platforms=BOTH)
    get(shop, product_id)
    new_description = "<p>Batik tulis. Cod gratis ongkir se-Indonesia.</p>"  # banned on TOKOPEDIA only
    assert partial(shop, product_id, {"description": new_description}).code == 0
    after = get(shop, product_id)
    assert after["description"] == new_description
    assert platforms(after) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "PLATFORM_DEACTIVATED"}
    assert [r["listing_platform"] for r in after["audit_failed_reasons"]] == ["TOKOPEDIA"]


@pytest.mark.sandbox(review_seconds=600)
def test_price_and_stock_apply_at_once_without_review(sandbox_any, shop):
    product_id = create(shop)
    sandbox_any.clock.advance(601)
    before = get(shop, product_id)
    sku_id = before["skus"][0]["id"]
    price = shop.call("POST", f"/product/202309/products/{product_id}/prices/update",
                      body={"skus": [{"id": sku_id, "price": {"amount": "135000", "currency": "IDR"}}]})
    assert price.code == 0 and price.data == {}
    stock = shop.call("POST", f"/product/202309/products/{product_id}/inventory/update",
                      body={"skus": [{"id": sku_id, "inventory": [{"warehouse_id": WAREHOUSE_JKT, "quantity": 0}]}]})
    assert stock.code == 0 and stock.data == {}
    after = get(shop, product_id)
    assert after["status"] == "ACTIVATE" and after["audit"]["status"] == "APPROVED"
    assert after["skus"][0]["price"]["sale_price"] == "135000" and after["skus"][0]["inventory"][0]["quantity"] == 0
    assert after["update_time"] > before["update_time"]
    # an edit that changes only price / stock is not reviewed either
    body = batik(shop.uri)
    body["skus"][0]["id"], body["skus"][1]["id"] = sku_id, before["skus"][1]["id"]
    body["skus"][0]["price"]["amount"] = "120000"
    edited = shop.call("PUT", f"/product/202309/products/{product_id}", body=body)
    assert edited.data["audit"] == {"status": "APPROVED"}
    assert get(shop, product_id)["status"] == "ACTIVATE"
    assert sandbox_any.store.calls()["POST /product/202309/products/{product_id}/prices/update"] == 1


def test_price_update_rules(shop):
    product_id = create(shop)
    sku_id = get(shop, product_id)["skus"][0]["id"]
    path = f"/product/202309/products/{product_id}/prices/update"
    assert shop.call("POST", path, body={"skus": [{"id": "1", "price": {"amount": "1", "currency": "IDR"}}]}).code \
        == 12019022
    assert shop.call("POST", path, body={"skus": [{"id": sku_id, "price": {"amount": "1", "currency": "USD"}}]}).code \
        == 12052073
    assert batch(shop, "deactivate", [product_id]) == []
    assert shop.call("POST", path, body={"skus": [{"id": sku_id, "price": {"amount": "1", "currency": "IDR"}}]}).code \
        == 12019113


def test_inventory_update_reports_per_sku(shop):
    body = batik(shop.uri)
    body["skus"][1]["inventory"] = [{"warehouse_id": WAREHOUSE_JKT, "quantity": 1},
                                    {"warehouse_id": WAREHOUSE_SBY, "quantity": 2}]
    product_id = create(shop, skus=body["skus"])
    first, second = (s["id"] for s in get(shop, product_id)["skus"])
    response = shop.call("POST", f"/product/202309/products/{product_id}/inventory/update", body={"skus": [
        {"id": first, "inventory": [{"quantity": 7}]},  # one warehouse: warehouse_id may be omitted
        {"id": second, "inventory": [{"warehouse_id": WAREHOUSE_JKT, "quantity": 3}]},  # SBY missing
        {"id": "1729000000000000000", "inventory": [{"quantity": 1}]},
    ]})
    assert response.code == 0
    errors = {e["detail"]["sku_id"]: e["code"] for e in response.data["errors"]}
    assert errors == {second: 12052486, "1729000000000000000": 12019022}
    assert get(shop, product_id)["skus"][0]["inventory"] == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 7}]


def test_deactivate_and_activate_per_platform(shop):
    product_id = create(shop, platforms=BOTH)
    get(shop, product_id)
    assert batch(shop, "deactivate", [product_id], ["TOKOPEDIA"]) == []
    assert platforms(get(shop, product_id)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "SELLER_DEACTIVATED"}
    again = batch(shop, "deactivate", [product_id], ["TOKOPEDIA"])  # already deactivated: a per-item error
    assert [(e["code"], e["detail"]) for e in again] == [
        (12052003, {"product_id": product_id, "listing_platform": "TOKOPEDIA"})]
    assert batch(shop, "activate", [product_id], ["TOKOPEDIA"]) == []
    assert platforms(get(shop, product_id)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}
    errors = batch(shop, "activate", [product_id, "1729000000000000000"])
    assert [(e["code"], e["detail"]["product_id"]) for e in errors] == [
        (12052990, product_id), (12052032, "1729000000000000000")]
    assert errors[0]["detail"]["extra_errors"][0]["code"] == 12052003
    too_many = shop.call("POST", "/product/202309/products/deactivate",
                         body={"product_ids": [str(1729000000000000000 + i) for i in range(21)]})
    assert too_many.code == 12019120


def test_activate_on_a_new_platform_follows_category_permission(shop):
    watch = dict(category_id="600030", title="Jam Tangan Pria Otomatis Seiko Presage Cocktail",
                 package_dimensions={"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
                 product_attributes=[{"id": "100300", "values": [{"id": "1003001"}]}])
    product_id = create(shop, **watch)
    errors = batch(shop, "activate", [product_id], ["TOKOPEDIA"])
    assert errors[0]["detail"]["extra_errors"][0]["code"] == 12052223
    shirt = create(shop, prefix="SHIRT")
    assert batch(shop, "activate", [shirt], ["TOKOPEDIA"]) == []
    assert platforms(get(shop, shirt)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}


def test_edit_listing_platforms_hides_and_adds(shop):
    product_id = create(shop, platforms=BOTH)
    get(shop, product_id)
    assert partial(shop, product_id, {"listing_platforms": ["TIKTOK_SHOP"]}).code == 0
    assert platforms(get(shop, product_id)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "SELLER_DEACTIVATED"}
    # omitted listing_platforms keeps the platforms where it is shown
    assert partial(shop, product_id, {"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"}).code == 0
    assert platforms(get(shop, product_id)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "SELLER_DEACTIVATED"}
    assert partial(shop, product_id, {"listing_platforms": BOTH}).code == 0
    assert platforms(shop.call("GET", f"/product/202309/products/{product_id}").data)["TOKOPEDIA"] == "ACTIVATE"


def test_delete_and_recover(shop):
    product_id = create(shop, platforms=BOTH)
    assert batch(shop, "delete", [product_id]) == []
    assert shop.call("GET", f"/product/202309/products/{product_id}").code == 12052032
    found = shop.call("POST", "/product/202502/products/search", query={"page_size": "10"},
                      body={"status": "DELETED"}).data["products"]
    assert [(p["id"], p["status"]) for p in found] == [(product_id, "DELETED")]
    assert batch(shop, "delete", [product_id]) == []  # deleting again is a no-op
    assert batch(shop, "recover", [product_id]) == []
    assert platforms(get(shop, product_id)) == {"TIKTOK_SHOP": "SELLER_DEACTIVATED",
                                                "TOKOPEDIA": "SELLER_DEACTIVATED"}
    assert batch(shop, "recover", [product_id])[0]["code"] == 12052003


def test_frozen_products_refuse_writes_and_get(sandbox_any, shop):
    product_id = create(shop, platforms=BOTH)
    sku_id = get(shop, product_id)["skus"][0]["id"]
    sandbox_any.store.set_status(product_id, "TOKOPEDIA", "FREEZE")
    assert shop.call("GET", f"/product/202309/products/{product_id}").code == 12019113
    assert partial(shop, product_id, {"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"}).code == 12019113
    assert shop.call("POST", f"/product/202309/products/{product_id}/prices/update", body={"skus": [
        {"id": sku_id, "price": {"amount": "1000", "currency": "IDR"}}]}).code == 12019113
    assert shop.call("POST", f"/product/202309/products/{product_id}/inventory/update", body={"skus": [
        {"id": sku_id, "inventory": [{"quantity": 1}]}]}).code == 12019113
    assert batch(shop, "delete", [product_id])[0]["code"] == 12052003
    found = shop.call("POST", "/product/202502/products/search", query={"page_size": "10"},
                      body={"status": "FREEZE", "listing_platforms": ["TOKOPEDIA"]}).data
    assert found["total_count"] == 1 and found["products"][0]["integrated_platform_statuses"][0]["status"] == "FREEZE"


def test_update_time_strictly_increases_within_a_second(sandbox_any, shop):
    product_id = create(shop)
    sku_id = get(shop, product_id)["skus"][0]["id"]
    sandbox_any.clock.freeze()
    times = []
    for quantity in range(5):
        shop.call("POST", f"/product/202309/products/{product_id}/inventory/update",
                  body={"skus": [{"id": sku_id, "inventory": [{"quantity": quantity}]}]})
        times.append(get(shop, product_id)["update_time"])
    assert times == sorted(set(times)) and len(times) == 5


def test_full_edit_replaces_everything_but_price_and_stock(shop):
    product_id = create(shop, brand_id="700001", platforms=BOTH, shipping_insurance_requirement="OPTIONAL")
    live = get(shop, product_id)
    keep = live["skus"][0]
    body = batik(shop.uri, platforms=BOTH)
    body["skus"] = [{"id": keep["id"], "seller_sku": "BATIK-M", "sales_attributes": [{"id": "100900", "value_id":
                                                                                      "1009002"}]},
                    sku("BATIK-XL", "XL", price="160000")]
    edited = shop.call("PUT", f"/product/202309/products/{product_id}", body=body)
    assert edited.code == 0, edited.json
    after = get(shop, product_id)
    assert "brand" not in after and "shipping_insurance_requirement" not in after  # omitted = cleared
    assert [s["seller_sku"] for s in after["skus"]] == ["BATIK-M", "BATIK-XL"]  # BATIK-L deleted
    assert after["skus"][0]["id"] == keep["id"] and after["skus"][0]["price"] == keep["price"]
    assert len(after["skus"][1]["id"]) == 19
    moved = dict(body)
    moved["skus"] = [dict(body["skus"][0], inventory=[{"warehouse_id": WAREHOUSE_SBY, "quantity": 1}])]
    assert shop.call("PUT", f"/product/202309/products/{product_id}", body=moved).code == 12052533


def test_partial_edit_replaces_top_level_properties_only(shop):
    product_id = create(shop, brand_id="700001")
    live = get(shop, product_id)
    edited = partial(shop, product_id, {"skus": [{"id": live["skus"][1]["id"], "seller_sku": "BATIK-L",
                                                  "sales_attributes": [{"name": "Ukuran", "value_name": "L"}]}]})
    assert edited.code == 0 and [s["seller_sku"] for s in edited.data["skus"]] == ["BATIK-L"]
    after = get(shop, product_id)
    assert after["brand"]["id"] == "700001" and after["title"] == live["title"]
    assert [s["seller_sku"] for s in after["skus"]] == ["BATIK-L"]
    assert after["skus"][0]["price"] == live["skus"][1]["price"]


def test_outside_edit_moves_update_time(sandbox_any, shop):
    product_id = create(shop)
    before = get(shop, product_id)
    sandbox_any.store.outside_edit(product_id, title="Kemeja Batik Pria Diubah Dari Seller Center",
                               prices={"BATIK-M": "99000"}, external_product_id="ce1:x")
    after = get(shop, product_id)
    assert after["update_time"] > before["update_time"] and after["title"].endswith("Seller Center")
    assert after["skus"][0]["price"]["sale_price"] == "99000" and after["external_product_id"] == "ce1:x"


def test_draft_then_listing(shop):
    product_id = create(shop, save_mode="AS_DRAFT")
    assert get(shop, product_id)["status"] == "DRAFT"
    assert partial(shop, product_id, {"save_mode": "LISTING"}).code == 0
    assert get(shop, product_id)["status"] == "ACTIVATE"


def test_hiding_tokopedia_keeps_its_stored_insurance_value(shop):
    product_id = create(shop, platforms=BOTH, shipping_insurance_requirement="REQUIRED")
    assert partial(shop, product_id, {"listing_platforms": ["TIKTOK_SHOP"]}).code == 0
    product = get(shop, product_id)
    assert platforms(product)["TOKOPEDIA"] == "SELLER_DEACTIVATED"
    assert product["shipping_insurance_requirement"] == "REQUIRED"
