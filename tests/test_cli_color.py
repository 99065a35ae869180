"""Colour of the text output: --color/--no-color, NO_COLOR, FORCE_COLOR, TERM=dumb, a terminal."""

from __future__ import annotations

import pytest
from clirun import DEMO, run_cli

from engine.cli.common import use_color


def tty() -> bool:
    return True


def pipe() -> bool:
    return False


@pytest.mark.parametrize("flag, env, isatty, expected", [
    (None, {}, tty, True),
    (None, {}, pipe, False),
    (None, {"TERM": "dumb"}, tty, False),
    (None, {"NO_COLOR": "1"}, tty, False),
    (None, {"NO_COLOR": ""}, tty, True),  # set but empty: not set (no-color.org)
    (None, {"FORCE_COLOR": "1"}, pipe, True),
    (None, {"FORCE_COLOR": "1", "TERM": "dumb"}, pipe, True),
    (None, {"FORCE_COLOR": "0"}, pipe, False),
    (None, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, tty, False),  # NO_COLOR wins
    (True, {"NO_COLOR": "1", "TERM": "dumb"}, pipe, True),  # the flag wins over everything
    (False, {"FORCE_COLOR": "1"}, tty, False),
])
def test_the_first_rule_that_applies_decides(flag, env, isatty, expected):
    assert use_color(flag, "text", env, isatty) is expected


def test_markdown_and_json_are_never_coloured():
    assert not use_color(True, "markdown", {"FORCE_COLOR": "1"}, tty)
    assert not use_color(None, "json", {"FORCE_COLOR": "1"}, tty)


def test_force_color_colours_a_piped_plan_and_term_dumb_does_not(monkeypatch, capsys, tmp_path):
    import shutil

    catalog = tmp_path / "demo"
    shutil.copytree(DEMO, catalog, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, err = run_cli(monkeypatch, capsys, "plan", catalog)
    assert code == 0 and "\x1b[" in out, err
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    code, out, _ = run_cli(monkeypatch, capsys, "plan", catalog)
    assert code == 0 and "\x1b[" not in out
