"""Product rules of create / edit / listing check, each with its documented code (API.md §7.3)."""

from __future__ import annotations

import copy

import pytest
from rawclient import WAREHOUSE_JKT, batik, png, sku

CREATE = ("POST", "/product/202309/products")
CHECK = ("POST", "/product/202309/products/listing_check")


@pytest.fixture
def shop(sandbox_any):
    client = sandbox_any.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def _mutate(body: dict, change: str) -> dict:
    body = copy.deepcopy(body)
    path, _, value = change.partition("=")
    target = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if value == "<del>":
        del target[last]
    else:
        target[int(last) if isinstance(target, list) else last] = eval(value)  # noqa: S307 — test literals
    return body


REJECTIONS = [
    ("title=''", 12052261),
    ("title='Kemeja batik'", 12052051),  # Indonesia: 25–255 characters
    ("title='K' * 256", 12052051),
    ("title='Kemeja Batik Pria Lengan Panjang 😀'", 12052931),
    ("title='Kemeja Batik Pria &amp; Wanita Lengan Panjang'", 12052931),
    ("description=''", 12052910),
    ("category_id=<del>", 12052023),
    ("category_id='600001'", 12052024),
    ("category_id='999999'", 12052025),
    ("category_version='v1'", 12052217),
    ("main_images=[]", 12052028),
    ("main_images=[{'uri': 'tos-alisg-i-elsewhere-sandbox/0'}]", 12052722),
    ("main_images=[{'uri': URI}] * 10", 12052910),
    ("package_weight={'value': '0', 'unit': 'KILOGRAM'}", 12052181),
    ("package_weight={'value': '0.3', 'unit': 'POUND'}", 12052915),
    ("package_weight={'value': '0.1234', 'unit': 'KILOGRAM'}", 12052181),
    ("package_weight=<del>", 12052181),
    ("product_attributes=[]", 12052104),
    ("skus.0.seller_sku='BATIK M'", 12019059),
    ("skus.0.seller_sku='B' * 51", 12052054),
    ("skus.1.seller_sku='BATIK-M'", 12019059),
    ("skus.0.price={'amount': '150000', 'currency': 'USD'}", 12052073),
    ("skus.0.price={'amount': '-5', 'currency': 'IDR'}", 12052073),
    ("skus.0.price=<del>", 12052571),
    ("skus.0.inventory=<del>", 12052486),
    ("skus.0.inventory=[{'warehouse_id': '7400000000000000999', 'quantity': 5}]", 12052097),
    ("skus.0.inventory=[{'warehouse_id': WH, 'quantity': 100000}]", 12052055),
    ("skus.1.sales_attributes=[{'name': 'Ukuran', 'value_name': 'M'}]", 12052560),
    ("skus.1.sales_attributes=<del>", 12052910),
    ("skus.0.pre_sale={'type': 'PRE_ORDER', 'fulfillment_type': {'handling_duration_days': 7}}", 12019095),
    ("minimum_order_quantity=0", 12052706),
    ("minimum_order_quantity=21", 12052706),
    ("shipping_insurance_requirement='REQUIRED'", 12052910),  # only with TOKOPEDIA
    ("shipping_insurance_requirement='MANDATORY'", 12052910),  # the one-pager's spelling is not valid
    ("delivery_option_ids=['1']", 12052910),
    ("is_cod_allowed='yes'", 12052910),
    ("listing_platforms=['SHOPEE']", 12052910),
    ("idempotency_key='k' * 129", 12052910),
]


@pytest.mark.parametrize("change, code", REJECTIONS, ids=[c for c, _ in REJECTIONS])
def test_create_rejections(sandbox_any, shop, change, code):
    body = _mutate(batik(shop.uri), change.replace("URI", repr(shop.uri)).replace("WH", repr(WAREHOUSE_JKT)))
    with sandbox_any.off_contract():  # deliberately invalid requests (e.g. a string for a boolean)
        response = shop.call(*CREATE, body=body)
        check = shop.call(*CHECK, body={k: v for k, v in body.items()
                                        if k not in ("category_version", "idempotency_key")})
    assert response.code == code, response.json
    assert sandbox_any.store.counts()["products"] == 0
    if "category_version" not in change and "idempotency_key" not in change:
        assert check.data["check_result"] == "FAILED"
        assert check.data["fail_reasons"][0]["code"] == code


def test_more_than_100_skus(shop):
    body = batik(shop.uri)
    body["skus"] = [sku(f"S-{i}", size=None) | {"sales_attributes": [{"name": "Varian", "value_name": f"V{i}"}]}
                    for i in range(101)]
    assert shop.call(*CREATE, body=body).code == 12052050


def test_pre_order_where_the_category_allows_it(shop):
    body = batik(shop.uri, category_id="600040", product_attributes=[{"id": "100400", "values": [{"name": "Rotan"}]}])
    for item in body["skus"]:
        item["sales_attributes"] = [{"name": "Ukuran Tas", "value_name": item["seller_sku"][-1]}]
        item["pre_sale"] = {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": 14}}
    created = shop.call(*CREATE, body=body)
    assert created.code == 0, created.json
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert {s["pre_sale"]["fulfillment_type"]["handling_duration_days"] for s in product["skus"]} == {14}
    for days, code in ((2, 12019096), (31, 12019096)):
        wrong = copy.deepcopy(body)
        wrong["skus"][0]["pre_sale"]["fulfillment_type"]["handling_duration_days"] = days
        assert shop.call(*CREATE, body=wrong).code == code
    mixed = copy.deepcopy(body)
    del mixed["skus"][1]["pre_sale"]
    assert shop.call(*CREATE, body=mixed).code == 12019100


def test_unknown_top_level_field_is_refused(sandbox_any, shop):
    with sandbox_any.off_contract():
        response = shop.call(*CREATE, body=batik(shop.uri, listing_platform=["TOKOPEDIA"]))
    assert response.code == 36009004 and "listing_platform" in response.json["message"]


def test_invalid_optional_values_are_reset_with_warnings(shop):
    body = batik(shop.uri, brand_id="799999")
    body["product_attributes"].append({"id": "100101", "values": [{"id": "1"}]})
    body["skus"][0]["identifier_code"] = {"type": "EAN", "code": "123"}
    created = shop.call(*CREATE, body=body)
    assert created.code == 0
    messages = " | ".join(w["message"] for w in created.data["warnings"])
    assert "brand 799999" in messages and "identifier_code" in messages and "Motif" in messages
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert "brand" not in product and [a["id"] for a in product["product_attributes"]] == ["100100"]
    assert "identifier_code" not in product["skus"][0]


def test_attribute_values_by_name_and_custom(shop):
    body = batik(shop.uri, product_attributes=[
        {"id": "100100", "values": [{"name": "sutra"}]},  # known value by name
        {"id": "100101", "values": [{"name": "Sidomukti"}, {"id": "1001012"}]},  # custom + known, multi
    ])
    created = shop.call(*CREATE, body=body)
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert product["product_attributes"] == [
        {"id": "100100", "name": "Bahan", "values": [{"id": "1001002", "name": "Sutra"}]},
        {"id": "100101", "name": "Motif", "values": [{"id": "", "name": "Sidomukti"},
                                                      {"id": "1001012", "name": "Kawung"}]}]


def test_sales_attributes_get_stable_ids(shop):
    body = batik(shop.uri)
    body["skus"] = [sku("A-1", size=None, sales_attributes=[{"name": "Motif Kain", "value_name": "Parang"}]),
                    sku("A-2", size=None, sales_attributes=[{"name": "Motif Kain", "value_name": "Kawung"}])]
    first = shop.call(*CREATE, body=body).data["skus"]
    body["skus"] = [sku("B-1", size=None, sales_attributes=[{"name": "motif kain", "value_name": "parang"}])]
    second = shop.call(*CREATE, body=body).data["skus"]
    assert first[0]["sales_attributes"] == second[0]["sales_attributes"]
    assert len(first[0]["sales_attributes"][0]["id"]) == 19


def test_external_product_id_is_unique(shop):
    assert shop.call(*CREATE, body=batik(shop.uri, external_product_id="ce1:batik")).code == 0
    duplicate = shop.call(*CREATE, body=batik(shop.uri, prefix="OTHER", external_product_id="ce1:batik"))
    assert duplicate.code == 12052996


def test_idempotency_key_returns_the_same_product(sandbox_any, shop):
    first = shop.call(*CREATE, body=batik(shop.uri, idempotency_key="key-1"))
    again = shop.call(*CREATE, body=batik(shop.uri, idempotency_key="key-1"))
    assert first.code == again.code == 0
    assert first.data == again.data
    assert sandbox_any.store.counts()["products"] == 1
    other = shop.call(*CREATE, body=batik(shop.uri, idempotency_key="key-2"))
    assert other.data["product_id"] != first.data["product_id"]


@pytest.mark.sandbox(daily_listing_limit=2)
def test_daily_listing_limit(sandbox_any, shop):
    assert shop.call(*CREATE, body=batik(shop.uri, prefix="A")).code == 0
    assert shop.call(*CREATE, body=batik(shop.uri, prefix="B")).code == 0
    assert shop.call(*CREATE, body=batik(shop.uri, prefix="C")).code == 12052093
    sandbox_any.clock.advance(24 * 3600)
    assert shop.call(*CREATE, body=batik(shop.uri, prefix="C")).code == 0


def test_listing_check_creates_nothing(sandbox_any, shop):
    body = batik(shop.uri)
    del body["category_version"]
    assert shop.call(*CHECK, body=body).data == {"check_result": "PASS", "fail_reasons": []}
    assert sandbox_any.store.counts()["products"] == 0


def test_create_passes_on_one_platform_and_fails_on_the_other(sandbox_any, shop):
    # Jam Tangan Mewah (600030) is INVITE_ONLY on TOKOPEDIA
    body = batik(shop.uri, category_id="600030", platforms=["TIKTOK_SHOP", "TOKOPEDIA"],
                 package_dimensions={"length": "10", "width": "10", "height": "5", "unit": "CENTIMETER"},
                 product_attributes=[{"id": "100300", "values": [{"id": "1003001"}]}],
                 title="Jam Tangan Pria Otomatis Seiko Presage Cocktail")
    created = shop.call(*CREATE, body=body)
    assert created.code == 0
    assert created.data["errors"] == [{"code": 12052223, "message": created.data["errors"][0]["message"],
                                       "detail": {"listing_platform": "TOKOPEDIA"}}]
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert product["status"] == "ACTIVATE" and "integrated_platform_statuses" not in product
    only_tokopedia = shop.call(*CREATE, body={**body, "listing_platforms": ["TOKOPEDIA"]})
    assert only_tokopedia.code == 12052223
    assert only_tokopedia.data["errors"][0]["detail"] == {"listing_platform": "TOKOPEDIA"}
    assert sandbox_any.store.counts()["products"] == 1
    check = shop.call(*CHECK, body={k: v for k, v in body.items() if k != "category_version"})
    assert check.data["check_result"] == "FAILED"
    assert check.data["errors"][0]["detail"] == {"listing_platform": "TOKOPEDIA"}


def test_pre_owned_only_when_tokopedia_is_the_only_platform(shop):
    body = batik(shop.uri, category_id="600021", is_pre_owned=True, platforms=["TOKOPEDIA"],
                 title="Ponsel Bekas Samsung Galaxy S21 Mulus Lengkap",
                 package_dimensions={"length": "15", "width": "8", "height": "3", "unit": "CENTIMETER"},
                 product_attributes=[{"id": "100210", "values": [{"id": "1002101"}]}],
                 shipping_insurance_requirement="REQUIRED", minimum_order_quantity=1)
    for item in body["skus"]:
        item["sales_attributes"] = [{"name": "Warna", "value_name": "Hitam" if item["seller_sku"][-1] == "M"
                                     else "Putih"}]
    created = shop.call(*CREATE, body=body)
    assert created.code == 0, created.json
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert product["is_pre_owned"] is True and product["shipping_insurance_requirement"] == "REQUIRED"
    assert "status" not in product and "audit" not in product
    assert product["integrated_platform_statuses"] == [{"platform": "TOKOPEDIA", "status": "ACTIVATE"}]
    both = shop.call(*CREATE, body={**body, "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"]})
    assert both.code == 0
    codes = sorted(e["code"] for e in both.data["errors"])
    assert codes == [12052220, 12052316]  # TIKTOK_SHOP: prohibited category, and pre-owned
    assert {e["detail"]["listing_platform"] for e in both.data["errors"]} == {"TIKTOK_SHOP"}


def test_brand_authorization_is_per_platform(shop):
    body = batik(shop.uri, brand_id="700006", platforms=["TIKTOK_SHOP", "TOKOPEDIA"])  # Apple: unavailable, T1
    created = shop.call(*CREATE, body=body)
    assert created.code == 0
    assert [(e["code"], e["detail"]["listing_platform"]) for e in created.data["errors"]] == \
        [(12052201, "TIKTOK_SHOP")]
    assert shop.call(*CREATE, body={**body, "listing_platforms": ["TIKTOK_SHOP"]}).code == 12052201


def test_description_images_must_be_uploaded(shop):
    uploaded = shop.upload(png(1200, 800), use_case="DESCRIPTION_IMAGE").data
    good = batik(shop.uri, description=f'<p>Detail</p><img src="{uploaded["url"]}" width="1200" height="800">')
    assert shop.call(*CREATE, body=good).code == 0
    bad = batik(shop.uri, prefix="X", description='<img src="https://example.com/a.jpg">')
    assert shop.call(*CREATE, body=bad).code == 12052722


def test_optional_objects_are_stored_and_returned(sandbox_any, shop):
    chart = shop.upload(png(1200, 1200), use_case="SIZE_CHART_IMAGE").data["uri"]
    body = batik(shop.uri, video={"id": "v1"}, size_chart={"image": {"uri": chart}}, shipping_template_id="t1",
                 certifications=[{"id": "c1", "images": [{"uri": shop.uri}], "expiration_date": 1900000000}],
                 manufacturer_ids=["m1"])
    created = shop.call(*CREATE, body=body)
    assert created.code == 0, created.json
    assert any("manufacturer_ids" in w["message"] for w in created.data["warnings"])
    product = shop.call("GET", f"/product/202309/products/{created.data['product_id']}").data
    assert product["video"] == {"id": "v1"} and product["shipping_template_id"] == "t1"
    assert product["size_chart"]["image"]["uri"] == chart and product["certifications"][0]["id"] == "c1"
    assert "manufacturer_ids" not in product
    with sandbox_any.off_contract():
        assert shop.call(*CREATE, body=batik(shop.uri, prefix="V", video={"id": 5})).code == 12052910
    assert shop.call(*CREATE, body=batik(shop.uri, prefix="S", category_id="600050",
                                         product_attributes=[{"id": "100500", "values": [{"id": "1005001"}]}],
                                         size_chart={"template": {"id": "x"}})).code == 12052910
