"""Reading YAML: one parse of every file, exact positions only where something must be reported.

Every file goes through yaml-rs (YAML 1.2: `yes` stays text; dates are kept as text;
duplicate keys are errors). Documents are also found by a cheap scan of the text for
`---` / `...` markers, which gives each document its first line and the line of its `key:`
without a second parse.

Positions are worked out only when asked (`Document.where`): that document alone is composed
by ruamel.yaml into its node tree, which keeps the line and column of every key and item, and a
field path (`skus[1].price`) is turned into `line:column`. Composing builds no values, so a
value no parser could convert (a 5,000-digit integer) still has a position; a broken document
in a big file costs the time of that document, not of the file.

Syntax errors are reported per document (the valid documents of the same file still load);
their messages never quote the offending line, so a value pasted by mistake cannot leak. A
file with a run of more than MAX_DIGITS digits is not parsed at all: yaml-rs turns any plain
number into a Python int (a 5,000-digit literal becomes a 16,610-bit int, no error), in time
that grows with the square of its length (a million digits take a second, ten million a
hundred), and no catalog field holds such a number. Shorter ones reach the rules, which name
the field and its range without printing the digits.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import Diagnostic

_KEY_LINE = re.compile(r"^key[ \t]*:", re.M)
_CONTENT = re.compile(r"^[ \t]*[^\s#%]", re.M)
_RS_POSITION = re.compile(r"at line (\d+), column (\d+)")
_DUPLICATE = re.compile(r"duplicate (?:mapping )?key:? ['\"]?(.*?)['\"]?(?: with value|$)")
_TOO_DEEP = "recursion limit exceeded"  # yaml-rs: flow collections ([ ] / { }) nested deeper than it allows
MAX_FLOW_DEPTH = 255  # what yaml-rs accepts (tests/test_robustness_followups.py checks it)
MAX_DIGITS = 10_000  # a longer run of digits is refused before parsing (converting it costs its length squared)
_DIGITS_ONLY = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))  # every digit a "0", all else a space
_LONG_RUN = b"0" * (MAX_DIGITS + 1)
SCHEMA_COMMENT = "# yaml-language-server: $schema="
_SCHEMA_LINE = re.compile(r"\s*" + re.escape(SCHEMA_COMMENT))


@dataclass(slots=True)
class Document:
    """One YAML document of a file: its parsed data and where it sits in the file."""

    source: SourceFile
    index: int
    start: int  # offset of the document's text in the file
    end: int
    line: int  # 1-based line of the document's first line
    key_line: int  # line of its top-level `key:` (or `line`)
    data: Any = None
    _positions: Any = field(default=None, repr=False)

    @property
    def file(self) -> str:
        return self.source.display

    def where(self, path: tuple = (), *, at_key: bool = False) -> tuple[int, int]:
        """(line, column), 1-based, of a field path inside this document: of the value (of its key
        when the value is a mapping or a list, or with `at_key`); as far as the path exists (a
        missing field: the mapping that lacks it). A text step into a list names the item by
        its `seller_sku` (`("skus", "KAOS-M", "price")`)."""
        if self._positions is None:
            self._positions = _compose(self.source.text[self.start:self.end])
        if self._positions is False:
            return self.line, 1
        line, column = _walk(self._positions, path, at_key)
        return line + self.line, column + 1

    def reload(self) -> Any:
        """Parse this document again (its data is dropped once compiled); None when it cannot."""
        try:
            return yaml_rs.loads(self.source.text[self.start:self.end], parse_datetime=False)
        except Exception:  # noqa: BLE001 - it parsed before; this is only for reporting
            return None

    def diagnostic(self, path: tuple, message: str, *, at_key: bool = False,
                   severity: str = "error", prefix: tuple = ()) -> Diagnostic:
        line, column = self.where(prefix + tuple(path), at_key=at_key)
        return Diagnostic(self.file, line, column, message, dotted(path), severity)


@dataclass
class SourceFile:
    path: Path
    display: str  # how messages name the file (the catalog path as given + relative path)
    rel: str  # relative to the catalog root, '/'-separated
    text: str = ""
    documents: list[Document] = field(default_factory=list)
    has_schema_comment: bool = True
    broken: bool = False  # a syntax or encoding problem was reported for this file
    digest: str = ""  # sha256 of the text as UTF-8 with LF line ends ("" when it could not be read)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def dotted(path: tuple) -> str:
    """('skus', 0, 'inventory', 'Gudang Jakarta') -> 'skus[0].inventory["Gudang Jakarta"]'."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(str(step)):
            out += f".{step}" if out else str(step)
        else:
            out += "[" + json.dumps(str(step), ensure_ascii=False) + "]"
    return out


def read_file(path: Path, display: str, rel: str, raw: bytes | None = None) -> tuple[SourceFile, list[Diagnostic]]:
    """Parse a YAML file into documents; syntax problems come back as diagnostics.
    `raw`: the file's bytes as the loader read them (files.CatalogFiles); else read here."""
    source = SourceFile(path, display, rel)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return source, [Diagnostic(display, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    try:
        source.text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return source, [Diagnostic(display, line, 1, "file is not UTF-8 text")]
    source.digest = text_digest(source.text, raw)
    nul = source.text.find("\x00")
    if nul >= 0:  # the fast parser stops at a NUL: the rest of the file would vanish unnoticed
        line = source.text.count("\n", 0, nul) + 1
        return source, [Diagnostic(display, line, 1, "file contains a NUL character (binary data?); catalog "
                                                     "files are YAML text")]
    digits = raw.translate(_DIGITS_ONLY)
    run = digits.find(_LONG_RUN)
    if run >= 0:  # the parser would turn it into a number, in time that grows with its square
        end = digits.find(b" ", run)
        line_start = raw.rfind(b"\n", 0, run) + 1
        return source, [Diagnostic(display, raw.count(b"\n", 0, run) + 1, len(raw[line_start:run].decode()) + 1,
                                   f"a number of {(end if end >= 0 else len(raw)) - run} digits: the catalog reads at "
                                   f"most {MAX_DIGITS} digits in a row, no field holds a number this long (the "
                                   "file is not read further)")]
    source.has_schema_comment = _SCHEMA_LINE.match(source.text) is not None
    documents = _split(source)
    try:
        parsed = yaml_rs.loads(source.text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - any parser failure becomes positioned diagnostics below
        return source, _parse_documents(source, documents)
    if len(documents) == 1:
        documents[0].data = parsed
    elif isinstance(parsed, list) and len(parsed) == len(documents):
        for document, data in zip(documents, parsed, strict=True):
            document.data = data
    else:  # the marker scan disagrees with the parser: parse document by document
        problems = _parse_documents(source, documents)
        if problems:
            return source, problems
    source.documents = documents
    return source, []


def text_digest(text: str, raw: bytes | None = None) -> str:
    """sha256 of `text` as UTF-8 with LF line ends (a BOM or a CRLF checkout does not change it).
    `raw`, the bytes `text` was decoded from, saves encoding it again when it has no CR."""
    if raw is not None and b"\r" not in raw:
        return hashlib.sha256(memoryview(raw)[3:] if raw.startswith(_BOM) else raw).hexdigest()
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


_BOM = b"\xef\xbb\xbf"


def _split(source: SourceFile) -> list[Document]:
    """The documents of a file by its `---` / `...` lines: one pass of str.find per marker kind
    and one of str.count for the lines (a file of 50 products costs a few scans, no regex)."""
    text = source.text
    count, startswith, find = text.count, text.startswith, text.find
    documents: list[Document] = []
    begin, explicit, line, counted = 0, False, 1, 0
    for offset, marker in _markers(text) + [(len(text), "")]:
        if explicit or _has_content(text, begin, offset):
            line += count("\n", counted, begin)
            counted = begin
            if startswith("key:", begin):
                key_line = line
            else:
                key = _KEY_LINE.search(text, begin, offset)
                key_line = line + count("\n", begin, key.start()) if key else line
            documents.append(Document(source, len(documents), begin, offset, line, key_line))
        if not marker:
            break
        newline = find("\n", offset)
        # after `---` a document starts (even an empty one); after `...` only content starts one
        begin, explicit = (len(text) if newline < 0 else newline + 1), marker == "---"
    return documents


def _markers(text: str) -> list[tuple[int, str]]:
    """Offsets of `---` / `...` document markers at the start of a line (str.find: no regex scan)."""
    found = []
    for marker in ("---", "..."):
        needle, find = "\n" + marker, text.find
        offset = 0 if text.startswith(marker) else find(needle) + 1 or -1
        while offset >= 0:
            if text[offset + 3:offset + 4] in _MARKER_ENDS:
                found.append((offset, marker))
            offset = find(needle, offset) + 1 or -1  # (the marker's newline is at offset - 1)
    if len(found) > 1:
        found.sort()
    return found


_MARKER_ENDS = frozenset({"", " ", "\t", "\n", "\r"})


def _has_content(text: str, start: int, end: int) -> bool:
    return _CONTENT.search(text, start, end) is not None


def _parse_documents(source: SourceFile, documents: list[Document]) -> list[Diagnostic]:
    """Parse each document alone: keep the good ones, report each broken one."""
    problems, good = [], []
    for document in documents:
        chunk = source.text[document.start:document.end]
        try:
            document.data = yaml_rs.loads(chunk, parse_datetime=False)
        except Exception as exc:  # noqa: BLE001
            problems.append(_syntax_diagnostic(document, chunk, exc))
        else:
            good.append(document)
    source.documents = good
    return problems


def _syntax_diagnostic(document: Document, chunk: str, exc: Exception) -> Diagnostic:
    """Where and why a document cannot be parsed, from the position-tracking parser when it agrees.

    Messages name the problem and the line where the construct began; they never quote the
    document's text (a pasted secret must not end up in a CI log).
    """
    first = str(exc).splitlines()[0] if str(exc) else ""
    if _TOO_DEEP in str(exc):  # ruamel would recurse for seconds (10 s+ at 1,000 levels) only to fail too
        return _too_deep(document, first)
    try:
        YAML(typ="rt").load(chunk)
    except MarkedYAMLError as marked:
        return _marked_diagnostic(document, marked)
    except Exception:  # noqa: BLE001 - fall back to what yaml-rs said
        pass
    duplicate = _DUPLICATE.search(first)
    if duplicate:
        return Diagnostic(document.file, document.line, 1,
                          f"duplicate key {duplicate.group(1)!r}: each key may appear only once in a mapping")
    position = _RS_POSITION.search(first)
    if position:
        lines = [ln for ln in str(exc).splitlines()[1:] if ln.strip() and not re.match(r"^\s*(\d+\s*)?[|^]", ln)]
        reason = lines[-1].strip() if lines else "invalid YAML"
        return Diagnostic(document.file, document.line + int(position.group(1)) - 1, int(position.group(2)),
                          f"YAML syntax error: {reason}")
    return Diagnostic(document.file, document.line, 1, "YAML syntax error: the document cannot be read")


def _too_deep(document: Document, first: str) -> Diagnostic:
    position = _RS_POSITION.search(first)
    line, column = (int(position.group(1)), int(position.group(2))) if position else (1, 1)
    return Diagnostic(document.file, document.line + line - 1, column,
                      f"YAML syntax error: {_TOO_DEEP}: [ ] / {{ }} nested too deeply (limit {MAX_FLOW_DEPTH} levels)")


def _marked_diagnostic(document: Document, marked: MarkedYAMLError) -> Diagnostic:
    mark = marked.problem_mark or marked.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    duplicate = _DUPLICATE.search(marked.problem or "")
    if duplicate:
        first = marked.context_mark.line + document.line if marked.context_mark else None
        where = f" (in the mapping that starts at line {first})" if first else ""
        return Diagnostic(document.file, document.line + line, column + 1,
                          f"duplicate key {duplicate.group(1)!r}: each key may appear only once in a mapping{where}")
    message = f"YAML syntax error: {marked.problem or 'invalid YAML'}"
    context = marked.context_mark
    if marked.context and context is not None and context.line != line:
        message += f" ({marked.context} that starts at line {document.line + context.line})"
    return Diagnostic(document.file, document.line + line, column + 1, message)


# --------------------------------------------------------------------------- positions
def _compose(chunk: str) -> Node | bool:
    """The document's node tree (False when even that fails: positions fall back to its first line)."""
    try:
        return YAML(typ="rt").compose(chunk) or False
    except Exception:  # noqa: BLE001 - positions are best effort once yaml-rs parsed it
        return False


def _walk(root: Node, path: tuple, at_key: bool) -> tuple[int, int]:
    node: Node = root
    position = _first_position(node)
    for number, step in enumerate(path):
        last = number == len(path) - 1
        if step == "[key]":
            break
        if isinstance(node, MappingNode) and (pair := _pair(node, step)) is not None:
            key, child = pair
            if (last and at_key) or not isinstance(child, ScalarNode):
                position = (key.start_mark.line, key.start_mark.column)
            else:
                position = (child.start_mark.line, child.start_mark.column)
            node = child
        elif isinstance(node, SequenceNode) and (item := _item(node, step)) is not None:
            position = (item.start_mark.line, item.start_mark.column)
            node = item
        else:
            break
    return position


def _pair(node: MappingNode, step: object) -> tuple[Node, Node] | None:
    """The (key, value) nodes of a mapping entry; a key YAML reads as a number or boolean is
    named by its text."""
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == str(step):
            return key, value
    return None


def _item(node: SequenceNode, step: object) -> Node | None:
    """A list item by index, or (text) the mapping whose `seller_sku` is that text."""
    if isinstance(step, int) and not isinstance(step, bool):
        return node.value[step] if 0 <= step < len(node.value) else None
    for item in node.value:
        if isinstance(item, MappingNode) and (pair := _pair(item, "seller_sku")) and pair[1].value == step:
            return item
    return None


def _first_position(node: Node) -> tuple[int, int]:
    if isinstance(node, MappingNode) and node.value:
        key = node.value[0][0]
        return key.start_mark.line, key.start_mark.column
    if isinstance(node, SequenceNode) and node.value:
        first = node.value[0].start_mark
        return first.line, max(first.column - 2, 0)  # the "- " of the first item
    return 0, 0
