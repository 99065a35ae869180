"""Garbage-collector policy for building big, long-lived value trees (catalogs, plans).

Loading 10,000 products or planning them allocates millions of small objects that all stay
alive. The cyclic collector would rescan them again and again while they are built (it
doubles the time), so it is paused; and when it is switched back on, its first pass would
walk every object allocated during the pause (~10 % of planning 10,000 creates) only to find
them alive. `paused_gc` therefore moves what exists at the end into the collector's permanent
generation (`gc.freeze`): those objects are still freed by reference counting when dropped,
the collector just stops re-examining them. Nested pauses freeze once, at the outermost exit.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
