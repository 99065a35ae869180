"""Invariants of make_plan, checked with Hypothesis.

- A catalog planned against its own normalised live image is empty.
- Plans are identical across runs, and JSON round-trips exactly.
- Every action kind is in the closed vocabulary; batches never exceed 20 ids.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_plan_builders import WH1, WH2, catalog, live_image, sku, snapshot, spec

from engine.catalog.spec import MANAGED_FIELDS, ImageRef, ProductAttribute, Ref
from engine.plan import model as m
from engine.plan.planner import make_plan
from engine.plan.saved import dumps, loads

PLATFORM_SETS = [("TIKTOK_SHOP",), ("TOKOPEDIA",), ("TIKTOK_SHOP", "TOKOPEDIA")]
OPTIONAL = sorted(set(MANAGED_FIELDS) - {"skus", "title", "is_pre_owned", "delivery_option_ids"})
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=12).map(str.strip).filter(bool)


@st.composite
def skus(draw, key):
    count = draw(st.integers(1, 4))
    out = []
    for i in range(count):
        price = str(draw(st.integers(1_000, 5_000_000)))
        stock = draw(st.integers(0, 999))
        two = draw(st.booleans())
        inventory = ((WH1, stock), (WH2, draw(st.integers(0, 50)))) if two else ((WH1, stock),)
        out.append(sku(f"{key.upper()}-{i}", price, inventory=inventory, size=["S", "M", "L", "XL"][i]))
    return tuple(out)


@st.composite
def products(draw, key):
    declared = {"title", "skus"} | set(draw(st.lists(st.sampled_from(OPTIONAL), unique=True)))
    brand = draw(st.sampled_from([Ref(name="Batik Keris"), Ref(id="700001"), Ref("700001", "Batik Keris"), None]))
    material = draw(st.sampled_from(["Katun", "Sutra", "Rayon"]))
    motifs = draw(st.lists(st.sampled_from(["Parang", "Kawung", "Mega Mendung"]), min_size=1, max_size=3, unique=True))
    return spec(
        key, declared=declared,
        title="Kemeja Batik " + draw(words).title() + " Lengan Panjang",
        description="".join(f"<p>{w}</p>" for w in draw(st.lists(words, min_size=1, max_size=4))),
        brand=brand,
        main_images=(ImageRef(path="images/batik-1.jpg", sha256="aa11"),
                     ImageRef(uri="tos-id-i-" + draw(st.sampled_from(["x", "y"])))),
        product_attributes=(ProductAttribute(None, "Bahan", (Ref(name=material),)),
                            ProductAttribute("100101", None, tuple(Ref(name=m_) for m_ in sorted(motifs)))),
        listing_platforms=draw(st.sampled_from(PLATFORM_SETS)),
        status=draw(st.sampled_from(["active", "inactive"])),
        minimum_order_quantity=draw(st.integers(1, 20)),
        is_cod_allowed=draw(st.booleans()),
        skus=draw(skus(key)),
    )


def _statuses(desired):
    status = "ACTIVATE" if desired.status == "active" else "SELLER_DEACTIVATED"
    return tuple((p, status) for p in desired.listing_platforms)


@st.composite
def catalogs(draw):
    keys = draw(st.lists(st.sampled_from(["batik-a", "batik-b", "kaos-c", "kopi-d", "tas-e"]),
                         min_size=1, max_size=4, unique=True))
    return tuple(draw(products(k)) for k in sorted(keys))


def _own_image(desired_products):
    lives = []
    for i, desired in enumerate(desired_products):
        live = live_image(desired, product_id=f"77{i}", statuses=_statuses(desired))
        # the reader fills what the catalog left undeclared; the planner must ignore it
        lives.append(replace(live, spec=replace(live.spec, is_pre_owned=False,
                                                delivery_option_ids=("7300000000000000001",))))
    return lives


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_a_catalog_against_its_own_live_image_plans_nothing(desired):
    snap = snapshot(*_own_image(desired), desired=desired)
    plan = make_plan(catalog(*desired), snap, image_uris={("images/batik-1.jpg", "aa11"): "tos-id-i-batik1"})
    assert plan.products == () and plan.issues == () and not plan.has_changes


@st.composite
def drifted(draw):
    desired = draw(catalogs())
    lives = _own_image(desired)
    out = []
    for live in lives:
        change = draw(st.sampled_from(["none", "title", "price", "stock", "drop", "status", "gone", "frozen"]))
        skus_ = live.spec.skus
        if change == "title":
            live = replace(live, spec=replace(live.spec, title="Edited in Seller Center"))
        elif change == "price":
            live = replace(live, spec=replace(live.spec, skus=(replace(skus_[0], price="1"),) + skus_[1:]))
        elif change == "stock":
            live = replace(live, spec=replace(live.spec, skus=(replace(skus_[0], inventory=((WH1, 0),)),) + skus_[1:]))
        elif change == "drop" and len(skus_) > 1:
            live = replace(live, spec=replace(live.spec, skus=skus_[1:]), sku_ids=live.sku_ids[1:])
        elif change == "status":
            live = replace(live, platform_statuses=(("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "ACTIVATE")))
        elif change == "frozen":
            live = replace(live, platform_statuses=(("TIKTOK_SHOP", "FREEZE"),), spec=None)
        if change != "gone":
            out.append(live)
    targets = draw(st.sampled_from([(), (desired[0].key,)]))
    return desired, out, targets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drifted())
def test_plans_are_identical_across_runs_and_round_trip_through_json(case):
    desired, lives, targets = case
    snap = snapshot(*lives, desired=desired)
    first = make_plan(catalog(*desired), snap, targets=targets)
    second = make_plan(catalog(*reversed(desired)), snapshot(*reversed(lives), desired=desired), targets=targets)
    assert dumps(first) == dumps(second)
    assert loads(dumps(first)) == first
    for item in first.products:
        assert all(a.kind in m.KINDS for a in item.actions)
        assert all(c.path and all(isinstance(p, str) for p in c.path) for a in item.actions for c in a.changes)
    assert all(len(b.product_ids) <= m.BATCH_SIZE for b in first.batches)
