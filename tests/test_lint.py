"""The test command holds the code's hygiene (issue 14): ruff (pyflakes, pycodestyle, bugbear, isort)
on engine/, tests/ and bench/, and mypy on the engine package (pyproject.toml [tool.mypy]).
Both are `test` extras, so a fresh `pip install -e '.[test]'` has them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [
    ("ruff", "check", "--no-cache", "engine", "tests", "bench"),
    ("mypy",),
], ids=["ruff", "mypy"])
def test_lint_is_clean(command):
    result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
