"""Shop directories for a job matrix: every directory under a root holding a shop.yaml, or
only those a git range touched (`git diff --name-only --no-renames REF...HEAD`).

A shop directory counts as touched when any file below it changed (including its shop.yaml).
A shop deleted in the range is not listed (there is nothing to plan); `changed_shops` returns
it separately so the caller can say so. Hidden directories (.sandbox, .catalog-cache, .git)
are never searched.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from engine.errors import ConfigError

GIT_TIMEOUT = 120


@dataclass(frozen=True, order=True)
class ShopDir:
    name: str  # path relative to the root ("demo"; the root's own name when the root is a shop)
    path: str  # path as given (relative to the current directory), posix

    @property
    def id(self) -> str:
        """The name with anything but letters, digits, '.', '_' and '-' as '-': usable as an
        artifact, environment or concurrency-group name ("agency/toko-c" → "agency-toko-c")."""
        return re.sub(r"[^A-Za-z0-9._-]", "-", self.name)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "id": self.id, "path": self.path}


def find_shops(root: Path) -> list[ShopDir]:
    if not root.is_dir():
        raise ConfigError(f"{root}: no such directory (the shops' root, e.g. catalogs/)")
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        if "shop.yaml" in files:
            found.append(_shop_dir(root, Path(directory)))
    return sorted(found)


def _shop_dir(root: Path, directory: Path) -> ShopDir:
    rel = directory.relative_to(root).as_posix()
    name = rel if rel != "." else (root.resolve().name or "shop")
    return ShopDir(name, directory.as_posix())


def shops_of_files(files: list[Path], top: Path | None = None) -> list[Path]:
    """The shop directories (holding a shop.yaml) that `files` belong to: each file's nearest
    ancestor with a shop.yaml, not above `top` (the current directory). Files in no shop are
    ignored. For pre-commit, which passes the staged files' names."""
    top = (top or Path.cwd()).resolve()
    found: set[Path] = set()
    for file in files:
        path = (top / file).resolve() if not Path(file).is_absolute() else Path(file).resolve()
        for directory in [path.parent, *path.parent.parents]:
            if directory != top and top not in directory.parents:
                break
            if any(part.startswith(".") for part in directory.relative_to(top).parts):
                continue  # .sandbox, .catalog-cache, .git: never a shop
            if (directory / "shop.yaml").is_file():
                found.add(directory)
                break
    return sorted(found)


def run_git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError as exc:
        raise ConfigError("git is not installed; --changed-since needs it") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:2])} failed: {said[0] if said else 'exit ' + str(done.returncode)}")
    return done.stdout.decode("utf-8", "surrogateescape")


def changed_paths(ref: str, cwd: Path) -> tuple[Path, list[PurePosixPath]]:
    """(repository top level, paths changed between the merge base of REF and HEAD)."""
    if not ref or ref.startswith("-"):
        raise ConfigError(f"--changed-since needs a git revision, got {ref!r}")
    top = Path(run_git(["rev-parse", "--show-toplevel"], cwd).strip())
    try:
        out = run_git(["diff", "--name-only", "--no-renames", "-z", f"{ref}...HEAD", "--"], cwd)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (is {ref!r} fetched? actions/checkout needs `fetch-depth: 0`)") from None
    return top, [PurePosixPath(p) for p in out.split("\0") if p]


def changed_shops(root: Path, ref: str, cwd: Path | None = None) -> tuple[list[ShopDir], list[str]]:
    """(shops under `root` touched since `ref`, names of shops deleted in the range)."""
    cwd = cwd or Path.cwd()
    shops = find_shops(root)
    top, paths = changed_paths(ref, cwd)
    base = root.resolve()
    rel_root = PurePosixPath(os.path.relpath(base, top.resolve()).replace(os.sep, "/"))
    touched, deleted = [], []
    by_rel = {PurePosixPath(os.path.relpath(Path(s.path).resolve(), top.resolve()).replace(os.sep, "/")): s
              for s in shops}
    for rel, shop in sorted(by_rel.items(), key=lambda kv: kv[1]):
        if any(_within(p, rel) for p in paths):
            touched.append(shop)
    for path in paths:
        if path.name == "shop.yaml" and _within(path, rel_root):
            directory = path.parent
            if directory not in by_rel:
                name = directory.relative_to(rel_root).as_posix() if str(rel_root) != "." else directory.as_posix()
                deleted.append(name if name != "." else directory.name)
    return touched, sorted(set(deleted))


def _within(path: PurePosixPath, directory: PurePosixPath) -> bool:
    return str(directory) == "." or path == directory or directory in path.parents
