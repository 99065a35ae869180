"""The signer reproduces the official vector V1 and the derived vector D1 (API.md §2.1)."""

from engine.signing import sign, string_to_sign, verify


def test_official_vector_v1():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert string_to_sign("/authorization/202309/shops", query) == (
        b"/authorization/202309/shopsapp_key29a39dtimestamp1623812664"
    )
    assert sign("e59af819cc", "/authorization/202309/shops", query) == (
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_derived_vector_d1_and_excluded_keys():
    body = b'{"status":"ACTIVATE","listing_platforms":["TIKTOK_SHOP","TOKOPEDIA"],"seller_skus":["SKU-1"]}'
    query = {
        "app_key": "29a39d",
        "page_size": "100",
        "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
        "timestamp": "1623812664",
    }
    expected = "0f428e599f72a9fa8d3026a3dd3a8c5302fcede5caa0ae21b974b22a007d2a44"
    path = "/product/202502/products/search"
    assert sign("e59af819cc", path, query, body, "application/json") == expected
    noisy = {**query, "access_token": "whatever", "sign": "deadbeef"}
    assert sign("e59af819cc", path, noisy, body, "application/json") == expected
    assert verify("e59af819cc", expected, path, query, body, "application/json")
    assert not verify("e59af819cc", expected, path, query, body + b" ", "application/json")


def test_multipart_body_is_not_signed():
    query = {"app_key": "k", "timestamp": "1"}
    path = "/product/202309/images/upload"
    assert sign("s", path, query, b"--boundary...", "multipart/form-data; boundary=x") == sign("s", path, query)
