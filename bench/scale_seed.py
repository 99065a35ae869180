"""Seed a sandbox shop with the live twin of a catalog, fast, without the HTTP API.

    from bench.scale_seed import seed_live_shop
    info = seed_live_shop(catalog_dir, db_path)       # {"products": N, "seconds": ...}

The live shop is what `catalog apply` would have left behind, created over two years
(`creation_history`: products listed in bursts, hours to days apart): the planner is run against the
empty sandbox (in-process, no rate limit) with every local image mapped to a fixed uri, the
create bodies are built by the engine's own builders (engine.shop.build.create_body) with the
engine's last-applied annotation in `external_product_id` (fingerprint + image tokens), and
the bodies go straight into SQLite with `SandboxStore.seed_products` (same validation rules as
Create; the image uris are registered as uploaded). A plan of the same catalog against the
seeded shop is therefore a no-op, and a warm plan costs ⌈N/100⌉ Search calls.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.catalog.load import load_catalog  # noqa: E402
from engine.catalog.spec import ImageRef  # noqa: E402
from engine.plan import model as m  # noqa: E402
from engine.plan.payload import Known  # noqa: E402
from engine.plan.planner import make_plan  # noqa: E402
from engine.sandbox.app import create_app  # noqa: E402
from engine.sandbox.store import SandboxStore  # noqa: E402
from engine.shop.build import create_body  # noqa: E402
from engine.shop.connect import read_catalog  # noqa: E402
from engine.shop.writer import annotation  # noqa: E402

CHUNK = 1000


def image_uris(catalog) -> dict[tuple[str, str], str]:
    """(path, sha256) → the uri the image is 'already uploaded' as in the seeded shop."""
    return {(i.path, i.sha256): f"tos-bench-{i.sha256[:20]}" for i in catalog.images}


def create_bodies(catalog_dir: Path, db_path: Path) -> list[dict]:
    """Create bodies, one per catalog product, exactly as apply would send them."""
    catalog = load_catalog(catalog_dir)
    app = create_app(db_path, qps=1_000_000)
    snapshot = read_catalog(catalog, app=app, use_cache=False)
    if snapshot.products:
        raise SystemExit(f"the sandbox {db_path} is not empty ({len(snapshot.products)} products)")
    uris = image_uris(catalog)
    plan = make_plan(catalog, snapshot, image_uris=uris)
    known = Known(snapshot.metadata)
    bodies = []
    for item in plan.products:
        action = next(a for a in item.actions if a.kind == m.CREATE)
        spec = action.spec
        images = tuple(ImageRef(i.uri or uris[(i.path, i.sha256)], i.path, i.sha256) for i in spec.main_images)
        spec = replace(spec, main_images=images)
        bodies.append(create_body(spec, platforms=action.platforms, save_mode=action.save_mode, known=known,
                                  external_product_id=annotation(action.external_product_id, images)))
    app.state.shop.db.close()
    if len(bodies) != len(catalog.products):
        raise SystemExit(f"expected {len(catalog.products)} creates, the plan has {len(bodies)}")
    return bodies


def creation_history(count: int, *, years: float = 2.0, seed: int = 20261204) -> list[int]:
    """When each of `count` products was created, oldest first: a shop built over `years` in
    bursts (a seller lists 1-30 products within a minute, seconds apart, several share a second),
    hours to days apart, ending a day ago. Search windows (engine/shop/listing.py) cut this
    distribution; a shop seeded in one second would have none to cut."""
    rng = random.Random(seed)
    end = int(time.time()) - 86400
    moments: list[int] = []
    while len(moments) < count:
        burst = min(count - len(moments), rng.randint(1, 30))
        start = rng.randint(0, int(years * 365 * 86400))
        moments += sorted(start + rng.randint(0, 60) for _ in range(burst))
    moments.sort()
    return [end - moments[-1] + m for m in moments]


def seed_live_shop(catalog_dir: Path, db_path: Path) -> dict:
    started = time.perf_counter()
    bodies = create_bodies(Path(catalog_dir), Path(db_path))
    built = time.perf_counter() - started
    history = creation_history(len(bodies))
    now = [0.0]
    with SandboxStore(db_path, clock=lambda: now[0]) as store:
        start = 0
        while start < len(bodies):  # one call per second of the history (its products share it)
            end = start + 1
            while end < len(bodies) and history[end] == history[start] and end - start < CHUNK:
                end += 1
            now[0] = float(history[start])
            store.seed_products(bodies[start:end])
            start = end
        store.reset_calls()
        counts = store.counts()
    return {"products": counts["products"], "skus": counts["skus"], "build_seconds": round(built, 1),
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    import json

    print(json.dumps(seed_live_shop(Path(sys.argv[1]), Path(sys.argv[2]))))
