"""The apply report (`catalog apply --report report.json`, issue 6) as a sticky comment on the
merged pull request and in the job summary: marker kind `apply`, one comment per shop."""

from __future__ import annotations

import json
from pathlib import Path

from engine.errors import ConfigError, EngineError
from engine.github.comments import Content, artifact_pointer, digest_of
from engine.github.content import read_bytes


def report_content(path: Path, artifact_url: str | None) -> Content:
    from engine.plan.report import report_from_dict
    from engine.render.report_markdown import render_report_markdown

    data = read_bytes(path)
    try:
        report = report_from_dict(json.loads(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not an apply report (not valid JSON)") from exc
    except EngineError as exc:
        raise type(exc)(f"{path}: {exc}") from exc
    sentence = artifact_pointer(artifact_url, "report")
    pointer = f"\n{sentence[0].upper()}{sentence[1:]}.\n"

    def render(budget: int, measure) -> str:
        room = budget - measure(pointer)
        text = render_report_markdown(report, max_chars=room)
        for _ in range(5):  # the renderer counts characters; a job summary counts UTF-8 bytes
            size = measure(text)
            if size <= room:
                break
            room = int(room * room / size) - 64
            text = render_report_markdown(report, max_chars=max(room, 1_000))
        return text.rstrip("\n") + "\n" + pointer

    return Content("apply", report.shop_name or path.stem, digest_of(data), render)
