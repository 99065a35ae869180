"""Run one `catalog` command with measurement hooks; write what was measured as JSON.

    python3 bench/scale_probe.py OUT.json plan CATALOG_DIR --detailed-exitcode

The command runs exactly as `python3 -m engine ...` would (same entry point, same exit code);
the hooks only record:

- every request the client sends (per API, with its time: the achieved rate per API), the
  calls and retries per API as the client counts them (ApiCaller.calls / .retries);
- CPU and wall seconds of the local work — `load_catalog`, `make_plan`, the renderers — and
  of the phases that talk to the shop (`read_catalog`, `run_apply`);
- this process's CPU time and peak RSS (the parent reads them too, with os.wait4).

The hooks wrap functions at their module attributes (the CLI imports them at call time), so
nothing in the engine is changed for the measurement.
"""

from __future__ import annotations

import functools
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import engine.apply.run  # noqa: E402
import engine.catalog.load  # noqa: E402
import engine.plan.planner  # noqa: E402
import engine.render  # noqa: E402
import engine.render.report  # noqa: E402
import engine.shop.connect  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.shop.wire import ApiCaller  # noqa: E402

LOCAL = ("load_catalog", "make_plan", "render_plan", "render_report")
SHOP = ("read_catalog", "run_apply")

callers: list[ApiCaller] = []
sent: dict[str, list[float]] = defaultdict(list)
phases: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])  # name → [cpu, wall, count]


def _timed(name: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            entry = phases[name]
            entry[0] += time.process_time() - cpu
            entry[1] += time.perf_counter() - wall
            entry[2] += 1
    return wrapper


def install() -> None:
    for module, name in ((engine.catalog.load, "load_catalog"), (engine.plan.planner, "make_plan"),
                         (engine.render, "render_plan"), (engine.render.report, "render_report"),
                         (engine.shop.connect, "read_catalog"), (engine.apply.run, "run_apply")):
        setattr(module, name, _timed(name, getattr(module, name)))

    init, build = ApiCaller.__init__, ApiCaller._build

    def tracked_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        callers.append(self)

    def tracked_build(self, endpoint, *args, **kwargs):
        sent[endpoint.api].append(time.perf_counter())
        return build(self, endpoint, *args, **kwargs)

    ApiCaller.__init__ = tracked_init
    ApiCaller._build = tracked_build


def report(path: Path, code: int, started: float) -> None:
    calls: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    refreshes = 0
    for caller in callers:
        calls.update(caller.calls)
        retries.update(caller.retries)
        refreshes += caller.token_refreshes
    usage = resource.getrusage(resource.RUSAGE_SELF)
    data = {
        "exit_code": code, "wall": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
        "calls": dict(sorted(calls.items())), "retries": dict(sorted(retries.items())), "token_refreshes": refreshes,
        "sent": {api: times for api, times in sorted(sent.items())},
        "phases": {name: {"cpu": v[0], "wall": v[1], "count": v[2]} for name, v in sorted(phases.items())},
        "local_cpu": sum(phases[n][0] for n in LOCAL if n in phases),
    }
    path.write_text(json.dumps(data))


def run() -> None:
    out = Path(sys.argv[1])
    sys.argv = ["catalog", *sys.argv[2:]]
    started = time.perf_counter()
    install()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    report(out, code, started)
    sys.exit(code)


if __name__ == "__main__":
    run()
