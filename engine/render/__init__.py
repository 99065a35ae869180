"""Renderers: pure functions of a Plan (and later an ApplyReport) → text, Markdown, JSON."""

from __future__ import annotations

FORMATS = ("text", "markdown", "json")


def render_plan(plan, fmt: str = "text", *, color: bool = False) -> str:
    """Render a Plan in one of FORMATS (json = the saved-plan format)."""
    if fmt == "text":
        from engine.render.text import render_text

        return render_text(plan, color=color)
    if fmt == "markdown":
        from engine.render.markdown import render_markdown

        return render_markdown(plan)
    if fmt == "json":
        from engine.plan.saved import dumps

        return dumps(plan)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
