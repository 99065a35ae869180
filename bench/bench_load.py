"""Catalog load + validate time against the yaml-rs floor (issue 3 "Speed").

    python3 bench/bench_load.py [--products 10000] [--repeat 3] [--out bench/out/catalog-10000]

Generates the catalog with bench/gen_catalog.py (once; reused when present), then measures,
each in a fresh interpreter, best of --repeat interleaved rounds:
  - floor: `yaml_rs.loads(text)` of every YAML file of the catalog (the files already read);
  - load: `engine.catalog.load.load_catalog(dir)` (reading, parsing, validation, templates,
    images, normalisation to ProductSpec, digest);
  - load with one error: the same catalog with one bad price in the middle of a product file
    (positions come from re-reading that one document), until CatalogError.
Prints a Markdown table (CPU seconds of this process, and wall time). Target: load <= 3x floor.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml_rs  # noqa: E402

from bench.gen_catalog import generate_catalog  # noqa: E402
from engine.catalog.load import load_catalog  # noqa: E402
from engine.errors import CatalogError  # noqa: E402


def _timed(func) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    start, start_wall = time.process_time(), time.perf_counter()
    func()
    return time.process_time() - start, time.perf_counter() - start_wall


def _yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def _broken_copy(root: Path) -> tuple[Path, str]:
    broken = root.with_name(root.name + "-broken")
    if broken.exists():
        shutil.rmtree(broken)
    shutil.copytree(root, broken)
    files = sorted((broken / "products").glob("*.yaml"))
    target = files[len(files) // 2]
    text = target.read_text()
    middle = text.index("price:", len(text) // 2)
    end = text.index("\n", middle)
    target.write_text(text[:middle] + "price: -1" + text[end:])
    line = text.count("\n", 0, middle) + 1
    return broken, f"{target.relative_to(broken)}:{line}"


def _measure(kind: str, root: Path) -> None:
    """Child process: time one measure from a fresh interpreter, print it as JSON."""
    texts = [p.read_text(encoding="utf-8") for p in _yaml_files(root)]
    if kind == "floor":
        cpu, wall = _timed(lambda: [yaml_rs.loads(t) for t in texts])
    elif kind == "load":
        cpu, wall = _timed(lambda: load_catalog(root))
    else:
        where = (root / "WHERE").read_text()

        def load_broken() -> None:
            try:
                load_catalog(root)
            except CatalogError as exc:
                assert any(f"{d.file}:{d.line}".endswith(where) for d in exc.diagnostics), exc.diagnostics
            else:
                raise AssertionError("the broken catalog loaded")

        cpu, wall = _timed(load_broken)
    print(json.dumps({"cpu": cpu, "wall": wall}))


def _child(kind: str, root: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--out", str(root)], check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["cpu"], result["wall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--measure", choices=("floor", "load", "broken"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.out or ROOT / "bench" / "out" / f"catalog-{args.products}"
    if args.measure:
        _measure(args.measure, root)
        return
    if not (root / "shop.yaml").is_file():
        generate_catalog(root, products=args.products)
    files = _yaml_files(root)
    size = sum(p.stat().st_size for p in files)
    broken, where = _broken_copy(root)
    (broken / "WHERE").write_text(where)
    # Every measure runs in a fresh interpreter (no heap left over from another measure), in
    # interleaved rounds so the shared machine's ups and downs hit all three alike.
    rounds = [(_child("floor", root), _child("load", root), _child("broken", broken)) for _ in range(args.repeat)]
    shutil.rmtree(broken)
    floor, load, failing = (tuple(min(r[i][k] for r in rounds) for k in (0, 1)) for i in range(3))
    ratios = sorted(r[1][0] / r[0][0] for r in rounds)
    catalog = load_catalog(root)
    skus = sum(len(p.skus) for p in catalog.products)
    print(f"Catalog: {len(catalog.products):,} products, {skus:,} SKUs, {len(files)} YAML files, "
          f"{size / 1e6:.1f} MB (best of {args.repeat} interleaved rounds, each measure in a fresh process)\n")
    print("| measure | CPU s | × yaml-rs | wall s |")
    print("|---|---:|---:|---:|")
    rows = (("yaml-rs parse (floor)", floor), ("load + validate (valid catalog)", load),
            ("load + validate (one error, exact position)", failing))
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu:.3f} | {cpu / floor[0]:.2f} | {wall:.3f} |")
    verdict = "met" if max(load[0], failing[0]) <= 3 * floor[0] else "NOT met"
    print(f"\nMedian of the per-round ratios (valid catalog): {ratios[len(ratios) // 2]:.2f}×. "
          f"Target: load + validate ≤ 3× the floor → {verdict}.")


if __name__ == "__main__":
    main()
