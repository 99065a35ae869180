"""One `catalog apply` per shop at a time on one machine: `<catalog>/.catalog-cache/apply.lock`.

    with apply_lock(catalog_root, wait=True, notify=print_to_stderr):
        ...plan, confirm, write...

An exclusive `flock` on the lock file, held from the plan to the report. A second apply waits
(saying so once, with the holder's pid) or, with `wait=False` (`--no-wait`), is refused at once
(EngineError: exit 1, nothing written). The lock belongs to the open file: when the process ends —
a crash, a kill — the operating system drops it, so a lock is never left stale; the pid written in
the file is only for the message. Two applies at once would send every edit twice (each edited
product back to review twice). CI keeps its own concurrency group per shop as well.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.errors import EngineError

FILENAME = "apply.lock"


@contextmanager
def apply_lock(catalog_root: Path, *, wait: bool, notify: Callable[[str], None]) -> Iterator[None]:
    path = Path(catalog_root) / ".catalog-cache" / FILENAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EngineError(f"cannot create the apply lock {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = f"another `catalog apply` of {catalog_root} is running ({_holder(fd)})"
            if not wait:
                raise EngineError(f"{running}: nothing was applied (--no-wait); apply again when it has "
                                  "finished") from None
            notify(f"{running}; waiting for it to finish…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"
