"""Garbage-collector policy for building big, long-lived value trees (plans).

Planning 10,000 products allocates millions of small objects that all stay alive; the cyclic
collector would rescan them again and again while they are built, so `paused_gc` pauses it
for the block and resumes it on exit (nested pauses resume at the outermost exit). Nothing is
frozen: once resumed, the collector sees every object again, and garbage cycles made during
the pause are collected like any other. The catalog loader does not pause (measured on
10,000 products: load 0.98 s without a pause, 0.90 s with a pause that froze its objects —
not worth changing the process's collector for).
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
            gc.enable()
