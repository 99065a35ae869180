"""Import direction (DESIGN.md §2): cli → apply, importing, render, github, shop → plan → catalog → codec, errors.

Only shop/, github/ and sandbox/ import httpx/starlette/uvicorn; only the cli/ package imports click;
deepdiff (the diff oracle of the tests) never in engine/ outside engine/plan/; sandbox/ imports nothing from engine
but engine.signing.
"""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"

# layer -> engine packages it may import (besides itself, errors, signing)
ALLOWED = {
    "errors": set(),
    "signing": set(),
    "codec": set(),
    "catalog": set(),
    "plan": {"catalog"},
    "shop": {"plan", "catalog"},
    "render": {"plan", "catalog"},
    "apply": {"plan", "catalog", "shop", "render"},
    "importing": {"plan", "catalog", "shop"},
    "github": {"plan", "catalog", "render"},
    "sandbox": set(),
    "cli": None,  # anything (the engine/cli/ package)
    "api": None,  # the library's facade (engine/api.py): anything, like the CLI
    "__main__": None,
    "__init__": None,  # the public API (lazy: it imports on first use)
}


def _layer(path: Path) -> str:
    rel = path.relative_to(ENGINE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules():
    return sorted(p for p in ENGINE.rglob("*.py"))


def test_engine_layers_point_one_way():
    problems = []
    for path in _modules():
        layer = _layer(path)
        allowed = ALLOWED.get(layer, set())
        for name in _imports(path):
            if not name.startswith("engine.") or allowed is None:
                continue
            target = name.split(".")[1]
            if target in (layer, "errors", "codec") or (target == "signing" and layer in ("sandbox", "shop")):
                continue
            if layer == "sandbox":
                problems.append(f"{path}: sandbox imports {name}")
            elif target not in allowed:
                problems.append(f"{path}: {layer} imports {name}")
    assert problems == []


def test_third_party_boundaries():
    rules = {
        "click": {"cli"},
        "httpx": {"shop", "github", "sandbox"},
        "starlette": {"sandbox"},
        "uvicorn": {"sandbox"},
        "deepdiff": {"plan"},
    }
    problems = []
    for path in _modules():
        layer = _layer(path)
        for name in _imports(path):
            top = name.split(".")[0]
            if top in rules and layer not in rules[top]:
                problems.append(f"{path}: {layer} imports {top}")
    assert problems == []
