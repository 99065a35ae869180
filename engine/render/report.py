"""Render an ApplyReport: text (terminal), Markdown (PR comment, job summary) or JSON.

    render_report(report, "text" | "markdown" | "json", color=False)
    render_report_markdown(report, max_chars=None)     # engine.render.report_markdown
    report_format(path, explicit=None)                 # --report FILE: format by extension

The JSON form is `engine.plan.report.report_to_dict` (read back with `report_from_dict`).
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.plan.report import ApplyReport, report_to_dict

REPORT_FORMATS = ("text", "markdown", "json")
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".txt": "text", ".log": "text"}


def render_report(report: ApplyReport, fmt: str = "text", *, color: bool = False) -> str:
    if fmt == "text":
        from engine.render.report_text import render_report_text

        return render_report_text(report, color=color)
    if fmt == "markdown":
        from engine.render.report_markdown import render_report_markdown

        return render_report_markdown(report)
    if fmt == "json":
        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}")


def report_format(path: Path, explicit: str | None = None) -> str:
    """The format of a report file: `explicit`, else by extension (.md, .json, .txt), else text."""
    if explicit:
        return explicit
    return EXTENSIONS.get(Path(path).suffix.lower(), "text")
