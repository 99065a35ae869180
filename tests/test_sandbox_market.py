"""What the shop does outside the Open API (issue 16): promotions lock prices (12052038), buyers'
orders take stock (update_time stays), backorders, and a product deleted in Seller Center."""

from __future__ import annotations

import pytest
from clirun import run_clean
from rawclient import WAREHOUSE_JKT, WAREHOUSE_SBY, batik, png, sku, whole_skus

from engine.sandbox.store import SandboxStore

BOTH = ["TIKTOK_SHOP", "TOKOPEDIA"]


@pytest.fixture
def shop(sandbox):
    client = sandbox.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def create(client, **extra) -> tuple[str, dict]:
    response = client.call("POST", "/product/202309/products", body=batik(client.uri, **extra))
    assert response.code == 0, response.json
    product_id = response.data["product_id"]
    return product_id, get(client, product_id)


def get(client, product_id: str) -> dict:
    return client.call("GET", f"/product/202309/products/{product_id}").data


def price_update(client, product_id: str, *sku_ids: str, amount: str = "99000"):
    return client.call("POST", f"/product/202309/products/{product_id}/prices/update",
                       body={"skus": [{"id": s, "price": {"amount": amount, "currency": "IDR"}} for s in sku_ids]})


# ----------------------------------------------------------------------------- promotions
def test_update_price_is_refused_while_a_promotion_runs_then_accepted(sandbox, shop):
    product_id, live = create(shop)
    first, second = (s["id"] for s in live["skus"])
    assert sandbox.store.start_promotion(product_id, ["BATIK-M"], name="Harbolnas 12.12") == [first]
    assert sandbox.store.promoted(product_id) == {first: "Harbolnas 12.12"}
    refused = price_update(shop, product_id, first, second)
    assert refused.code == 12052038 and "cannot be modified during the promotion" in refused.json["message"]
    assert "Harbolnas 12.12" in refused.json["message"] and first in refused.json["message"]
    assert get(shop, product_id)["skus"][0]["price"]["sale_price"] == "150000"  # all or nothing
    assert price_update(shop, product_id, second).code == 0  # a SKU outside the promotion
    assert sandbox.store.end_promotion(product_id) == 1
    assert price_update(shop, product_id, first).code == 0
    assert get(shop, product_id)["skus"][0]["price"]["sale_price"] == "99000"


def test_edits_that_change_a_promoted_price_are_refused(sandbox, shop):
    product_id, live = create(shop)
    sandbox.store.start_promotion(product_id)
    skus = whole_skus(live)
    path = f"/product/202509/products/{product_id}/partial_edit"
    assert shop.call("POST", path, body={"skus": skus}).code == 0  # the same prices: nothing changes
    skus[1]["price"]["amount"] = "145000"
    assert shop.call("POST", path, body={"skus": skus}).code == 12052038
    body = batik(shop.uri)
    for item, existing in zip(body["skus"], live["skus"], strict=True):
        item["id"] = existing["id"]
    body["skus"][0]["price"]["amount"] = "140000"
    assert shop.call("PUT", f"/product/202509/products/{product_id}", body=body).code == 12052038
    del body["skus"][0]["price"], body["skus"][1]["price"]  # price left out: unchanged, allowed
    assert shop.call("PUT", f"/product/202509/products/{product_id}", body=body).code == 0


def test_a_timed_promotion_ends_by_itself(sandbox, shop):
    product_id, live = create(shop)
    sandbox.store.start_promotion(product_id, seconds=3600)
    assert price_update(shop, product_id, live["skus"][0]["id"]).code == 12052038
    sandbox.clock.advance(3601)
    assert sandbox.store.promoted(product_id) == {}
    assert price_update(shop, product_id, live["skus"][0]["id"]).code == 0


def test_a_promotion_does_not_move_update_time_and_refuses_unknown_skus(sandbox, shop):
    product_id, live = create(shop)
    sandbox.store.start_promotion(product_id)
    assert get(shop, product_id)["update_time"] == live["update_time"]
    with pytest.raises(ValueError, match="no seller SKU NOPE"):
        sandbox.store.start_promotion(product_id, ["NOPE"])
    with pytest.raises(KeyError):
        sandbox.store.end_promotion("1")


# ----------------------------------------------------------------------------- orders
def test_orders_take_stock_without_moving_update_time(sandbox, shop):
    two_warehouses = sku("BATIK-L", "L", stock=2, warehouse=WAREHOUSE_JKT)
    two_warehouses["inventory"].append({"warehouse_id": WAREHOUSE_SBY, "quantity": 4})
    product_id, live = create(shop, skus=[sku("BATIK-M", "M", stock=3), two_warehouses])
    assert sandbox.store.sell("BATIK-M") == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 2}]
    assert sandbox.store.sell("BATIK-L", 3) == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 0},
                                                {"warehouse_id": WAREHOUSE_SBY, "quantity": 3}]
    assert sandbox.store.sell("BATIK-L", 1, WAREHOUSE_SBY)[1] == {"warehouse_id": WAREHOUSE_SBY, "quantity": 2}
    after = get(shop, product_id)
    assert [[i["quantity"] for i in s["inventory"]] for s in after["skus"]] == [[2], [0, 2]]
    assert after["update_time"] == live["update_time"]  # orders are not product edits (RULES.md)
    page = shop.call("POST", "/product/202502/products/search", body={}, query={"page_size": "5"}).data
    assert page["products"][0]["update_time"] == live["update_time"]
    assert [i["quantity"] for i in page["products"][0]["skus"][1]["inventory"]] == [0, 2]
    with pytest.raises(ValueError, match="only 2 in stock"):
        sandbox.store.sell("BATIK-M", 3)
    with pytest.raises(ValueError, match="no live product"):
        sandbox.store.sell("NOPE")


def test_orders_need_a_live_product(sandbox, shop):
    product_id, _ = create(shop)
    shop.call("POST", "/product/202309/products/deactivate", body={"product_ids": [product_id]})
    with pytest.raises(ValueError, match="no live product sells seller SKU 'BATIK-M'"):
        sandbox.store.sell("BATIK-M")


def test_a_sold_out_warehouse_turns_its_backorder_into_stock(sandbox, shop):
    backordered = sku("BATIK-M", "M", stock=1)
    backordered["inventory"][0].update(backorder_quantity=5, handling_time=3)
    product_id, live = create(shop, skus=[backordered])
    assert live["skus"][0]["inventory"] == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 1,
                                             "backorder_quantity": 5, "handling_time": 3}]
    assert sandbox.store.sell("BATIK-M", 3) == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 3,
                                                 "backorder_quantity": 0, "handling_time": 3}]
    with pytest.raises(ValueError, match="only 3 in stock"):
        sandbox.store.sell("BATIK-M", 4)


def test_order_and_promote_commands(monkeypatch, capsys, sandbox, shop):
    product_id, _ = create(shop)
    db = sandbox.db_path
    code, out = run_clean(monkeypatch, capsys, "sandbox", "order", "--db", db, "BATIK-M", "--quantity", "4")
    assert code == 0 and out == "Ordered 4 × BATIK-M; stock now Gudang Jakarta: 6\n"
    code, out = run_clean(monkeypatch, capsys, "sandbox", "order", "--db", db, "BATIK-M", "--quantity", "7")
    assert code == 1 and "Error: only 6 in stock" in out
    code, out = run_clean(monkeypatch, capsys, "sandbox", "promote", "--db", db, product_id, "--sku", "BATIK-L")
    assert code == 0 and f"runs on product {product_id} until `catalog sandbox promote --end`" in out
    with SandboxStore(db) as store:
        assert list(store.promoted(product_id).values()) == ["Flash Sale"]
    code, out = run_clean(monkeypatch, capsys, "sandbox", "promote", "--db", db, product_id, "--end")
    assert code == 0 and "1 SKU price(s) unlocked" in out
    code, out = run_clean(monkeypatch, capsys, "sandbox", "promote", "--db", db, "42")
    assert code == 1 and "Error: product 42 does not exist" in out


# ----------------------------------------------------------------------------- Seller Center delete
def test_a_product_deleted_in_seller_center(sandbox, shop):
    product_id, live = create(shop, listing_platforms=BOTH)
    sandbox.store.outside_delete(product_id)
    missing = shop.call("GET", f"/product/202309/products/{product_id}")
    assert missing.code == 12052032
    page = shop.call("POST", "/product/202502/products/search", body={}, query={"page_size": "5"}).data
    [found] = page["products"]
    assert found["status"] == "DELETED" and found["integrated_platform_statuses"] == [
        {"platform": "TOKOPEDIA", "status": "DELETED"}]
    assert found["update_time"] > live["update_time"]
    deleted = shop.call("POST", "/product/202502/products/search", body={"status": "DELETED"},
                        query={"page_size": "5"}).data
    assert [p["id"] for p in deleted["products"]] == [product_id]
    live_only = shop.call("POST", "/product/202502/products/search", body={"status": "ACTIVATE"},
                          query={"page_size": "5"}).data
    assert live_only["products"] == []
    assert shop.call("POST", "/product/202309/products/recover", body={"product_ids": [product_id]}).code == 0


def test_set_status_deleted_deletes_the_product_everywhere(sandbox, shop):
    product_id, _ = create(shop, listing_platforms=BOTH)
    sandbox.store.set_status(product_id, "TOKOPEDIA", "DELETED")
    assert sandbox.store.product(product_id)["platforms"] == {"TIKTOK_SHOP": "DELETED", "TOKOPEDIA": "DELETED"}
    assert shop.call("GET", f"/product/202309/products/{product_id}").code == 12052032


def test_update_inventory_takes_backorders_and_keeps_them(sandbox, shop):
    product_id, live = create(shop)
    sku_id = live["skus"][0]["id"]
    path = f"/product/202309/products/{product_id}/inventory/update"

    def update(**item):
        item = {"warehouse_id": WAREHOUSE_JKT, "quantity": 4, **item}
        return shop.call("POST", path, body={"skus": [{"id": sku_id, "inventory": [item]}]}).data.get("errors", [])

    [error] = update(backorder_quantity=9)
    assert error["code"] == 12052910 and "handling_time" in error["message"]
    assert update(backorder_quantity=9, handling_time=2) == []
    assert update() == []  # the backorder persists when not sent
    assert get(shop, product_id)["skus"][0]["inventory"] == [
        {"warehouse_id": WAREHOUSE_JKT, "quantity": 4, "backorder_quantity": 9, "handling_time": 2}]
