"""catalog-engine: catalog as code for Tokopedia & Shop.

The public API — what a script needs to run the pipeline without the CLI (engine/api.py):

    Catalog → LiveSnapshot → Plan → ApplyReport

    import engine
    catalog = engine.load_catalog("catalogs/demo")
    snapshot = engine.read_snapshot(catalog)
    plan = engine.make_plan(catalog, snapshot)
    print(engine.render_plan(plan, "text"))
    report = engine.apply_plan(catalog, plan)
    print(engine.render_report(report, "text"))

Every name in `__all__` is imported on first use (PEP 562), so `import engine` — which every
`catalog` command does — costs nothing until a name is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    # the pipeline
    "load_catalog": "engine.catalog.load", "read_snapshot": "engine.api", "make_plan": "engine.plan.planner",
    "apply_plan": "engine.api", "render_plan": "engine.render", "render_report": "engine.render.report",
    "save_plan": "engine.plan.saved", "load_plan": "engine.plan.saved", "sandbox_app_for": "engine.api",
    # the values that flow through it
    "Catalog": "engine.catalog.load", "ProductSpec": "engine.catalog.spec", "SkuSpec": "engine.catalog.spec",
    "LiveSnapshot": "engine.plan.live", "LiveProduct": "engine.plan.live", "Plan": "engine.plan.model",
    "ProductPlan": "engine.plan.model", "Action": "engine.plan.model", "FieldChange": "engine.plan.model",
    "GuardTrip": "engine.plan.model",
    "ApplyReport": "engine.plan.report", "ProductResult": "engine.plan.report", "Diagnostic": "engine.errors",
    # the one exception tree
    "EngineError": "engine.errors", "CatalogError": "engine.errors", "ConfigError": "engine.errors",
    "PlanError": "engine.errors", "StalePlanError": "engine.errors", "GuardError": "engine.errors",
    "ApiError": "engine.errors",
}
__all__ = [
    "Action", "ApiError", "ApplyReport", "Catalog", "CatalogError", "ConfigError", "Diagnostic", "EngineError",
    "FieldChange", "GuardError", "GuardTrip", "LiveProduct", "LiveSnapshot", "Plan", "PlanError", "ProductPlan",
    "ProductResult", "ProductSpec", "SkuSpec", "StalePlanError", "apply_plan", "load_catalog", "load_plan",
    "make_plan", "read_snapshot", "render_plan", "render_report", "sandbox_app_for", "save_plan",
]

if TYPE_CHECKING:
    from engine.api import apply_plan, read_snapshot, sandbox_app_for
    from engine.catalog.load import Catalog, load_catalog
    from engine.catalog.spec import ProductSpec, SkuSpec
    from engine.errors import (
        ApiError,
        CatalogError,
        ConfigError,
        Diagnostic,
        EngineError,
        GuardError,
        PlanError,
        StalePlanError,
    )
    from engine.plan.live import LiveProduct, LiveSnapshot
    from engine.plan.model import Action, FieldChange, GuardTrip, Plan, ProductPlan
    from engine.plan.planner import make_plan
    from engine.plan.report import ApplyReport, ProductResult
    from engine.plan.saved import load_plan, save_plan
    from engine.render import render_plan
    from engine.render.report import render_report


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once: later lookups find it directly
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
