"""Writing what `catalog import` exports, without harming what is already there.

- `new_file_text(document_text, schema, note)`: a new product file (schema comment first).
- `append_text(existing, document_text, note)`: a document added at the end of a file; the
  bytes already in the file are kept as they are.
- `update_text(text, key, changes)`: one document of a file changed in place through a
  ruamel.yaml round trip of that document only (comments, key order, quoting and flow style
  kept; the indentation is detected from the document itself). Other documents are untouched.
- `FileTransaction`: every file of one run is written atomically (temporary file + rename)
  and the whole run can be rolled back (files restored byte for byte, new files removed).
- `schema_comment(root, directory)`: the `# yaml-language-server: $schema=…` line for a file.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from engine.catalog.spec import MANAGED_FIELDS
from engine.importing.yaml_writer import plain, yaml_dumper

SCHEMA_PREFIX = "# yaml-language-server: $schema="
FIELD_ORDER = ("key", "extends", *MANAGED_FIELDS)
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (2, 4, 0), (4, 4, 0))
_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)", re.M)


class UpdateProblem(Exception):
    """A document cannot be updated in place (not found, not a mapping, unreadable)."""


# --------------------------------------------------------------------------- new text
def schema_comment(root: Path, directory: Path, existing: str | None = None) -> str:
    """The schema comment for a product file in `directory`: schemas/product.json of the
    nearest ancestor of the catalog that has one, else what the catalog's files already say."""
    for parent in (root.resolve(), *root.resolve().parents):
        candidate = parent / "schemas" / "product.json"
        if candidate.is_file():
            return SCHEMA_PREFIX + os.path.relpath(candidate, directory.resolve()).replace(os.sep, "/")
        if (parent / ".git").exists():
            break
    if existing:
        return existing
    return SCHEMA_PREFIX + os.path.relpath(root.resolve() / "schemas" / "product.json",
                                           directory.resolve()).replace(os.sep, "/")


def new_file_text(document_text: str, schema: str, note: str = "") -> str:
    lines = [schema] + [f"# {line}" if line else "#" for line in note.splitlines()]
    return "\n".join(lines) + "\n" + document_text


def append_text(existing: str, document_text: str, note: str = "") -> str:
    """`existing` + a new document (the existing bytes stay as they are)."""
    text = existing if not existing or existing.endswith("\n") else existing + "\n"
    lines = [f"# {line}" if line else "#" for line in note.splitlines()]
    separator = "---\n" if _has_document(text) else ""
    return text + separator + "".join(line + "\n" for line in lines) + document_text


def _has_document(text: str) -> bool:
    return any(_content(text[start:end]) for start, end in document_spans(text))


# --------------------------------------------------------------------------- documents of a file
def document_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each document's text (markers excluded), as the catalog loader splits them."""
    spans, start, explicit = [], 0, False
    for match in _MARKER.finditer(text):
        if explicit or _content(text[start:match.start()]):
            spans.append((start, match.start()))
        if match.group(1) == "---":
            newline = text.find("\n", match.start())
            start, explicit = (len(text) if newline < 0 else newline + 1), True
        else:
            start, explicit = match.end(), False
    if explicit or _content(text[start:]):
        spans.append((start, len(text)))
    return spans


def _content(chunk: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in chunk.splitlines())


def find_document(text: str, key: str) -> tuple[int, int]:
    """The span of the document whose `key` is `key`."""
    for start, end in document_spans(text):
        try:
            data = yaml_rs.loads(text[start:end], parse_datetime=False)
        except Exception:  # noqa: BLE001 - an unreadable document is not the one we look for
            continue
        if isinstance(data, dict) and data.get("key") == key:
            return start, end
    raise UpdateProblem(f"no document with key {key!r}")


def round_trip_yaml(chunk: str) -> tuple[YAML, CommentedMap]:
    """A dumper with the indentation that reproduces `chunk`, and the chunk loaded with it."""
    for mapping, sequence, offset in INDENTS:
        yaml = yaml_dumper()
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            data = yaml.load(chunk)
        except Exception as exc:  # noqa: BLE001 - ruamel errors become one problem
            raise UpdateProblem(f"the document cannot be read for a round trip ({type(exc).__name__})") from None
        if not isinstance(data, CommentedMap):
            raise UpdateProblem("the document is not a mapping")
        if _dump(yaml, data) == chunk:
            return yaml, data
    yaml = yaml_dumper()
    return yaml, yaml.load(chunk)


def _dump(yaml: YAML, data: Any) -> str:
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def update_text(text: str, key: str, changes: Mapping[str, Any]) -> str:
    """`text` with the document of `key` changed: each field in `changes` set to its new node
    (skus merged SKU by SKU, mapping-form attributes attribute by attribute). A byte order mark
    and Windows line ends are kept."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    start, end = find_document(text, key)
    chunk = text[start:end]
    crlf = "\r\n" in chunk
    yaml, data = round_trip_yaml(chunk.replace("\r\n", "\n") if crlf else chunk)
    for name, value in changes.items():
        set_field(data, name, value)
    updated = _dump(yaml, data)
    if not chunk.endswith("\n") and updated.endswith("\n"):
        updated = updated[:-1]
    if crlf:
        updated = updated.replace("\n", "\r\n")
    return bom + text[:start] + updated + text[end:]


def set_field(document: CommentedMap, name: str, value: Any) -> None:
    current = document.get(name)
    if name == "skus" and isinstance(current, CommentedSeq) and isinstance(value, CommentedSeq):
        merge_skus(current, value)
    elif name == "product_attributes" and isinstance(current, CommentedMap) and isinstance(value, CommentedMap):
        merge_mapping(current, value)
    elif name in document:
        if plain(current) != plain(value):
            document[name] = value
    else:
        document.insert(_position(document, name), name, value)


def _position(document: CommentedMap, name: str) -> int:
    rank = FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER)
    position = 0
    for index, existing in enumerate(document):
        if existing in FIELD_ORDER and FIELD_ORDER.index(existing) < rank:
            position = index + 1
    return position


def merge_mapping(current: CommentedMap, new: CommentedMap) -> None:
    for name in [n for n in current if n not in new]:
        del current[name]
    for name, value in new.items():
        if name not in current or plain(current[name]) != plain(value):
            current[name] = value


def merge_skus(current: CommentedSeq, new: CommentedSeq) -> None:
    """SKUs updated in place by seller_sku: changed sub-fields replaced, fields the shop no
    longer has removed, SKUs gone from the shop removed, new SKUs appended."""
    wanted = {str(item.get("seller_sku")): item for item in new}
    kept = set()
    for index in reversed(range(len(current))):
        item = current[index]
        sku = str(item.get("seller_sku")) if isinstance(item, Mapping) else None
        if sku not in wanted:
            del current[index]
            continue
        kept.add(sku)
        fresh = wanted[sku]
        for name in [n for n in item if n != "seller_sku"]:
            if name not in fresh:
                del item[name]
            elif plain(item[name]) != plain(fresh[name]):
                item[name] = fresh[name]
        for name in ("price", "inventory"):
            if name not in item and name in fresh:
                item[name] = fresh[name]
    for sku, item in wanted.items():
        if sku not in kept:
            current.append(item)


# --------------------------------------------------------------------------- atomic writes
class FileTransaction:
    """Files written by one run; `rollback()` puts every one back as it was."""

    def __init__(self) -> None:
        self._originals: dict[Path, bytes | None] = {}
        self._created_dirs: list[Path] = []

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(self._originals)

    def write(self, path: Path, text: str) -> None:
        path = Path(path)
        if path not in self._originals:
            self._originals[path] = path.read_bytes() if path.exists() else None
        self._make_parents(path.parent)
        _atomic_write(path, text.encode("utf-8"))

    def _make_parents(self, directory: Path) -> None:
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for folder in reversed(missing):
            folder.mkdir()
            self._created_dirs.append(folder)

    def rollback(self) -> list[str]:
        """Restore everything; returns the paths that could not be restored (normally none)."""
        failed = []
        for path, original in reversed(list(self._originals.items())):
            try:
                if original is None:
                    path.unlink(missing_ok=True)
                else:
                    _atomic_write(path, original)
            except OSError:
                failed.append(str(path))
        for folder in reversed(self._created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        self._originals.clear()
        self._created_dirs.clear()
        return failed


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
