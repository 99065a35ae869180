"""What the sandbox checks on every request (API.md §1–2, §4–5, §8): each rejection has its code."""

from __future__ import annotations

import time

import pytest
from rawclient import ACCESS_TOKEN, APP_SECRET, CIPHER, RawClient, batik, png

GET_WAREHOUSES = ("GET", "/logistics/202309/warehouses")


def test_signed_request_is_answered_with_the_envelope(sandbox_any):
    response = sandbox_any.client().call(*GET_WAREHOUSES)
    assert response.status == 200
    assert set(response.json) == {"code", "message", "request_id", "data"}
    assert response.code == 0 and len(response.data["warehouses"]) == 2
    assert len(response.json["request_id"]) >= 20


@pytest.mark.parametrize("case, expected", [
    ("wrong_sign", 106001),
    ("missing_sign", 36009004),
    ("old_timestamp", 36009004),
    ("future_timestamp", 36009004),
    ("wrong_app_key", 36009004),
    ("missing_token", 36009004),
    ("unknown_token", 101000),
    ("missing_cipher", 106013),
    ("wrong_cipher", 36009004),
    ("unknown_query_param", 36009004),
])
def test_request_checks(sandbox_any, case, expected):
    client = sandbox_any.client()
    now = int(time.time())
    kwargs: dict = {}
    if case == "wrong_sign":
        kwargs["sign"] = "0" * 64
    elif case == "missing_sign":
        kwargs["sign"] = ""
    elif case == "old_timestamp":
        kwargs["timestamp"] = now - 301
    elif case == "future_timestamp":
        kwargs["timestamp"] = now + 60
    elif case == "wrong_app_key":
        client = sandbox_any.client(app_key="someone-else")
    elif case == "missing_token":
        client = sandbox_any.client(token="")
    elif case == "unknown_token":
        client = sandbox_any.client(token="TTP_not-issued")
    elif case == "missing_cipher":
        kwargs["cipher"] = False
    elif case == "wrong_cipher":
        client = sandbox_any.client(cipher="ROW_OTHER_SHOP")
    elif case == "unknown_query_param":
        kwargs["query"] = {"version": "202309"}
    with sandbox_any.off_contract():
        response = client.call(*GET_WAREHOUSES, **kwargs)
    assert (response.status, response.code) == (200, expected), response.json
    assert response.data == {}


def test_signature_covers_the_exact_body_bytes(sandbox):
    client = sandbox.client()
    body = b'{"status": "ACTIVATE"}'
    good = client.call("POST", "/product/202502/products/search", query={"page_size": "5"}, raw_body=body)
    assert good.code == 0
    from rawclient import signature

    query = {"app_key": "sandbox-app-key", "timestamp": str(int(time.time())), "shop_cipher": CIPHER,
             "page_size": "5"}
    signed_other = signature(APP_SECRET, "/product/202502/products/search", query, b'{"status":"ACTIVATE"}')
    bad = client.call("POST", "/product/202502/products/search", query={"page_size": "5"}, raw_body=body,
                      timestamp=int(query["timestamp"]), sign=signed_other)
    assert bad.code == 106001


def test_shop_cipher_is_unexpected_on_upload_and_authorization(sandbox_any):
    client = sandbox_any.client()
    with sandbox_any.off_contract():
        shops = client.call("GET", "/authorization/202309/shops", cipher=True)
    assert shops.code == 36009004
    assert client.call("GET", "/authorization/202309/shops", cipher=False).data["shops"][0]["cipher"] == CIPHER
    uploaded = client.upload(png(800, 800))
    assert uploaded.code == 0
    # the same multipart request with a shop_cipher is refused
    with sandbox_any.off_contract():
        refused = client.call("POST", "/product/202309/images/upload", raw_body=b"--x--\r\n",
                              content_type="multipart/form-data; boundary=x")
    assert refused.code == 36009004


def test_content_types(sandbox_any):
    client = sandbox_any.client()
    with sandbox_any.off_contract():
        as_text = client.call("POST", "/product/202502/products/search", query={"page_size": "5"}, body={},
                              content_type="text/plain")
        upload_as_json = client.call("POST", "/product/202309/images/upload", cipher=False, body={})
        not_json = client.call("POST", "/product/202502/products/search", query={"page_size": "5"},
                               raw_body=b"[1, 2]")
    assert as_text.code == 36009022
    assert upload_as_json.code == 36009023
    assert not_json.code == 36009004


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/product/202309/nothing_here", 404, 36009009),
    ("GET", "/order/202309/orders/search", 404, 36009009),
    ("PATCH", "/product/202309/products/1729000000000000001", 405, 36009010),
    ("GET", "/product/202309/products/search", 405, 36009010),  # the literal path wins over {product_id}
    ("POST", "/product/202401/products/search", 404, 36009014),
    ("GET", "/product/202208/products/1729000000000000001", 404, 36009014),
])
def test_unknown_path_method_version(sandbox_any, method, path, status, code):
    with sandbox_any.off_contract():
        response = sandbox_any.client().call(method, path, body={} if method != "GET" else None)
    assert (response.status, response.code) == (status, code)
    assert set(response.json) == {"code", "message", "request_id", "data"}


def test_expired_access_token_then_refresh(sandbox_any):
    client = sandbox_any.client()
    assert client.call(*GET_WAREHOUSES).code == 0
    sandbox_any.clock.advance(7 * 24 * 3600 + 1)
    expired = client.call(*GET_WAREHOUSES)
    assert expired.code == 105002
    refreshed = client.refresh()
    assert refreshed.code == 0, refreshed.json
    data = refreshed.data
    assert data["access_token"] != ACCESS_TOKEN and data["access_token"].startswith("TTP_")
    assert data["access_token_expire_in"] > sandbox_any.clock() and data["seller_base_region"] == "ID"
    assert sandbox_any.client(token=data["access_token"]).call(*GET_WAREHOUSES).code == 0
    assert client.call(*GET_WAREHOUSES).code == 105002  # the old one stays expired


@pytest.mark.sandbox(faults="token_ttl=30")
def test_short_token_lifetime_fault(sandbox_any):
    client = sandbox_any.client()
    assert client.call(*GET_WAREHOUSES).code == 0
    sandbox_any.clock.advance(31)
    assert client.call(*GET_WAREHOUSES).code == 105002
    token = client.refresh().data["access_token"]
    fresh = sandbox_any.client(token=token)
    assert fresh.call(*GET_WAREHOUSES).code == 0
    sandbox_any.clock.advance(31)
    assert fresh.call(*GET_WAREHOUSES).code == 105002


def test_token_endpoints_check_the_app(sandbox):
    client = sandbox.client()
    assert client.refresh("not-a-refresh-token").code == 36004001
    assert sandbox.client(secret="wrong-secret").refresh().code == 36009004
    got = client._send("GET", f"{client.base_url}/api/v2/token/get?app_key=sandbox-app-key&app_secret="
                       "sandbox-app-secret&auth_code=sandbox-auth-code&grant_type=authorized_code", None, {})
    assert got.code == 0 and got.data["refresh_token"].startswith("ROW_")
    assert client.refresh(got.data["refresh_token"]).code == 0


def test_no_secret_is_stored(sandbox):
    client = sandbox.client()
    token = client.refresh().data["access_token"]
    raw = b"".join(p.read_bytes() for p in sandbox.db_path.parent.glob("shop.db*"))
    for secret in (token, ACCESS_TOKEN, APP_SECRET, "sandbox-refresh-token"):
        assert secret.encode() not in raw


@pytest.mark.sandbox(qps=5)
def test_rate_limit_per_api_at_the_limit(sandbox_any):
    client = sandbox_any.client()
    sandbox_any.clock.freeze()
    answers = [client.call(*GET_WAREHOUSES) for _ in range(6)]
    assert [a.code for a in answers] == [0] * 5 + [36009002]
    assert answers[-1].status == 429 and int(answers[-1].headers["retry-after"]) >= 1
    # another API has its own bucket
    assert client.call("GET", "/product/202309/categories").code == 0
    # a client pacing at exactly the limit is never refused
    paced = []
    for _ in range(20):
        sandbox_any.clock.advance(1 / 5)
        paced.append(client.call(*GET_WAREHOUSES).code)
    assert paced == [0] * 20


@pytest.mark.sandbox(qps=3)
def test_rate_limit_is_per_app_and_shop(sandbox):
    client = sandbox.client()
    sandbox.clock.freeze()
    for _ in range(3):
        assert client.call("GET", "/authorization/202309/shops", cipher=False).code == 0
    assert client.call("GET", "/authorization/202309/shops", cipher=False).code == 36009002
    # the shop-scoped calls of the same app are another (app, shop) pair
    assert client.call(*GET_WAREHOUSES).code == 0


def test_calls_are_counted_per_endpoint(sandbox):
    client = sandbox.client()
    client.call(*GET_WAREHOUSES)
    client.call(*GET_WAREHOUSES)
    with sandbox.off_contract():
        client.call(*GET_WAREHOUSES, sign="bad")
    client.call("POST", "/product/202502/products/search", query={"page_size": "1"}, body={})
    assert sandbox.store.calls() == {"GET /logistics/202309/warehouses": 3,
                                     "POST /product/202502/products/search": 1}
    sandbox.store.reset_calls()
    assert sandbox.store.calls() == {}


def test_raw_client_over_http(sandbox_http):
    client = RawClient(sandbox_http.base_url)
    uploaded = client.upload(png(1000, 1000))
    created = client.call("POST", "/product/202309/products", body=batik(uploaded.data["uri"]))
    assert created.code == 0, created.json
    product = client.call("GET", f"/product/202309/products/{created.data['product_id']}")
    assert product.data["skus"][0]["seller_sku"] == "BATIK-M"
