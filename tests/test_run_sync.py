"""connect.run_sync: the synchronous entry points (read, apply, check, import) never have asyncio
format their result — on Python 3.11 asyncio.run reprs the main task's result when it ends,
which for a 10,000-product snapshot or report costs about a second of CPU for nothing."""

from __future__ import annotations

import asyncio

import engine.apply.check
import engine.apply.run
import engine.shop.importer
from engine.shop.connect import run_sync


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
    asyncio.run(work())
    assert big.reprs > 0  # what run_sync avoids (if a Python stops doing this, drop run_sync)


def test_every_synchronous_entry_point_uses_it():
    for module in (engine.apply.run, engine.apply.check, engine.shop.importer):
        source = open(module.__file__, encoding="utf-8").read()
        assert "asyncio.run(" not in source and "run_sync(" in source, module.__name__
