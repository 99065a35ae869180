"""Catalog load + validate time against the yaml-rs floor (issue 3 "Speed").

    python3 bench/bench_load.py [--products 10000] [--repeat 3] [--out bench/out/catalog-10000]

Generates the catalog with bench/gen_catalog.py (once; reused when present), then measures,
best of --repeat runs each:
  - floor: `yaml_rs.loads(text)` of every YAML file of the catalog (the files already read);
  - load: `engine.catalog.load.load_catalog(dir)` (reading, parsing, validation, templates,
    images, normalisation to ProductSpec, digest);
  - load with one error: the same catalog with one bad price in the middle of a product file
    (positions come from re-reading that one document), until CatalogError.
Prints a Markdown table. Target: load <= 3x floor.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml_rs  # noqa: E402

from bench.gen_catalog import generate_catalog  # noqa: E402
from engine.catalog.load import load_catalog  # noqa: E402
from engine.errors import CatalogError  # noqa: E402


def _best(repeat: int, func) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    root = args.out or ROOT / "bench" / "out" / f"catalog-{args.products}"
    if not (root / "shop.yaml").is_file():
        generate_catalog(root, products=args.products)
    files = _yaml_files(root)
    texts = [p.read_text(encoding="utf-8") for p in files]
    size = sum(len(t.encode()) for t in texts)

    floor = _best(args.repeat, lambda: [yaml_rs.loads(t) for t in texts])
    catalog = load_catalog(root)
    load = _best(args.repeat, lambda: load_catalog(root))

    broken, where = _broken_copy(root)

    def load_broken() -> None:
        try:
            load_catalog(broken)
        except CatalogError as exc:
            assert any(where in str(d) or str(d).split(":")[1] == where.split(":")[1] for d in exc.diagnostics), \
                exc.diagnostics
        else:
            raise AssertionError("the broken catalog loaded")

    failing = _best(args.repeat, load_broken)
    shutil.rmtree(broken)
    skus = sum(len(p.skus) for p in catalog.products)
    print(f"Catalog: {len(catalog.products):,} products, {skus:,} SKUs, {len(files)} YAML files, "
          f"{size / 1e6:.1f} MB (best of {args.repeat})\n")
    print("| measure | seconds | × yaml-rs |")
    print("|---|---:|---:|")
    print(f"| yaml-rs parse (floor) | {floor:.3f} | 1.00 |")
    print(f"| load + validate (valid catalog) | {load:.3f} | {load / floor:.2f} |")
    print(f"| load + validate (one error, exact position) | {failing:.3f} | {failing / floor:.2f} |")
    print(f"\nTarget: load + validate ≤ 3× the floor → {'met' if load <= 3 * floor else 'NOT met'}.")


if __name__ == "__main__":
    main()
