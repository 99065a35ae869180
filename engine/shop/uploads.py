"""Which local image files this machine already uploaded: `<catalog>/.catalog-cache/images.json`.

    {"format_version": 1, "shops": {"<scope>": {"<sha256>": "<uri>", ...}, ...}}

A file is identified by its content (sha256), so the same photo used by several products,
or re-applied after a crash, is uploaded once per machine and shop. The scope names the shop
the uris belong to (the sandbox database, or the API host + app key): uris of one shop are
never offered to another. The cache is an optimisation only — a fresh clone has none, and
the last-applied annotation (engine.catalog.spec.Annotation) is what tells the planner that
an unchanged file is already live — so an unreadable cache is ignored, and a uri the shop no
longer knows (a reset sandbox) is forgotten and uploaded again by the Writer.

Each upload is recorded the moment it succeeds: one line appended to `images.journal`
(`<scope> <sha256> <uri>`, written and fsynced; a line is appended whole or, cut by a crash,
ignored), so a run killed after upload k never uploads image k again. At the end of a run
(`save`) the journal is folded into images.json — written atomically (temporary file + rename),
merged with what is on disk, so two runs on one catalog never lose each other's entries — and
removed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from engine.shop.hosts import resolve_hosts

if TYPE_CHECKING:
    from engine.catalog.shop import ShopConfig

log = logging.getLogger("engine.shop")

FORMAT_VERSION = 1
FILENAME = "images.json"
JOURNAL = "images.journal"


def image_scope(shop: ShopConfig, app_key: str | None = None) -> str:
    """The shop a cached uri belongs to (no secret in it: the app key is public). For target
    api the host is the one the client talks to (engine.shop.hosts), checked here too."""
    if shop.target == "sandbox":
        return f"sandbox:{Path(shop.sandbox_db).resolve()}"
    return f"api:{resolve_hosts(shop.base_url, shop.auth_url).api}:{app_key or ''}"


class ImageCache:
    """sha256 → uploaded uri for one scope (shop); `path=None` keeps it in memory only."""

    def __init__(self, path: Path | None, scope: str) -> None:
        self.path = Path(path) if path is not None else None
        self.journal = self.path.with_name(JOURNAL) if self.path is not None else None
        self.scope = scope
        self._uris: dict[str, str] = dict(self._read().get(scope, {}))
        self._forgotten: set[str] = set()
        self._dirty = False

    @classmethod
    def for_catalog(cls, root: Path, scope: str) -> ImageCache:
        return cls(Path(root) / ".catalog-cache" / FILENAME, scope)

    def get(self, sha256: str | None) -> str | None:
        return self._uris.get(sha256) if sha256 else None

    def put(self, sha256: str, uri: str) -> None:
        """Remember an upload, on disk at once (the journal)."""
        self._uris[sha256] = uri
        self._forgotten.discard(sha256)
        self._dirty = True
        if self.journal is None or any(c.isspace() for c in f"{self.scope}{sha256}{uri}"):
            return  # (scopes, digests and uris hold no whitespace; anything else waits for save)
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            with open(self.journal, "a", encoding="utf-8") as handle:
                handle.write(f"{self.scope} {sha256} {uri}\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            log.warning("could not record the upload in %s: %s", self.journal, exc.strerror or exc)

    def forget(self, sha256: str) -> None:
        if self._uris.pop(sha256, None) is not None:
            self._forgotten.add(sha256)
            self._dirty = True

    def save(self) -> None:
        """Merge into the file on disk (atomically) and drop the journal; a failure is logged, never raised."""
        if self.path is None or not self._dirty:
            return
        data = self._read()
        mine = {k: v for k, v in data.get(self.scope, {}).items() if k not in self._forgotten}
        mine.update(self._uris)
        data[self.scope] = dict(sorted(mine.items()))
        text = json.dumps({"format_version": FORMAT_VERSION, "shops": dict(sorted(data.items()))},
                          indent=1, sort_keys=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{FILENAME}.", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, self.path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not save the image upload cache %s: %s", self.path, exc.strerror or exc)
            return
        self._dirty = False
        if self.journal is not None:
            self.journal.unlink(missing_ok=True)  # folded into images.json

    def _read(self) -> dict[str, dict[str, str]]:
        """images.json with the journal's uploads laid over it."""
        out = self._read_file()
        for scope, sha256, uri in self._journal_lines():
            out.setdefault(scope, {})[sha256] = uri
        return out

    def _read_file(self) -> dict[str, dict[str, str]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable image upload cache %s (%s)", self.path, type(exc).__name__)
            return {}
        shops = data.get("shops") if isinstance(data, dict) and data.get("format_version") == FORMAT_VERSION else None
        if not isinstance(shops, dict):
            return {}
        return {str(scope): {str(k): str(v) for k, v in entries.items() if isinstance(v, str)}
                for scope, entries in shops.items() if isinstance(entries, dict)}

    def _journal_lines(self) -> list[tuple[str, str, str]]:
        """Complete journal lines (a line a crash cut short has no newline: ignored)."""
        if self.journal is None:
            return []
        try:
            text = self.journal.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        lines = text.split("\n")[:-1]  # the part after the last newline is incomplete
        return [(parts[0], parts[1], parts[2]) for line in lines if len(parts := line.split(" ")) == 3]
