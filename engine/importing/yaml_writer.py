"""YAML text for exported documents (`catalog import`), fast and checked.

- `document_text(document)`: a new document (a ruamel CommentedMap the exporter built) as YAML
  in the catalog's house style: 2-space mappings, `  - ` lists, flow style where the exporter
  asked for it, end-of-line comments kept. A small emitter writes it (ruamel's emitter costs
  ~10 ms per product, a shop of 10,000 products would spend minutes in it); the text is then
  read back with the catalog's own parser and must give exactly the document, else ruamel
  writes it, and if that still does not read back, strings are double-quoted.
- `yaml_dumper()`: the ruamel round-trip dumper with the same style (used to update files in
  place, engine/catalog/export_files.py).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

# A string is written plain when it is clearly text: no indicator first, nothing YAML reads as
# a comment or a mapping (no ':' or '#' at all), no flow syntax inside a flow collection, no
# surrounding blanks, no control characters, and not a number, date or keyword.
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#\x00-\x1f\x7f-\x9f\"]*[^\s:#\"])?")
_FLOW_SYNTAX = re.compile(r"[,\[\]{}]")
_NOT_TEXT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|"
                       r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|"
                       r"[0-9]+(?::[0-9]+)+(?:\.[0-9]*)?", re.S)
_KEYWORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"})


class _Unsupported(Exception):
    """A node the small emitter does not write: ruamel writes the document instead."""


def yaml_dumper() -> YAML:
    """The round-trip dumper the catalog's files are written with (2-space maps, `  - ` lists)."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.representer.add_representer(type(None), _null)
    return yaml


def _null(representer: Any, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def dump_document(document: CommentedMap, yaml: YAML | None = None) -> str:
    stream = io.StringIO()
    (yaml or yaml_dumper()).dump(document, stream)
    return stream.getvalue()


def plain(value: Any) -> Any:
    """A ruamel node as plain Python values (what a YAML parser gives back)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def reads_back(text: str, document: CommentedMap) -> bool:
    """True when the catalog's YAML parser reads `text` as exactly `document`."""
    try:
        return yaml_rs.loads(text, parse_datetime=False) == plain(document)
    except Exception:  # noqa: BLE001 - any parser failure means "no"
        return False


def document_text(document: CommentedMap) -> str:
    """YAML for a new document, checked to read back exactly as meant (see the module docstring)."""
    try:
        text = emit(document)
    except _Unsupported:
        text = None
    if text is not None and reads_back(text, document):
        return text
    text = dump_document(document)
    if reads_back(text, document):
        return text
    for name, value in document.items():
        if isinstance(value, str) and not isinstance(value, DoubleQuotedScalarString):
            document[name] = DoubleQuotedScalarString(value)
    text = dump_document(document)
    if not reads_back(text, document):
        raise ValueError(f"product {document.get('key')}: the YAML written does not read back the same")
    return text


# --------------------------------------------------------------------------- the small emitter
def emit(document: CommentedMap) -> str:
    lines: list[str] = []
    _mapping(document, 0, lines)
    return "\n".join(lines) + "\n"


def _mapping(node: Mapping[Any, Any], indent: int, lines: list[str], first: str | None = None) -> None:
    """Block mapping at `indent`; `first`: the prefix of the first line ("- " of a list item)."""
    pad = " " * indent
    for number, (key, value) in enumerate(node.items()):
        head = (first if number == 0 and first is not None else pad) + f"{_scalar(key)}:"
        comment = _comment(node, key)
        if isinstance(value, LiteralScalarString):
            lines.append(f"{head} |-{comment}")
            lines.extend(f"{pad}  {line}" if line else "" for line in str(value).split("\n"))
        elif _inline(value):
            lines.append(f"{head} {_flow(value)}{comment}")
        elif isinstance(value, Mapping):
            lines.append(head + comment)
            _mapping(value, indent + 2, lines)
        else:
            lines.append(head + comment)
            _sequence(value, indent + 2, lines)


def _sequence(node: CommentedSeq, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for index, item in enumerate(node):
        comment = _comment(node, index)
        if _inline(item):
            lines.append(f"{pad}- {_flow(item)}{comment}")
        elif isinstance(item, Mapping) and not comment:
            _mapping(item, indent + 2, lines, first=f"{pad}- ")
        else:
            raise _Unsupported


def _inline(value: Any) -> bool:
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value.fa.flow_style() or not value
    if isinstance(value, (Mapping, list, LiteralScalarString)):
        return False
    return True


def _flow(value: Any, nested: bool = False) -> str:
    if isinstance(value, Mapping):
        if any(_comment(value, key) for key in value):
            raise _Unsupported
        return "{" + ", ".join(f"{_scalar(k, True)}: {_flow(v, True)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, True) for v in value) + "]"
    return _scalar(value, nested)


def _scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if not re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
            raise _Unsupported
        return text
    if not isinstance(value, str) or isinstance(value, LiteralScalarString):
        raise _Unsupported
    text = str(value)
    if isinstance(value, DoubleQuotedScalarString) or not _is_plain(text) or flow and _FLOW_SYNTAX.search(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _is_plain(text: str) -> bool:
    return (bool(_PLAIN.fullmatch(text)) and " #" not in text and not _NOT_TEXT.fullmatch(text)
            and text.lower() not in _KEYWORDS)


def _comment(node: Any, key: Any) -> str:
    items = getattr(getattr(node, "ca", None), "items", None) or {}
    tokens = items.get(key)
    if not tokens:
        return ""
    found = [t for t in tokens if t is not None]
    if len(found) != 1 or not str(getattr(found[0], "value", "")).strip().startswith("#"):
        raise _Unsupported
    text = str(found[0].value).strip()
    if "\n" in text:
        raise _Unsupported
    return "  " + text
