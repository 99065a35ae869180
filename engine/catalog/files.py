"""Reading the catalog's files: regular files inside the catalog directory, nothing else.

A catalog lives in a git repository that anyone who can open a pull request can change, and
git carries symbolic links. Every file the loader reads — shop.yaml, bases, products,
templates (an `{% include %}` too: the renderer only sees the texts read here) and images —
goes through `CatalogFiles`:

- the path is resolved, every link followed, and must stay inside the catalog directory (as
  resolved itself); a path that leaves it is a `FileProblem` naming the link and its target;
- only a regular file is read: it is opened without blocking (a FIFO cannot hang the load)
  and checked with fstat before any byte is read (a FIFO, socket, device or directory is
  refused by name); a file larger than the caller's limit is refused unread.

The catalog directory itself may be a link (`catalogs/demo -> /srv/shops/demo`): what counts
is what lies inside it once resolved.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

MAX_TEXT_BYTES = 64 * 1024 * 1024  # a YAML file or a template (10,000 products are ~12 MB of YAML)
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class FileProblem(Exception):
    """Why a catalog file is not read; the message names the file as the catalog writes it.
    `path`: the file (or directory) refused; `link`: the link that leads out of the catalog."""

    def __init__(self, message: str, path: Path, link: Path | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.link = link


class CatalogFiles:
    """The files of one catalog directory, read safely (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.real_root = Path(os.path.realpath(self.root))

    def relative(self, path: Path) -> str:
        """`path` as written under the catalog ('products/a.yaml'), links not followed."""
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def check(self, path: Path) -> Path:
        """The resolved path of `path` when it stays inside the catalog; FileProblem otherwise."""
        real = Path(os.path.realpath(path))
        if real == self.real_root or self.real_root in real.parents:
            return real
        link = self._escaping_link(Path(path))
        if link is None:
            raise FileProblem(f"{self.relative(path)} is outside the catalog directory", Path(path))
        shown = self.relative(link)
        subject = shown if link == Path(path) else f"{self.relative(path)}: {shown}"
        raise FileProblem(f"{subject} is a link to {os.readlink(link)}, outside the catalog directory "
                          "(catalog files are read only inside it)", Path(path), link)

    def read(self, path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
        """The bytes of a regular file inside the catalog. FileProblem for a link out of the
        catalog, a file that is not regular or is larger than `limit`; OSError (as open raises
        it: FileNotFoundError, PermissionError) when it cannot be opened."""
        real = self.check(path)
        self._regular(path, os.stat(real))  # a socket cannot even be opened: say what it is first
        descriptor = os.open(real, _OPEN_FLAGS)
        try:
            status = os.fstat(descriptor)
            self._regular(path, status)
            if status.st_size > limit:
                raise FileProblem(f"{self.relative(path)} is {status.st_size // (1024 * 1024)} MB; the limit is "
                                  f"{limit // (1024 * 1024)} MB", Path(path))
            chunks = []
            while chunk := os.read(descriptor, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(descriptor)

    def _regular(self, path: Path, status: os.stat_result) -> None:
        if not stat.S_ISREG(status.st_mode):
            raise FileProblem(f"{self.relative(path)} is {_kind(status.st_mode)}, not a regular file", Path(path))

    def listing(self, folder: str, suffixes: Iterable[str] | None = None) -> tuple[list[Path], list[FileProblem]]:
        """Entries under `folder` (recursively, sorted) to read: every non-directory entry, and
        with `suffixes` only those names (directories named so too, to be refused when read).
        A link to a directory is not followed (its own files are not listed) but must not point
        out of the catalog: such links, and a `folder` that leaves it, come back as problems."""
        directory = self.root / folder
        if not directory.is_dir():
            return [], []
        try:
            self.check(directory)
        except FileProblem as problem:
            return [], [problem]
        wanted = tuple(suffixes) if suffixes is not None else None
        found, problems = [], []
        for path in sorted(directory.rglob("*")):
            named = wanted is None or path.suffix in wanted
            if path.is_dir() and not (named and wanted is not None):
                if path.is_symlink():
                    try:
                        self.check(path)
                    except FileProblem as problem:
                        problems.append(problem)
                continue
            if named:
                found.append(path)
        return found, problems

    def _escaping_link(self, path: Path) -> Path | None:
        """The first link on the way from the catalog to `path` that resolves outside it."""
        current = self.root
        for part in path.relative_to(self.root).parts if path.is_relative_to(self.root) else ():
            current = current / part
            if current.is_symlink():
                real = Path(os.path.realpath(current))
                if not (real == self.real_root or self.real_root in real.parents):
                    return current
        return None


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "an unusual file"
