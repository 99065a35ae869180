"""Progress while reading (engine/shop/progress.py): plain lines every few seconds on stderr
(a fake clock here, never timing), a rich bar on a terminal, never anything on stdout."""

from __future__ import annotations

import asyncio
import io
import json
import sys

import pytest
from clirun import demo_copy, run_cli
from test_shop_client import make_client, product_body
from test_shop_read import desired_for

import engine.shop.progress as progress_module
from engine.cli.common import fancy_terminal
from engine.shop.progress import LogReadProgress, ReadCounts, RichReadProgress
from engine.shop.read import read_snapshot


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_every_few_seconds_with_the_recent_rate():
    out, clock = io.StringIO(), Clock()
    progress = LogReadProgress(out, every_seconds=5, clock=clock)
    progress.update(ReadCounts(total=10_000, listed=3_000, pages=30, expected_pages=101, queued=3_000, fetched=0))
    clock.now += 4.9
    progress.update(ReadCounts(total=10_000, listed=10_000, pages=101, expected_pages=101, queued=10_000,
                               fetched=200))
    assert out.getvalue() == ""  # not yet 5 s
    clock.now += 0.1
    progress.update(ReadCounts(total=10_000, listed=10_000, pages=101, expected_pages=101, queued=10_000,
                               fetched=250))
    clock.now += 50
    progress.update(ReadCounts(total=10_000, listed=10_000, pages=101, expected_pages=101, queued=10_000,
                               fetched=2_550))
    progress.finish()
    assert out.getvalue().splitlines() == [
        "read 250 / 10,000 products, 50/s (search 101/101 pages, get 250/10,000)",
        "read 2,550 / 10,000 products, 46/s (search 101/101 pages, get 2,550/10,000)",
    ]


def test_a_warm_read_has_no_get_part_and_a_short_read_prints_nothing():
    out, clock = io.StringIO(), Clock()
    progress = LogReadProgress(out, every_seconds=5, clock=clock)
    progress.update(ReadCounts(total=900, listed=900, pages=9, expected_pages=10))
    progress.finish()
    assert out.getvalue() == ""
    clock.now += 6
    progress.update(ReadCounts(total=1_000, listed=1_000, pages=10, expected_pages=11))
    assert out.getvalue() == "read 1,000 / 1,000 products, 167/s (search 10/11 pages)\n"


def test_the_reader_reports_search_pages_and_get_answers(sandbox):
    bodies = [product_body(n) for n in range(150)]
    sandbox.store.seed_products(bodies)
    seen: list[ReadCounts] = []

    class Recorder:
        def update(self, counts: ReadCounts) -> None:
            seen.append(counts)

        def finish(self) -> None:
            seen.append(ReadCounts())

    async def main():
        async with make_client(sandbox) as client:
            await read_snapshot(client, desired_for(bodies[:120]), progress=Recorder())

    asyncio.run(main())
    *updates, finished = seen
    assert finished == ReadCounts()
    last = updates[-1]
    # the 30 products the catalog does not hold are read after the listing (their annotation)
    assert (last.total, last.listed, last.pages, last.queued, last.fetched, last.done) == (150, 150, 2, 150, 150, 150)
    assert updates[0].pages == 1 and all(a.pages <= b.pages and a.fetched <= b.fetched
                                         for a, b in zip(updates, updates[1:], strict=False))
    assert len(updates) == 2 + 150  # one per Search page, one per Get answer


def test_terminal_bars_only_on_a_terminal_that_can_draw_them(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert fancy_terminal()
    monkeypatch.setenv("TERM", "dumb")
    assert not fancy_terminal()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert not fancy_terminal()


def test_the_rich_bar_draws_on_its_stream_and_goes_away():
    out = io.StringIO()
    bar = RichReadProgress(out)
    bar.finish()  # never started: nothing drawn
    assert out.getvalue() == ""
    bar.update(ReadCounts(total=300, listed=100, pages=1, expected_pages=3, queued=100, fetched=10))
    bar.update(ReadCounts(total=300, listed=300, pages=3, expected_pages=3, queued=300, fetched=300))
    bar.finish()
    assert not bar.started


@pytest.mark.parametrize("command", [("plan", "--format", "json"), ("live", "--format", "json")])
def test_progress_lines_go_to_stderr_and_stdout_stays_json(monkeypatch, capsys, tmp_path, command):
    monkeypatch.setattr(progress_module, "EVERY_SECONDS", 0.0)  # a line per page and per Get answer
    root = demo_copy(tmp_path / "shop")
    code, out, err = run_cli(monkeypatch, capsys, command[0], root, *command[1:])
    assert code == 0, err
    json.loads(out)  # nothing but the JSON on stdout
    lines = [line for line in err.splitlines() if line.startswith("read ")]
    assert lines and all(" products, " in line and "/s (search " in line for line in lines), err
    assert "Traceback" not in err


def test_what_a_read_keeps_is_out_of_the_collectors_sight_until_it_ends(sandbox, monkeypatch):
    """A read allocates millions of long-lived objects: they are frozen out of the cyclic
    collector's passes as pages arrive (every SETTLE_PAGES pages; here every page; the collector
    stays on for the requests' garbage) and handed back when the read ends, also after a failure."""
    import gc

    import engine.shop.read as read_module

    monkeypatch.setattr(read_module, "SETTLE_PAGES", 1)
    sandbox.store.seed_products([product_body(n) for n in range(3)])
    during: list[tuple[bool, int]] = []

    class Recorder:
        def update(self, counts: ReadCounts) -> None:
            during.append((gc.isenabled(), gc.get_freeze_count()))

        def finish(self) -> None:
            pass

    async def main(progress):
        async with make_client(sandbox) as client:
            await read_snapshot(client, {"p": ("BATIK-0-M",)}, progress=progress)

    assert gc.get_freeze_count() == 0
    asyncio.run(main(Recorder()))
    assert during and all(enabled and frozen > 0 for enabled, frozen in during), during
    assert gc.get_freeze_count() == 0

    class Failing(Recorder):
        def update(self, counts: ReadCounts) -> None:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        asyncio.run(main(Failing()))
    assert gc.get_freeze_count() == 0
