"""Scale benchmark: a 10,000-product shop planned and applied through the real CLI over HTTP.

    python3 bench/bench_scale.py                                  # everything, 10,000 products (~15 min)
    python3 bench/bench_scale.py --products 1000 --scenarios cold,warm,prices
    python3 bench/bench_scale.py --results bench/RESULTS.md       # also write the Markdown there

1. Generates N + C products with bench/gen_catalog.py (3 SKUs each, both platforms); the last C
   (for the create scenario) are held back until that scenario.
2. Seeds the sandbox with the live twin of the N products (bench/scale_seed.py: the engine's
   own create bodies and last-applied annotations, straight into SQLite — seconds, not hours).
3. Serves the sandbox with `catalog sandbox serve --latency-ms 20 --qps 50` (a subprocess; the
   rate limit is per API); the catalog's shop.yaml says `target: api` and the environment names
   the served sandbox as API and auth host (TTS_API_BASE_URL, TTS_AUTH_BASE_URL) and holds its
   credentials (TTS_*), as an operator's would.
4. Runs each scenario as `python3 -m engine ...` in a subprocess wrapped by
   bench/scale_probe.py (requests per API with their send times, local-work CPU), and takes the
   child's CPU time and peak RSS from os.wait4. The sandbox counts what it received
   (SandboxStore.calls()).

Scenarios (N = --products; the counts scale with N unless given):
    cold      plan with an empty .catalog-cache: ⌈N/100⌉ Search (one cursor: no distribution of
              create times known yet) + N Get, nothing to change
    warm      the same plan again: Search in create-time windows (⌈N/100⌉ + 1 calls), 0 Get,
              the shop metadata from the cache
    changed   1 % changed: half in the YAML (titles), half in the shop (Seller Center edits:
              update_time moves, so those are fetched again); the changes are undone after
    pr        a pull request changing one price, as CI runs it: the `.catalog-cache/` directory
              saved after the warm plan (what actions/cache restores) is put back, then `plan`
              (pr-plan: ≤ ⌈N/100⌉ + 5 calls); put back again (a merge's run restores the main
              branch's cache, not the pull request's), then `apply` (pr-apply: ≤ ⌈N/100⌉ + 5
              calls plus its one Update Price)
    prices    apply of N/10 price changes (one SKU each): one Update Price per product
    edits     apply of N/100 title changes: one Partial Edit per product
    creates   apply of C new products (C = N/20): one Create per product, each image once
After each apply, a plan of the catalog must be a no-op (checked, not measured).

"Achieved QPS" is per API (the limit is per API): requests sent ÷ the time between the API's
first and last request, as the client sent them. "Local work" is the CPU of load_catalog +
make_plan + rendering in the catalog process; the floor is a bare yaml-rs parse of the same
YAML files (bench_load's measure, in a fresh process, best of 3).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench.bench_load import _child as measure_in_child  # noqa: E402
from bench.bench_read import serve  # noqa: E402
from bench.gen_catalog import generate_catalog  # noqa: E402
from bench.scale_report import machine, markdown  # noqa: E402
from bench.scale_seed import seed_live_shop  # noqa: E402
from engine.sandbox.store import SandboxStore  # noqa: E402
from engine.shop.client import ENDPOINTS  # noqa: E402
from engine.shop.settings import SANDBOX_DEFAULTS  # noqa: E402

PER_FILE = 50
SCENARIOS = ("cold", "warm", "changed", "pr", "prices", "edits", "creates")
API = {name: endpoint.api for name, endpoint in ENDPOINTS.items()}


# --------------------------------------------------------------------------- the catalog on disk
def product_file(root: Path, number: int) -> Path:
    return root / "products" / f"produk-{number // PER_FILE + 1:04d}.yaml"


def edit_products(root: Path, numbers, change) -> None:
    """Apply `change(document_text, number) -> text` to each numbered product's YAML document."""
    by_file: dict[Path, list[int]] = {}
    for number in numbers:
        by_file.setdefault(product_file(root, number), []).append(number)
    for path, wanted in by_file.items():
        text = path.read_text(encoding="utf-8")
        for number in wanted:
            start = text.index(f"\nkey: p{number:05d}-")
            end = text.find("\n---\n", start + 1)
            end = len(text) if end < 0 else end
            text = text[:start] + change(text[start:end], number) + text[end:]
        path.write_text(text, encoding="utf-8")


def new_title(doc: str, number: int) -> str:
    return re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)} Edisi Baru", doc, count=1, flags=re.M)


def new_price(doc: str, number: int) -> str:
    return re.sub(r"^    price: (\d+)$", lambda m: f"    price: {int(m.group(1)) + 1000}", doc, count=1, flags=re.M)


def spread(count: int, total: int, offset: int = 0) -> list[int]:
    """`count` product numbers spread evenly over `total`."""
    step = total / max(count, 1)
    return sorted({(int(i * step) + offset) % total for i in range(count)})


def target_api(root: Path, qps: float) -> None:
    text = (root / "shop.yaml").read_text()
    limit = f"rate_limit_qps: {qps:g}\n" if qps != 50 else ""
    (root / "shop.yaml").write_text(text.replace("target: sandbox\n", f"target: api\n{limit}"))


# --------------------------------------------------------------------------- one CLI run
SERVED: dict[str, str] = {}  # the operator's host variables, once the sandbox serves


def env() -> dict[str, str]:
    creds = {f"TTS_{name.upper()}": value for name, value in SANDBOX_DEFAULTS.items()}
    return {**os.environ, **creds, **SERVED, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}


def run_cli(work: Path, name: str, *args: str) -> dict:
    """Run `catalog ARGS` under the probe; wall time, child CPU and peak RSS from wait4."""
    out = work / f"{name}.probe.json"
    with open(work / f"{name}.out", "w") as stdout, open(work / f"{name}.err", "w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "scale_probe.py"), str(out), *args],
                                   cwd=ROOT, env=env(), stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if not out.exists():
        raise SystemExit(f"{name}: the catalog process died (exit {process.returncode}); see {work / name}.err")
    probe = json.loads(out.read_text())
    probe.update(wall=wall, child_cpu=usage.ru_utime + usage.ru_stime, maxrss_kb=usage.ru_maxrss,
                 exit_code=process.returncode)
    return probe


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floor(root: Path) -> float:
    """Best of 3: CPU seconds of a bare yaml-rs parse of every YAML file (fresh process each)."""
    return min(measure_in_child("yaml-rs", root, ROOT) for _ in range(3))


# --------------------------------------------------------------------------- scenarios
class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.root = work / "catalog"
        self.stash = work / "held-back"
        self.db = work / "shop.db"
        self.n = args.products
        self.results: list[dict] = []
        self.server_pid = 0
        self.floors: dict[int, float] = {}
        self.saved_cache = work / "saved-cache"

    def log(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def prepare(self) -> None:
        summary = generate_catalog(self.root, products=self.n + self.args.creates, per_file=PER_FILE)
        self.stash.mkdir()
        first_held = self.n // PER_FILE + 1
        for path in sorted((self.root / "products").glob("produk-*.yaml")):
            if int(path.stem.split("-")[1]) >= first_held:
                path.rename(self.stash / path.name)
        self.log(f"generated {summary['products']} products ({summary['yaml_bytes'] / 1e6:.1f} MB YAML), "
                 f"{self.args.creates} held back for the create scenario")
        self.floors[self.n] = floor(self.root)
        self.log(f"yaml-rs floor for {self.n} products: {self.floors[self.n]:.3f} s CPU")
        seeded = seed_live_shop(self.root, self.db)
        self.seed_seconds = seeded["seconds"]
        self.log(f"seeded {seeded['products']} live products ({seeded['skus']} SKUs) in {seeded['seconds']} s")

    def measured(self, name: str, *args: str) -> dict:
        """One CLI run with the sandbox's view: calls it received, CPU it used, machine load."""
        with SandboxStore(self.db) as store:
            store.reset_calls()
            before, load = process_cpu(self.server_pid), os.getloadavg()[0]
            result = run_cli(self.work, name, *args)
            result["server"] = store.calls()
        result["server_cpu"] = process_cpu(self.server_pid) - before
        result["load"] = (load + os.getloadavg()[0]) / 2
        return result

    def plan(self, name: str, *, measured: bool = True, expect: int = 0) -> dict:
        result = self.measured(name, "plan", str(self.root), "--detailed-exitcode")
        if result["exit_code"] != expect:
            raise SystemExit(f"{name}: plan exit {result['exit_code']}, expected {expect}; see {self.work}/{name}.*")
        if measured:
            self.record(name, result)
        return result

    def apply(self, name: str) -> dict:
        result = self.measured(name, "apply", str(self.root), "--auto-approve", "--concurrency",
                               str(self.args.concurrency))
        if result["exit_code"] != 0:
            raise SystemExit(f"{name}: apply exit {result['exit_code']}; see {self.work}/{name}.*")
        self.record(name, result)
        self.plan(f"{name}-verify", measured=False)
        self.log(f"{name}: the next plan is a no-op")
        return result

    def record(self, name: str, result: dict) -> None:
        products = self.n + (self.args.creates if name == "creates" else 0)
        result.update(name=name, products=products, floor=self.floors[products], expected=self.expected(name))
        self.results.append(result)
        self.log(f"{name}: {result['wall']:.1f} s wall, {result['child_cpu']:.1f} s CPU, "
                 f"{sum(result['calls'].values())} calls, exit {result['exit_code']}")

    def expected(self, name: str) -> dict[str, int]:
        """Exact call counts per API (scale_report.limits has the bounds)."""
        pages = math.ceil(self.n / 100)
        a = self.args
        return {"cold": {API["search"]: pages, API["get"]: self.n},
                "warm": {API["get"]: 0},
                "changed": {API["get"]: a.changed // 2},
                "pr-plan": {API["get"]: 0},
                "pr-apply": {API["get"]: 0, API["update_price"]: 1},
                "prices": {API["update_price"]: a.prices},
                "edits": {API["partial_edit"]: a.edits},
                "creates": {API["create"]: a.creates}}[name]

    # ------------------------------------------------------------------ the scenarios
    def cold(self) -> None:
        shutil.rmtree(self.root / ".catalog-cache", ignore_errors=True)
        self.plan("cold")

    def warm(self) -> None:
        self.plan("warm")

    def restore_cache(self) -> None:
        """`.catalog-cache/` as actions/cache restores it: the directory the previous run saved."""
        shutil.rmtree(self.root / ".catalog-cache", ignore_errors=True)
        shutil.copytree(self.saved_cache, self.root / ".catalog-cache")

    def pr(self) -> None:
        if not (self.root / ".catalog-cache").is_dir():
            raise SystemExit("the pr scenario needs a run before it (cold or warm): its cache is what CI restores")
        shutil.rmtree(self.saved_cache, ignore_errors=True)
        shutil.copytree(self.root / ".catalog-cache", self.saved_cache)  # what the last main-branch run saved
        edit_products(self.root, [self.n // 2], new_price)
        self.restore_cache()
        self.plan("pr-plan", expect=2)
        self.restore_cache()
        self.apply("pr-apply")

    def changed(self) -> None:
        half = self.args.changed // 2
        in_yaml, in_shop = spread(self.args.changed - half, self.n), spread(half, self.n, offset=7)
        backup = {p: p.read_text() for p in {product_file(self.root, n) for n in in_yaml}}
        edit_products(self.root, in_yaml, new_title)
        originals = self.outside_titles(in_shop)
        self.plan("changed", expect=2)
        for path, text in backup.items():
            path.write_text(text)
        self.outside_titles(in_shop, originals)
        self.plan("changed-settle", measured=False)  # refetch the products edited back (cache warm again)

    def outside_titles(self, numbers: list[int], titles: dict[str, str] | None = None) -> dict[str, str]:
        """A Seller Center title edit on each numbered product (or put `titles` back)."""
        skus = {f"SKU-{n:05d}-1" for n in numbers}
        before = {}
        with SandboxStore(self.db) as store:
            for record in store.products(resolve=False):
                if not skus & {s["seller_sku"] for s in record["content"]["skus"]}:
                    continue
                title = record["content"]["title"]
                before[record["id"]] = title
                store.outside_edit(record["id"], title=titles[record["id"]] if titles else title + " Diubah Penjual")
        if len(before) != len(numbers):
            raise SystemExit(f"outside edits: found {len(before)} of {len(numbers)} products")
        return before

    def prices(self) -> None:
        edit_products(self.root, spread(self.args.prices, self.n, offset=3), new_price)
        self.apply("prices")

    def edits(self) -> None:
        edit_products(self.root, spread(self.args.edits, self.n, offset=5), new_title)
        self.apply("edits")

    def creates(self) -> None:
        for path in sorted(self.stash.glob("*.yaml")):
            path.rename(self.root / "products" / path.name)
        total = self.n + self.args.creates
        self.floors[total] = floor(self.root)
        self.apply("creates")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000, help="live products (a multiple of 50)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated: {','.join(SCENARIOS)}")
    parser.add_argument("--changed", type=int, help="products changed in the 'changed' plan (default N/100)")
    parser.add_argument("--prices", type=int, help="price changes to apply (default N/10)")
    parser.add_argument("--edits", type=int, help="content edits to apply (default N/100)")
    parser.add_argument("--creates", type=int, help="products to create (default N/20, a multiple of 50)")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--qps", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=8, help="apply --concurrency")
    parser.add_argument("--results", type=Path, help="also write the Markdown to this file")
    parser.add_argument("--work", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    n = args.products
    args.changed = args.changed if args.changed is not None else max(2, n // 100)
    args.prices = args.prices if args.prices is not None else max(1, n // 10)
    args.edits = args.edits if args.edits is not None else max(1, n // 100)
    args.creates = args.creates if args.creates is not None else max(PER_FILE, n // 20 // PER_FILE * PER_FILE)
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown or n % PER_FILE or args.creates % PER_FILE:
        parser.error(f"unknown scenario(s) {unknown}" if unknown else "--products and --creates: multiples of 50")
    if args.edits + args.creates > 1000:
        parser.error("the sandbox allows 1,000 listings + relistings a day: --edits + --creates must be ≤ 1000")

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, work)
    bench.prepare()
    process, url = serve(bench.db, args.latency_ms, args.qps)
    bench.server_pid = process.pid
    target_api(bench.root, args.qps)
    SERVED.update(TTS_API_BASE_URL=url, TTS_AUTH_BASE_URL=url)
    bench.log(f"sandbox serving {url} (latency {args.latency_ms} ms, {args.qps:g} QPS per API)")
    try:
        for scenario in SCENARIOS:
            if scenario in chosen:
                getattr(bench, scenario)()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = markdown(bench.results, args, machine(), bench.seed_seconds)
    print(text)
    if args.results:
        args.results.write_text(text)


if __name__ == "__main__":
    main()
