"""What `catalog comment` posts: a saved plan, an apply report, or the fork notice, as `Content`
(kind, shop, digest, and a renderer that takes a size budget).
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.catalog.load import load_catalog
from engine.errors import CatalogError, ConfigError, EngineError
from engine.github.comments import Content, artifact_pointer, digest_of
from engine.render.markdown import md_escape, render_markdown


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file (a saved plan from `catalog plan --out`)") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc


def is_report(data: bytes) -> bool:
    """An apply report (`catalog apply --report report.json`) rather than a saved plan: its JSON
    object says `"kind": "apply_report"`."""
    try:
        head = json.loads(data)
    except ValueError:
        return False
    return isinstance(head, dict) and head.get("kind") == "apply_report"


def plan_content(path: Path, artifact_url: str | None) -> Content:
    from engine.plan.saved import loads

    data = read_bytes(path)
    try:
        plan = loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a saved plan (not UTF-8 text)") from exc
    except EngineError as exc:
        raise type(exc)(f"{path}: {exc}") from exc
    pointer = artifact_pointer(artifact_url, "plan")

    def render(budget: int, measure) -> str:
        return render_markdown(plan, max_chars=budget, pointer=pointer, measure=measure)

    return Content("plan", plan.shop_name or path.stem, digest_of(data), render)


def fork_content(catalog_dir: Path) -> Content:
    """The validation-only notice for a pull request from a fork (no shop credentials)."""
    try:
        catalog = load_catalog(catalog_dir)
    except CatalogError as exc:
        shop = _shop_name(catalog_dir)
        problems = [d for d in exc.diagnostics if d.severity == "error"]
        return Content("plan", shop, digest_of(str(exc.diagnostics).encode()),
                       lambda budget, measure: _fork_markdown(shop, problems, None, budget, measure))
    skus = sum(len(p.skus) for p in catalog.products)
    verdict = f"✔ the catalog is valid: {len(catalog.products):,} products, {skus:,} SKUs."
    return Content("plan", catalog.shop.name, catalog.digest[:16],
                   lambda budget, measure: _fork_markdown(catalog.shop.name, [], verdict, budget, measure))


def _shop_name(catalog_dir: Path) -> str:
    """The shop's name from shop.yaml when it can be read at all, else the directory name."""
    try:
        import yaml_rs

        data = yaml_rs.loads((catalog_dir / "shop.yaml").read_text(encoding="utf-8"))
        name = data.get("name") if isinstance(data, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    except Exception:  # noqa: BLE001 — a broken shop.yaml is reported by validation, not here
        pass
    return catalog_dir.resolve().name


def _fork_markdown(shop: str, problems, verdict: str | None, budget: int, measure) -> str:
    head = [f"### Plan for {md_escape(shop)} on Tokopedia & Shop: validation only", "",
            "**No shop credentials for pull requests from forks**, so this pull request was validated but not "
            "compared with the live shop: there is no plan to review yet. To see the plan before merging, a "
            "maintainer can push the branch to this repository and open the pull request from there.", ""]
    if verdict:
        return "\n".join(head + [verdict]) + "\n"
    lines = [f"✖ the catalog is invalid: {len(problems):,} error(s).", ""]
    tail_room = 200
    used = measure("\n".join(head + lines)) + tail_room
    shown = 0
    for d in problems:
        line = f"- `{d.file}:{d.line}:{d.column}` {md_escape((d.path + ': ') if d.path else '')}{md_escape(d.message)}"
        used += measure(line) + 1
        if used > budget:
            break
        lines.append(line)
        shown += 1
    if shown < len(problems):
        lines.append(f"- … and {len(problems) - shown:,} more: run `catalog validate` on the shop directory")
    return "\n".join(head + lines) + "\n"
