"""The contract itself: the official spec is fetched, every sandbox route is declared in it, the
checker catches what it must, and a sweep over every endpoint leaves no violation."""

from __future__ import annotations

import asyncio

import contract
import pytest
from rawclient import WAREHOUSE_JKT, batik, png

from engine.sandbox.routes import ROUTES
from engine.shop.client import ENDPOINTS


@pytest.fixture(scope="module")
def spec():
    try:
        return contract.load_contract()
    except contract.SpecUnavailable as exc:
        if contract.is_ci():
            pytest.fail(f"the official spec must be available in CI: {exc}")
        pytest.skip(f"official spec unavailable: {exc}")


def test_every_sandbox_route_is_declared_in_the_spec(spec):
    missing = [route.name for route in ROUTES
               if not route.template.startswith("/api/v2/token/") and (route.method, route.template)
               not in spec.operations]
    assert missing == []


def exchange(path="/product/202309/products/1", method="GET", query=None, headers=None, body=b"", data=None):
    request = {"method": method, "path": path,
               "query": query if query is not None else {"app_key": "k", "timestamp": "1", "sign": "s",
                                                          "shop_cipher": "c"},
               "headers": headers if headers is not None else {"content-type": "application/json",
                                                               "x-tts-access-token": "t"},
               "body": body}
    response = {"status": 200, "json": {"code": 0, "message": "Success", "request_id": "r",
                                        "data": data if data is not None else {}}}
    return request, response


def test_checker_accepts_a_declared_exchange(spec):
    assert spec.check(*exchange(data={"id": "1", "skus": [{"id": "2", "inventory": [{"quantity": 1}]}]})) == []


@pytest.mark.parametrize("kwargs, problem", [
    ({"data": {"id": "1", "colour": "red"}}, "response.data.colour: not declared"),
    ({"data": {"id": 1}}, "response.data.id: expected string"),
    ({"data": {"skus": [{"inventory": [{"quantity": "1"}]}]}}, "quantity: expected integer"),
    ({"data": {"is_pre_owned": None}}, "null is not a declared value"),
    ({"query": {"app_key": "k", "timestamp": "1", "sign": "s", "version": "202309"}}, "'version' is not declared"),
    ({"headers": {"content-type": "application/json"}}, "required header 'x-tts-access-token'"),
    ({"path": "/product/202309/nowhere"}, "not declared in the spec"),
])
def test_checker_finds_violations(spec, kwargs, problem):
    problems = spec.check(*exchange(**kwargs))
    assert any(problem in p for p in problems), problems


def test_request_bodies_and_write_errors(spec):
    request, response = exchange(path="/product/202309/products", method="POST",
                                 body=b'{"title":"x","listing_platform":["TOKOPEDIA"],"skus":[{"price":{"amount":1}}]}')
    response["json"]["data"] = {"product_id": "1", "errors": [{"code": 1, "detail": {"listing_platform": "X"}}]}
    problems = spec.check(request, response)
    assert any("body.listing_platform: not declared" in p for p in problems)
    assert any("body.skus[0].price.amount: expected string" in p for p in problems)
    assert not any("errors" in p for p in problems)  # the Tokopedia per-platform array on writes
    read_request, read_response = exchange(data={"errors": []})
    assert any("response.data.errors" in p for p in spec.check(read_request, read_response))
    search, page = exchange(path="/product/202502/products/search", method="POST", query={
        "app_key": "k", "timestamp": "1", "sign": "s", "shop_cipher": "c"}, body=b"{}")
    assert any("'page_size' is missing" in p for p in spec.check(search, page))


def test_sweep_over_every_endpoint_is_clean(sandbox):
    """One valid call per sandbox route; the fixture fails the test if any exchange broke the contract."""
    client = sandbox.client()
    uri = client.upload(png(800, 800)).data["uri"]
    product_id = client.call("POST", "/product/202309/products", body=batik(
        uri, platforms=["TIKTOK_SHOP", "TOKOPEDIA"], brand_id="700006",
        description="<p>Garansi seumur hidup</p>")).data["product_id"]
    calls = [
        ("GET", f"/product/202309/products/{product_id}", None, {"return_under_review_version": "true"}),
        ("POST", "/product/202309/products/search", {"status": "ALL"}, {"page_size": "5"}),
        ("POST", "/product/202312/products/search", {"status": "ACTIVATE", "listing_platforms": ["TOKOPEDIA"]},
         {"page_size": "5"}),
        ("POST", "/product/202502/products/search", {"seller_skus": ["BATIK-M"]}, {"page_size": "5"}),
        ("POST", f"/product/202309/products/{product_id}/partial_edit",
         {"title": "Kemeja Batik Pria Motif Kawung Asli"}, None),
        ("PUT", f"/product/202309/products/{product_id}", batik(uri, platforms=["TIKTOK_SHOP", "TOKOPEDIA"]), None),
        ("PUT", f"/product/202509/products/{product_id}", batik(uri, platforms=["TOKOPEDIA"]), None),
        ("POST", f"/product/202509/products/{product_id}/partial_edit", {"listing_platforms": ["TOKOPEDIA"]}, None),
        ("POST", f"/product/202309/products/{product_id}/inventory/update", {"skus": [{"id": "1", "inventory": []}]},
         None),
        ("POST", "/product/202309/products/deactivate", {"product_ids": [product_id], "listing_platforms":
                                                         ["TOKOPEDIA"]}, None),
        ("POST", "/product/202309/products/activate", {"product_ids": [product_id, "1"]}, None),
        ("DELETE", "/product/202309/products", {"product_ids": [product_id]}, None),
        ("POST", "/product/202309/products/recover", {"product_ids": [product_id]}, None),
        ("POST", "/product/202309/products/listing_check", {"title": "x"}, None),
        ("GET", "/product/202309/categories", None, {"listing_platform": "TOKOPEDIA"}),
        ("GET", "/product/202309/categories/600050/attributes", None, None),
        ("GET", "/product/202309/categories/600050/rules", None, None),
        ("GET", "/product/202309/brands", None, {"page_size": "2"}),
        ("GET", "/logistics/202309/warehouses", None, None),
    ]
    for method, path, body, query in calls:
        response = client.call(method, path, body=body, query=query)
        assert set(response.json) == {"code", "message", "request_id", "data"}
    live = client.call("POST", "/product/202309/products", body=batik(uri, prefix="LIVE")).data["product_id"]
    sku_id = client.call("GET", f"/product/202309/products/{live}").data["skus"][0]["id"]
    price = client.call("POST", f"/product/202309/products/{live}/prices/update",
                        body={"skus": [{"id": sku_id, "price": {"amount": "99000", "currency": "IDR"}}]})
    assert price.code == 0
    assert client.call("GET", "/authorization/202309/shops", cipher=False).code == 0
    routes = {f"{request['method']} {request['route']}" for request, _ in sandbox.exchanges}
    assert {r.name for r in ROUTES if not r.template.startswith("/api/v2/token/")} - routes == set()
    assert sandbox.violations == []


# ----------------------------------------------------------------------------- Edit / Partial Edit versions
EDIT_PATHS = {"edit": ("put", "/product/{v}/products/{product_id}"),
              "partial_edit": ("post", "/product/{v}/products/{product_id}/partial_edit")}


def _versions(spec, method: str, template: str) -> list[str]:
    found = []
    for (op_method, path) in spec.operations:
        parts = path.strip("/").split("/")
        if op_method == method.upper() and len(parts) > 1 and path == template.replace("{v}", parts[1]):
            found.append(parts[1])
    return sorted(found)


@pytest.mark.parametrize("name", sorted(EDIT_PATHS))
def test_the_engine_edits_at_the_latest_version_the_spec_declares(spec, name):
    method, template = EDIT_PATHS[name]
    versions = _versions(spec, method, template)
    assert versions[-1] == "202509" and "202309" in versions
    assert ENDPOINTS[name].template == template.replace("{v}", versions[-1])
    assert {f"{method.upper()} {template.replace('{v}', v)}" for v in versions} <= {r.name for r in ROUTES}


def test_backorders_are_declared_in_edit_202509_only(spec):
    body = b'{"skus":[{"id":"1","inventory":[{"warehouse_id":"7","quantity":1,"backorder_quantity":5,' \
           b'"handling_time":3}]}]}'
    for path, method in (("/product/202509/products/1", "PUT"), ("/product/202509/products/1/partial_edit", "POST")):
        assert spec.check(*exchange(path=path, method=method, body=body)) == []
    for path, method in (("/product/202309/products/1", "PUT"), ("/product/202309/products/1/partial_edit", "POST")):
        problems = spec.check(*exchange(path=path, method=method, body=body))
        assert any("backorder_quantity: not declared" in p for p in problems)
        assert any("handling_time: not declared" in p for p in problems)


def test_backorders_through_edit_202509_round_trip_within_the_contract(sandbox):
    """Edit and Partial Edit 202509 with backorders: requests and responses checked against the spec
    (the fixture fails the test on any violation), the stored backorder read back by Get Product and
    Search 202502; the same fields on 202309 are refused."""
    client = sandbox.client()
    uri = client.upload(png(800, 800)).data["uri"]
    product_id = client.call("POST", "/product/202309/products", body=batik(uri)).data["product_id"]
    live = client.call("GET", f"/product/202309/products/{product_id}").data
    body = batik(uri)
    for item, existing in zip(body["skus"], live["skus"], strict=True):
        item["id"] = existing["id"]
    body["skus"][0]["inventory"][0].update(backorder_quantity=20, handling_time=5)
    edited = client.call("PUT", f"/product/202509/products/{product_id}", body=body)
    assert edited.code == 0 and edited.data["audit"] == {"status": "APPROVED"}  # stock only: no review
    inventory = client.call("GET", f"/product/202309/products/{product_id}").data["skus"][0]["inventory"]
    assert inventory == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 10, "backorder_quantity": 20,
                          "handling_time": 5}]
    body["skus"][0]["inventory"] = [{"warehouse_id": WAREHOUSE_JKT, "quantity": 7}]  # the backorder persists
    partial = client.call("POST", f"/product/202509/products/{product_id}/partial_edit", body={"skus": body["skus"]})
    assert partial.code == 0
    page = client.call("POST", "/product/202502/products/search", body={}, query={"page_size": "5"}).data
    assert page["products"][0]["skus"][0]["inventory"] == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 7,
                                                            "backorder_quantity": 20, "handling_time": 5}]
    older = client.call("POST", "/product/202312/products/search", body={}, query={"page_size": "5"}).data
    assert older["products"][0]["skus"][0]["inventory"] == [{"warehouse_id": WAREHOUSE_JKT, "quantity": 7}]
    body["skus"][0]["inventory"][0]["handling_time"] = 40
    assert client.call("PUT", f"/product/202509/products/{product_id}", body=body).code == 12052910
    body["skus"][0]["inventory"][0].update(handling_time=5, backorder_quantity=1)
    with sandbox.off_contract():
        refused = client.call("PUT", f"/product/202309/products/{product_id}", body=body)
    assert refused.code == 36009004 and "202509" in refused.json["message"]


def test_the_engine_client_edits_through_202509_within_the_contract(sandbox):
    from engine.shop.client import ShopClient
    from engine.shop.settings import ShopCredentials

    [product_id] = sandbox.store.seed_products([batik("tos-seeded-image")])

    async def main():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, auth_url=sandbox.base_url,
                              transport=sandbox.transport) as client:
            return await client.partial_edit_product(
                product_id, {"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung Asli"})

    assert asyncio.run(main()).ok
    assert sandbox.store.calls()["POST /product/202509/products/{product_id}/partial_edit"] == 1
