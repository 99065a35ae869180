"""One `catalog apply` per catalog at a time on one machine (issue 15): a second apply waits for the
first, or with --no-wait exits 1 at once, nothing written. The lock is the operating system's
(flock): a killed holder leaves no stale lock behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from clirun import demo_copy, run_clean

from engine.sandbox.store import SandboxStore

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, b"pid 4242\\n", 0)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold(demo: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the apply lock (as a running apply does) for `seconds`."""
    lock = demo / ".catalog-cache" / "apply.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def writes(demo: Path) -> int:
    db = demo / ".sandbox" / "shop.db"
    return len(SandboxStore(db).products()) if db.exists() else 0


@pytest.fixture()
def demo(tmp_path) -> Path:
    return demo_copy(tmp_path / "demo")


def test_a_second_apply_with_no_wait_is_refused_and_writes_nothing(monkeypatch, capsys, demo):
    holder = hold(demo, 60)
    try:
        code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve", "--no-wait")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1, out
    assert f"another `catalog apply` of {demo} is running (pid 4242): nothing was applied (--no-wait)" in out
    assert writes(demo) == 0
    code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve", "--no-wait")  # killed: no stale lock
    assert code in (0, 3) and writes(demo) == 10, out


def test_a_second_apply_waits_for_the_first(monkeypatch, capsys, demo):
    holder = hold(demo, 1.5)
    try:
        code, out = run_clean(monkeypatch, capsys, "apply", demo, "--auto-approve")
    finally:
        holder.wait()
    assert code in (0, 3), out
    assert "is running (pid 4242); waiting for it to finish" in out
    assert holder.returncode == 0  # the holder ran to its end; the apply went on after it
    assert writes(demo) == 10
