"""The Plan value: JSON round trip, saved-plan format, summary, checks, no secrets."""

from __future__ import annotations

import json

import pytest
from test_plan_builders import showcase_plan

from engine.errors import PlanError
from engine.plan import model as m
from engine.plan.model import ListingCheck, with_checks
from engine.plan.saved import dumps, load_plan, loads, plan_from_dict, plan_to_dict, save_plan
from engine.shop.settings import SANDBOX_DEFAULTS


@pytest.fixture(scope="module")
def plan():
    return showcase_plan()


def test_json_round_trip_is_exact(plan):
    again = loads(dumps(plan))
    assert again == plan
    assert dumps(again) == dumps(plan)


def test_plan_carries_what_apply_needs_to_detect_staleness(plan):
    data = plan_to_dict(plan)
    assert data["format_version"] == 3 and data["catalog_digest"] == "d1g35t0fc4ta10g"
    assert data["shop_name"] == "Toko Nusantara (sandbox)" and data["market"] == "ID"
    edit = plan.product("b-moq")
    assert (edit.product_id, edit.update_time) == ("2001", 1_700_000_000)


def test_products_are_sorted_by_key_and_plans_are_deterministic(plan):
    keys = [p.key for p in plan.products]
    assert keys == sorted(keys)
    assert dumps(showcase_plan()) == dumps(plan)


def test_summary_counts_products_per_kind(plan):
    s = plan.summary()
    assert (s.create, s.edit, s.review, s.price, s.stock) == (2, 2, 2, 1, 1)
    # the 2nd warning: e-stock restored under stock: always
    assert (s.activate, s.deactivate, s.delete, s.blocked, s.unmanaged, s.errors, s.warnings) == (1, 1, 1, 2, 1, 1, 2)
    only_tokopedia = m.summarize(plan, "TOKOPEDIA")
    assert only_tokopedia.activate == 1 and only_tokopedia.blocked == 1  # frozen only on Shop | Tokopedia


def test_blocked_and_held_are_not_changes(plan):
    blocked_only = type(plan)(products=tuple(p for p in plan.products if p.kinds() == (m.BLOCKED,)))
    assert blocked_only.products and not blocked_only.has_changes
    assert plan.has_changes


def test_with_checks_attaches_results_without_touching_actions(plan):
    checked = with_checks(plan, {"a-create": ListingCheck("FAILED", ("Title too short",))})
    assert checked.checked and checked.product("a-create").check.result == "FAILED"
    assert checked.product("a-create").actions == plan.product("a-create").actions
    assert loads(dumps(checked)) == checked


def test_no_secret_in_a_saved_plan(plan):
    text = dumps(plan)
    for name, secret in SANDBOX_DEFAULTS.items():
        if name != "app_key":
            assert secret not in text


def test_save_is_atomic_and_load_reads_it_back(plan, tmp_path):
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert load_plan(path) == plan
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temp file left


def test_save_into_a_missing_directory_is_a_plan_error(plan, tmp_path):
    with pytest.raises(PlanError, match="cannot write"):
        save_plan(plan, tmp_path / "missing" / "plan.json")


@pytest.mark.parametrize("text,message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"format_version": 9}), "format_version 9"),
    (json.dumps({"format_version": 1}), "made by an older catalog-engine .*: plan again"),
    (json.dumps({"format_version": 2}), "made by an older catalog-engine .*: plan again"),  # before `live`
    (json.dumps({"format_version": 4}), "made by another catalog-engine"),
    (json.dumps({"products": []}), "format_version None"),
    (json.dumps({"format_version": 3, "products": [{"key": 5}]}), "damaged"),
    (json.dumps({"format_version": 3, "products": "nope"}), "damaged"),
    (json.dumps({"format_version": 3, "products": [{"key": "k", "actions": [{"kind": "wipe"}]}]}),
     "product k: action 1 has an unknown kind 'wipe'"),
    (json.dumps({"format_version": 3, "products": [{"key": "k", "actions": [{"kind": "activate",
                                                                             "platforms": ["MARS"]}]}]}),
     "unknown platform 'MARS'"),
    (json.dumps({"format_version": 3, "batches": [{"kind": "create", "platforms": [], "product_ids": [],
                                                   "keys": []}]}), "batch 1 has an unknown kind 'create'"),
])
def test_load_refuses_broken_or_foreign_plans_clearly(tmp_path, text, message):
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(PlanError, match=message):
        load_plan(path)


def test_load_of_a_missing_file_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="no saved plan"):
        load_plan(tmp_path / "nope.json")


def test_plan_from_dict_restores_tuples_not_lists(plan):
    again = plan_from_dict(json.loads(dumps(plan)))
    assert isinstance(again.products[0].actions[0].platforms, tuple)
    assert isinstance(again.batches, tuple)


def test_fast_plan_to_dict_is_exactly_the_codec(plan):
    from engine.codec import to_plain

    checked = with_checks(plan, {"a-create": ListingCheck("PASS")})
    assert json.dumps(plan_to_dict(checked)) == json.dumps(to_plain(checked))


def test_a_snapshot_copied_with_other_products_looks_up_its_own():
    from dataclasses import replace

    from engine.plan.live import LiveProduct, LiveSnapshot

    first = LiveSnapshot(products=(LiveProduct("1", 1, title="old"),))
    assert first.product("1").title == "old"  # fills the lookup index
    second = replace(first, products=(LiveProduct("1", 2, title="new"),))
    assert second.product("1").title == "new" and first.product("1").title == "old"


def test_fingerprint_is_stable():
    """The fingerprint is stored in live products (external_product_id, `ce3`): its recipe must
    not drift. Reference: sha256 of the compact JSON array [key, [field, value], ...] of the
    declared fields in MANAGED_FIELDS order, dataclasses as arrays of their field values."""
    import hashlib

    from test_plan_builders import spec

    from engine.catalog.spec import MANAGED_FIELDS, fingerprint

    def plain(value):
        if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
            return [plain(v) for v in value]
        if hasattr(value, "seller_sku"):  # a SKU: its sales attributes as arrays too
            return [value.seller_sku, value.price, [list(i) for i in value.inventory],
                    [plain(a) for a in value.sales_attributes], value.pre_sale_days,
                    None if value.identifier_code is None else list(value.identifier_code)]
        if hasattr(value, "values") and hasattr(value, "id"):  # a product attribute
            return [value.id, value.name, [[r.id, r.name] for r in value.values]]
        if hasattr(value, "__dataclass_fields__"):
            return [getattr(value, f) for f in value.__dataclass_fields__]
        return list(value) if isinstance(value, tuple) else value

    for product in (spec(), spec("kopi-gayo", declared={"title", "skus"}), spec(status="inactive")):
        canonical = [product.key] + [[n, plain(getattr(product, n))] for n in MANAGED_FIELDS if n in product.declared]
        blob = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False)
        assert fingerprint(product) == hashlib.sha256(blob.encode()).hexdigest()[:16]
    assert fingerprint(spec()) == PINNED_FINGERPRINT


PINNED_FINGERPRINT = "cc5973a92d21f9b7"  # fingerprint(spec()) of test_plan_builders: never edit


def test_planning_and_saving_leave_the_garbage_collector_as_they_found_it():
    """The collector is paused while a plan is built and encoded, then back on, with nothing
    left in its permanent generation (no gc.freeze)."""
    import gc

    from test_plan_builders import catalog, live_image, plan_for, snapshot, spec

    from engine.plan.planner import make_plan

    frozen = gc.get_freeze_count()
    plan = plan_for((spec("a"), spec("b", title="Kemeja Baru")), live_image(spec("b")))
    assert loads(dumps(plan)) == plan
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        make_plan(catalog(spec("c")), snapshot())
        assert not gc.isenabled()
    finally:
        gc.enable()
