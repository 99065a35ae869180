"""Catalog load and `catalog validate` against two YAML parsers, before and after (issue 14).

    python3 bench/bench_load.py [--products 10000] [--repeat 5] [--out bench/out/catalog-10000]
                                [--before /path/to/a/checkout/of/the/old/engine]

Generates the catalog with bench/gen_catalog.py (once; reused when present), then measures, in
CPU seconds (user + system, this machine is shared), best of --repeat interleaved rounds, each
measure in a fresh process:

  yaml-rs parse      `yaml_rs.loads` of every YAML file of the catalog (the texts already read)
  PyYAML C parse     `yaml.load_all(text, Loader=yaml.CSafeLoader)` of the same texts
                     (needs the `bench` extra: pip install -e '.[bench]')
  load_catalog       `engine.catalog.load.load_catalog(dir)`: reading, parsing, validation,
                     templates, images, specs, digest (with the template worker's CPU)
  catalog validate   `python -m engine validate DIR`, the whole process from start to exit
  load, one error    load_catalog of a copy with one bad price (positions of that document)

With --before, load_catalog and catalog validate are measured for that engine too (its
`engine` package imported first), in the same rounds. Budget (issue 14): catalog validate at
or below the PyYAML C parse; load_catalog within 2x of before.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("yaml-rs", "pyyaml", "load", "validate", "broken")


def _yaml_texts(root: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml")) if p.is_file()]


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the template worker)."""
    import resource

    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _measure(kind: str, root: Path, engine: Path) -> None:
    """Child process: one measure from a fresh interpreter, printed as JSON."""
    sys.path.insert(0, str(engine))
    texts = _yaml_texts(root)
    start = _cpu()
    if kind == "yaml-rs":
        import yaml_rs

        for text in texts:
            yaml_rs.loads(text, parse_datetime=False)
    elif kind == "pyyaml":
        import yaml

        for text in texts:
            list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    else:
        from engine.catalog.load import load_catalog
        from engine.errors import CatalogError

        start = _cpu()  # (imports not counted: `validate` measures the whole process)
        try:
            load_catalog(root)
        except CatalogError as exc:
            where = (root / "WHERE").read_text()
            assert kind == "broken" and any(f"{d.file}:{d.line}".endswith(where) for d in exc.diagnostics)
        else:
            assert kind == "load", "the broken catalog loaded"
    print(json.dumps({"cpu": _cpu() - start}))


def _child(kind: str, root: Path, engine: Path) -> float:
    if kind == "validate":  # the command as a seller runs it: the whole process, children included
        env = {**os.environ, "PYTHONPATH": str(engine)}
        process = subprocess.Popen([sys.executable, "-m", "engine", "validate", str(root)], env=env, cwd=engine,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, f"catalog validate failed ({engine})"
        return usage.ru_utime + usage.ru_stime
    out = subprocess.run([sys.executable, __file__, "--measure", kind, "--out", str(root), "--engine", str(engine)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["cpu"]


def _broken_copy(root: Path) -> Path:
    broken = root.with_name(root.name + "-broken")
    if broken.exists():
        shutil.rmtree(broken)
    shutil.copytree(root, broken)
    target = sorted((broken / "products").glob("*.yaml"))[len(list((broken / "products").glob("*.yaml"))) // 2]
    text = target.read_text()
    middle = text.index("price:", len(text) // 2)
    target.write_text(text[:middle] + "price: -1" + text[text.index("\n", middle):])
    (broken / "WHERE").write_text(f"{target.relative_to(broken)}:{text.count(chr(10), 0, middle) + 1}")
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--before", type=Path, default=None, help="a checkout of the engine to compare with")
    parser.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--engine", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = (args.out or ROOT / "bench" / "out" / f"catalog-{args.products}").resolve()
    if args.measure:
        _measure(args.measure, root, args.engine)
        return
    sys.path.insert(0, str(ROOT))
    from bench.gen_catalog import generate_catalog

    if not (root / "shop.yaml").is_file():
        generate_catalog(root, products=args.products)
    broken = _broken_copy(root)
    engines = {"after": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    plan = [("yaml-rs parse", "yaml-rs", root, ROOT), ("PyYAML C parse", "pyyaml", root, ROOT)]
    for name, engine in engines.items():
        plan += [(f"load_catalog ({name})", "load", root, engine), (f"catalog validate ({name})", "validate", root,
                                                                      engine),
                 (f"load_catalog, one error ({name})", "broken", broken, engine)]
    # Interleaved rounds: the shared machine's ups and downs hit every measure alike.
    rounds = [[_child(kind, where, engine) for _, kind, where, engine in plan] for _ in range(args.repeat)]
    shutil.rmtree(broken)
    best = [min(r[i] for r in rounds) for i in range(len(plan))]
    floor = best[1]
    size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
    print(f"Catalog: {args.products:,} products, {size / 1e6:.1f} MB of YAML; CPU seconds (user + system), best of "
          f"{args.repeat} interleaved rounds, each measure in a fresh process; {time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| measure | CPU s | × PyYAML C parse |")
    print("|---|---:|---:|")
    for (name, *_), cpu in zip(plan, best, strict=True):
        print(f"| {name} | {cpu:.3f} | {cpu / floor:.2f} |")
    result = {name: cpu for (name, *_), cpu in zip(plan, best, strict=True)}
    validate = result["catalog validate (after)"]
    print(f"\ncatalog validate ≤ PyYAML C parse: {'met' if validate <= floor else 'NOT met'} "
          f"({validate:.3f} s vs {floor:.3f} s)")
    if args.before:
        ratio = result["load_catalog (after)"] / result["load_catalog (before)"]
        print(f"load_catalog within 2x of before: {'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
