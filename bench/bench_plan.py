"""Benchmark: load + validate + make_plan + render of a large catalog vs a bare yaml-rs parse.

    python3 bench/bench_plan.py [--products 10000] [--repeat 3] [--dir DIR] [--keep]

Generates the catalog with bench/gen_catalog.py (not timed), then times, best of --repeat:

  parse     read every YAML file and yaml_rs.loads it (the floor: no validation, no model)
  load      engine.catalog.load.load_catalog (parse, extends, defaults, templates, rules, specs)
  plan      make_plan against three live shops built in memory (no network):
              empty  — nothing live yet: every product is a create
              synced — every product live and unchanged (the common case: compare views only)
              drift  — 10% of products changed in the shop (deepdiff runs for those)
  render    the text plan (and, reported separately, Markdown and JSON)

and reports `load + plan + render` over `parse` per scenario (target ≤ 3×). Times are CPU
seconds of this process (time.process_time), best of --repeat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import yaml_rs  # noqa: E402

from engine.catalog.load import load_catalog  # noqa: E402
from engine.catalog.spec import MANAGED_FIELDS, ImageRef, fingerprint  # noqa: E402
from engine.plan.live import LiveProduct, LiveSnapshot  # noqa: E402
from engine.plan.planner import make_plan  # noqa: E402
from engine.plan.saved import dumps  # noqa: E402
from engine.render.markdown import render_markdown  # noqa: E402
from engine.render.text import render_text  # noqa: E402


def best(repeat: int, fn):
    """(best CPU seconds, last result) of `repeat` runs. CPU time of this process, not wall
    time: the benchmark machine is shared, and other processes' load must not count."""
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return min(times), result


def parse_all(root: Path) -> int:
    count = 0
    for path in sorted(root.rglob("*.yaml")):
        data = yaml_rs.loads(path.read_text(encoding="utf-8"), parse_datetime=False)
        count += len(data) if isinstance(data, list) else 1
    return count


def live_image(spec, index: int, uris: dict) -> LiveProduct:
    """What the reader would give for a product created from `spec` and not touched since."""
    images = tuple(ImageRef(uri=uris.get((i.path, i.sha256), i.uri)) for i in spec.main_images)
    live_spec = replace(spec, main_images=images, declared=frozenset(MANAGED_FIELDS))
    product_id = f"75{index:017d}"
    statuses = tuple((p, "ACTIVATE") for p in spec.listing_platforms)
    return LiveProduct(product_id=product_id, update_time=1_763_000_000, title=spec.title or "",
                       status="ACTIVATE", platform_statuses=statuses, audit_status="APPROVED",
                       last_applied=(spec.key, fingerprint(spec)),
                       sku_ids=tuple((s.seller_sku, f"{product_id}{n}") for n, s in enumerate(spec.skus)),
                       spec=live_spec)


def drifted(live: LiveProduct) -> LiveProduct:
    skus = live.spec.skus
    first = replace(skus[0], price=str(int(float(skus[0].price)) + 1000))
    return replace(live, spec=replace(live.spec, title=(live.spec.title or "") + " (diubah)", skus=(first,) + skus[1:]))


def snapshots(catalog, uris: dict) -> dict[str, LiveSnapshot]:
    lives = [live_image(spec, i, uris) for i, spec in enumerate(catalog.products)]
    changed = [drifted(p) if i % 10 == 0 else p for i, p in enumerate(lives)]
    claims = tuple((spec.key, (live.product_id,)) for spec, live in zip(catalog.products, lives))
    name = catalog.shop.name
    return {
        "empty": LiveSnapshot(shop_name=name),
        "synced": LiveSnapshot(shop_name=name, products=tuple(lives), claims=claims),
        "drift": LiveSnapshot(shop_name=name, products=tuple(changed), claims=claims),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="Use (or generate into) this catalog directory.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated catalog.")
    args = parser.parse_args()

    from gen_catalog import generate_catalog

    tmp = None
    root = args.dir
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-plan-")
        root = Path(tmp.name) / "catalog"
    if not (root / "shop.yaml").exists():
        summary = generate_catalog(root, products=args.products)
        print(f"generated {summary['products']} products, {summary['skus']} SKUs, "
              f"{summary['yaml_bytes'] / 1e6:.1f} MB YAML in {summary['files']} files")

    parse_s, documents = best(args.repeat, lambda: parse_all(root))
    load_s, catalog = best(args.repeat, lambda: load_catalog(root))
    uris = {(i.path, i.sha256): f"tos-id-i-{i.sha256[:12]}" for i in catalog.images}
    print(f"parse (yaml-rs)     {parse_s:7.3f} s   {documents} documents")
    print(f"load + validate     {load_s:7.3f} s   {len(catalog.products)} products")
    for scenario, snapshot in snapshots(catalog, uris).items():
        plan_s, plan = best(args.repeat, lambda: make_plan(catalog, snapshot, image_uris=uris))
        text_s, text = best(args.repeat, lambda: render_text(plan))
        md_s, _ = best(args.repeat, lambda: render_markdown(plan))
        json_s, _ = best(args.repeat, lambda: dumps(plan))
        total = load_s + plan_s + text_s
        print(f"{scenario:7} make_plan {plan_s:7.3f} s   render text {text_s:6.3f} s ({len(text) / 1e6:.1f} MB), "
              f"markdown {md_s:6.3f} s, json {json_s:6.3f} s")
        print(f"        load + plan + render = {total:6.3f} s = {total / parse_s:4.2f}x parse   "
              f"[{plan.summary().create} create, {plan.summary().edit} edit, {plan.summary().price} price]")
    if tmp is not None and not args.keep:
        tmp.cleanup()
    elif tmp is not None:
        tmp.cleanup = lambda: None  # type: ignore[method-assign]
        print(f"catalog kept in {root}")


if __name__ == "__main__":
    main()
