"""The engine as a library: the pipeline `catalog plan` and `catalog apply` run, without the CLI.

    import engine

    catalog = engine.load_catalog("catalogs/demo")     # Catalog, or CatalogError with every problem
    snapshot = engine.read_snapshot(catalog)           # LiveSnapshot of the shop the catalog names
    plan = engine.make_plan(catalog, snapshot)         # Plan: pure, deterministic
    print(engine.render_plan(plan, "text"))
    report = engine.apply_plan(catalog, plan)          # ApplyReport, per product × platform

`read_snapshot` and `apply_plan` talk to the shop `shop.yaml` names: for `target: sandbox` the
in-process sandbox shop (its SQLite file under the catalog), for `target: api` the platform's
Open API with credentials from the environment (TTS_*). This module is the one place besides the
CLI that wires the sandbox in: the shop layer never imports it (engine/shop/connect.py).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError

if TYPE_CHECKING:
    from engine.apply.progress import Progress
    from engine.catalog.load import Catalog
    from engine.catalog.shop import ShopConfig
    from engine.plan.live import LiveSnapshot
    from engine.plan.model import Plan
    from engine.plan.report import ApplyReport
    from engine.shop.progress import ReadProgress


def sandbox_app_for(shop: ShopConfig) -> Any:
    """The in-process sandbox shop (an ASGI app) for `target: sandbox`; None for `target: api`."""
    if shop.target != "sandbox":
        return None
    from engine.sandbox.app import create_app

    try:
        shop.sandbox_db.parent.mkdir(parents=True, exist_ok=True)
        return create_app(shop.sandbox_db)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"the sandbox database {shop.sandbox_db} cannot be used ({exc}); "
                          "delete it to start an empty sandbox shop") from exc


def read_snapshot(catalog: Catalog, *, use_cache: bool = True, app: Any = None,
                  progress: ReadProgress | None = None) -> LiveSnapshot:
    """The live shop as the planner sees it: every product holding one of the catalog's seller
    SKUs read in full (from the read cache when unchanged), the others listed as unmanaged."""
    from engine.shop.connect import read_catalog

    return read_catalog(catalog, app=app if app is not None else sandbox_app_for(catalog.shop),
                        use_cache=use_cache, progress=progress)


def apply_plan(catalog: Catalog, plan: Plan, *, saved: bool = False, strict: bool = False, concurrency: int = 8,
               app: Any = None, progress: Progress | None = None) -> ApplyReport:
    """Write `plan` to the catalog's shop and report per product × platform. `saved=True` for a plan
    loaded from a file (`load_plan`): it is checked first (engine.apply.run.verify_saved_plan: the
    same shop and catalog, re-derived from its recorded live state), then against the shop (its
    live state, each product's staleness; `strict`: refuse the whole plan when any is stale). A
    plan that trips a guard nobody acknowledged (`plan.tripped`) raises GuardError before
    anything is written."""
    from engine.apply.run import run_apply, verify_saved_plan

    if saved:  # same shop and catalog, and what planning the catalog against its recorded live state gives
        verify_saved_plan(plan, catalog)
    return run_apply(catalog, plan, app=app if app is not None else sandbox_app_for(catalog.shop),
                     saved_plan=saved, strict=strict, concurrency=concurrency, progress=progress)
