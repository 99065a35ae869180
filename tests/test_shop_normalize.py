"""Wire → model: Get Product / Search items become LiveProducts in spec.py conventions."""

from __future__ import annotations

import copy
import json

from engine.catalog.spec import ImageRef, ProductAttribute, Ref, SalesAttribute, SkuSpec, external_product_id
from engine.plan.live import AuditFailure, LiveSnapshot, snapshot_from_dict, snapshot_to_dict
from engine.shop.normalize import from_get, from_search, search_sku_state

GET = {
    "id": "1729000000000000001", "title": "Kemeja Batik Parang Lengan Panjang Premium",
    "description": "<p>Batik tulis</p>", "create_time": 1700000000, "update_time": 1700000500,
    "status": "ACTIVATE", "product_status": "ACTIVATE", "has_draft": False,
    "integrated_platform_statuses": [{"platform": "TOKOPEDIA", "status": "SELLER_DEACTIVATED"}],
    "audit": {"status": "APPROVED"},
    "audit_failed_reasons": [{"listing_platform": "TOKOPEDIA", "position": "title",
                              "reasons": ["Counterfeit"], "suggestions": ["Remove it"]}],
    "external_product_id": external_product_id("batik-parang", "0123456789abcdef"),
    "category_chains": [{"id": "600001", "parent_id": "0", "local_name": "Pakaian Pria", "is_leaf": False},
                        {"id": "600010", "parent_id": "600001", "local_name": "Kemeja Batik", "is_leaf": True}],
    "brand": {"id": "700001", "name": "Batik Keris"},
    "main_images": [{"uri": "tos-img-b", "urls": ["https://x/b"], "width": 800, "height": 800},
                    {"uri": "tos-img-a", "urls": ["https://x/a"], "width": 800, "height": 800}],
    "video": {"id": "v1", "url": "https://x/v.mp4"},
    "size_chart": {"image": {"uri": "tos-chart", "urls": ["https://x/c"]}},
    "certifications": [{"id": "c1", "title": "SNI", "images": [{"uri": "tos-cert", "urls": []}]}],
    "product_attributes": [
        {"id": "100101", "name": "Motif", "values": [{"id": "1001012", "name": "Kawung"},
                                                     {"id": "1001011", "name": "Parang"}]},
        {"id": "100100", "name": "Bahan", "values": [{"id": "1001001", "name": "Katun"}]},
    ],
    "package_weight": {"value": "0.300", "unit": "KILOGRAM"},
    "package_dimensions": {"length": "30", "width": "20", "height": "5", "unit": "CENTIMETER"},
    "delivery_options": [{"id": "7300000000000000002", "name": "Instan", "is_available": True},
                         {"id": "7300000000000000001", "name": "Reguler", "is_available": True}],
    "shipping_insurance_requirement": "OPTIONAL", "is_pre_owned": False, "minimum_order_quantity": 2,
    "is_cod_allowed": True, "shipping_template_id": "tpl-1",
    "skus": [
        {"id": "s-l", "seller_sku": "BATIK-L", "external_sku_id": "ext-l",
         "price": {"currency": "IDR", "sale_price": "175000.00", "tax_exclusive_price": "157657.66"},
         "inventory": [{"warehouse_id": "7400000000000000002", "quantity": 3},
                       {"warehouse_id": "7400000000000000001", "quantity": 10}],
         "sales_attributes": [{"id": "100200", "name": "Ukuran", "value_id": "2", "value_name": "L",
                               "sku_img": {"uri": "tos-sku-l", "urls": []}}],
         "pre_sale": {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": 7}},
         "identifier_code": {"code": "8991234567890", "type": "EAN"}},
        {"id": "s-m", "seller_sku": "BATIK-M",
         "price": {"currency": "IDR", "sale_price": "150000"},
         "inventory": [{"warehouse_id": "7400000000000000001", "quantity": 5}],
         "sales_attributes": [{"id": "100200", "name": "Ukuran", "value_id": "1", "value_name": "M"}]},
    ],
}


def test_get_product_normalises_every_field():
    product = from_get(GET, key="batik-parang")
    spec = product.spec
    assert product.product_id == "1729000000000000001" and product.update_time == 1700000500
    assert product.platform_statuses == (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))
    assert product.status == "ACTIVATE" and product.audit_status == "APPROVED"
    assert product.audit_failures == (AuditFailure("TOKOPEDIA", ("Counterfeit",), ("Remove it",), "title"),)
    assert product.last_applied == ("batik-parang", "0123456789abcdef")
    assert product.sku_ids == (("BATIK-L", "s-l"), ("BATIK-M", "s-m"))
    assert spec.key == "batik-parang"
    assert spec.category_id == "600010"
    assert spec.brand == Ref("700001", "Batik Keris")
    assert spec.main_images == (ImageRef(uri="tos-img-b"), ImageRef(uri="tos-img-a"))  # platform order kept
    assert spec.product_attributes == (
        ProductAttribute("100100", "Bahan", (Ref("1001001", "Katun"),)),
        ProductAttribute("100101", "Motif", (Ref("1001011", "Parang"), Ref("1001012", "Kawung"))),
    )
    assert spec.package_weight == "0.3" and spec.package_dimensions == (30, 20, 5)
    assert spec.listing_platforms == ("TIKTOK_SHOP",)  # deactivated on Tokopedia
    assert spec.status == "active"
    assert spec.shipping_insurance_requirement == "OPTIONAL"
    assert (spec.is_pre_owned, spec.minimum_order_quantity, spec.is_cod_allowed) == (False, 2, True)
    assert spec.delivery_option_ids == ("7300000000000000001", "7300000000000000002")
    assert spec.skus == (
        SkuSpec("BATIK-L", "175000", (("7400000000000000001", 10), ("7400000000000000002", 3)),
                (SalesAttribute("Ukuran", "L", "100200", "2"),), 7, ("EAN", "8991234567890")),
        SkuSpec("BATIK-M", "150000", (("7400000000000000001", 5),),
                (SalesAttribute("Ukuran", "M", "100200", "1"),)),
    )


def test_extra_keeps_what_a_full_edit_must_send_back():
    extra = dict(from_get(GET).extra)
    assert extra["video"] == {"id": "v1"}
    assert extra["size_chart"] == {"image": {"uri": "tos-chart"}}
    assert extra["certifications"] == [{"id": "c1", "images": [{"uri": "tos-cert"}]}]
    assert extra["shipping_template_id"] == "tpl-1"
    assert extra["skus"] == {"BATIK-L": {"external_sku_id": "ext-l",
                                         "sales_attribute_images": {"100200": {"sku_img": {"uri": "tos-sku-l"}}}}}
    assert [k for k, _ in from_get(GET).extra] == sorted(extra)


def test_platform_set_and_status_from_raw_statuses():
    def spec_of(status, tokopedia):
        raw = copy.deepcopy(GET)
        raw.pop("status")
        if status:
            raw["status"] = status
        raw["integrated_platform_statuses"] = [{"platform": "TOKOPEDIA", "status": tokopedia}] if tokopedia else []
        return from_get(raw).spec

    only_toko = spec_of(None, "ACTIVATE")  # ID seller not listed on Shop | Tokopedia: no `status`
    assert (only_toko.listing_platforms, only_toko.status) == (("TOKOPEDIA",), "active")
    both = spec_of("PENDING", "ACTIVATE")
    assert (both.listing_platforms, both.status) == (("TIKTOK_SHOP", "TOKOPEDIA"), "active")
    hidden = spec_of("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED")
    assert (hidden.listing_platforms, hidden.status) == ((), "inactive")
    gone = spec_of("DELETED", "DELETED")
    assert (gone.listing_platforms, gone.status) == ((), "deleted")


def test_units_are_converted_and_absent_fields_stay_none():
    raw = copy.deepcopy(GET)
    raw["package_weight"] = {"value": "1250", "unit": "GRAM"}
    raw["package_dimensions"] = {"length": "10.0", "width": "5", "height": "2", "unit": "CENTIMETER"}
    for name in ("brand", "delivery_options", "is_pre_owned", "minimum_order_quantity", "external_product_id"):
        raw.pop(name)
    product = from_get(raw)
    assert product.spec.package_weight == "1.25" and product.spec.package_dimensions == (10, 5, 2)
    assert product.spec.brand is None and product.spec.delivery_option_ids is None
    assert product.spec.is_pre_owned is None and product.spec.minimum_order_quantity is None
    assert product.last_applied is None and product.spec.key == raw["id"]


def test_search_item_gives_status_and_skus_without_spec():
    item = {"id": "9", "title": "Frozen thing", "status": "FREEZE", "update_time": 5,
            "integrated_platform_statuses": [{"platform": "TOKOPEDIA", "status": "FREEZE"}],
            "skus": [{"id": "k1", "seller_sku": "A-1",
                      "price": {"currency": "IDR", "tax_exclusive_price": "1000.50", "sale_price": "9"},
                      "inventory": [{"warehouse_id": "w", "quantity": 4}]}]}
    product = from_search(item)
    assert product.spec is None and product.is_frozen and not product.is_deleted
    assert product.sku_ids == (("A-1", "k1"),)
    # Search: tax_exclusive_price is the local seller's display price
    assert search_sku_state(item) == {"A-1": ("1000.5", (("w", 4),))}


def test_normalised_product_round_trips_through_json():
    product = from_get(GET, key="batik-parang")
    snapshot = LiveSnapshot(products=(product,))
    again = snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot))))
    assert again.products == (product,)
