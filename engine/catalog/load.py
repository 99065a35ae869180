"""`load_catalog(path) -> Catalog`: the catalog directory, validated and normalised.

    <catalog>/shop.yaml            the shop (ShopConfig)
    <catalog>/bases/<name>.yaml    reusable partial products (`extends: <name>`)
    <catalog>/products/**/*.yaml   products, one per YAML document
    <catalog>/templates/           Jinja2 description templates
    <catalog>/images/              (by convention) local main images

One loader: every file is read through files.CatalogFiles (regular files inside the catalog
only), parsed once by yaml-rs, and each product goes through check.ProductCompiler (pydantic
shape, `extends` and defaults, rules that check and normalise, description, images) into a
`ProductSpec`. Everything wrong is reported at once: `CatalogError.diagnostics` holds every
problem with file:line:column, field path and message (warnings ride along); positions are
worked out only for what is reported. Nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from engine.catalog.check import Collector, ProductCompiler, sku_entries
from engine.catalog.diagnose import errors_of
from engine.catalog.files import CatalogFiles, FileProblem
from engine.catalog.guard_settings import PriceAcknowledgement
from engine.catalog.heap import paused_gc
from engine.catalog.images import ImageChecker
from engine.catalog.merge import BaseEntry, Layer, Resolver
from engine.catalog.models import BaseFile, ProductFile
from engine.catalog.shop import ShopConfig, parse_shop
from engine.catalog.sku_rules import check_shop, unquoted_price_message, unquoted_prices
from engine.catalog.source import Document, SourceFile, read_file, text_digest
from engine.catalog.spec import ImageRef, ProductSpec
from engine.catalog.templates import TemplateRenderer
from engine.errors import CatalogError, Diagnostic

_YAML = (".yaml", ".yml")


@dataclass(frozen=True)
class Catalog:
    """A valid catalog: the shop and its products (sorted by key), ready to plan."""

    root: Path
    shop: ShopConfig
    products: tuple[ProductSpec, ...]
    digest: str  # sha256 of the catalog's files: see catalog_digest
    images: tuple[ImageRef, ...] = ()  # local image files used, with sha256, sorted by path
    warnings: tuple[Diagnostic, ...] = ()
    priorities: tuple[tuple[str, int], ...] = ()  # (key, priority) of products that set one (not 0), by key
    ownership: tuple[tuple[str, tuple[str, str]], ...] = ()  # (key, (stock, price)) where `manage:` is not the default
    acknowledgements: tuple[PriceAcknowledgement, ...] = ()  # products' `acknowledge:`, sorted
    _sources: ProductSources | None = field(default=None, compare=False, repr=False)

    def product(self, key: str) -> ProductSpec | None:
        for spec in self.products:
            if spec.key == key:
                return spec
        return None

    def priority(self, key: str) -> int:
        """A product's `priority` (its order under shop.yaml daily_listing_limit; default 0)."""
        return dict(self.priorities).get(key, 0)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.products)

    def locate(self, key: str, path: tuple = ()) -> tuple[str, int, int]:
        """(file, line, column) where the value at `path` of product `key` is written, for a
        message that points the seller at it — in the product's file, or in the base or the
        shop.yaml `defaults` it is inherited from.

        `path` is a field path as in the YAML: `("product_attributes", "Bahan")`,
        `("skus", 0, "price")` (list items by position as written), or a SKU by its seller SKU:
        `("skus", "KAOS-M", "price")`. It is followed as far as it exists (a field the product
        does not have: the product's first line, or the mapping that lacks it). Worked out when
        asked: the product's document is parsed again and its `extends` resolved (~0.1 ms), and
        ruamel reads the one document that holds the value. KeyError for an unknown key."""
        if self._sources is None:
            raise KeyError(key)
        return self._sources.locate(key, tuple(path))


class ProductSources:
    """Where each product of a catalog was written: its document and how `extends` resolves."""

    def __init__(self, documents: dict[str, Document], resolver: Resolver) -> None:
        self.documents = documents
        self.resolver = resolver

    def locate(self, key: str, path: tuple) -> tuple[str, int, int]:
        document = self.documents[key]
        layer, _ = self.resolver.resolve(ProductFile.model_validate(document.reload()), document, report=False)
        written, prefix = layer.origin_of(path) or (document, ())
        line, column = written.where(prefix + path)
        return written.file, line, column


def load_catalog(path: Path) -> Catalog:
    """Load, validate and normalise a catalog directory; raises CatalogError with every problem."""
    with paused_gc():  # a tree of long-lived values (engine/catalog/heap.py)
        return _Loader(Path(path)).load()


def load_shop(path: Path) -> ShopConfig:
    """shop.yaml alone, for commands that only talk to the shop (the discovery commands): a
    product file being written does not stop them. CatalogError with shop.yaml's problems."""
    loader = _Loader(Path(path))
    loader.check_root()
    shop, _ = loader._shop()
    problems = [d for d in loader.out.all() if d.severity == "error"]
    if shop is None or problems:
        raise CatalogError(problems)
    return shop


class _Loader:
    def __init__(self, path: Path) -> None:
        self.root = path.parent if path.is_file() else path
        self.files = CatalogFiles(self.root)
        self.out = Collector()
        self.hashes: list[tuple[str, str]] = []  # (relative path, content sha256) for the digest

    def display(self, rel: str) -> str:
        return (self.root / rel).as_posix() if str(self.root) not in ("", ".") else rel

    def check_root(self) -> None:
        if not self.root.is_dir():
            raise CatalogError([Diagnostic(str(self.root), 1, 1, "catalog directory not found")])
        shop_file = self.root / "shop.yaml"
        if not (shop_file.exists() or shop_file.is_symlink()):
            raise CatalogError([Diagnostic(self.display("shop.yaml"), 1, 1,
                                           "shop.yaml not found: a catalog directory holds shop.yaml, "
                                           "products/*.yaml, and optionally bases/ and templates/")])

    def load(self) -> Catalog:
        self.check_root()
        shop, defaults = self._shop()
        bases = self._bases()
        if shop is None:  # still report the product files' problems
            for path in self._files("products"):
                self._product_file(path)
            raise CatalogError(self.out.all())
        with TemplateRenderer(self.root / "templates", self.display("templates"), shop.template_vars,
                              self.files) as templates:
            for problem in templates.problems:
                self._refused(problem)
            resolver = Resolver(bases, defaults)
            specs, documents, compiled = self._compile(shop, resolver, templates)
        diagnostics = self.out.all()
        if any(d.severity == "error" for d in diagnostics):
            raise CatalogError(diagnostics)
        specs.sort(key=lambda s: s.key)
        used = {ref.path: ref for spec in specs for ref in spec.main_images if ref.path}
        images = tuple(used[p] for p in sorted(used))
        self.hashes += [(f"templates/{name}", templates.hashes[name]) for name in templates.names()]
        self.hashes += [(f"image:{image.path}", image.sha256 or "") for image in images]
        return Catalog(root=self.root, shop=shop, products=tuple(specs), digest=catalog_digest(self.hashes),
                       images=images, warnings=tuple(diagnostics),
                       priorities=tuple(sorted(compiled.priorities.items())),
                       ownership=tuple(sorted(compiled.ownership.items())),
                       acknowledgements=tuple(sorted(compiled.acknowledgements)),
                       _sources=ProductSources(documents, resolver))

    def _compile(self, shop: ShopConfig, resolver: Resolver, templates: TemplateRenderer
                 ) -> tuple[list[ProductSpec], dict[str, Document], ProductCompiler]:
        """The products' specs, their documents by key, and the compiler (what it gathered besides:
        priorities, ownership, acknowledgements)."""
        compiler = ProductCompiler(self.out, resolver=resolver, warehouses=shop.warehouses, templates=templates,
                                   images=ImageChecker(self.root, self.files))
        specs: list[ProductSpec] = []
        sources: dict[str, Document] = {}
        seen = _Uniqueness()
        documents: list[Document] = []
        # File by file, and each product's raw YAML is dropped once compiled: the memory it
        # held is reused for the next file instead of growing the process (page faults cost).
        for path in self._files("products"):
            for document in self._product_file(path):
                spec = compiler.compile(document)
                if spec is not None:
                    specs.append(spec)
                    sources[spec.key] = document
                    seen.add_spec(spec)
                elif isinstance(key := document.data.get("key"), str):
                    seen.add_raw(key, document.data)
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
        return specs, sources, compiler

    # ---------------------------------------------------------------- files
    def _read(self, path: Path) -> SourceFile:
        rel = path.relative_to(self.root).as_posix()
        try:
            raw = self.files.read(path)
        except FileProblem as problem:
            return self._unread(path, rel, str(problem))
        except OSError as exc:
            return self._unread(path, rel, f"cannot read file: {exc.strerror or exc}")
        source, diagnostics = read_file(path, self.display(rel), rel, raw)
        self.hashes.append((rel, source.digest or text_digest(source.text)))
        for diagnostic in diagnostics:
            self.out.add(diagnostic)
        source.broken = bool(diagnostics)
        if not source.has_schema_comment and not diagnostics:
            self.out.add(Diagnostic(source.display, 1, 1, "the first line should be "
                                    "'# yaml-language-server: $schema=<path to schemas/...json>' so editors "
                                    "check the file", severity="warning"))
        return source

    def _unread(self, path: Path, rel: str, message: str) -> SourceFile:
        source = SourceFile(path, self.display(rel), rel, broken=True)
        self.out.add(Diagnostic(source.display, 1, 1, message))
        return source

    def _refused(self, problem: FileProblem) -> None:
        self.out.add(Diagnostic(self.display(self.files.relative(problem.path)), 1, 1, str(problem)))

    def _files(self, folder: str) -> list[Path]:
        paths, problems = self.files.listing(folder, _YAML)
        for problem in problems:
            self._refused(problem)
        return paths

    def _shop(self) -> tuple[ShopConfig | None, Layer]:
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
            return None, defaults
        document = source.documents[0]
        config, model, problems = parse_shop(document, self.root)
        for problem in problems:
            self.out.add(problem)
        if model is None:
            return None, defaults
        if model.manage is not None:  # the shop's `manage:` is the first layer every product inherits
            defaults.apply(model, (document, ()))
        defaults.apply(model.defaults, (document, ("defaults",)))
        return config, defaults

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
                owner = self.barcodes.setdefault(sku.identifier_code[1], sku.seller_sku)
                self.has_duplicates |= owner != sku.seller_sku
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
