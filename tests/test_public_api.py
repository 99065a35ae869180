"""The public API (engine/__init__.py, engine/api.py): what a script needs to run the pipeline
without the CLI — Catalog → LiveSnapshot → Plan → ApplyReport — against the sandbox shop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import engine

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"


def test_every_public_name_resolves_and_all_is_the_list_of_them():
    assert sorted(engine.__all__) == sorted(engine._WHERE) == engine.__all__
    for name in engine.__all__:
        value = getattr(engine, name)
        assert getattr(value, "__name__", name) == name, name
    assert set(engine.__all__) <= set(dir(engine))


def test_an_unknown_name_is_an_attribute_error():
    try:
        engine.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("engine.no_such_thing resolved")


def test_import_engine_loads_nothing_until_a_name_is_asked_for():
    """Every `catalog` command imports the engine package: it must not pay for the pipeline."""
    code = ("import sys, engine; heavy = [m for m in ('engine.catalog.load', 'engine.plan.planner', "
            "'engine.shop.client', 'pydantic', 'httpx') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_a_script_runs_the_pipeline_against_the_sandbox(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))

    catalog = engine.load_catalog(root)
    assert isinstance(catalog, engine.Catalog) and len(catalog.products) == 10
    snapshot = engine.read_snapshot(catalog)
    assert isinstance(snapshot, engine.LiveSnapshot) and snapshot.products == ()
    plan = engine.make_plan(catalog, snapshot)
    assert isinstance(plan, engine.Plan) and plan.summary().create == 10
    assert "10 to create" in engine.render_plan(plan, "text")

    saved = tmp_path / "plan.json"
    engine.save_plan(plan, saved)
    assert engine.load_plan(saved) == plan

    report = engine.apply_plan(catalog, plan)
    assert isinstance(report, engine.ApplyReport)
    assert {p.key for p in report.products} == set(catalog.keys)
    assert "seiko-presage-cocktail" in engine.render_report(report, "text")

    again = engine.make_plan(catalog, engine.read_snapshot(catalog))
    assert not again.has_changes  # what is left is blocked (the demo's invite-only category, a failed review)
