"""connect.run_sync: the synchronous entry points (read, apply, check, import) never have asyncio
format their result — on Python 3.11 asyncio.run reprs the main task's result when it ends,
which for a 10,000-product snapshot or report costs about a second of CPU for nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import engine.apply.check
import engine.apply.run
import engine.importing.importer
from engine.shop.connect import run_sync

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"


class _Big:
    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "_Big()"


def test_run_sync_returns_the_result_without_formatting_it():
    big = _Big()

    async def work() -> _Big:
        await asyncio.sleep(0)
        return big

    assert run_sync(work()) is big and big.reprs == 0
    # (asyncio.run itself reprs the result only when it installs its SIGINT handler — main thread,
    # default handler — so whether it does depends on what ran before in the process: not asserted.)


def test_every_synchronous_entry_point_returns_its_result_unformatted(monkeypatch):
    """run_apply, run_check and run_import hand back what their coroutine returned, never
    formatted (each fails with asyncio.run: the result would be repr'd once or more)."""
    big = _Big()

    async def result(*args, **kwargs) -> _Big:
        return big

    class _Import:
        def __init__(self, *args) -> None:
            pass

        run = staticmethod(result)

    monkeypatch.setattr(engine.apply.run, "apply_async", result)
    monkeypatch.setattr(engine.apply.check, "check_async", result)
    monkeypatch.setattr(engine.importing.importer, "_Run", _Import)
    assert engine.apply.run.run_apply(None, None) is big
    assert engine.apply.check.run_check(None, None, None) is big
    assert engine.importing.importer.run_import(engine.importing.importer.ImportRequest(catalog_dir=DEMO)) is big
    assert big.reprs == 0

