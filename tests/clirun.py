"""Run the `catalog` CLI in-process the way a shell would: argv in, (exit code, stdout, stderr) out.

Goes through `engine.cli.main`, so the root error handling (clear message, exit code, no
traceback) is what the tests see.
"""

from __future__ import annotations

import sys

from engine.cli import main


def run_cli(monkeypatch, capsys, *args: object) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["catalog", *map(str, args)])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err
