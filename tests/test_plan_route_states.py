"""Routing by the product's state on each platform (issue 20): a price for a product not live
everywhere, a price alongside a platform change, a product waiting for review."""

from __future__ import annotations

from test_plan_builders import live_image, plan_for, sku, spec

from engine.plan import model as m
from engine.plan.model import Blocker, FieldChange


def only(plan):
    assert len(plan.products) == 1, plan.products
    return plan.products[0]


def test_price_on_a_product_hidden_on_one_platform_goes_through_a_partial_edit_of_skus():
    # Update Price takes only a product live on every platform it is on (12019113 otherwise)
    live_spec = spec(skus=(sku("BATIK-PARANG-L", "150000", 5, "L"), sku("BATIK-PARANG-M", "160000", 10, "M")))
    hidden = (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))
    desired = spec(listing_platforms=("TIKTOK_SHOP",))
    (action,) = only(plan_for(desired, live_image(live_spec, statuses=hidden))).actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("skus",) and not action.sends_to_review
    assert action.changes == (FieldChange(("skus", "BATIK-PARANG-M", "price"), "160000", "150000"),)
    assert "not live on Tokopedia" in action.note


def test_a_price_change_rides_in_the_edit_that_changes_the_platforms():
    # the edit hides Tokopedia and lists Shop | Tokopedia (review): an Update Price after it would be refused
    live_spec = spec(skus=(sku("BATIK-PARANG-L", "150000", 5, "L"), sku("BATIK-PARANG-M", "160000", 10, "M")))
    desired = spec(listing_platforms=("TIKTOK_SHOP",))
    (action,) = only(plan_for(desired, live_image(live_spec, statuses=(("TOKOPEDIA", "ACTIVATE"),)))).actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("listing_platforms", "skus", "external_product_id")
    assert FieldChange(("skus", "BATIK-PARANG-M", "price"), "160000", "150000") in action.changes
    assert dict(action.sku_ids) == {"BATIK-PARANG-L": "172900", "BATIK-PARANG-M": "172901"}


def test_a_product_in_review_with_nothing_to_send_is_shown_waiting_for_review():
    pending = (("TIKTOK_SHOP", "PENDING"), ("TOKOPEDIA", "ACTIVATE"))
    (action,) = only(plan_for(spec(), live_image(spec(), statuses=pending))).actions
    assert action.kind == m.HELD and action.platforms == ("TIKTOK_SHOP",) and action.changes == ()
    assert action.blockers == (Blocker("TIKTOK_SHOP", m.UNDER_REVIEW),) and not action.is_write
    assert "the next plan after the review shows the outcome" in action.note
