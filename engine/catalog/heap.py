"""Garbage-collector policy for building a big tree of long-lived values: loading a catalog,
planning it, encoding the plan.

Loading 10,000 products, planning 10,000 creates or encoding their plan allocates hundreds of
thousands to millions of small objects that all stay alive; the cyclic collector would rescan
them again and again while they are built (measured at 10,000 creates, CPU s: make_plan 0.47 ->
0.93-1.17 with the collector on, the plan's JSON 1.29 -> 2.5). `paused_gc` pauses it for the block,
and on the way out moves what the block built into the oldest generation (gc.freeze() then
gc.unfreeze(): nothing stays frozen) before resuming it, so the young collections that follow do
not walk them once more. Garbage cycles made during the pause are collected at the next full
collection, as any other. Nested pauses resume at the outermost exit. Measured: load_catalog of
10,000 products with 1 M allocations after it 1.10 -> 1.04 s of CPU, best of 3."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The collector off inside the block, back to how it was after (nested blocks are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
