"""Benchmark: load + validate + make_plan + render of a large catalog vs a bare yaml-rs parse.

    python3 bench/bench_plan.py [--products 10000] [--repeat 3] [--dir DIR] [--keep] [--compare CHECKOUT]

Generates the catalog with bench/gen_catalog.py (not timed), then measures, each measure in a
fresh interpreter (as bench_load.py does: no heap or garbage left over from generating the
catalog or from another measure), best of --repeat interleaved rounds:

  parse     yaml_rs.loads of every YAML file, the files already read (the floor: no
            validation, no model) — the same floor as bench_load.py
  load      engine.catalog.load.load_catalog (read, parse, extends, defaults, templates, rules, specs)
  plan      make_plan against three live shops built in memory (no network, not timed):
              empty  — nothing live yet: every product is a create
              synced — every product live and unchanged (the common case: compare views only)
              drift  — 10% of products changed in the shop (title and one price)
              read   — synced, as the shop reader gives it: ids next to every name (brand,
                       attributes, sales attributes) and the engine's annotation with image
                       tokens, so fields are equal by their views, not as values
  render    the text plan (and, reported separately, Markdown and JSON: `plan --out`)

--compare CHECKOUT measures another checkout's engine (e.g. a scratch worktree at an older
commit) in the same interleaved rounds, each measure of both in its own fresh process, the
live shops built by this file for both, and prints the two side by side.

Each scenario runs in its own process: load, build the live shop, plan, render — the way
`catalog plan` runs. Reports `load + plan + render` over `parse` per scenario (target ≤ 3×).
Times are CPU seconds of the measuring process (time.process_time): the machine is shared,
other processes' load must not count.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# --engine CHECKOUT (a measuring child of --compare): import that checkout's engine
ENGINE = Path(sys.argv[sys.argv.index("--engine") + 1]) if "--engine" in sys.argv else ROOT
sys.path[:0] = [str(ENGINE), str(ROOT / "bench")]

import yaml_rs  # noqa: E402

from engine.catalog.load import load_catalog  # noqa: E402
from engine.catalog.spec import (  # noqa: E402
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    Ref,
    SalesAttribute,
    external_product_id,
    fingerprint,
)
from engine.plan.live import LiveProduct, LiveSnapshot  # noqa: E402
from engine.plan.planner import make_plan  # noqa: E402
from engine.plan.saved import dumps  # noqa: E402
from engine.render.markdown import render_markdown  # noqa: E402
from engine.render.text import render_text  # noqa: E402


def cpu(fn):
    """(CPU seconds of this process, result) of one call. CPU time, not wall time: the
    benchmark machine is shared, and other processes' load must not count."""
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


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


def _with_id(ref, prefix: str):
    return None if ref is None else Ref(ref.id or f"{prefix}{sum(map(ord, ref.name or ''))}", ref.name)


def as_read(live: LiveProduct, spec) -> LiveProduct:
    """`live` as the shop reader gives it: ids next to every name the catalog wrote, and the
    engine's annotation (fingerprint and image tokens) in external_product_id."""
    have = live.spec
    attributes = tuple(ProductAttribute(a.id or f"10{sum(map(ord, a.name or ''))}", a.name,
                                        tuple(_with_id(v, "20") for v in a.values)) for a in have.product_attributes)
    skus = tuple(replace(s, sales_attributes=tuple(
        SalesAttribute(a.name, a.value, a.id or f"30{sum(map(ord, a.name or ''))}",
                       a.value_id or f"31{sum(map(ord, a.value or ''))}") for a in s.sales_attributes))
        for s in have.skus)
    sent = tuple(ImageRef(i.uri, w.path, w.sha256) for i, w in zip(have.main_images, spec.main_images, strict=True))
    return replace(live, spec=replace(have, brand=_with_id(have.brand, "70"), product_attributes=attributes, skus=skus),
                   external_product_id=external_product_id(spec.key, fingerprint(spec), sent))


def snapshots(catalog, uris: dict) -> dict[str, LiveSnapshot]:
    lives = [live_image(spec, i, uris) for i, spec in enumerate(catalog.products)]
    changed = [drifted(p) if i % 10 == 0 else p for i, p in enumerate(lives)]
    read = [as_read(live, spec) for live, spec in zip(lives, catalog.products, strict=True)]
    claims = tuple((spec.key, (live.product_id,)) for spec, live in zip(catalog.products, lives, strict=True))
    name = catalog.shop.name
    return {
        "empty": LiveSnapshot(shop_name=name),
        "synced": LiveSnapshot(shop_name=name, products=tuple(lives), claims=claims),
        "drift": LiveSnapshot(shop_name=name, products=tuple(changed), claims=claims),
        "read": LiveSnapshot(shop_name=name, products=tuple(read), claims=claims),
    }


SCENARIOS = ("empty", "synced", "drift", "read")


def measure(kind: str, root: Path) -> dict:
    """Child process: one measure from a fresh interpreter."""
    if kind in ("parse", "parse_nogc"):
        texts = [p.read_text(encoding="utf-8") for p in yaml_files(root)]
        if kind == "parse_nogc":
            gc.disable()  # as load_catalog and make_plan do: no collector passes over the growing heap
        parse_s, data = cpu(lambda: [yaml_rs.loads(t) for t in texts])
        return {"parse": parse_s, "documents": sum(len(d) if isinstance(d, list) else 1 for d in data)}
    load_s, catalog = cpu(lambda: load_catalog(root))
    uris = {(i.path, i.sha256): f"tos-id-i-{i.sha256[:12]}" for i in catalog.images}
    snapshot = snapshots(catalog, uris)[kind]
    plan_s, plan = cpu(lambda: make_plan(catalog, snapshot, image_uris=uris))
    text_s, text = cpu(lambda: render_text(plan))
    md_s, _ = cpu(lambda: render_markdown(plan))
    json_s, _ = cpu(lambda: dumps(plan))
    s = plan.summary()
    return {"load": load_s, "plan": plan_s, "text": text_s, "markdown": md_s, "json": json_s,
            "text_mb": len(text) / 1e6, "products": len(catalog.products),
            "counts": f"{s.create} create, {s.edit} edit, {s.price} price"}


def child(kind: str, root: Path, engine: Path = ROOT) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--dir", str(root), "--engine", str(engine)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def best_of(rounds: list[dict]) -> dict:
    """Each number the best (lowest) over the rounds; the rest from the last round."""
    out = dict(rounds[-1])
    for name, value in out.items():
        if isinstance(value, float):
            out[name] = min(r[name] for r in rounds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="Use (or generate into) this catalog directory.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated catalog.")
    parser.add_argument("--compare", type=Path, help="Also measure this checkout's engine (before / after).")
    parser.add_argument("--measure", choices=("parse", "parse_nogc") + SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--engine", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.dir)))
        return

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
    if args.compare is not None:
        compare(root, args.compare.resolve(), args.repeat)
        return
    # Interleaved rounds: the shared machine's ups and downs hit every measure alike.
    kinds = ("parse", "parse_nogc") + SCENARIOS
    rounds = [{kind: child(kind, root) for kind in kinds} for _ in range(args.repeat)]
    results = {kind: best_of([r[kind] for r in rounds]) for kind in kinds}
    parse_s, strict_s = results["parse"]["parse"], results["parse_nogc"]["parse"]
    print(f"best of {args.repeat} interleaved rounds, each measure in a fresh process (CPU seconds)")
    print(f"parse (yaml-rs)     {parse_s:7.3f} s   {results['parse']['documents']} documents, all kept "
          f"(bench_load.py's floor); with the garbage collector paused {strict_s:.3f} s")
    for scenario in SCENARIOS:
        r = results[scenario]
        total = r["load"] + r["plan"] + r["text"]
        print(f"{scenario:7} load {r['load']:6.3f} s   make_plan {r['plan']:6.3f} s   render text {r['text']:6.3f} s "
              f"({r['text_mb']:.1f} MB), markdown {r['markdown']:6.3f} s, json {r['json']:6.3f} s")
        print(f"        load + plan + render = {total:6.3f} s = {total / parse_s:4.2f}x parse "
              f"({total / strict_s:4.2f}x the GC-paused parse)   [{r['counts']}]")
    if tmp is not None and not args.keep:
        tmp.cleanup()
    elif tmp is not None:
        tmp.cleanup = lambda: None  # type: ignore[method-assign]
        print(f"catalog kept in {root}")


def compare(root: Path, other: Path, repeat: int) -> None:
    """Before (`other`'s engine) and after (this checkout's), interleaved measure by measure."""
    engines = {"before": other, "after": ROOT}
    rounds = [{(kind, side): child(kind, root, engine) for kind in ("parse",) + SCENARIOS
               for side, engine in engines.items()} for _ in range(repeat)]
    best = {key: best_of([r[key] for r in rounds]) for key in rounds[0]}
    parse_s = min(best["parse", side]["parse"] for side in engines)
    print(f"best of {repeat} interleaved rounds, each measure in a fresh process (CPU seconds); "
          f"before = {other}, after = {ROOT}; yaml-rs parse {parse_s:.3f} s")
    print(f"{'scenario':8} {'':6} {'load':>6} {'plan':>6} {'text':>6} {'md':>6} {'json':>6}  "
          f"{'load+plan+text':>14}  {'plan+json':>9}")
    for scenario in SCENARIOS:
        for side in engines:
            r = best[scenario, side]
            local = _local(r)
            print(f"{scenario:8} {side:6} {r['load']:6.3f} {r['plan']:6.3f} {r['text']:6.3f} {r['markdown']:6.3f} "
                  f"{r['json']:6.3f}  {local:8.3f} {local / parse_s:4.2f}x  {r['plan'] + r['json']:9.3f}"
                  f"   [{r['counts']}]")
        before, after = best[scenario, "before"], best[scenario, "after"]
        print(f"{'':8} after/before: plan {after['plan'] / before['plan']:.2f}x, load+plan+text "
              f"{_local(after) / _local(before):.2f}x, plan+json {_out(after) / _out(before):.2f}x")


def _local(r: dict) -> float:
    return r["load"] + r["plan"] + r["text"]


def _out(r: dict) -> float:
    """`plan --out`: the plan and its JSON."""
    return r["plan"] + r["json"]


if __name__ == "__main__":
    main()
