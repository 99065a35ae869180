"""Re-deriving a saved plan (engine.plan.verify) and the live state a plan records.

Every golden case, saved and loaded back, is what planning its catalog against the recorded
live state gives; a plan records only the live products planning can match or weigh.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_plan_golden import CASES, NAMES

from engine.catalog.load import load_catalog
from engine.errors import PlanError
from engine.plan.live import LiveProduct, LiveSnapshot, SkuConflict, snapshot_from_dict
from engine.plan.planner import make_plan
from engine.plan.saved import dumps, loads
from engine.plan.verify import check_rederived, first_difference


def case(name: str):
    catalog = load_catalog(CASES / name / "catalog")
    snapshot = snapshot_from_dict(json.loads((CASES / name / "live.json").read_text()))
    return catalog, snapshot


@pytest.mark.parametrize("name", NAMES)
def test_every_golden_plan_saved_and_loaded_is_re_derived_exactly(name):
    catalog, snapshot = case(name)
    saved = loads(dumps(make_plan(catalog, snapshot)))
    assert saved.live == snapshot.recorded()
    check_rederived(saved, catalog)


def test_a_plan_of_some_targets_is_re_derived_with_them():
    catalog, snapshot = case("unmanaged")
    keys = sorted(p.key for p in catalog.products)
    saved = loads(dumps(make_plan(catalog, snapshot, targets=keys[:1])))
    check_rederived(saved, catalog)
    with pytest.raises(PlanError, match="records no live state"):
        check_rederived(replace(saved, live=None), catalog)


def test_check_results_are_not_compared_but_everything_the_executor_reads_is():
    catalog, snapshot = case("price-only")
    plan = make_plan(catalog, snapshot)
    assert first_difference(plan, plan) == ""
    [item] = plan.products
    [action] = item.actions
    price = replace(action.prices[0], price="1")
    edited = replace(plan, products=(replace(item, actions=(replace(action, prices=(price,)),)),))
    assert first_difference(edited, plan).startswith("product ") and "prices[0].price is '1'" in \
        first_difference(edited, plan)
    sends_less = replace(plan, products=(replace(item, actions=(replace(action, sends_to_review=True),)),))
    assert "sends_to_review is True" in first_difference(sends_less, plan)


def test_a_snapshot_records_what_planning_can_match_and_only_the_ids_of_the_rest():
    claimed = LiveProduct("1", 10, sku_ids=(("A", "11"),))
    annotated = LiveProduct("2", 20, last_applied=("gone-key", "fp"))
    shared = LiveProduct("3", 30, sku_ids=(("S", "31"),))
    shared_too = LiveProduct("4", 40, sku_ids=(("S", "41"),))
    plain = LiveProduct("5", 50, title="Barang lain", sku_ids=(("Z", "51"),))
    snapshot = LiveSnapshot("Toko", "ID", (claimed, annotated, shared, shared_too, plain),
                            claims=(("k", ("1",)),), unmanaged=("2", "3", "4", "5"),
                            conflicts=(SkuConflict("S", ("3", "4")),))
    recorded = snapshot.recorded()
    assert [p.product_id for p in recorded.products] == ["1", "2", "3", "4"]
    assert (recorded.claims, recorded.unmanaged, recorded.conflicts) == (snapshot.claims, snapshot.unmanaged,
                                                                          snapshot.conflicts)
    assert replace(snapshot, products=snapshot.products[:4]).recorded() == recorded
