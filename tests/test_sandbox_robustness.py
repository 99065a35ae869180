"""Bad input of any kind gets a clear business error, never a sandbox crash (the fixture fails the
test on any unexpected exception): random values in every field of write and search bodies."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawclient import batik, png

JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
                    | st.text(max_size=30),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12),
                                                                                     children, max_size=3),
                    max_leaves=8)
PATHS = [("title",), ("description",), ("category_id",), ("main_images",), ("main_images", 0),
         ("main_images", 0, "uri"), ("package_weight",), ("package_weight", "value"), ("product_attributes",),
         ("product_attributes", 0, "values"), ("skus",), ("skus", 0), ("skus", 0, "price"),
         ("skus", 0, "price", "amount"), ("skus", 0, "inventory"), ("skus", 0, "inventory", 0, "quantity"),
         ("skus", 0, "sales_attributes"), ("skus", 0, "sales_attributes", 0), ("skus", 0, "pre_sale"),
         ("skus", 0, "identifier_code"), ("skus", 1, "id"), ("listing_platforms",), ("brand_id",),
         ("minimum_order_quantity",), ("delivery_option_ids",), ("package_dimensions",), ("size_chart",),
         ("external_product_id",), ("is_pre_owned",), ("shipping_insurance_requirement",)]
SEARCH_KEYS = ["status", "seller_skus", "listing_platforms", "create_time_ge", "update_time_le", "sku_ids",
               "audit_status"]


def _set(body: dict, path: tuple, value) -> dict:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return body
    try:
        target[path[-1]] = value
    except (IndexError, TypeError):
        pass
    return body


@pytest.mark.sandbox(qps=1e6)  # hypothesis is faster than 50 calls per second
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3))
def test_random_product_bodies(sandbox, changes):
    client = sandbox.client()
    if not hasattr(client, "uri"):
        client.uri = client.upload(png(800, 800)).data["uri"]
    body = batik(client.uri)
    for path, value in changes:
        body = _set(body, path, value)
    with sandbox.off_contract():
        created = client.call("POST", "/product/202309/products", body=body)
        checked = client.call("POST", "/product/202309/products/listing_check",
                              body={k: v for k, v in body.items() if k != "category_version"})
    assert created.status == 200 and isinstance(created.code, int) and created.json["message"]
    assert checked.code == 0 and checked.data["check_result"] in ("PASS", "FAILED")
    if created.code == 0:
        product_id = created.data["product_id"]
        with sandbox.off_contract():
            edited = client.call("POST", f"/product/202309/products/{product_id}/partial_edit",
                                 body={k: v for k, v in body.items() if k in ("title", "skus", "main_images")})
        assert edited.status == 200


@pytest.mark.sandbox(qps=1e6)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(SEARCH_KEYS), JSON, max_size=3),
       token=st.none() | st.text(max_size=20))
def test_random_search_bodies(sandbox, body, token):
    query = {"page_size": "3"}
    if token:
        query["page_token"] = token
    with sandbox.off_contract():
        response = sandbox.client().call("POST", "/product/202502/products/search", query=query, body=body)
    assert response.status == 200 and isinstance(response.code, int)


WRITES = ["prices/update", "inventory/update", "partial_edit", "edit", "activate", "deactivate", "recover",
          "delete"]


@pytest.mark.sandbox(qps=1e6)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(WRITES),
       body=st.dictionaries(st.sampled_from(["skus", "product_ids", "listing_platforms", "title", "inventory"]),
                            JSON | st.lists(st.dictionaries(st.sampled_from(["id", "price", "inventory",
                                                                              "warehouse_id", "quantity"]),
                                                            JSON, max_size=3), max_size=2), max_size=3))
def test_random_write_bodies(sandbox, endpoint, body):
    client = sandbox.client()
    if not hasattr(client, "product_id"):
        uri = client.upload(png(800, 800)).data["uri"]
        client.product_id = client.call("POST", "/product/202309/products", body=batik(uri)).data["product_id"]
    pid = client.product_id
    method, path = {
        "prices/update": ("POST", f"/product/202309/products/{pid}/prices/update"),
        "inventory/update": ("POST", f"/product/202309/products/{pid}/inventory/update"),
        "partial_edit": ("POST", f"/product/202309/products/{pid}/partial_edit"),
        "edit": ("PUT", f"/product/202309/products/{pid}"),
        "delete": ("DELETE", "/product/202309/products"),
    }.get(endpoint, ("POST", f"/product/202309/products/{endpoint}"))
    with sandbox.off_contract():
        response = client.call(method, path, body=body)
    assert response.status == 200 and isinstance(response.code, int) and response.json["message"]
