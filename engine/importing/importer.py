"""`catalog import`: turn live products into catalog YAML without duplicating or breaking anything.

    report = run_import(ImportRequest(Path("catalogs/demo"), all_products=True), app=sandbox_app)

1. Load the catalog (it must be valid) and list the shop (Search Products only, no Get).
   A live product holding a seller_sku of the catalog is managed; the others are candidates.
2. Choose: `--all` = every candidate (deleted and frozen ones are skipped: the platform does
   not let them be read); `--product-id` = those (a product the catalog already manages is
   refreshed in place from the shop); neither = the candidates are listed.
3. Read the chosen products (engine.shop.fetch: Get Product under the limiter, through the
   cache) and the reference data the YAML depends on (brands, attributes, warehouses), then
   export them (engine.importing.export): one file per product under products/ (or appended to
   `--into FILE`), long descriptions under templates/, keys from the title (or the key the
   engine's annotation names, for a product it once managed).
4. Write every file atomically, load the catalog, and plan the imported products against the
   shop. A catalog error, or any change planned for an imported product, rolls back every file
   the run wrote and says why. `--dry-run` prints the diffs and writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.catalog.load import Catalog, load_catalog
from engine.catalog.rules import KEY_PATTERN
from engine.catalog.spec import ProductSpec
from engine.errors import CatalogError, EngineError
from engine.importing.export import ExportContext, Exporter
from engine.importing.files import FileTransaction, append_text, new_file_text, schema_comment
from engine.importing.keys import assign_keys
from engine.importing.refresh import PendingFiles, export_refreshed, plan_refresh
from engine.importing.report import Candidate, FileChange, ImportedProduct, ImportReport
from engine.importing.yaml_writer import document_text
from engine.plan.live import LiveProduct, LiveSnapshot, ShopMetadata
from engine.plan.planner import make_plan
from engine.shop.client import ShopClient
from engine.shop.connect import cache_dir, client_for, run_sync
from engine.shop.fetch import fetch_products
from engine.shop.read import read_metadata, read_snapshot

FIX_DUPLICATE = "merge them or delete the duplicate in Seller Center, then import again"
BUG = "this is a bug in `catalog import`; please report it with the output of --dry-run"


@dataclass(frozen=True)
class ImportRequest:
    catalog_dir: Path
    product_ids: tuple[str, ...] = ()
    all_products: bool = False
    dry_run: bool = False
    into: str | None = None  # a file under products/ that receives every new product
    use_cache: bool = True


def run_import(request: ImportRequest, *, app: Any = None, app_for: Any = None) -> ImportReport:
    """Import live products into the catalog (see the module docstring). `app`: the sandbox
    application for `target: sandbox`, or `app_for(shop_config)` that builds it."""
    catalog = load_catalog(request.catalog_dir)
    into = _into_path(catalog.root, request.into) if request.into else None
    if app is None and app_for is not None:
        app = app_for(catalog.shop)
    return run_sync(_Run(request, catalog, app, into).run())


def _into_path(root: Path, into: str) -> str:
    path = Path(into)
    parts = path.parts[1:] if path.parts[:1] == ("products",) else ()
    if path.is_absolute() or not parts or ".." in path.parts or path.suffix not in (".yaml", ".yml"):
        raise EngineError(f"--into {into}: give a .yaml file under products/ of the catalog, e.g. "
                          "products/imported.yaml")
    return path.as_posix()


class _Run:
    def __init__(self, request: ImportRequest, catalog: Catalog, app: Any, into: str | None) -> None:
        self.request = request
        self.catalog = catalog
        self.root = catalog.root
        self.app = app
        self.into = into
        self.cache = cache_dir(catalog.root, catalog.shop) if request.use_cache else None
        self.display = str(request.catalog_dir)

    async def run(self) -> ImportReport:
        client = client_for(self.catalog.shop, app=self.app)
        try:
            return await self._run(client)
        finally:
            await client.aclose()

    def _report(self, **fields: Any) -> ImportReport:
        return ImportReport(shop_name=self.catalog.shop.name, catalog=self.display, dry_run=self.request.dry_run,
                            **fields)

    async def _run(self, client: ShopClient) -> ImportReport:
        listing = await read_snapshot(client, {}, shop_name=self.catalog.shop.name, market=self.catalog.shop.market)
        owner = {sku: spec.key for spec in self.catalog.products for sku in spec.seller_skus}
        managed = {p.product_id: sorted({owner[s] for s in p.seller_skus if s in owner})
                   for p in listing.products if any(s in owner for s in p.seller_skus)}
        unmanaged = [p for p in listing.products if p.product_id not in managed]
        if not self.request.product_ids and not self.request.all_products:
            alive = sum(1 for p in listing.products if not p.is_deleted)
            return self._report(listing=True, candidates=tuple(_candidate(p) for p in unmanaged if not p.is_deleted),
                                live_products=alive)
        chosen, refresh, skipped = self._choose(listing, managed, unmanaged)
        fetched = await fetch_products(client, [p for pid in chosen if (p := listing.product(pid)) is not None],
                                       cache_dir=self.cache)
        failed = [pid for pid in fetched.gone if pid in self.request.product_ids]
        skipped += [(pid, _title(listing, pid), reason) for pid, reason in sorted(fetched.gone.items())]
        live = {pid: fetched.products[pid] for pid in chosen if pid in fetched.products}
        refreshed = await plan_refresh(client, self.catalog, refresh, self.cache) if refresh else {}
        specs = [p.spec for p in live.values()] + [r.live.spec for r in refreshed.values()]
        metadata = await read_metadata(client, {s.category_id for s in specs if s and s.category_id})
        exporter = Exporter(self._context(metadata, specs))
        files = PendingFiles(self.root)
        products, problems = self._export_new(exporter, dict(live), files, skipped)
        more, refresh_problems = export_refreshed(exporter, self.catalog, refreshed, files, sku_order)
        if problems or refresh_problems:
            lines = _grouped(problems + refresh_problems)
            raise EngineError("cannot import:\n" + "\n".join(f"  {p}" for p in lines) + "\nNothing was written.")
        changes = tuple(FileChange(path, before, after) for path, (before, after) in sorted(files.files.items()))
        left = sum(1 for p in unmanaged if not p.is_deleted) - len(products)
        report = self._report(products=tuple(products + more), skipped=tuple(skipped), failed=tuple(failed),
                              files=changes, unmanaged_left=max(0, left))
        if not self.request.dry_run and any(c.before != c.after for c in changes):
            await self._write_and_verify(client, changes, report)
        return report

    # ------------------------------------------------------------------ choosing
    def _choose(self, listing: LiveSnapshot, managed: dict[str, list[str]], unmanaged: list[LiveProduct]
                ) -> tuple[list[str], dict[str, str], list[tuple[str, str, str]]]:
        chosen: dict[str, None] = {}
        refresh: dict[str, str] = {}  # product id → catalog key
        skipped: list[tuple[str, str, str]] = []
        errors: list[str] = []
        if self.request.all_products:
            for product in unmanaged:
                reason = _unreadable(product)
                if reason:
                    skipped.append((product.product_id, product.title, reason))
                else:
                    chosen[product.product_id] = None
        for pid in dict.fromkeys(self.request.product_ids):
            found = listing.product(pid)
            if found is None:
                errors.append(f"product {pid} is not in the shop (`catalog import {self.display}` lists the "
                              "products you can import)")
            elif _unreadable(found):
                errors.append(f"product {pid} {_quoted(found.title)}: {_unreadable(found)}")
            elif pid in managed and len(managed[pid]) > 1:
                errors.append(f"product {pid} holds seller SKUs of several catalog products "
                              f"({', '.join(managed[pid])}); {FIX_DUPLICATE}")
            elif pid in managed:
                refresh[pid] = managed[pid][0]
            else:
                chosen[pid] = None
        for pid, reason in self._conflicts(listing, set(chosen) | set(refresh)):
            if pid in self.request.product_ids:
                errors.append(reason)
            elif pid in chosen:
                del chosen[pid]
                skipped.append((pid, _title(listing, pid), reason))
        if errors:
            raise EngineError("cannot import:\n" + "\n".join(f"  {e}" for e in dict.fromkeys(errors))
                              + "\nNothing was written.")
        return list(chosen), refresh, skipped

    @staticmethod
    def _conflicts(listing: LiveSnapshot, wanted: set[str]) -> list[tuple[str, str]]:
        """(product id, why) for wanted products sharing a seller SKU with another live product."""
        out: dict[str, str] = {}
        for conflict in listing.conflicts:
            alive = [i for i in conflict.product_ids if (p := listing.product(i)) is not None and not p.is_deleted]
            for pid in sorted(wanted & set(alive)) if len(alive) > 1 else ():
                out.setdefault(pid, f"seller SKU {conflict.seller_sku} is used by live products {_ids(alive)}; "
                                    f"{FIX_DUPLICATE}")
        return sorted(out.items())

    # ------------------------------------------------------------------ exporting
    def _context(self, metadata: ShopMetadata, specs: list) -> ExportContext:
        names: dict[str, int] = {}
        for brand in metadata.brands:
            if brand.name:
                names[brand.name] = names.get(brand.name, 0) + 1
        attributes, values = set(), set()
        for category, items in metadata.attributes:
            seen: dict[str, int] = {}
            for attr in items:
                seen[attr.name or ""] = seen.get(attr.name or "", 0) + 1
                counts: dict[str, int] = {}
                for value in attr.values:
                    counts[value.name or ""] = counts.get(value.name or "", 0) + 1
                values |= {(category, attr.id or "", n) for n, c in counts.items() if c > 1}
            attributes |= {(category, n) for n, c in seen.items() if c > 1}
        delivery = sorted({d for s in specs if s and s.delivery_option_ids for d in s.delivery_option_ids})
        templates = self.root / "templates"
        taken = frozenset(p.relative_to(templates).as_posix() for p in templates.rglob("*") if p.is_file()) \
            if templates.is_dir() else frozenset()
        return ExportContext(
            warehouses=self.catalog.shop.warehouses, defaults=self.catalog.shop.defaults,
            ambiguous_brands=frozenset(n for n, c in names.items() if c > 1),
            ambiguous_attributes=frozenset(attributes), ambiguous_values=frozenset(values),
            default_delivery=tuple(delivery) or None,
            warehouse_labels={w.id: w.name for w in metadata.warehouses if w.id and w.name},
            templates_taken=taken, stock_owned_by_shop=self.catalog.shop.owners[0] == "on_create")

    def _export_new(self, exporter: Exporter, live: dict[str, LiveProduct], files: PendingFiles,
                    skipped: list[tuple[str, str, str]]) -> tuple[list[ImportedProduct], list[tuple[str, str]]]:
        """Documents for new products. What shop.yaml lacks (a warehouse) stops the import; a product
        the catalog cannot hold stops it when asked for by id, and is skipped with its reasons by --all."""
        problems: list[tuple[str, str]] = []
        trial = Exporter(exporter.ctx)  # a first pass finds the products that cannot be written
        for pid, product in sorted(live.items()):
            exported = trial.export(_spec(product), key="check", statuses=product.platform_statuses)
            problems += [(f"product {pid}", p) for p in exported.shop_problems]
            if exported.problems and pid in self.request.product_ids:
                problems += [(f"product {pid}", p) for p in exported.problems]
            elif exported.problems:
                why = "; ".join(dict.fromkeys(exported.problems))
                skipped.append((pid, product.title, f"cannot be imported: {why}"))
            if exported.problems or exported.shop_problems:
                del live[pid]
        preferred = {pid: p.last_applied[0] for pid, p in live.items()
                     if p.last_applied and KEY_PATTERN.fullmatch(p.last_applied[0])}
        keys = assign_keys({pid: (p.title, p.seller_skus) for pid, p in live.items()}, self.catalog.keys, preferred)
        products = []
        for pid in sorted(live, key=lambda i: keys[i]):
            product = live[pid]
            exported = exporter.export(_spec(product), key=keys[pid], statuses=product.platform_statuses,
                                       sku_order=sku_order(product))
            path = self.into or self._free_file(keys[pid], files)
            note = f"Imported by `catalog import` from product {pid}."
            before, text = files.current(path), document_text(exported.document)
            if before is None:
                files.put(path, new_file_text(text, schema_comment(self.root, (self.root / path).parent), note))
            else:
                files.put(path, append_text(before, text, note))
            for name, content in exported.templates:
                files.put(f"templates/{name}", content)
            products.append(ImportedProduct(keys[pid], pid, product.title, path, "new" if before is None else "added"))
        return products, problems

    @staticmethod
    def _free_file(key: str, files: PendingFiles) -> str:
        path, number = f"products/{key}.yaml", 2
        while files.taken(path):
            path, number = f"products/{key}-{number}.yaml", number + 1
        return path

    # ------------------------------------------------------------------ writing
    async def _write_and_verify(self, client: ShopClient, changes: tuple[FileChange, ...],
                                report: ImportReport) -> None:
        transaction = FileTransaction()
        try:
            for change in changes:
                if change.before != change.after:
                    try:
                        transaction.write(self.root / change.path, change.after)
                    except OSError as exc:
                        raise EngineError(f"cannot write {self.root / change.path}: {exc.strerror or exc}; "
                                          "nothing was written") from None
            try:
                catalog = load_catalog(self.root)
            except CatalogError as exc:
                raise CatalogError(exc.diagnostics, "the imported YAML does not pass the catalog's checks (above); "
                                   "nothing was written. Fix the product in Seller Center or the catalog, then import "
                                   "again (--dry-run shows the YAML)") from None
            await self._verify(client, catalog, report)
        except BaseException as exc:
            failed = transaction.rollback()
            if failed:
                raise EngineError(f"import failed and these files could not be restored: {', '.join(failed)}") from exc
            raise

    async def _verify(self, client: ShopClient, catalog: Catalog, report: ImportReport) -> None:
        """Plan the imported products against the shop: they must match it exactly."""
        keys = {p.key: p.product_id for p in report.products if p.action != "unchanged"}
        found = {key: catalog.product(key) for key in keys}
        missing = sorted(k for k, s in found.items() if s is None)
        specs = {k: s for k, s in found.items() if s is not None}
        if missing:
            raise EngineError(f"imported products are missing from the catalog after writing: {', '.join(missing)}; "
                              f"nothing was written; {BUG}")
        snapshot = await read_snapshot(client, {k: s.seller_skus for k, s in specs.items()}, cache_dir=self.cache,
                                       metadata_for={s.category_id for s in specs.values() if s.category_id},
                                       shop_name=catalog.shop.name, market=catalog.shop.market)
        plan = make_plan(dataclasses.replace(catalog, products=tuple(specs[k] for k in sorted(keys))), snapshot)
        problems = [i.message for i in plan.errors if i.key in keys]
        for key, pid in sorted(keys.items()):
            if snapshot.claimed_by(key) != (pid,):
                problems.append(f"{key} does not match product {pid} alone (matches {_ids(snapshot.claimed_by(key))})")
        for item in plan.products:
            if item.has_changes:
                what = "; ".join(f"{a.kind} " + ", ".join(sorted({".".join(c.path[:2]) for c in a.changes}))
                                 for a in item.actions if a.is_write)
                problems.append(f"{item.key}: `catalog plan` would still change it ({what})")
        if problems:
            raise EngineError("the imported YAML does not match the shop:\n" + "\n".join(f"  {p}" for p in problems)
                              + f"\nNothing was written; {BUG}")


def sku_order(product: LiveProduct) -> tuple[str, ...]:
    """Seller SKUs in the order the shop created them (SKU ids grow)."""
    return tuple(s for s, _ in sorted(product.sku_ids, key=lambda p: (len(p[1]), p[1], p[0])))


def _candidate(product: LiveProduct) -> Candidate:
    return Candidate(product.product_id, product.title, tuple(s for s in sku_order(product) if s),
                     product.platform_statuses)


def _unreadable(product: LiveProduct) -> str | None:
    if product.is_deleted:
        return "deleted in the shop: recover it in Seller Center first"
    if product.is_frozen:
        return "frozen by the platform: its details cannot be read (Get Product refuses frozen products)"
    return None


def _grouped(problems: Iterable[tuple[str, str]]) -> list[str]:
    """One line per problem, naming every product it concerns (an unknown warehouse is one line)."""
    owners: dict[str, list[str]] = {}
    for who, message in problems:
        if who not in owners.setdefault(message, []):
            owners[message].append(who)
    return [f"{_ids(who)}: {message}" for message, who in owners.items()]


def _ids(ids: Iterable[str]) -> str:
    ids = list(ids)
    return ", ".join(ids[:-1]) + f" and {ids[-1]}" if len(ids) > 1 else "".join(ids)


def _title(listing: LiveSnapshot, product_id: str) -> str:
    product = listing.product(product_id)
    return product.title if product is not None else ""


def _spec(product: LiveProduct) -> ProductSpec:
    """The details of a product read with Get Product (fetch_products gives only those)."""
    assert product.spec is not None, product.product_id
    return product.spec


def _quoted(text: str) -> str:
    return '"' + text.replace("\n", " ") + '"'

