"""make_plan routing, one behaviour per test, with values built in code (no I/O)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plan_builders import WH1, WH2, live_image, plan_for, sku, spec

from engine.catalog.spec import (
    ImageRef,
    ProductAttribute,
    Ref,
    external_product_id,
    fingerprint,
    image_token,
    parse_annotation,
    parse_external_product_id,
)
from engine.errors import PlanError
from engine.plan import model as m
from engine.plan.live import AuditFailure, SkuConflict
from engine.plan.model import Blocker, FieldChange, PriceUpdate, StockUpdate

BATIK1 = ImageRef("tos-id-i-batik1", "images/batik-1.jpg", "aa11")  # uploaded (image_uris of plan_for)


GIT_OWNS_STOCK = ("always", "always")  # `manage: {stock: always}`: stock changes are planned


def only(plan):
    assert len(plan.products) == 1, plan.products
    return plan.products[0]


def kinds(plan):
    return {p.key: p.kinds() for p in plan.products}


# --------------------------------------------------------------------------- create
def test_new_product_is_one_create_on_every_desired_platform():
    desired = spec()
    plan = plan_for(desired)
    item = only(plan)
    (action,) = item.actions
    assert action.kind == m.CREATE and action.platforms == ("TIKTOK_SHOP", "TOKOPEDIA")
    assert action.sends_to_review and item.product_id is None
    # the annotation ties the uploaded image to its file (ce3 image token), see test_apply_images
    assert action.external_product_id == external_product_id("batik-parang", fingerprint(desired),
                                                             (BATIK1, ImageRef("tos-id-i-batik2")))
    assert action.external_product_id.split(":")[2] == image_token("aa11", "tos-id-i-batik1") + "."
    assert action.idempotency_key.startswith("ce1-") and len(action.idempotency_key) <= 128
    assert action.spec.brand == Ref("700001", "Batik Keris")  # id filled from shop metadata
    assert action.spec.main_images[0] == ImageRef("tos-id-i-batik1", "images/batik-1.jpg", "aa11")
    assert action.uploads == ()
    assert FieldChange(("skus", "BATIK-PARANG-M"), None, {
        "price": "150000", "inventory": {WH1: 10}, "sales_attributes": ["Ukuran: M"],
        "pre_sale_days": None, "identifier_code": None}) in action.changes


def test_create_idempotency_key_changes_with_content_only():
    a = only(plan_for(spec())).actions[0].idempotency_key
    assert a == only(plan_for(spec())).actions[0].idempotency_key
    assert a != only(plan_for(spec(title="Kemeja Batik Parang Lengan Pendek"))).actions[0].idempotency_key


def test_local_image_without_known_uri_needs_an_upload():
    action = only(plan_for(spec(), image_uris={})).actions[0]
    assert action.uploads == (ImageRef(path="images/batik-1.jpg", sha256="aa11"),)


def test_inactive_new_product_is_created_as_a_hidden_draft_and_published_when_active():
    desired = spec(status="inactive")
    (action,) = only(plan_for(desired)).actions
    assert action.kind == m.CREATE and action.save_mode == "AS_DRAFT" and not action.sends_to_review
    drafts = (("TIKTOK_SHOP", "DRAFT"), ("TOKOPEDIA", "DRAFT"))
    assert plan_for(desired, live_image(desired, statuses=drafts)).products == ()  # stays a draft
    (publish,) = only(plan_for(spec(), live_image(desired, statuses=drafts))).actions
    assert publish.kind == m.PARTIAL_EDIT and publish.fields == ("listing_platforms", "external_product_id")
    assert publish.sends_to_review and publish.spec.listing_platforms == ("TIKTOK_SHOP", "TOKOPEDIA")
    assert publish.changes == (FieldChange(("listing_platforms",), [], ["TIKTOK_SHOP", "TOKOPEDIA"]),)


# --------------------------------------------------------------------------- price / stock
def test_price_only_is_update_price():
    desired = spec()
    live = live_image(spec(skus=(sku("BATIK-PARANG-L", "150000", 5, "L"), sku("BATIK-PARANG-M", "160000", 10, "M"))))
    (action,) = only(plan_for(desired, live)).actions
    assert action.kind == m.UPDATE_PRICE and not action.sends_to_review
    assert action.changes == (FieldChange(("skus", "BATIK-PARANG-M", "price"), "160000", "150000"),)
    assert action.prices == (PriceUpdate("172901", "BATIK-PARANG-M", "150000"),)


def test_price_on_a_product_live_nowhere_goes_through_a_partial_edit_of_skus():
    desired = spec()
    live_desired = spec(skus=(sku("BATIK-PARANG-L", "140000", 5, "L"), sku("BATIK-PARANG-M", "150000", 10, "M")))
    deactivated = (("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))
    desired = replace(desired, status="inactive")
    (action,) = only(plan_for(desired, live_image(live_desired, statuses=deactivated))).actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("skus",) and not action.sends_to_review
    assert dict(action.sku_ids) == {"BATIK-PARANG-L": "172900", "BATIK-PARANG-M": "172901"}
    assert action.external_product_id == ""  # price-only writes do not record the fingerprint


def test_stock_only_is_update_inventory_with_every_warehouse_of_the_sku():
    desired = spec()
    live_spec = spec(skus=(sku("BATIK-PARANG-L", "150000", 5, "L"),
                           sku("BATIK-PARANG-M", inventory=((WH1, 3), (WH2, 7)), size="M")))
    (action,) = only(plan_for(desired, live_image(live_spec), owners=GIT_OWNS_STOCK)).actions
    assert action.kind == m.UPDATE_INVENTORY
    assert action.changes == (FieldChange(("skus", "BATIK-PARANG-M", "inventory", WH1), 3, 10),)
    assert action.stock == (StockUpdate("172901", "BATIK-PARANG-M", ((WH1, 10), (WH2, 7))),)


def test_a_new_warehouse_on_an_existing_sku_is_an_error_not_a_write():
    desired = spec(skus=(sku("BATIK-PARANG-L", "150000", 5, "L"),
                         sku("BATIK-PARANG-M", inventory=((WH1, 10), (WH2, 1)), size="M")))
    plan = plan_for(desired, live_image(spec()), owners=GIT_OWNS_STOCK)
    assert plan.products == ()
    assert [i.code for i in plan.errors] == ["warehouse_change"] and "12052533" in plan.errors[0].message


# --------------------------------------------------------------------------- content
def test_title_change_is_a_partial_edit_of_the_title_that_goes_back_to_review():
    desired = spec(title="Kemeja Batik Parang Premium")
    item = only(plan_for(desired, live_image(spec())))
    (action,) = item.actions
    assert action.kind == m.PARTIAL_EDIT and action.sends_to_review
    assert action.fields == ("title", "external_product_id")
    assert action.spec.title == "Kemeja Batik Parang Premium" and action.spec.declared == {"title"}
    assert action.changes == (FieldChange(("title",), "Kemeja Batik Parang Lengan Panjang",
                                          "Kemeja Batik Parang Premium"),)
    assert action.external_product_id == external_product_id(desired.key, fingerprint(desired),
                                                             (BATIK1, ImageRef("tos-id-i-batik2")))
    assert action.sku_ids == ()  # skus not sent


def test_content_and_price_changes_are_separate_calls_so_the_price_applies_now():
    desired = spec(title="Kemeja Batik Parang Premium",
                   skus=(sku("BATIK-PARANG-L", "150000", 5, "L"), sku("BATIK-PARANG-M", "99000", 10, "M")))
    assert only(plan_for(desired, live_image(spec()))).kinds() == (m.PARTIAL_EDIT, m.UPDATE_PRICE)


@pytest.mark.parametrize("field,value", [("minimum_order_quantity", 3), ("shipping_insurance_requirement", "REQUIRED"),
                                         ("category_id", "600011"), ("is_pre_owned", True)])
def test_fields_partial_edit_refuses_take_a_full_edit_built_from_the_live_product(field, value):
    declared = set(spec().declared) | {field}
    desired = spec(declared=declared, **{field: value})
    live = live_image(spec(declared=declared, description="<p>Written in Seller Center</p>"))
    desired = replace(desired, declared=frozenset(declared - {"description"}))
    (action,) = only(plan_for(desired, live)).actions
    assert action.kind == m.EDIT and action.sends_to_review
    assert getattr(action.spec, field) == value
    assert action.spec.description == "<p>Written in Seller Center</p>"  # undeclared: kept from live
    assert action.extra == (("video", {"id": "v-1"}),)
    assert dict(action.sku_ids) == {"BATIK-PARANG-L": "172900", "BATIK-PARANG-M": "172901"}


def test_full_edit_carries_price_changes_too():
    desired = spec(minimum_order_quantity=2,
                   skus=(sku("BATIK-PARANG-L", "150000", 5, "L"), sku("BATIK-PARANG-M", "99000", 10, "M")))
    (action,) = only(plan_for(desired, live_image(spec()))).actions
    assert action.kind == m.EDIT
    assert [c.path for c in action.changes] == [("minimum_order_quantity",), ("skus", "BATIK-PARANG-M", "price")]


def test_sku_added_is_a_partial_edit_of_skus_keeping_every_existing_sku_id():
    desired = spec(skus=spec().skus + (sku("BATIK-PARANG-XL", "160000", 4, "XL"),))
    (action,) = only(plan_for(desired, live_image(spec()))).actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("skus", "external_product_id")
    assert action.sku_ids == (("BATIK-PARANG-L", "172900"), ("BATIK-PARANG-M", "172901"))
    assert [s.seller_sku for s in action.spec.skus] == ["BATIK-PARANG-L", "BATIK-PARANG-M", "BATIK-PARANG-XL"]
    assert action.changes[0].path == ("skus", "BATIK-PARANG-XL") and action.changes[0].old is None


def test_sku_removed_is_a_partial_edit_that_leaves_its_id_out():
    desired = spec(skus=spec().skus[:1])
    (action,) = only(plan_for(desired, live_image(spec()))).actions
    assert action.kind == m.PARTIAL_EDIT and action.sku_ids == (("BATIK-PARANG-L", "172900"),)
    assert action.changes == (FieldChange(("skus", "BATIK-PARANG-M"), {
        "price": "150000", "inventory": {WH1: 10}, "sales_attributes": ["Ukuran: M"],
        "pre_sale_days": None, "identifier_code": None}, None),)


def test_undeclared_field_is_not_managed():
    declared = set(spec().declared) - {"description", "package_weight"}
    desired = spec(declared=declared)
    live = live_image(spec(description="<p>Other</p>", package_weight="1.2"))
    assert plan_for(desired, live).products == ()


def test_references_compare_on_what_the_catalog_wrote():
    by_id = spec(brand=Ref(id="700001"), product_attributes=(ProductAttribute("100100", None, (Ref(id="1001001"),)),))
    assert plan_for(by_id, live_image(spec())).products == ()
    changed = spec(product_attributes=(ProductAttribute(None, "Bahan", (Ref(name="Sutra"),)),))
    (action,) = only(plan_for(changed, live_image(spec()))).actions
    assert action.changes == (FieldChange(("product_attributes", "Bahan"), ["Katun"], ["Sutra"]),)
    assert action.spec.product_attributes == (ProductAttribute("100100", "Bahan", (Ref("1001002", "Sutra"),)),)


def test_replaced_local_image_is_a_change_that_needs_an_upload():
    desired = spec(main_images=(ImageRef(path="images/batik-3.jpg", sha256="cc33"), ImageRef(uri="tos-id-i-batik2")))
    (action,) = only(plan_for(desired, live_image(spec()))).actions
    assert action.changes == (FieldChange(("main_images",), ["images/batik-1.jpg", "tos-id-i-batik2"],
                                          ["images/batik-3.jpg", "tos-id-i-batik2"]),)
    assert action.uploads == (ImageRef(path="images/batik-3.jpg", sha256="cc33"),)


def test_a_draft_in_seller_center_turns_a_partial_edit_into_a_full_edit():
    item = only(plan_for(spec(title="Kemeja Batik Parang Premium"), live_image(spec(), has_draft=True)))
    assert item.kinds() == (m.EDIT,) and "draft" in item.notes[0]


# --------------------------------------------------------------------------- platforms and status
def test_platform_added_where_not_listed_is_a_partial_edit_of_listing_platforms():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "ACTIVATE"),))
    item = only(plan_for(spec(), live))
    (action,) = item.actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("listing_platforms", "external_product_id")
    assert action.spec.listing_platforms == ("TIKTOK_SHOP", "TOKOPEDIA") and action.sends_to_review
    assert action.changes == (FieldChange(("listing_platforms",), ["TIKTOK_SHOP"], ["TIKTOK_SHOP", "TOKOPEDIA"]),)
    assert item.platforms == ("TIKTOK_SHOP", "TOKOPEDIA")


def test_platform_added_where_deactivated_is_activate_on_that_platform():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED")))
    (action,) = only(plan_for(spec(), live)).actions
    assert (action.kind, action.platforms) == (m.ACTIVATE, ("TOKOPEDIA",))
    assert action.changes == (FieldChange(("status", "TOKOPEDIA"), "SELLER_DEACTIVATED", "ACTIVATE"),)


def test_platform_removed_is_deactivate_on_that_platform():
    (action,) = only(plan_for(spec(listing_platforms=("TOKOPEDIA",)), live_image(spec()))).actions
    assert (action.kind, action.platforms) == (m.DEACTIVATE, ("TIKTOK_SHOP",))


def test_status_inactive_deactivates_every_live_platform():
    (action,) = only(plan_for(spec(status="inactive"), live_image(spec()))).actions
    assert (action.kind, action.platforms) == (m.DEACTIVATE, ("TIKTOK_SHOP", "TOKOPEDIA"))


def test_tombstone_deletes_and_is_batched():
    desired = spec(status="deleted")
    plan = plan_for(desired, live_image(spec()))
    assert kinds(plan) == {"batik-parang": (m.DELETE,)}
    assert plan.batches == (m.Batch(m.DELETE, ("TIKTOK_SHOP", "TOKOPEDIA"), ("1729",), ("batik-parang",)),)
    assert plan_for(desired).products == ()  # already gone: nothing to do


def test_batches_hold_at_most_twenty_ids():
    desired = tuple(spec(f"p{i:02d}", status="deleted") for i in range(45))
    live = [live_image(spec(f"p{i:02d}"), product_id=f"9{i:02d}") for i in range(45)]
    plan = plan_for(desired, *live)
    assert [len(b.product_ids) for b in plan.batches] == [20, 20, 5]
    assert plan.batches[0].product_ids[0] == "900" and plan.batches[-1].product_ids[-1] == "944"


def test_deleted_in_the_shop_is_recovered():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "DELETED"), ("TOKOPEDIA", "DELETED")), spec=None)
    assert only(plan_for(spec(), live)).kinds() == (m.RECOVER,)


# --------------------------------------------------------------------------- states
def test_frozen_is_blocked_and_never_written():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "FREEZE"), ("TOKOPEDIA", "ACTIVATE")), spec=None)
    plan = plan_for(spec(title="Kemeja Batik Parang Premium"), live)
    (action,) = only(plan).actions
    assert action.kind == m.BLOCKED and action.blockers == (Blocker("TIKTOK_SHOP", m.FROZEN),)
    assert not plan.has_changes and plan.summary().blocked == 1


def test_under_review_changes_are_held_not_resubmitted_while_stock_still_moves():
    desired = spec(title="Kemeja Batik Parang Premium",
                   skus=(sku("BATIK-PARANG-L", "150000", 9, "L"), sku("BATIK-PARANG-M", "150000", 10, "M")))
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "PENDING"), ("TOKOPEDIA", "PENDING")))
    item = only(plan_for(desired, live, owners=GIT_OWNS_STOCK))
    assert item.kinds() == (m.UPDATE_INVENTORY, m.HELD)
    held = item.actions[1]
    assert held.changes[0].path == ("title",) and held.blockers[0].code == m.UNDER_REVIEW


def _failed(desired, applied_from):
    return live_image(applied_from, statuses=(("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "FAILED")),
                      audit_status="FAILED", last_applied=(desired.key, fingerprint(applied_from)),
                      audit_failures=(AuditFailure("TOKOPEDIA", ("Counterfeit goods are not allowed.",),
                                                   ("Remove the word 'replika'.",)),))


def test_review_failed_with_unchanged_spec_is_blocked_with_the_platform_reasons():
    desired = spec(title="Kemeja Batik Parang replika")
    live = replace(_failed(desired, desired), spec=live_image(spec()).spec)  # v1 live, v2 failed
    (action,) = only(plan_for(desired, live)).actions
    assert action.kind == m.BLOCKED and action.platforms == ("TOKOPEDIA",)
    assert action.blockers == (Blocker("TOKOPEDIA", m.REVIEW_FAILED, ("Counterfeit goods are not allowed.",),
                                       ("Remove the word 'replika'.",)),)


def test_review_failed_with_a_changed_spec_is_resubmitted():
    failed_version = spec(title="Kemeja Batik Parang replika")
    desired = spec(title="Kemeja Batik Parang Asli")
    live = replace(_failed(desired, failed_version), spec=live_image(spec()).spec)
    item = only(plan_for(desired, live))
    assert item.kinds() == (m.PARTIAL_EDIT,) and "resubmitted" in item.notes[0]


def test_drift_is_labelled_when_live_changed_but_the_catalog_did_not():
    desired = spec()
    live = live_image(desired, live_spec=live_image(spec(title="Edited in Seller Center")).spec)
    item = only(plan_for(desired, live))
    assert item.drift and item.kinds() == (m.PARTIAL_EDIT,)
    assert not only(plan_for(spec(title="Changed in git"), live)).drift


def test_product_without_fingerprint_is_adopted_not_created_again():
    item = only(plan_for(spec(title="Kemeja Batik Parang Premium"), live_image(spec(), applied=False)))
    assert item.adopted and item.product_id == "1729" and item.kinds() == (m.PARTIAL_EDIT,)
    assert item.notes[0].startswith("adopted")


def test_platform_the_category_does_not_permit_is_blocked_once_applied_unchanged():
    desired = spec(category_id="600030",  # Jam Tangan Mewah: invite-only on Tokopedia
                   product_attributes=(ProductAttribute(None, "Mesin", (Ref(name="Otomatis"),)),))
    live = live_image(desired, statuses=(("TIKTOK_SHOP", "ACTIVATE"),))
    plan = plan_for(desired, live)
    (action,) = only(plan).actions
    assert action.kind == m.BLOCKED
    assert action.blockers == (Blocker("TOKOPEDIA", m.CATEGORY_NOT_PERMITTED, detail="INVITE_ONLY"),)
    changed = replace(desired, title="Jam Tangan Mewah Otomatis Baru")
    retry = plan_for(changed, live)
    assert only(retry).kinds() == (m.PARTIAL_EDIT,)
    assert [w.code for w in retry.warnings] == ["category_permission"]
    assert "invite-only on Tokopedia" in retry.warnings[0].message


def test_create_in_a_prohibited_category_warns_and_still_creates():
    plan = plan_for(spec(category_id="600021", product_attributes=(ProductAttribute(None, "Kondisi",
                                                                                   (Ref(name="Bekas Baik"),)),)))
    assert only(plan).kinds() == (m.CREATE,)
    assert "prohibited on Shop | Tokopedia" in plan.warnings[0].message


# --------------------------------------------------------------------------- identity
def test_unmanaged_products_are_listed_and_never_touched():
    stranger = live_image(spec("stranger", title="Tas Rotan Lombok"), product_id="4242", applied=False)
    plan = plan_for(spec(), live_image(spec()), unmanaged=(stranger,))
    assert plan.products == () and plan.unmanaged == (m.UnmanagedProduct("4242", "Tas Rotan Lombok"),)


def test_key_spread_over_two_live_products_is_an_error_naming_both():
    desired = spec()
    a = live_image(spec(skus=spec().skus[:1]), product_id="111")
    b = live_image(spec(skus=spec().skus[1:]), product_id="222")
    plan = plan_for(desired, a, b)
    assert plan.products == ()
    (error,) = plan.errors
    assert error.product_ids == ("111", "222") and "111 and 222" in error.message and "Seller Center" in error.message


def test_seller_sku_in_two_live_products_is_an_error_for_the_catalog_product():
    desired = spec()
    live = live_image(desired, product_id="111")
    conflict = SkuConflict("BATIK-PARANG-M", ("111", "333"))
    plan = plan_for(desired, live, conflicts=(conflict,))
    assert plan.products == () and plan.errors[0].product_ids == ("111", "333")


def test_targets_limit_the_plan_and_a_target_matching_nothing_is_an_error():
    products = (spec("batik-parang"), spec("kopi-gayo", title="Kopi Arabika Gayo 250 gram"))
    plan = plan_for(products, targets=("kopi-*",))
    assert [p.key for p in plan.products] == ["kopi-gayo"] and plan.targets == ("kopi-*",)
    with pytest.raises(PlanError, match="kopi-gaya; did you mean kopi-gayo"):
        plan_for(products, targets=("kopi-gaya",))


def test_listing_check_specs_are_whole_products_for_creates_and_edits():
    from test_plan_builders import catalog, snapshot

    from engine.plan.planner import listing_check_specs

    new, edited, priced = spec("a-new"), spec("b-edit", title="Kemeja Batik Parang Premium Baru"), spec("c-price")
    priced_live = spec("c-price", skus=(sku("C-PRICE-L", "1", 5, "L"), sku("C-PRICE-M", "150000", 10, "M")))
    lives = (live_image(spec("b-edit"), "2"), live_image(priced_live, "3"))
    cat = catalog(new, edited, priced)
    snap = snapshot(*lives, desired=(new, edited, priced))
    plan = plan_for((new, edited, priced), *lives)
    specs = listing_check_specs(plan, cat, snap)
    assert sorted(specs) == ["a-new", "b-edit"]  # a price update is not checked
    assert specs["b-edit"].title == "Kemeja Batik Parang Premium Baru"
    assert specs["b-edit"].skus and specs["b-edit"].description  # the whole product, not the partial fields


def test_a_product_whose_skus_were_all_renamed_is_found_by_its_fingerprint_key():
    desired = spec(skus=(sku("BATIK-PARANG-NEW", "150000", 5, "L"),))
    old = live_image(spec(), product_id="1729")  # fingerprint names batik-parang, SKUs are the old ones
    item = only(plan_for(desired, old))
    assert item.product_id == "1729" and item.kinds() == (m.PARTIAL_EDIT,)
    assert {c.path for c in item.actions[0].changes} == {
        ("skus", "BATIK-PARANG-L"), ("skus", "BATIK-PARANG-M"), ("skus", "BATIK-PARANG-NEW")}


def test_full_edit_sends_only_the_platforms_the_product_is_listed_on_now():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED")))
    desired = spec(minimum_order_quantity=4, listing_platforms=("TIKTOK_SHOP",))
    (action,) = only(plan_for(desired, live)).actions
    assert action.kind == m.EDIT and action.spec.listing_platforms == ("TIKTOK_SHOP",)
    assert action.platforms == ("TIKTOK_SHOP", "TOKOPEDIA")  # the product the edit touches


def test_insurance_is_not_planned_for_a_product_not_on_tokopedia_and_not_listed_there_now():
    """The API takes shipping_insurance_requirement only with Tokopedia: an inactive product on
    Shop | Tokopedia alone would otherwise get an edit on every plan that never sticks."""
    live = live_image(spec(shipping_insurance_requirement=None, listing_platforms=("TIKTOK_SHOP",)),
                      statuses=(("TIKTOK_SHOP", "SELLER_DEACTIVATED"),))
    hidden = spec(status="inactive")  # declared on both platforms, insurance OPTIONAL
    assert plan_for(hidden, live).products == ()
    (item,) = plan_for(spec(), live).products  # active: listed on Tokopedia now, insurance rides along
    assert [a.kind for a in item.actions] == [m.EDIT, m.ACTIVATE]
    assert FieldChange(("shipping_insurance_requirement",), None, "OPTIONAL") in item.actions[0].changes


def test_a_draft_kept_inactive_is_edited_as_a_draft_so_it_is_not_published():
    live = live_image(spec(), statuses=(("TIKTOK_SHOP", "DRAFT"), ("TOKOPEDIA", "DRAFT")))
    (item,) = plan_for(spec(status="inactive", title="Kemeja Batik Parang Edisi Draf"), live).products
    (action,) = item.actions
    assert action.kind == m.PARTIAL_EDIT and action.save_mode == "AS_DRAFT" and not action.sends_to_review
    (item,) = plan_for(spec(status="inactive", skus=(sku("BATIK-PARANG-L", "99000", 5, "L"),
                                                     sku("BATIK-PARANG-M", "150000", 10, "M"))), live).products
    assert [(a.kind, a.save_mode) for a in item.actions] == [(m.PARTIAL_EDIT, "AS_DRAFT")]
    (item,) = plan_for(spec(title="Kemeja Batik Parang Edisi Terbit"), live).products  # active: published
    assert all(a.save_mode == "" for a in item.actions)


def test_an_annotation_other_than_ce3_is_not_the_engines():
    """`ce1:` / `ce2:` (0.1.0 development builds) and a seller's own id are not the engine's
    annotation: the product reads as never applied by the engine — adopted by seller SKU, its
    content compared as for any adopted product (so no drift and no review block: a failed
    review is resubmitted), and the next content write records a `ce3:` annotation."""
    desired = spec(title="Kemeja Batik Parang replika")
    base = replace(_failed(desired, desired), spec=live_image(spec()).spec)
    for value in (f"ce2:{fingerprint(desired)}::{desired.key}", f"ce1:{fingerprint(desired)}:{desired.key}",
                  "SELLER-OWN-ID"):
        live = replace(base, external_product_id=value, last_applied=parse_external_product_id(value))
        item = only(plan_for(desired, live))
        assert live.last_applied is None and item.adopted and not item.drift
        assert item.kinds() == (m.PARTIAL_EDIT,) and item.notes[0].startswith("adopted")
        assert parse_annotation(item.actions[0].external_product_id).key == desired.key


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.from_regex(r"[a-c]{1,3}(-[0-9])?", fullmatch=True), min_size=1, max_size=12, unique=True),
       targets=st.lists(st.from_regex(r"[a-c*?]{1,3}(-[0-9*])?|\[ab\]\*", fullmatch=True), min_size=1, max_size=5))
def test_target_selection_is_exactly_fnmatch_per_pair(keys, targets):
    """Exact keys looked up and patterns compiled once select what fnmatch per (key, target) selects."""
    import fnmatch

    from engine.plan.planner import select_targets

    products = [spec(key) for key in keys]
    naive_unmatched = [t for t in targets if not any(fnmatch.fnmatchcase(k, t) for k in keys)]
    if naive_unmatched:
        with pytest.raises(PlanError):
            select_targets(products, targets)
        return
    chosen = [p.key for p in select_targets(products, targets)]
    assert chosen == sorted(k for k in keys if any(fnmatch.fnmatchcase(k, t) for t in targets))


@pytest.mark.parametrize("fields", [("title",), ("skus",), ("product_attributes",), ("brand", "main_images"),
                                    ("listing_platforms", "title"), ("description", "product_attributes", "skus")])
def test_a_partial_merge_gives_the_fields_a_full_merge_gives(fields):
    """merged_spec(only=fields) works out just what a partial edit sends — the same values."""
    from test_plan_builders import METADATA, live_image, sku, spec

    from engine.catalog.spec import ImageRef
    from engine.plan.payload import Known, merged_spec, partial_spec

    desired = spec(title="Kemeja Batik Parang Premium", main_images=(ImageRef(path="images/a.png", sha256="ab" * 32),),
                   skus=(sku("BATIK-PARANG-L", "99000", 3, "L"), sku("BATIK-PARANG-XL", "120000", 4, "XL")),
                   product_attributes=(ProductAttribute(None, "Bahan", (Ref(None, "Sutra"),)),))
    live = live_image(spec()).spec
    args = (desired, live, ("TOKOPEDIA",), {("images/a.png", "ab" * 32): "tos-1"}, Known(METADATA))
    full, part = merged_spec(*args), merged_spec(*args, only=fields)
    assert partial_spec(part, fields) == partial_spec(full, fields)
    assert part.main_images == full.main_images  # the annotation's image tokens come from these
