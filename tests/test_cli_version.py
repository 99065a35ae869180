"""`catalog --version` answers installed or not (a fresh clone run as `python -m engine`)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from engine.cli import engine_version

ROOT = Path(__file__).resolve().parent.parent
DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_version_comes_from_pyproject_when_the_package_is_not_installed():
    assert engine_version("no-such-distribution-here") == f"{DECLARED} (not installed)"


def test_version_option_prints_it_without_a_traceback():
    done = subprocess.run([sys.executable, "-m", "engine", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(f"catalog, version {DECLARED}")
