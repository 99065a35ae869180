"""A pull request that changes where the shop's credentials go is called out first (issue 15).

    changes = host_changes(Path("catalogs/toko"), "origin/main")
    # [HostChange("base_url", None, "https://api.example"), HostChange("target", "sandbox", "api")]

Compares the `target`, `base_url` and `auth_url` of the shop's shop.yaml in the working tree
with the same file at the pull request's base (`git show REF:path`). A shop that is new in the
pull request reports the hosts it names (base_url / auth_url; a new shop's `target` is not news).
The plan comment and the job summary then start with a warning that lists them: whoever
reviews sees it before anything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError
from engine.github.shops import run_git

KEYS = ("target", "base_url", "auth_url")


@dataclass(frozen=True, order=True)
class HostChange:
    key: str
    old: str | None
    new: str | None


def _settings(text: str | None) -> dict[str, str | None]:
    import yaml_rs

    try:
        data = yaml_rs.loads(text) if text else {}
    except Exception:  # noqa: BLE001 — an unreadable shop.yaml is for validate to report
        data = {}
    data = data if isinstance(data, dict) else {}
    return {key: (None if data.get(key) is None else str(data.get(key))) for key in KEYS}


def host_changes(shop_dir: Path, base_ref: str, cwd: Path | None = None) -> list[HostChange]:
    if not base_ref or base_ref.startswith("-"):
        raise ConfigError(f"--base-ref needs a git revision, got {base_ref!r}")
    cwd = cwd or Path.cwd()
    top = Path(run_git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    try:
        run_git(["rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}"], cwd)
    except ConfigError:
        raise ConfigError(f"--base-ref {base_ref}: no such commit in this checkout (in a pull request's workflow "
                          "check out with `fetch-depth: 2` and compare with HEAD^1, the base of the merge)") from None
    shop_yaml = (shop_dir / "shop.yaml").resolve()
    rel = Path(os.path.relpath(shop_yaml, top)).as_posix()
    if rel.startswith(".."):
        raise ConfigError(f"{shop_dir}: not inside the git repository at {top}")
    try:
        head_text: str | None = shop_yaml.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        head_text = None
    try:
        base_text: str | None = run_git(["show", f"{base_ref}:{rel}"], cwd)
    except ConfigError:
        base_text = None  # the base has no such file: a new shop
    old, new = _settings(base_text), _settings(head_text)
    if base_text is None:
        return [HostChange(key, None, new[key]) for key in KEYS[1:] if new[key] is not None]
    return [HostChange(key, old[key], new[key]) for key in KEYS if old[key] != new[key]]


def callout(changes: list[HostChange], escape) -> str:
    """The warning that opens the comment ("" when nothing changed)."""
    if not changes:
        return ""
    parts = [f"`{c.key}` {escape(c.old) if c.old is not None else '(not set)'} → "
             f"{escape(c.new) if c.new is not None else '(not set)'}" for c in changes]
    return ("> ⚠️ **This pull request changes where the shop's credentials go** (shop.yaml): "
            + "; ".join(parts) + ". Check the host before approving: the engine sends credentials only to the "
            "platform's official hosts or to hosts the workflow's environment names.\n\n")
