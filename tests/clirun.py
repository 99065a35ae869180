"""Run the `catalog` CLI in-process the way a shell would: argv in, (exit code, stdout, stderr) out.

Goes through `engine.cli.main`, so the root error handling (clear message, exit code, no
traceback) is what the tests see.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

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


DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"


def run_clean(monkeypatch, capsys, *args: object) -> tuple[int, str]:
    """`catalog ARGS` in-process: (exit code, stdout + stderr), and never a traceback."""
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert "Traceback" not in out + err, out + err
    return code, out + err


def converge(monkeypatch, capsys, root: Path, attempts: int = 6) -> list[int]:
    """Apply until a run succeeds (exit 0; 3 = some product × platform failed, try again; 1 only when
    every write of the run is a content write the shop did not confirm — never retried, by design:
    plan again). A batch call repeated after a lost answer that met "already done" is confirmed by
    reading the product, never left "unknown". Then the plan must be empty but for what is blocked.
    The exit codes of the applies."""
    codes = []
    for _ in range(attempts):
        code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve", "--concurrency", "4")
        codes.append(code)
        assert code in (0, 3) or (code == 1 and "the shop did not confirm the write" in output
                                   and "repeated after a lost answer" not in output), output
        if code == 0:
            break
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0, (codes, output)
    return codes


def demo_copy(root: Path, target: str = "sandbox") -> Path:
    """The demo catalog copied to `root` (no sandbox database, no cache); with target "api" its
    shop.yaml says `target: api` — the operator's environment names the host (`point_at`) and
    carries the credentials (TTS_*), as in production."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    if target == "api":
        text = (root / "shop.yaml").read_text()
        (root / "shop.yaml").write_text(text.replace("target: sandbox ", "target: api\n#"))
    return root


def demo_applied(root: Path) -> Path:
    """The demo catalog copied to `root` and applied once to its empty sandbox (reviews decided at
    once; the demo's watch is refused on Tokopedia on purpose). Usable from module-scoped fixtures:
    it patches argv itself and undoes it."""
    demo_copy(root)
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(sys, "argv", ["catalog", "apply", str(root), "--auto-approve"])
        with pytest.raises(SystemExit):
            main()
    finally:
        patch.undo()
    return root


def point_at(monkeypatch, base_url: str) -> None:
    """Name a served shop as the API and auth host, as an operator does (TTS_API_BASE_URL,
    TTS_AUTH_BASE_URL): a catalog cannot name a host itself (engine.shop.hosts)."""
    monkeypatch.setenv("TTS_API_BASE_URL", base_url)
    monkeypatch.setenv("TTS_AUTH_BASE_URL", base_url)
