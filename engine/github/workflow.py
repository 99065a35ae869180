"""GitHub Actions workflow commands: annotations and secret masks, escaped per the runner's rules.

    ::error file=catalogs/demo/products/batik.yaml,line=12,col=5,title=catalog validate::message
    ::add-mask::<value>

Data (the message, the masked value) escapes `%`, CR and LF; properties (file, title) also
escape `:` and `,` — so a seller's text can never end a command early or start another one.
Annotation paths are relative to the repository root (GITHUB_WORKSPACE in Actions), which is
how GitHub places them on the pull request's diff.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from engine.errors import Diagnostic

TITLE = "catalog validate"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_root(workspace: Path | None, cwd: Path | None = None) -> Path:
    """GITHUB_WORKSPACE when set, else the git top level of `cwd`, else `cwd`."""
    cwd = cwd or Path.cwd()
    if workspace is not None:
        return workspace
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return cwd
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else cwd


def relative_to_root(file: str, root: Path) -> str:
    path = Path(file)
    try:
        absolute = path.resolve() if not path.is_absolute() else path
        rel = os.path.relpath(absolute, root.resolve())
    except (OSError, ValueError):
        return path.as_posix()
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def annotation(diagnostic: Diagnostic, root: Path) -> str:
    level = "error" if diagnostic.severity == "error" else "warning"
    message = f"{diagnostic.path}: {diagnostic.message}" if diagnostic.path else diagnostic.message
    props = (f"file={escape_property(relative_to_root(diagnostic.file, root))},line={max(diagnostic.line, 1)},"
             f"col={max(diagnostic.column, 1)},title={escape_property(TITLE)}")
    return f"::{level} {props}::{escape_data(message)}"


def annotation_lines(diagnostics: Iterable[Diagnostic], root: Path) -> list[str]:
    return [annotation(d, root) for d in diagnostics]


def mask_commands(values: Iterable[str]) -> list[str]:
    """`::add-mask::` for every secret value (each line of a multi-line one), longest first."""
    lines = {line.strip() for value in values if value for line in value.splitlines()}
    return [f"::add-mask::{escape_data(line)}" for line in sorted(lines, key=lambda s: (-len(s), s)) if line]


def notice(message: str, level: str = "notice") -> str:
    return f"::{level}::{escape_data(message)}"
