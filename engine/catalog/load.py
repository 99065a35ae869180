"""`load_catalog(path) -> Catalog`: the catalog directory, validated and normalised.

    <catalog>/shop.yaml            the shop (ShopConfig)
    <catalog>/bases/<name>.yaml    reusable partial products (`extends: <name>`)
    <catalog>/products/**/*.yaml   products, one per YAML document
    <catalog>/templates/           Jinja2 description templates
    <catalog>/images/              (by convention) local main images

Every product first goes through the fast path (fast.py: raw YAML → ProductSpec in one
pass); only a product it does not accept goes through the slow path (slow.py: pydantic,
every rule, exact positions). Everything wrong is reported at once: `CatalogError.diagnostics`
holds every problem with file:line:column, field path and message (warnings ride along).
Nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from engine.catalog.diagnose import errors_of
from engine.catalog.fast import FastCompiler
from engine.catalog.heap import paused_gc
from engine.catalog.images import ImageChecker
from engine.catalog.merge import BaseEntry, Layer, Resolver
from engine.catalog.models import BaseFile
from engine.catalog.shop import ShopConfig, parse_shop
from engine.catalog.sku_rules import check_shop, unquoted_price_message, unquoted_prices
from engine.catalog.slow import Collector, ProductChecker, sku_entries
from engine.catalog.source import Document, SourceFile, read_file, text_digest
from engine.catalog.spec import ImageRef, ProductSpec, SourceRef
from engine.catalog.templates import TemplateRenderer
from engine.errors import CatalogError, Diagnostic


@dataclass(frozen=True)
class Catalog:
    """A valid catalog: the shop and its products (sorted by key), ready to plan."""

    root: Path
    shop: ShopConfig
    products: tuple[ProductSpec, ...]
    digest: str  # sha256 of the catalog's files: see catalog_digest
    images: tuple[ImageRef, ...] = ()  # local image files used, with sha256, sorted by path
    warnings: tuple[Diagnostic, ...] = ()

    def product(self, key: str) -> ProductSpec | None:
        for spec in self.products:
            if spec.key == key:
                return spec
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.products)


def load_catalog(path: Path) -> Catalog:
    """Load, validate and normalise a catalog directory; raises CatalogError with every problem."""
    with paused_gc():  # millions of small objects that all stay alive (engine/catalog/heap.py)
        return _Loader(Path(path)).load()


class _Loader:
    def __init__(self, path: Path) -> None:
        self.root = path.parent if path.is_file() else path
        self.out = Collector()
        self.hashes: list[tuple[str, str]] = []  # (relative path, content sha256) for the digest

    def display(self, rel: str) -> str:
        return (self.root / rel).as_posix() if str(self.root) not in ("", ".") else rel

    def load(self) -> Catalog:
        if not self.root.is_dir():
            raise CatalogError([Diagnostic(str(self.root), 1, 1, "catalog directory not found")])
        if not (self.root / "shop.yaml").is_file():
            raise CatalogError([Diagnostic(self.display("shop.yaml"), 1, 1,
                                           "shop.yaml not found: a catalog directory holds shop.yaml, "
                                           "products/*.yaml, and optionally bases/ and templates/")])
        shop, defaults, raw_defaults = self._shop()
        bases = self._bases()
        if shop is None:  # still report the product files' syntax errors
            for path in self._files("products"):
                self._product_file(path)
            raise CatalogError(self.out.all())
        specs, templates = self._compile(shop, Resolver(bases, defaults), raw_defaults)
        diagnostics = self.out.all()
        if any(d.severity == "error" for d in diagnostics):
            raise CatalogError(diagnostics)
        specs.sort(key=lambda s: s.key)
        used = {ref.path: ref for spec in specs for ref in spec.main_images if ref.path}
        images = tuple(used[p] for p in sorted(used))
        for name in templates.names():
            self.hashes.append((f"templates/{name}", _file_hash(templates.directory / name)))
        for image in images:
            self.hashes.append((f"image:{image.path}", image.sha256 or ""))
        return Catalog(root=self.root, shop=shop, products=tuple(specs), digest=catalog_digest(self.hashes),
                       images=images, warnings=tuple(diagnostics))

    def _compile(self, shop: ShopConfig, resolver: Resolver,
                 raw_defaults: dict) -> tuple[list[ProductSpec], TemplateRenderer]:
        templates = TemplateRenderer(self.root / "templates", self.display("templates"), shop.template_vars)
        images = ImageChecker(self.root)
        fast = FastCompiler(warehouses=shop.warehouses, defaults=raw_defaults, resolver=resolver,
                            templates=templates, images=images)
        slow = ProductChecker(self.out, resolver=resolver, warehouses=shop.warehouses, templates=templates,
                              images=images)
        specs: list[ProductSpec] = []
        seen = _Uniqueness()
        documents: list[Document] = []
        # File by file, and each product's raw YAML is dropped once compiled: the memory it
        # held is reused for the next file instead of growing the process (page faults cost).
        for path in self._files("products"):
            for document in self._product_file(path):
                spec = fast.compile(document.data, SourceRef(document.file, document.key_line))
                if spec is None:
                    spec, _ = slow.check(document)
                    key = document.data.get("key")
                    if spec is None and isinstance(key, str):
                        seen.add_raw(key, document.data)
                if spec is not None:
                    specs.append(spec)
                    seen.add_spec(spec)
                document.data = None
                documents.append(document)
        if not documents and not self.out.items:
            self.out.add(Diagnostic(self.display("products"), 1, 1, "no products found: write products/*.yaml",
                                    severity="warning"))
        for diagnostic in resolver.diagnostics:
            self.out.add(diagnostic)
        if seen.has_duplicates:
            self._duplicates(documents)
        for name, entry in sorted(resolver.bases.items()):
            if name not in resolver.used:
                self.out.add(Diagnostic(entry.document.file, entry.document.line, 1,
                                        f"base {name!r} is not used by any product", severity="warning"))
        return specs, templates

    # ---------------------------------------------------------------- files
    def _read(self, path: Path) -> SourceFile:
        rel = path.relative_to(self.root).as_posix()
        source, problems = read_file(path, self.display(rel), rel)
        self.hashes.append((rel, source.digest or text_digest(source.text)))
        for problem in problems:
            self.out.add(problem)
        source.broken = bool(problems)
        if not source.has_schema_comment and not problems:
            self.out.add(Diagnostic(source.display, 1, 1, "the first line should be "
                                    "'# yaml-language-server: $schema=<path to schemas/...json>' so editors "
                                    "check the file", severity="warning"))
        return source

    def _shop(self) -> tuple[ShopConfig | None, Layer, dict]:
        source = self._read(self.root / "shop.yaml")
        defaults = Layer()
        if len(source.documents) != 1:
            if source.broken:
                pass  # the syntax error says it
            elif source.documents:
                self.out.add(Diagnostic(source.display, source.documents[1].line, 1,
                                        "shop.yaml must hold exactly one YAML document"))
            else:
                self.out.add(Diagnostic(source.display, 1, 1, "shop.yaml is empty: it needs at least the shop "
                                                              "name and its warehouses"))
            return None, defaults, {}
        document = source.documents[0]
        config, model, raw_defaults, problems = parse_shop(document, self.root)
        for problem in problems:
            self.out.add(problem)
        if model is None:
            return None, defaults, {}
        defaults.apply(model.defaults, (document, ("defaults",)))
        return config, defaults, raw_defaults

    def _files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())

    def _bases(self) -> dict[str, BaseEntry]:
        bases: dict[str, BaseEntry] = {}
        for path in self._files("bases"):
            source = self._read(path)
            name = path.relative_to(self.root / "bases").with_suffix("").as_posix()
            if len(source.documents) != 1 or not isinstance(source.documents[0].data, dict):
                if source.documents:
                    self.out.add(Diagnostic(source.display, source.documents[0].line, 1,
                                            "a base file holds exactly one mapping of product fields"))
                continue
            document = source.documents[0]
            try:
                model = BaseFile.model_validate(document.data)
            except ValidationError as exc:
                for error_path, message, at_key in errors_of(exc, BaseFile):
                    self.out.add(document.diagnostic(error_path, message, at_key=at_key))
                continue
            bases[name] = BaseEntry(name, document, model)
        return bases

    def _product_file(self, path: Path) -> list[Document]:
        """The product documents of one file (mappings); everything else is reported."""
        source = self._read(path)
        documents = []
        for document in source.documents:
            if document.data is None:
                continue
            if not isinstance(document.data, dict):
                self.out.add(document.diagnostic((), "a product must be a mapping of fields (key, title, ...)"))
                continue
            documents.append(document)
        for offset, written in unquoted_prices(source.text):
            line = source.text.count("\n", 0, offset) + 1
            column = offset - source.text.rfind("\n", 0, offset)
            self.out.add(Diagnostic(source.display, line, column, unquoted_price_message(written), "price"))
        return documents

    def _duplicates(self, documents: list[Document]) -> None:
        entries, owners = [], []
        for document in documents:
            data = document.reload()
            key = data.get("key") if isinstance(data, dict) else None
            if isinstance(key, str):
                entries.append((key, f"{document.file}:{document.key_line}", sku_entries(data)))
                owners.append(document)
        for index, finding in check_shop(entries):
            self.out.add(owners[index].diagnostic(finding.path, finding.message))


class _Uniqueness:
    """Cheap shop-wide duplicate detection; positions are worked out only when there is one."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.skus: set[str] = set()
        self.barcodes: dict[str, str] = {}
        self.has_duplicates = False

    def add_spec(self, spec: ProductSpec) -> None:
        keys, skus = self.keys, self.skus
        before = len(keys) + len(skus)
        keys.add(spec.key)
        for sku in spec.skus:
            skus.add(sku.seller_sku)
            if sku.identifier_code:
                self.has_duplicates |= self.barcodes.setdefault(sku.identifier_code[1], sku.seller_sku) != sku.seller_sku
        if len(keys) + len(skus) != before + 1 + len(spec.skus):  # a key or seller_sku seen before
            self.has_duplicates = True

    def add_raw(self, key: str, data: dict) -> None:
        self._key(key)
        for code, barcode in sku_entries(data):
            if isinstance(code, str):
                self._sku(code, barcode)

    def _key(self, key: str) -> None:
        self.has_duplicates |= key in self.keys
        self.keys.add(key)

    def _sku(self, code: str, barcode: str | None) -> None:
        self.has_duplicates |= code in self.skus
        self.skus.add(code)
        if barcode:
            self.has_duplicates |= self.barcodes.setdefault(barcode, code) != code


def catalog_digest(hashes: list[tuple[str, str]]) -> str:
    """sha256 over every file the catalog is made of — shop.yaml, bases, products, templates
    (by relative path and content) and the local images the products use (by sha256).

    A saved plan records it; apply refuses a plan made from other files (any change to any of
    them, comments included, means "plan again"). Text is hashed as UTF-8 with LF line ends
    (a BOM or a CRLF checkout does not change it). Hashing the files is ~50x cheaper than
    serialising 10,000 normalised products, and covers templates and bases by construction."""
    digest = hashlib.sha256(b"catalog-digest/2\n")
    for rel, content in sorted(hashes):
        digest.update(f"{rel}\0{content}\n".encode())
    return digest.hexdigest()


_text_hash = text_digest  # (the name the measuring scripts under /tmp/pf use)


def _file_hash(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError:
        return ""
    try:
        return text_digest(raw.decode("utf-8-sig"), raw)
    except UnicodeDecodeError:
        return hashlib.sha256(raw).hexdigest()
