"""Guards (issue 17), planner side: what trips, what an acknowledgement allows, what is stale.

Plans are made by make_plan from desired specs and their live images (tests/test_plan_builders);
the catalog stub carries the shop's guard settings and the products' acknowledgements the way
load_catalog does (ShopConfig.guards, Catalog.acknowledgements, Catalog.locate).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest
import yaml_rs
from test_plan_builders import IMAGE_URIS, SEED, live_image, sku, snapshot, spec

from engine.catalog.guard_settings import (
    DEFAULT_GUARDS,
    GuardSettings,
    Limit,
    MassAcknowledgement,
    PriceAcknowledgement,
)
from engine.catalog.models import Guards, ProductAcknowledge
from engine.plan import model as m
from engine.plan.guards import (
    acknowledgements,
    change_percent,
    percent_text,
    products_fingerprint,
    refusal,
)
from engine.plan.planner import make_plan

DEACTIVATED = (("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))


def catalog(*products, guards: GuardSettings = DEFAULT_GUARDS, acks=()):
    shop = SimpleNamespace(name="Toko Nusantara (sandbox)", market="ID", guards=guards,
                           warehouses={w["name"]: w["id"] for w in SEED["warehouses"]})
    return SimpleNamespace(shop=shop, products=tuple(products), digest="d1g35t0fc4ta10g", acknowledgements=tuple(acks),
                           locate=lambda key, path: (f"products/{key}.yaml", 20, 5))


def plan(desired, live, *, guards=DEFAULT_GUARDS, acks=(), targets=(), extra_live=()):
    """make_plan of `desired` against `live` (plus live products the catalog does not describe)."""
    snap = snapshot(*live, unmanaged=tuple(extra_live), desired=tuple(desired))
    return make_plan(catalog(*desired, guards=guards, acks=acks), snap, image_uris=IMAGE_URIS, targets=targets)


def priced(key: str, m_price: str, l_price: str = "150000"):
    return spec(key, skus=(sku(f"{key.upper()}-L", l_price, 5, "L"), sku(f"{key.upper()}-M", m_price, 10, "M")))


def shop_of(count: int, prefix: str = "p"):
    """`count` live products, each as the catalog describes it (nothing to do)."""
    specs = [spec(f"{prefix}{i:04d}") for i in range(count)]
    return specs, [live_image(s, f"{ord(prefix)}{i:05d}") for i, s in enumerate(specs)]


# --------------------------------------------------------------------------- price changes
def test_a_price_typo_trips_the_price_guard_with_its_numbers():
    was, now = spec(), priced("batik-parang", "1500")
    result = plan([now], [live_image(was)])
    [trip] = result.guards
    assert (trip.guard, trip.key, trip.sku, trip.old, trip.new) == ("price_change", "batik-parang", "BATIK-PARANG-M",
                                                                    "150000", "1500")
    assert trip.limit == "50 %" and not trip.acknowledged and result.tripped == (trip,)
    assert trip.source == "products/batik-parang.yaml:1"


@pytest.mark.parametrize("new,trips", [("225000", False), ("225001", True), ("75000", False), ("74999", True),
                                       ("1500000", True), ("135000", False)])
def test_the_price_guard_trips_past_the_limit_up_or_down(new, trips):
    result = plan([priced("batik-parang", new)], [live_image(spec())])
    assert bool(result.guards) is trips


def test_the_price_limit_is_the_shops_and_false_turns_it_off():
    typo = priced("batik-parang", "1500")
    tight = replace(DEFAULT_GUARDS, price_change=Decimal("0.05"))
    assert plan([priced("batik-parang", "140000")], [live_image(spec())], guards=tight).guards[0].limit == "5 %"
    assert plan([typo], [live_image(spec())], guards=replace(DEFAULT_GUARDS, price_change=None)).guards == ()


def test_a_price_change_held_under_review_trips_too():
    """A held change is written by a later apply that nobody reviews: it is judged now."""
    typo = priced("batik-parang", "1500")
    pending = (("TIKTOK_SHOP", "PENDING"), ("TOKOPEDIA", "PENDING"))
    result = plan([typo], [live_image(spec(), statuses=pending, audit_status="AUDITING")])
    assert any(a.kind == m.HELD for a in result.products[0].actions)
    assert [t.sku for t in result.tripped] == ["BATIK-PARANG-M"]


def test_a_create_trips_no_price_guard():
    assert plan([priced("batik-parang", "1")], []).guards == ()


# --------------------------------------------------------------------------- price acknowledgements
def test_an_acknowledgement_of_exactly_the_change_allows_it():
    ack = PriceAcknowledgement("batik-parang", "BATIK-PARANG-M", "150000", "1500")
    result = plan([priced("batik-parang", "1500")], [live_image(spec())], acks=[ack])
    [trip] = result.guards
    assert trip.acknowledged == "products/batik-parang.yaml:20:5" and result.tripped == ()
    assert not result.warnings and refusal(result) is None


@pytest.mark.parametrize("ack", [
    PriceAcknowledgement("batik-parang", "BATIK-PARANG-M", "150000", "1800"),  # another new price
    PriceAcknowledgement("batik-parang", "BATIK-PARANG-M", "185000", "1500"),  # another live price
])
def test_an_acknowledgement_of_another_change_allows_nothing_and_says_so(ack):
    result = plan([priced("batik-parang", "1500")], [live_image(spec())], acks=[ack])
    assert len(result.tripped) == 1
    [warning] = result.warnings
    assert warning.code == "acknowledgement" and "does not allow this change" in warning.message
    assert "products/batik-parang.yaml:20:5" in warning.message and "150000 → 1500" in warning.message


def test_an_acknowledgement_whose_change_is_live_is_flagged_for_removal():
    now = priced("batik-parang", "1500")
    ack = PriceAcknowledgement("batik-parang", "BATIK-PARANG-M", "150000", "1500")
    result = plan([now], [live_image(now)], acks=[ack])
    assert result.guards == () and not result.has_changes
    [warning] = result.warnings
    assert warning.message == ("batik-parang: the acknowledgement at products/batik-parang.yaml:20:5 is no longer "
                               "needed: SKU BATIK-PARANG-M is at 1500 in the shop, the change it allowed is live; "
                               "remove it")


def test_an_acknowledgement_of_a_small_or_no_change_is_flagged():
    ack = PriceAcknowledgement("batik-parang", "BATIK-PARANG-M", "150000", "1500")
    small = plan([priced("batik-parang", "140000")], [live_image(spec())], acks=[ack])
    [warning] = small.warnings
    assert "not needed: SKU BATIK-PARANG-M 150000 → 140000 is within max_price_change (50 %)" in warning.message
    [warning] = plan([spec()], [live_image(spec())], acks=[ack]).warnings
    assert "matches no change: SKU BATIK-PARANG-M is at 150000 in the catalog and in the shop" in warning.message


def test_acknowledgements_of_products_left_out_by_target_are_not_judged():
    ack = PriceAcknowledgement("kopi", "KOPI-M", "150000", "1500")
    kopi = spec("kopi")
    result = plan([spec(), kopi], [live_image(spec()), live_image(kopi, "2")], acks=[ack], targets=("batik-parang",))
    assert result.warnings == ()


# --------------------------------------------------------------------------- mass changes
def deactivate_all(specs):
    return [replace(s, status="inactive") for s in specs]


def test_a_whole_ten_product_shop_deactivated_by_one_line_trips_the_guard():
    specs, live = shop_of(10)
    result = plan(deactivate_all(specs), live)
    [trip] = result.tripped
    assert (trip.guard, trip.count, trip.total, trip.limit) == ("deactivate", 10, 10, "10 products or 25 %")
    assert trip.products == products_fingerprint(s.key for s in specs) and trip.source == "shop.yaml"


@pytest.mark.parametrize("count,deactivated,trips", [(1, 1, True), (10, 2, False), (10, 3, True), (100, 10, False),
                                                     (100, 11, True), (4, 1, False)])
def test_mass_deactivation_trips_past_the_count_or_the_share(count, deactivated, trips):
    specs, live = shop_of(count)
    result = plan(deactivate_all(specs[:deactivated]) + specs[deactivated:], live)
    assert [t.guard for t in result.guards] == (["deactivate"] if trips else [])


def test_the_share_counts_live_products_of_the_whole_shop_unmanaged_ones_included():
    specs, live = shop_of(3)
    _, others = shop_of(9, "x")
    result = plan(deactivate_all(specs[:3]), live, extra_live=others)  # 3 of 12 live: 25 %, not past it
    assert result.guards == ()
    hidden = [replace(o, platform_statuses=DEACTIVATED, status="SELLER_DEACTIVATED") for o in others]
    assert [t.total for t in plan(deactivate_all(specs[:3]), live, extra_live=hidden).guards] == [3]


def test_taking_a_product_off_a_platform_counts_as_deactivating_it():
    only_toko = spec(listing_platforms=("TOKOPEDIA",))
    result = plan([only_toko], [live_image(spec())])
    assert [(t.guard, t.count, t.total) for t in result.guards] == [("deactivate", 1, 1)]


def test_mass_deletes_trip_the_delete_guard():
    specs, live = shop_of(1000)
    tombstones = [replace(s, status="deleted") for s in specs]
    result = plan(tombstones, live)
    [trip] = result.guards
    assert (trip.guard, trip.count, trip.total, trip.limit) == ("delete", 1000, 1000, "5 products or 10 %")


def test_limits_are_the_shops_and_false_turns_them_off():
    specs, live = shop_of(10)
    loose = replace(DEFAULT_GUARDS, deactivate=Limit(20, None))
    assert plan(deactivate_all(specs), live, guards=loose).guards == ()
    assert plan(deactivate_all(specs), live, guards=replace(DEFAULT_GUARDS, deactivate=None)).guards == ()


def mass_ack(guard, count, products):
    return replace(DEFAULT_GUARDS, acknowledged=(MassAcknowledgement(guard, count, products, 12, 17),))


def test_a_mass_acknowledgement_is_bound_to_the_count_and_the_products():
    specs, live = shop_of(10)
    fingerprint = products_fingerprint(s.key for s in specs)
    allowed = plan(deactivate_all(specs), live, guards=mass_ack("deactivate", 10, fingerprint))
    assert allowed.tripped == () and allowed.guards[0].acknowledged == "shop.yaml:12:17" and not allowed.warnings
    other_count = plan(deactivate_all(specs[:9]) + specs[9:], live, guards=mass_ack("deactivate", 10, fingerprint))
    assert len(other_count.tripped) == 1 and "does not allow this change" in other_count.warnings[0].message
    others = shop_of(10, "q")
    same_count = plan(deactivate_all(others[0]), others[1], guards=mass_ack("deactivate", 10, fingerprint))
    assert len(same_count.tripped) == 1, "ten other products are another change"


def test_a_mass_acknowledgement_left_behind_is_flagged_unless_targets_hide_the_rest():
    specs, live = shop_of(10)
    guards = mass_ack("delete", 3, "0123abcd")
    [warning] = plan(specs, live, guards=guards).warnings
    assert warning.message == ("the acknowledgement at shop.yaml:12:17 is no longer needed: this plan deletes no "
                               "product (done, or not planned any more); remove it")
    assert plan(specs, live, guards=guards, targets=("p0001",)).warnings == ()


# --------------------------------------------------------------------------- how to acknowledge
def test_the_suggested_yaml_is_valid_and_acknowledges_exactly_what_tripped():
    specs, live = shop_of(10)
    typo = priced("p0000", "1500", "2000")
    result = plan([typo] + deactivate_all(specs[1:]) + [], live)
    places = acknowledgements(result)
    assert [(f, k) for f, k, _ in places] == [("products/p0000.yaml", "p0000"), ("shop.yaml", "")]
    product_yaml = yaml_rs.loads(places[0][2])["acknowledge"]
    written = ProductAcknowledge.model_validate(product_yaml).price_change
    assert {s: (str(a.old), str(a.new)) for s, a in written.items()} == {"P0000-L": ("150000", "2000"),
                                                                          "P0000-M": ("150000", "1500")}
    shop_yaml = Guards.model_validate({"acknowledge": yaml_rs.loads(places[1][2])["acknowledge"]})
    assert shop_yaml.acknowledge.deactivate.count == 9
    message = refusal(result)
    assert message.startswith("3 guards tripped and not acknowledged; nothing was written:")
    assert "p0000: SKU P0000-M price 150000 → 1500 (−99 %), past max_price_change (50 %)" in message
    assert "deactivates 9 of 10 live products (90 %)" in message
    assert 'shop.yaml, under guards — acknowledge: {deactivate: {count: 9, products: "' in message


@pytest.mark.parametrize("old,new,text", [("185000", "1850", "−99 %"), ("150000", "1500000", "+900 %"),
                                          ("99000", "150000", "+51,5 %"), ("150000", "150000", "0 %")])
def test_percentages_read_the_indonesian_way(old, new, text):
    assert percent_text(change_percent(old, new)) == text


def test_a_listing_deferred_by_the_daily_limit_is_judged_now():
    """A deferred edit is sent by a later apply that nobody reviews: its price change counts."""
    from engine.plan.guards import ShopCounts, evaluate
    from engine.plan.model import Action, FieldChange, ProductPlan

    deferred = Action(m.DEFERRED, ("TOKOPEDIA",), changes=(
        FieldChange(("skus", "KAOS-M", "price"), "185000", "1850"), FieldChange(("title",), "Kaos", "Kaos Polos")))
    item = ProductPlan("kaos", product_id="1", actions=(deferred,), source="products/kaos.yaml:2")
    trips, _ = evaluate([item], DEFAULT_GUARDS, (), ShopCounts, desired=(), where=lambda spec, path: "")
    assert [(t.guard, t.sku, t.old, t.new) for t in trips] == [("price_change", "KAOS-M", "185000", "1850")]
