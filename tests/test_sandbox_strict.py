"""The sandbox is as strict as the official spec (issue 20; engine/sandbox/RULES.md): stock ranges,
prices as strings, no silent no-op activations / deactivations, price updates only on products
live everywhere they are listed, and Check Product Listing answering every failure at once."""

from __future__ import annotations

import copy

import pytest
from rawclient import WAREHOUSE_JKT, WAREHOUSE_SBY, batik, png, sku, whole_skus

CREATE = ("POST", "/product/202309/products")
CHECK = ("POST", "/product/202309/products/listing_check")
BOTH = ["TIKTOK_SHOP", "TOKOPEDIA"]


@pytest.fixture
def shop(sandbox):
    client = sandbox.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def create(client, **extra) -> str:
    response = client.call(*CREATE, body=batik(client.uri, **extra))
    assert response.code == 0, response.json
    return response.data["product_id"]


def product(client, product_id: str) -> dict:
    return client.call("GET", f"/product/202309/products/{product_id}").data


def statuses(view: dict) -> dict:
    found = {"TIKTOK_SHOP": view["status"]} if "status" in view else {}
    found.update({p["platform"]: p["status"] for p in view.get("integrated_platform_statuses", [])})
    return found


def set_price(client, product_id: str, sku_id: str, amount) -> int:
    return client.call("POST", f"/product/202309/products/{product_id}/prices/update",
                       body={"skus": [{"id": sku_id, "price": {"amount": amount, "currency": "IDR"}}]}).code


# ----------------------------------------------------------------------------- stock 1–99,999
@pytest.mark.parametrize("quantity, code", [(0, 12052055), (-1, 12052055), (100_000, 12052055), (1, 0), (99_999, 0)])
def test_create_stock_is_1_to_99999(shop, quantity, code):
    body = batik(shop.uri)
    body["skus"][0]["inventory"][0]["quantity"] = quantity
    assert shop.call(*CREATE, body=body).code == code


def test_edit_and_partial_edit_stock_is_1_to_99999_update_inventory_takes_0(shop):
    product_id = create(shop)
    skus = product(shop, product_id)["skus"]
    body = batik(shop.uri)
    for item, live in zip(body["skus"], skus, strict=True):
        item["id"] = live["id"]
    body["skus"][0]["inventory"][0]["quantity"] = 0
    assert shop.call("PUT", f"/product/202309/products/{product_id}", body=body).code == 12052055
    assert shop.call("POST", f"/product/202509/products/{product_id}/partial_edit",
                     body={"skus": body["skus"]}).code == 12052055
    sold_out = shop.call("POST", f"/product/202309/products/{product_id}/inventory/update", body={"skus": [
        {"id": skus[0]["id"], "inventory": [{"warehouse_id": WAREHOUSE_JKT, "quantity": 0}]}]})
    assert sold_out.code == 0 and "errors" not in sold_out.data  # zero stops selling one SKU (RULES.md)
    assert product(shop, product_id)["skus"][0]["inventory"][0]["quantity"] == 0
    # an edit that leaves inventory out keeps the sold-out stock as it is
    for item in body["skus"]:
        del item["inventory"]
    assert shop.call("PUT", f"/product/202309/products/{product_id}", body=body).code == 0
    assert product(shop, product_id)["skus"][0]["inventory"][0]["quantity"] == 0


# ----------------------------------------------------------------------------- prices are strings
def test_price_given_as_a_json_number_is_refused(sandbox, shop):
    body = batik(shop.uri)
    body["skus"][0]["price"]["amount"] = 150000
    with sandbox.off_contract():  # a number where the spec says string
        assert shop.call(*CREATE, body=body).code == 12052073
        product_id = create(shop)
        sku_id = product(shop, product_id)["skus"][0]["id"]
        refused = shop.call("POST", f"/product/202309/products/{product_id}/prices/update",
                            body={"skus": [{"id": sku_id, "price": {"amount": 99000, "currency": "IDR"}}]})
    assert refused.code == 12052073 and "string" in refused.json["message"]
    assert set_price(shop, product_id, sku_id, "99000") == 0


# ----------------------------------------------------------------------------- no silent no-ops
def batch(client, action: str, ids: list[str], platforms: list[str]) -> list[dict]:
    response = client.call("POST", f"/product/202309/products/{action}",
                           body={"product_ids": ids, "listing_platforms": platforms})
    assert response.code == 0, response.json
    return response.data.get("errors", [])


def test_deactivating_a_deactivated_product_is_a_per_item_error(shop):
    product_id = create(shop, platforms=BOTH)
    assert batch(shop, "deactivate", [product_id], BOTH) == []
    again = batch(shop, "deactivate", [product_id], BOTH)
    assert sorted((e["code"], e["detail"]["listing_platform"]) for e in again) == [
        (12052003, "TIKTOK_SHOP"), (12052003, "TOKOPEDIA")]
    assert all(e["detail"]["product_id"] == product_id for e in again)


def test_activating_a_live_product_is_a_per_item_error(shop):
    product_id = create(shop)
    product(shop, product_id)
    [error] = batch(shop, "activate", [product_id], ["TIKTOK_SHOP"])
    assert error["code"] == 12052990 and error["detail"]["extra_errors"][0]["code"] == 12052003


@pytest.mark.sandbox(review_seconds=60)
def test_deactivating_a_product_under_first_review_is_a_per_item_error(sandbox, shop):
    product_id = create(shop)
    [error] = batch(shop, "deactivate", [product_id], ["TIKTOK_SHOP"])
    assert error["code"] == 12052003 and "PENDING" in error["message"]


# ----------------------------------------------------------------------------- price updates
def test_price_update_needs_the_product_live_on_every_platform_it_is_listed_on(shop):
    product_id = create(shop, platforms=BOTH)
    sku_id = product(shop, product_id)["skus"][0]["id"]
    assert batch(shop, "deactivate", [product_id], ["TOKOPEDIA"]) == []
    refused = shop.call("POST", f"/product/202309/products/{product_id}/prices/update",
                        body={"skus": [{"id": sku_id, "price": {"amount": "99000", "currency": "IDR"}}]})
    assert refused.code == 12019113 and "TOKOPEDIA SELLER_DEACTIVATED" in refused.json["message"]
    # a partial edit of the price is the documented way for a product that is not live everywhere
    skus = whole_skus(product(shop, product_id), "99000")
    assert shop.call("POST", f"/product/202509/products/{product_id}/partial_edit", body={"skus": skus}).code == 0
    assert product(shop, product_id)["skus"][0]["price"]["sale_price"] == "99000"
    assert batch(shop, "activate", [product_id], ["TOKOPEDIA"]) == []
    assert set_price(shop, product_id, sku_id, "98000") == 0  # live on both again


def test_price_update_refused_where_review_failed_on_one_platform(shop):
    product_id = create(shop, platforms=BOTH, description="<p>Batik tulis, garansi seumur hidup!</p>")
    view = product(shop, product_id)
    assert statuses(view) == {"TIKTOK_SHOP": "FAILED", "TOKOPEDIA": "ACTIVATE"}
    assert set_price(shop, product_id, view["skus"][0]["id"], "99000") == 12019113


@pytest.mark.sandbox(review_seconds=60)
def test_price_update_allowed_while_v1_stays_live_during_a_review(sandbox, shop):
    product_id = create(shop, platforms=BOTH)
    sku_id = product(shop, product_id)["skus"][0]["id"]
    assert set_price(shop, product_id, sku_id, "99000") == 12019113  # first review: nothing live yet
    sandbox.clock.advance(61)
    assert statuses(product(shop, product_id)) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "ACTIVATE"}
    edited = shop.call("POST", f"/product/202509/products/{product_id}/partial_edit",
                       body={"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"})
    assert edited.data["audit"] == {"status": "AUDITING"}
    assert statuses(product(shop, product_id)) == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}
    assert set_price(shop, product_id, sku_id, "99000") == 0  # v1 is live on both


# ----------------------------------------------------------------------------- every failure at once
def test_listing_check_returns_every_failure(shop):
    body = batik(shop.uri, title="Kemeja", product_attributes=[], minimum_order_quantity=25,
                 package_weight={"value": "0", "unit": "KILOGRAM"}, listing_platforms=BOTH, brand_id="700006",
                 category_id="600030")
    body["skus"][0]["inventory"][0]["quantity"] = 0
    body["skus"][1]["price"] = {"amount": "155000", "currency": "USD"}
    body["skus"][1]["inventory"] = [{"warehouse_id": WAREHOUSE_SBY, "quantity": 5},
                                    {"warehouse_id": "7400000000000000999", "quantity": 1}]
    del body["category_version"]
    check = shop.call(*CHECK, body=body)
    assert check.code == 0 and check.data["check_result"] == "FAILED"
    codes = [r["code"] for r in check.data["fail_reasons"]]
    assert codes == [12052051, 12052181, 12052910, 12052104, 12052706, 12052055, 12052073, 12052097,
                     12052201, 12052223]
    messages = " | ".join(r["message"] for r in check.data["fail_reasons"])
    assert "skus[0]" in messages and "skus[1]" in messages and "Mesin" in messages
    assert "TIKTOK_SHOP: brand Apple" in messages and "TOKOPEDIA: category 600030" in messages
    assert [(e["code"], e["detail"]["listing_platform"]) for e in check.data["errors"]] == [
        (12052201, "TIKTOK_SHOP"), (12052223, "TOKOPEDIA")]
    # the same body on Create answers the first failure, and creates nothing
    body["category_version"] = "v2"
    assert shop.call(*CREATE, body=body).code == 12052051


def test_listing_check_sku_set_rules_only_when_every_sku_passed(shop):
    body = batik(shop.uri)
    body["skus"].append(copy.deepcopy(body["skus"][0]))  # BATIK-M twice, same size twice
    check = shop.call(*CHECK, body={k: v for k, v in body.items() if k != "category_version"}).data
    assert [r["code"] for r in check["fail_reasons"]] == [12019059, 12052560]
    body["skus"][2] = sku("BATIK-X", "M", price="1.234")  # a SKU that fails: its size is not compared
    check = shop.call(*CHECK, body={k: v for k, v in body.items() if k != "category_version"}).data
    assert [r["code"] for r in check["fail_reasons"]] == [12052073]


def test_listing_check_passes_a_valid_product(shop):
    check = shop.call(*CHECK, body={k: v for k, v in batik(shop.uri).items() if k != "category_version"})
    assert check.data == {"check_result": "PASS", "fail_reasons": []}
