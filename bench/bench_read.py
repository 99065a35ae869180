"""Benchmark the live read (engine.shop.read) against the sandbox served over HTTP.

    python3 bench/bench_read.py                       # 10,000 products × 3 SKUs, 20 ms, 50 QPS
    python3 bench/bench_read.py --products 500        # quicker

1. Seeds N products (3 SKUs each) into a fresh sandbox database (SandboxStore.seed_products).
2. Serves it with `catalog sandbox serve --latency-ms 20 --qps 50` (a subprocess, real HTTP).
3. Runs a cold read (empty cache: ⌈N/100⌉ Search calls + N Get calls) and a warm read (nothing
   changed: ⌈N/100⌉ Search calls, no Get), every product managed by the catalog.
4. Prints a Markdown table: calls per API (client count and server count), wall time, and the
   achieved rate per API.

"Achieved QPS" is measured per API, because the limit is per API (50 QPS for Search, 50 for
Get): requests sent divided by the time between the API's first and last request. Search is
sequential (each page needs the previous cursor), so its rate is bounded by latency, not by the
limit; the Get fan-out is what runs at the limit, and its rate is compared with it. The overall
rate (all calls / wall time) is shown too.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.sandbox.store import SandboxStore  # noqa: E402
from engine.shop.client import ENDPOINTS, ShopClient  # noqa: E402
from engine.shop.read import ReadStats, read_snapshot  # noqa: E402
from engine.shop.settings import ShopCredentials  # noqa: E402

WAREHOUSES = ("7400000000000000001", "7400000000000000002")
SEARCH, GET = ENDPOINTS["search"].api, ENDPOINTS["get"].api


def body(n: int, skus: int) -> dict:
    sizes = ("S", "M", "L", "XL", "XXL")
    return {
        "title": f"Kemeja Batik Parang Lengan Panjang Nomor {n:06d}",
        "description": f"<p>Batik tulis asli dari Solo, motif nomor {n}.</p>", "category_id": "600010",
        "main_images": [{"uri": f"tos-bench-{n % 50}"}],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
        "skus": [{"seller_sku": f"BENCH-{n}-{sizes[i]}", "price": {"amount": str(150000 + 1000 * i), "currency": "IDR"},
                  "inventory": [{"warehouse_id": WAREHOUSES[i % 2], "quantity": 10 + i}],
                  "sales_attributes": [{"name": "Ukuran", "value_name": sizes[i]}]} for i in range(skus)],
    }


def seed(db: Path, products: int, skus: int) -> tuple[dict[str, tuple[str, ...]], float]:
    started = time.perf_counter()
    desired = {}
    with SandboxStore(db) as store:
        for start in range(0, products, 1000):
            bodies = [body(n, skus) for n in range(start, min(products, start + 1000))]
            store.seed_products(bodies)
            desired.update({f"batik-{start + i}": tuple(s["seller_sku"] for s in b["skus"])
                            for i, b in enumerate(bodies)})
    return desired, time.perf_counter() - started


def serve(db: Path, latency_ms: int, qps: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "sandbox", "serve", "--port", "0", "--db", str(db),
         "--latency-ms", str(latency_ms), "--qps", str(qps)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise SystemExit(f"the sandbox did not start: {line}{process.stderr.read()}")
    return process, line.split("listening on ")[1].split()[0]


class TimedTransport(httpx.AsyncBaseTransport):
    """Records when each request leaves, per API (bench instrumentation only)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=64))
        self.sent: dict[str, list[float]] = defaultdict(list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        api = SEARCH if path.endswith("/products/search") else GET if "/products/" in path else path
        self.sent[api].append(time.perf_counter())
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def read(url: str, desired: dict, cache: Path, qps: float, concurrency: int) -> dict:
    transport = TimedTransport()
    stats = ReadStats()
    client = ShopClient(ShopCredentials.sandbox(), base_url=url, auth_url=url, transport=transport, qps=qps,
                        concurrency=concurrency)
    started = time.perf_counter()
    async with client:
        snapshot = await read_snapshot(client, desired, cache_dir=cache, stats=stats)
    wall = time.perf_counter() - started
    return {"wall": wall, "calls": client.calls, "retries": client.wire.retries, "sent": transport.sent,
            "products": len(snapshot.products), "managed": len(snapshot.claims), "stats": stats}


def rate(times: list[float]) -> float | None:
    if len(times) < 2:
        return None
    return (len(times) - 1) / (times[-1] - times[0])


def table(runs: list[tuple[str, dict, dict]], products: int, qps: float) -> str:
    lines = ["| read | API | calls (client) | calls (server) | retries | achieved QPS (per API) | "
             "% of limit | wall time |", "|---|---|---|---|---|---|---|---|"]
    for name, result, server in runs:
        for api in (SEARCH, GET):
            sent = result["sent"].get(api, [])
            achieved = rate(sent)
            shown = f"{achieved:.1f}" if achieved else "–"
            share = f"{100 * achieved / qps:.0f} %" if achieved else "–"
            lines.append(f"| {name} | `{api}` | {result['calls'].get(api, 0)} | {server.get(api, 0)} | "
                         f"{result['retries'].get(api, 0)} | {shown} | {share} | {result['wall']:.1f} s |")
        total = sum(result["calls"].values())
        lines.append(f"| {name} | all | {total} | {sum(server.values())} | {sum(result['retries'].values())} | "
                     f"{total / result['wall']:.1f} (overall) | | {result['wall']:.1f} s |")
    pages = math.ceil(products / 100)
    lines.append("")
    lines.append(f"Expected: cold = {pages} Search + {products} Get; warm = {pages} Search + 0 Get.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--skus", type=int, default=3, choices=range(1, 6))
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--qps", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary database and cache.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-read-"))
    db, cache = work / "shop.db", work / "cache"
    desired, seconds = seed(db, args.products, args.skus)
    print(f"seeded {args.products} products × {args.skus} SKUs in {seconds:.1f} s", file=sys.stderr)
    process, url = serve(db, args.latency_ms, args.qps)
    runs = []
    try:
        with SandboxStore(db) as store:
            for name in ("cold", "warm"):
                store.reset_calls()
                result = asyncio.run(read(url, desired, cache, args.qps, args.concurrency))
                runs.append((name, result, store.calls()))
                print(f"{name}: {result['stats'].summary()} in {result['wall']:.1f} s", file=sys.stderr)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"### Live read: {args.products} products × {args.skus} SKUs, sandbox over HTTP, "
          f"{args.latency_ms} ms latency, {args.qps:g} QPS per API, concurrency {args.concurrency}\n")
    print(table(runs, args.products, args.qps))


if __name__ == "__main__":
    main()
