"""Spec → wire (engine.shop.build): request bodies as the Open API takes them.

Unit tests pin the shapes; the sandbox tests send them (the fixture checks every request
against the official spec) and read the product back.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from test_plan_builders import METADATA, WH1, WH2, live_image, plan_for, spec

from engine.catalog.spec import ImageRef, ProductAttribute, Ref, SalesAttribute, SkuSpec
from engine.plan import model as m
from engine.plan.model import FieldChange, PriceUpdate, StockUpdate
from engine.plan.payload import Known
from engine.shop.build import (
    Unsendable,
    create_body,
    edit_body,
    inventory_skus,
    listing_check_body,
    partial_edit_body,
    price_skus,
    sku_body,
)
from engine.shop.client import ShopClient
from engine.shop.normalize import from_get
from engine.shop.settings import ShopCredentials
from engine.shop.writer import Writer, cleared_pre_sale

KNOWN = Known(METADATA)
URIS = (ImageRef("tos-1", "images/batik-1.jpg", "aa11"), ImageRef("tos-2"))


def test_create_body_carries_every_field_in_wire_form():
    desired = replace(plan_for(spec()).products[0].actions[0].spec, main_images=URIS)
    body = create_body(desired, platforms=("TIKTOK_SHOP", "TOKOPEDIA"), external_product_id="ce2:fp::batik-parang",
                       known=KNOWN)
    assert body["category_version"] == "v2" and body["category_id"] == "600010"
    assert body["brand_id"] == "700001" and body["main_images"] == [{"uri": "tos-1"}, {"uri": "tos-2"}]
    assert body["product_attributes"] == [{"id": "100100", "values": [{"id": "1001001"}]}]
    assert body["package_weight"] == {"value": "0.3", "unit": "KILOGRAM"}
    assert body["package_dimensions"] == {"length": "30", "width": "20", "height": "3", "unit": "CENTIMETER"}
    assert body["listing_platforms"] == ["TIKTOK_SHOP", "TOKOPEDIA"]
    assert body["shipping_insurance_requirement"] == "OPTIONAL" and body["minimum_order_quantity"] == 1
    assert body["is_cod_allowed"] is True and body["external_product_id"] == "ce2:fp::batik-parang"
    assert body["skus"][0] == {"seller_sku": "BATIK-PARANG-L", "price": {"amount": "150000", "currency": "IDR"},
                               "inventory": [{"warehouse_id": WH1, "quantity": 5}],
                               "sales_attributes": [{"name": "Ukuran", "value_name": "L"}]}
    assert "save_mode" not in body and "idempotency_key" not in body  # the client adds the key


def test_insurance_is_sent_only_when_tokopedia_is_a_platform():
    desired = replace(spec(), main_images=URIS)
    assert "shipping_insurance_requirement" not in create_body(desired, platforms=("TIKTOK_SHOP",), known=KNOWN)
    assert "shipping_insurance_requirement" in edit_body(replace(desired, listing_platforms=()),
                                                         present=("TOKOPEDIA",), known=KNOWN)


def test_sku_body_pre_order_identifier_and_ids_and_names_of_sales_attributes():
    sku = SkuSpec("TAS-1", "165000.5", ((WH1, 3), (WH2, 0)), (SalesAttribute("Warna", "Merah", "7001", "7002"),),
                  pre_sale_days=7, identifier_code=("EAN", "8991234000015"))
    body = sku_body(sku, "sku-9", {"external_sku_id": "x-1", "sales_attribute_images": {"7001": {
        "sku_img": {"uri": "tos-img"}}}})
    assert body == {"id": "sku-9", "seller_sku": "TAS-1", "price": {"amount": "165000.5", "currency": "IDR"},
                    "sales_attributes": [{"id": "7001", "name": "Warna", "value_id": "7002", "value_name": "Merah",
                                          "sku_img": {"uri": "tos-img"}}],
                    "pre_sale": {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": 7}},
                    "identifier_code": {"code": "8991234000015", "type": "EAN"}, "external_sku_id": "x-1"}
    regular = sku_body(replace(sku, pre_sale_days=None), clear_pre_sale=True)
    assert regular["pre_sale"] == {"type": "NONE"}  # turns a pre-order SKU back into a regular one
    # an existing SKU (an id) in an edit leaves its stock as it is: Edit takes 1-99,999, a sold-out
    # SKU has 0 (stock changes go through Update Inventory); a new SKU carries its stock
    assert regular["inventory"] == [{"warehouse_id": WH1, "quantity": 3}, {"warehouse_id": WH2, "quantity": 0}]


def test_a_plan_turning_a_pre_order_sku_regular_sends_type_none():
    action = m.Action(m.PARTIAL_EDIT, changes=(FieldChange(("skus", "TAS-1", "pre_sale_days"), 7, None),
                                               FieldChange(("skus", "TAS-2", "price"), "1", "2")))
    assert cleared_pre_sale(action) == ("TAS-1",)


def test_partial_edit_body_sends_only_its_fields_and_every_kept_sku_id():
    desired = replace(spec(title="Kemeja Batik Parang Premium Sekali"), main_images=URIS)
    body = partial_edit_body(desired, ("title", "external_product_id"), external_product_id="ce2:x::k", known=KNOWN)
    assert body == {"title": "Kemeja Batik Parang Premium Sekali", "external_product_id": "ce2:x::k"}
    body = partial_edit_body(desired, ("skus", "brand"), sku_ids=(("BATIK-PARANG-L", "11"), ("BATIK-PARANG-M", "12")),
                             known=KNOWN)
    assert [s["id"] for s in body["skus"]] == ["11", "12"] and body["brand_id"] == "700001"
    assert partial_edit_body(replace(desired, brand=None), ("brand",)) == {"brand_id": ""}  # "" clears it
    with pytest.raises(Unsendable, match="category_id"):
        partial_edit_body(desired, ("category_id",))


def test_full_edit_sends_the_whole_product_with_the_fields_the_catalog_does_not_model():
    live = live_image(spec())
    body = edit_body(replace(live.spec, main_images=URIS), sku_ids=live.sku_ids,
                     extra=(("video", {"id": "v-1"}), ("skus", {"BATIK-PARANG-L": {"external_sku_id": "e-1"}})),
                     known=KNOWN)
    assert body["video"] == {"id": "v-1"} and "skus" not in dict(live.extra)
    assert {s["seller_sku"]: s.get("id") for s in body["skus"]} == dict(live.sku_ids)
    assert body["skus"][0]["external_sku_id"] == "e-1" and "listing_platforms" in body


def test_names_the_shop_does_not_know_are_not_sent():
    with pytest.raises(Unsendable, match="Merk Palsu"):
        create_body(replace(spec(), brand=Ref(name="Merk Palsu"), main_images=URIS), platforms=(), known=KNOWN)
    with pytest.raises(Unsendable, match="Warna Kain"):
        create_body(replace(spec(), main_images=URIS, product_attributes=(
            ProductAttribute(None, "Warna Kain", (Ref(name="Biru"),)),)), platforms=(), known=KNOWN)
    with pytest.raises(Unsendable, match="not been uploaded"):
        create_body(spec(), platforms=(), known=KNOWN)


def test_a_custom_attribute_value_goes_by_name():
    body = create_body(replace(spec(), main_images=URIS, product_attributes=(
        ProductAttribute(None, "Bahan", (Ref(name="Linen Jepang"),)),)), platforms=(), known=KNOWN)
    assert body["product_attributes"] == [{"id": "100100", "values": [{"name": "Linen Jepang"}]}]


def test_price_and_inventory_bodies():
    assert price_skus((PriceUpdate("11", "A", "135000"),)) == [
        {"id": "11", "price": {"amount": "135000", "currency": "IDR"}}]
    assert inventory_skus((StockUpdate("11", "A", ((WH1, 4), (WH2, 0))),)) == [
        {"id": "11", "inventory": [{"warehouse_id": WH1, "quantity": 4}, {"warehouse_id": WH2, "quantity": 0}]}]


def test_listing_check_body_has_no_save_mode_or_category_version():
    body = listing_check_body(replace(spec(), main_images=URIS), known=KNOWN)
    assert "category_version" not in body and "save_mode" not in body and body["listing_platforms"]


# --------------------------------------------------------------------------- against the sandbox
def _upload_uri(sandbox) -> str:
    from test_apply_images import PNG

    response = sandbox.client().upload(PNG.read_bytes())
    return response.data["uri"]


def test_create_edit_and_partial_edit_bodies_are_accepted_and_read_back_equal(sandbox):
    uri = _upload_uri(sandbox)
    desired = replace(spec(), main_images=(ImageRef(uri),))
    (create,) = plan_for(desired, image_uris={}).products[0].actions

    async def run():
        async with ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url,
                              transport=sandbox.transport) as client:
            writer = Writer(client, known=KNOWN)
            created = await writer.create(create)
            assert created.ok, created
            live = from_get(await client.get_product(created.product_id))
            changed = replace(desired, title="Kemeja Batik Parang Lengan Panjang Premium", category_id="600011")
            (edit,) = plan_for(changed, live, image_uris={}).products[0].actions
            assert edit.kind == m.EDIT
            edited = await writer.edit(created.product_id, edit)
            return created, edited, from_get(await client.get_product(created.product_id))

    created, edited, after = asyncio.run(run())
    assert edited.ok, edited
    assert after.spec.category_id == "600011" and after.sku_ids == tuple(sorted(created.skus))
