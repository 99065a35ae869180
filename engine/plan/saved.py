"""The saved-plan format: `catalog plan --out plan.json`, `catalog show`, `catalog apply plan.json`.

JSON of the Plan value (engine.codec), `format_version` 2 (with the live state the plan was
computed from: engine.plan.verify plans the catalog against it again before `apply plan.json`),
UTF-8, keys in field order, trailing newline — the same plan always gives the same bytes.
Loading refuses another format version, a broken file, or an action kind or platform outside
the closed vocabularies (engine.plan.model) with a PlanError that says what to do.
Writing is atomic (temporary file in the same directory, then rename): a failed write never
leaves half a plan behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.catalog.heap import paused_gc
from engine.catalog.spec import PLATFORM_LABELS
from engine.codec import from_plain, to_plain
from engine.errors import PlanError
from engine.plan.model import BATCH_KINDS, FORMAT_VERSION, KINDS, Plan


def plan_to_dict(plan: Plan) -> dict:
    """`engine.codec.to_plain(plan)`, the collector paused (10⁶ values for 10,000 creates)."""
    with paused_gc():
        return to_plain(plan)


def plan_from_dict(data: object) -> Plan:
    if not isinstance(data, dict):
        raise PlanError("not a saved plan: expected a JSON object")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        maker = ("an older catalog-engine" if isinstance(version, int) and version < FORMAT_VERSION
                 else "another catalog-engine")
        raise PlanError(f"saved plan has format_version {version!r}: made by {maker} (this one reads "
                        f"format_version {FORMAT_VERSION}): plan again (`catalog plan --out`)")
    try:
        with paused_gc():
            plan = from_plain(Plan, data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise PlanError(f"saved plan is damaged ({exc}): run `catalog plan --out` again") from exc
    problem = unknown_vocabulary(plan)
    if problem:
        raise PlanError(f"saved plan is damaged or edited: {problem}: run `catalog plan --out` again")
    return plan


def unknown_vocabulary(plan: Plan) -> str:
    """The first action kind, batch kind or platform outside the closed vocabularies (a saved plan
    names nothing else: renderers and the executor look each one up), or ""."""
    for item in plan.products:
        for number, action in enumerate(item.actions):
            if action.kind not in KINDS:
                return f"product {item.key}: action {number + 1} has an unknown kind {action.kind!r}"
            odd = [p for p in action.platforms if p not in PLATFORM_LABELS]
            if odd:
                return f"product {item.key}: action {number + 1} ({action.kind}) names an unknown platform {odd[0]!r}"
    for number, batch in enumerate(plan.batches):
        if batch.kind not in BATCH_KINDS:
            return f"batch {number + 1} has an unknown kind {batch.kind!r}"
        odd = [p for p in batch.platforms if p not in PLATFORM_LABELS]
        if odd or len(batch.product_ids) != len(batch.keys):
            return f"batch {number + 1} ({batch.kind}) is malformed"
    return ""


def dumps(plan: Plan) -> str:
    """The saved-plan text: one top-level field per line, one list item (product, batch,
    issue...) per line, and so inside the recorded live state (`live`: one live product per
    line) — readable in a diff, and written by the C JSON encoder (an indented dump of 10,000
    products takes seconds)."""
    return _object(plan_to_dict(plan), " ") + "\n"


def _object(data: dict, indent: str) -> str:
    lines = []
    for name, value in data.items():
        key = json.dumps(name)
        if isinstance(value, list) and value:
            items = ",\n".join(indent + " " + _compact(item) for item in value)
            lines.append(f"{indent}{key}: [\n{items}\n{indent}]")
        elif isinstance(value, dict) and name == "live":
            lines.append(f"{indent}{key}: {_object(value, indent + ' ')}")
        else:
            lines.append(f"{indent}{key}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n" + indent[:-1] + "}"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"saved plan is not valid JSON (line {exc.lineno}, column {exc.colno}): "
                        "run `catalog plan --out` again") from exc
    return plan_from_dict(data)


def load_plan(path: str | os.PathLike) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanError(f"no saved plan at {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read saved plan {path}: {type(exc).__name__}") from exc
    try:
        return loads(text)
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from exc


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` via a temporary file and a rename (never half-written)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise PlanError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PlanError(f"cannot write {path}: {exc.strerror or exc}") from exc


def save_plan(plan: Plan, path: str | os.PathLike) -> None:
    write_atomic(path, dumps(plan))
