"""Random damage to the demo catalog: `catalog validate` answers cleanly, never with a traceback.

Text-level mutations (deleted, duplicated, swapped or truncated lines, stray YAML syntax,
tabs, invalid UTF-8) and structure-level ones (a value replaced, a key removed or renamed, a
list item duplicated, the document re-written as JSON) are applied to a copy of the demo
shop. Whatever happens, the command exits 0 or 1, every line on stderr is a diagnostic
(`file:line:column: severity: [path: ]message`) or the final `Error:` line, positions point
into files that exist, and nothing is written into the catalog.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path

import yaml_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_catalog_rules import DEMO, DIAGNOSTIC

from engine.cli import main

FILES = sorted(p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*") if p.suffix in (".yaml", ".j2"))
YAML_FILES = [f for f in FILES if f.endswith(".yaml")]
SNIPPETS = [":", ": ", "- ", "  ", "\t", "{", "}", "[", "]", "'", '"', "---\n", "...\n", "&a ", "*a", "!!binary ",
            "#", "\n", "%YAML 1.2\n", "? ", "|\n", ">-\n", "key: x\n", "null", "~", "0x1F", "1e999", "2024-01-01",
            "yes", "é", "{{", "}}", "{% if %}", "{{ nope }}", "price: 150.000\n", "TikTok", "\\"]


def run_validate(root: Path, capsys) -> tuple[int, str, str]:
    argv = sys.argv
    sys.argv = ["catalog", "validate", str(root)]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_answer(root: Path, code: int, out: str, err: str, before: list) -> None:
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err
    for line in err.splitlines():
        if line.startswith("Error: "):
            continue
        match = DIAGNOSTIC.match(line)
        assert match, f"not a diagnostic: {line!r}"
        file = Path(match["file"])
        assert file.exists() or file.parent.exists(), line
        assert int(match["line"]) >= 1 and int(match["column"]) >= 1
    if code == 0:
        assert "valid:" in out
    else:
        assert err.rstrip().splitlines()[-1].startswith("Error: ")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def fresh_copy(tmp_path_factory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    return root, sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@st.composite
def text_damage(draw):
    rel = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert", "truncate", "bytes", "indent"]))
    return rel, kind, draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000)), draw(st.sampled_from(SNIPPETS))


def damage_text(data: bytes, kind: str, a: int, b: int, snippet: str) -> bytes:
    lines = data.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = b" " * (b % 5) + lines[i]
    elif kind == "truncate":
        return data[: a % (len(data) + 1)]
    elif kind == "bytes":
        position = a % (len(data) + 1)
        return data[:position] + b"\xff\xfe\x00" + data[position:]
    else:
        position = a % (len(data) + 1)
        return data[:position] + snippet.encode() + data[position:]
    return b"\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(damages=st.lists(text_damage(), min_size=1, max_size=3))
def test_text_damage_gets_a_clean_answer(damages, tmp_path_factory, capsys):
    root, before = fresh_copy(tmp_path_factory)
    for rel, kind, a, b, snippet in damages:
        path = root / rel
        path.write_bytes(damage_text(path.read_bytes(), kind, a, b, snippet))
    code, out, err = run_validate(root, capsys)
    check_answer(root, code, out, err, before)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20), st.floats(allow_nan=False), st.text(max_size=30),
                   st.lists(st.text(max_size=5), max_size=3),
                   st.dictionaries(st.text(max_size=8), st.integers(), max_size=2),
                   st.sampled_from(["TOKOPEDIA", "Gudang Jakarta", "deleted", "kemeja-batik", "images/nope.png"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_structure_damage_gets_a_clean_answer(data, tmp_path_factory, capsys):
    root, before = fresh_copy(tmp_path_factory)
    rel = data.draw(st.sampled_from(YAML_FILES))
    text = (root / rel).read_text()
    parsed = yaml_rs.loads(text, parse_datetime=False)
    documents = parsed if isinstance(parsed, list) and text.count("\n---") else [parsed]
    documents = copy.deepcopy(documents)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(documents) - 1))
        path = data.draw(st.sampled_from(list(_paths(documents[index]))))
        if not path:
            continue
        parent = documents[index]
        for step in path[:-1]:
            parent = parent[step]
        operation = data.draw(st.sampled_from(["set", "delete", "rename", "duplicate"]))
        if operation == "set":
            parent[path[-1]] = data.draw(VALUES)
        elif operation == "delete":
            del parent[path[-1]]
        elif operation == "rename" and isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=10))] = parent.pop(path[-1])
        elif operation == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    # JSON is YAML: the documents go back as one JSON document each, schema comment first.
    body = "\n---\n".join(json.dumps(d, ensure_ascii=False, indent=1) for d in documents)
    (root / rel).write_text(text.splitlines()[0] + "\n" + body + "\n")
    code, out, err = run_validate(root, capsys)
    check_answer(root, code, out, err, before)
