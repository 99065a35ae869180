"""Progress of a running read: a rich progress bar on a terminal, a line every few seconds otherwise.

The reader (engine.shop.read) calls `update(counts)` whenever a Search page or a Get Product
answer arrives, and `finish()` at the end. `LogReadProgress` writes to stderr

    read 2,300 / 10,000 products, 46/s (search 100/100 pages, get 2,250/10,000)

at most every `every_seconds` (and nothing for a read that ends sooner), so a CI log shows the run
is alive without a line per product; `RichReadProgress` draws two bars (Search pages, Get
Product calls) on the terminal and removes them when done. Nothing is written to stdout, and
nothing but counts.

"Read" counts the listed products whose reading is complete: those that needed no Get (cached,
unmanaged, frozen or deleted) and those fetched. The rate is over the last interval.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO


@dataclass(frozen=True)
class ReadCounts:
    total: int = 0  # products in the shop (Search total_count; 0 until the first page)
    listed: int = 0  # distinct products listed so far
    pages: int = 0  # Search calls made
    expected_pages: int = 0
    queued: int = 0  # Get Product calls needed so far
    fetched: int = 0  # Get Product calls answered

    @property
    def done(self) -> int:
        return self.listed - (self.queued - self.fetched)


class ReadProgress(Protocol):
    def update(self, counts: ReadCounts) -> None: ...

    def finish(self) -> None: ...


class NullReadProgress:
    def update(self, counts: ReadCounts) -> None:
        pass

    def finish(self) -> None:
        pass


EVERY_SECONDS = 5.0


class LogReadProgress:
    """A plain line on stderr every `every_seconds` (default EVERY_SECONDS) while the read runs."""

    def __init__(self, stream: TextIO | None = None, *, every_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.every_seconds = EVERY_SECONDS if every_seconds is None else every_seconds
        self.clock = clock
        self.last = clock()
        self.last_done = 0

    def update(self, counts: ReadCounts) -> None:
        now = self.clock()
        if now - self.last < self.every_seconds or now <= self.last:
            return
        rate = (counts.done - self.last_done) / (now - self.last)
        self.last, self.last_done = now, counts.done
        total = max(counts.total, counts.listed)
        text = (f"read {counts.done:,} / {total:,} products, {rate:,.0f}/s "
                f"(search {counts.pages:,}/{max(counts.pages, counts.expected_pages):,} pages")
        if counts.queued:
            text += f", get {counts.fetched:,}/{counts.queued:,}"
        print(text + ")", file=self.stream, flush=True)

    def finish(self) -> None:
        pass


class RichReadProgress:
    """Two bars on the terminal (stderr): Search pages and Get Product calls; shown from the
    first update, removed when done."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=Console(file=stream or sys.stderr), transient=True)
        self.search = self.bar.add_task("Search pages", total=None)
        self.get = self.bar.add_task("Get Product", total=None, visible=False)
        self.started = False

    def update(self, counts: ReadCounts) -> None:
        if not self.started:
            self.bar.start()
            self.started = True
        self.bar.update(self.search, completed=counts.pages, total=max(counts.pages, counts.expected_pages) or None)
        if counts.queued:
            self.bar.update(self.get, completed=counts.fetched, total=counts.queued, visible=True)

    def finish(self) -> None:
        if self.started:
            self.bar.stop()
            self.started = False
