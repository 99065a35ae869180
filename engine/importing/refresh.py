"""`catalog import --product-id ID` for a product the catalog already manages: refresh its YAML.

The plan says which declared fields differ from the shop (`make_plan` for that key alone);
exactly those fields are rewritten from the live product, in place, in the file that declares
the product (engine.importing.files.update_text: a ruamel round trip of that document
only, so comments, order and formatting survive). A field inherited from a base or from shop
defaults is overridden in the product's own document; a description rendered from a template
only this product uses is rewritten in that template file. Fields the catalog does not declare
stay undeclared. A product that already matches the shop is left as it is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml_rs
from ruamel.yaml.comments import CommentedMap

from engine.catalog.load import Catalog
from engine.catalog.spec import MANAGED_FIELDS
from engine.errors import EngineError
from engine.importing.export import ExportedProduct, Exporter, listing_state, template_text
from engine.importing.files import UpdateProblem, find_document, update_text
from engine.importing.report import ImportedProduct
from engine.plan.compare import changed_fields
from engine.plan.images import ImageIndex, annotated_images
from engine.plan.live import LiveProduct
from engine.plan.planner import make_plan
from engine.shop.client import ShopClient
from engine.shop.read import read_snapshot

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".j2", ".jinja", ".html")


@dataclass
class PendingFiles:
    """Files one import run will write: path (relative to the catalog) → (before, after)."""

    root: Path
    files: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    def current(self, path: str) -> str | None:
        """The text as this run leaves it so far (the file on disk when untouched)."""
        return self.files[path][1] if path in self.files else self.read(path)

    def read(self, path: str) -> str | None:
        file = self.root / path
        try:
            return file.read_text(encoding="utf-8") if file.is_file() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise EngineError(f"cannot read {file}: {exc}") from None

    def put(self, path: str, text: str) -> None:
        self.files[path] = (self.files[path][0] if path in self.files else self.read(path), text)

    def taken(self, path: str) -> bool:
        return path in self.files or (self.root / path).exists()


@dataclass(frozen=True)
class Refresh:
    key: str
    live: LiveProduct
    fields: tuple[str, ...]  # declared fields whose live value differs (catalog order)


async def plan_refresh(client: ShopClient, catalog: Catalog, refresh: dict[str, str], cache: Path | None
                       ) -> dict[str, Refresh]:
    """product id → what to refresh, for each product id → catalog key in `refresh`."""
    specs = {key: spec for key in refresh.values() if (spec := catalog.product(key)) is not None}
    snapshot = await read_snapshot(client, {k: s.seller_skus for k, s in specs.items()}, cache_dir=cache,
                                   metadata_for={s.category_id for s in specs.values() if s.category_id},
                                   shop_name=catalog.shop.name, market=catalog.shop.market)
    plan = make_plan(dataclasses.replace(catalog, products=tuple(specs[k] for k in sorted(specs))), snapshot)
    # a SKU whose warehouses moved in the shop cannot be planned; refreshing its YAML fixes exactly that
    moved = {i.key for i in plan.errors if i.code == "warehouse_change"}
    problems = [i.message for i in plan.errors if i.code != "warehouse_change"]
    out = {}
    for pid, key in sorted(refresh.items()):
        live = snapshot.product(pid)
        if live is None or live.spec is None:
            problems.append(f"{key}: product {pid} could not be read from the shop")
            continue
        desired, item = specs[key], plan.product(key)
        # content: every declared field that differs (also when routing stopped at an error)
        fields = set(changed_fields(desired, live.spec, ImageIndex(annotated_images(desired, live))))
        planned = {c.path[0] for a in (item.actions if item else ()) for c in a.changes}
        if planned & {"status", "listing_platforms"} or key in moved:  # where it is listed, and whether active
            platforms, status = listing_state(live.platform_statuses)
            if set(desired.listing_platforms) != set(platforms) or "listing_platforms" not in desired.declared:
                fields.add("listing_platforms")
            if desired.status != status:
                fields.add("status")
        out[pid] = Refresh(key, live, tuple(n for n in MANAGED_FIELDS if n in fields))
    if problems:
        raise EngineError("cannot refresh:\n" + "\n".join(f"  {p}" for p in problems) + "\nNothing was written.")
    return out


def export_refreshed(exporter: Exporter, catalog: Catalog, refreshed: dict[str, Refresh], files: PendingFiles,
                     sku_order: Any) -> tuple[list[ImportedProduct], list[tuple[str, str]]]:
    """Update the documents of refreshed products in `files`; (products, problems)."""
    products, problems = [], []
    for pid, item in refreshed.items():
        desired, live = catalog.product(item.key), item.live
        if desired is None:  # plan_refresh took the key from this catalog
            problems.append((item.key, "not in the catalog any more"))
            continue
        path = _relative(catalog.root, desired.source.file)
        if not item.fields:
            products.append(ImportedProduct(item.key, pid, live.title, path, "unchanged"))
            continue
        out = ExportedProduct(item.key, CommentedMap())
        before = files.current(path)
        changes = _changes(exporter, item, out, before or "", files, sku_order)
        problems += [(f"{item.key} (product {pid})", p) for p in out.problems + out.shop_problems]
        if out.problems or out.shop_problems or before is None:
            continue
        try:
            files.put(path, update_text(before, item.key, changes))
        except UpdateProblem as exc:
            problems.append((item.key, f"{path} cannot be updated in place: {exc}"))
            continue
        for name, text in out.templates:
            files.put(f"templates/{name}", text)
        products.append(ImportedProduct(item.key, pid, live.title, path, "updated", item.fields))
    return products, problems


def _changes(exporter: Exporter, item: Refresh, out: ExportedProduct, text: str, files: PendingFiles,
             sku_order: Any) -> dict[str, Any]:
    spec = item.live.spec
    assert spec is not None, item.key  # plan_refresh keeps only products read in full
    values = exporter.live_values(spec, item.live.platform_statuses)
    changes: dict[str, Any] = {}
    for name in item.fields:
        if name == "skus":
            changes[name] = exporter.skus_node(spec.skus, sku_order(item.live), out)
            continue
        if name == "description" and values[name] is not None:
            own = own_template(files.root, text, item.key)
            content = template_text(values[name])
            if own and content is not None:
                files.put(f"templates/{own}", content)
                continue
        changes[name] = exporter.node(name, values[name], spec, out)
    return changes


def own_template(root: Path, text: str, key: str) -> str | None:
    """The template file of the product's description when nothing else uses it (a template
    without variables that no other product, base or template names), else None."""
    try:
        start, end = find_document(text, key)
        data = yaml_rs.loads(text[start:end], parse_datetime=False)
    except Exception:  # noqa: BLE001 - not rewritable in place: a new description is written instead
        return None
    value = data.get("description") if isinstance(data, dict) else None
    if not isinstance(value, dict) or value.get("vars") or not isinstance(value.get("template"), str):
        return None
    name = value["template"]
    uses = 0
    for folder in ("products", "bases", "templates"):
        directory = root / folder
        for file in sorted(directory.rglob("*")) if directory.is_dir() else ():
            if file.is_file() and file.suffix in TEMPLATE_SUFFIXES:
                uses += file.read_text(encoding="utf-8", errors="replace").count(name)
    return name if uses == 1 else None


def _relative(root: Path, file: str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
