"""One product, from its YAML document to a `ProductSpec` or to every problem it has.

    YAML data (source.py, yaml-rs) → shape (models.py, pydantic) → layers (merge.py: shop
    defaults, `extends`, the product) → rules that check and normalise each field
    (rules.py, sku_rules.py) → description (templates.py) and images (images.py) → ProductSpec

Every problem is worded for the seller and points at the file:line:column where it must be
fixed, following each value to where it was written (the product, a base, shop.yaml
defaults, a template); positions are worked out only for problems (source.Document.where).
A problem in a shared file (a base, the defaults, a template) is reported once, with the
products it showed in (`Collector`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from engine.catalog.diagnose import did_you_mean, errors_of
from engine.catalog.guard_settings import PriceAcknowledgement, price_acknowledgements
from engine.catalog.images import ImageChecker, ImageProblem
from engine.catalog.limits import Finding
from engine.catalog.merge import Layer, Resolver
from engine.catalog.models import DEFAULT_OWNERS, PRIORITY_MAX, PRIORITY_MIN, ProductFile
from engine.catalog.rules import ProductRules, check_description, owners, template_number_findings
from engine.catalog.source import Document, dotted
from engine.catalog.spec import MANAGED_FIELDS, ImageRef, ProductSpec, SourceRef
from engine.catalog.templates import TemplateProblem, TemplateRenderer
from engine.errors import Diagnostic

_MANAGED = frozenset(MANAGED_FIELDS)


class Collector:
    """Every diagnostic of a load; problems in shared files (bases, defaults, templates) once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self.shared: dict[tuple[Diagnostic, str], list[str]] = {}

    def add(self, diagnostic: Diagnostic, product: str | None = None, how: str = "inherited by") -> None:
        """`product`: the product a problem of a shared file (base, defaults, template) showed in."""
        if product is None:
            self.items.append(diagnostic)
        else:
            self.shared.setdefault((diagnostic, how), []).append(product)

    def all(self) -> list[Diagnostic]:
        out = list(self.items)
        for (diagnostic, how), keys in self.shared.items():
            keys = sorted(set(keys))
            names = ", ".join(repr(k) for k in keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
            plural = "s" if len(keys) > 1 else ""
            out.append(Diagnostic(diagnostic.file, diagnostic.line, diagnostic.column,
                                  f"{diagnostic.message} ({how} product{plural} {names})", diagnostic.path,
                                  diagnostic.severity))
        return sorted({_printable(d) for d in out})


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(diagnostic: Diagnostic) -> Diagnostic:
    """One diagnostic, one line: control characters from the seller's text are escaped."""
    if not (_UNPRINTABLE.search(diagnostic.message) or _UNPRINTABLE.search(diagnostic.path)):
        return diagnostic
    return dataclasses.replace(diagnostic, message=_escaped(diagnostic.message), path=_escaped(diagnostic.path))


def _escaped(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: repr(m.group(0))[1:-1], text)


@dataclass
class Product:
    key: str
    document: Document
    model: ProductFile
    layer: Layer
    failed: bool = False


class ProductCompiler:
    """Compiles the products of one load; what repeats between products (rule checks of
    equal values, `declared` sets) is worked out once."""

    def __init__(self, out: Collector, *, resolver: Resolver, warehouses: dict[str, str],
                 templates: TemplateRenderer, images: ImageChecker) -> None:
        self.out = out
        self.resolver = resolver
        self.rules = ProductRules(warehouses)
        self.templates = templates
        self.images = images
        self._declared: dict[tuple[str, ...], frozenset[str]] = {}
        self.priorities: dict[str, int] = {}  # key -> `priority` of the products that write one (not 0)
        self.ownership: dict[str, tuple[str, str]] = {}  # key -> (stock, price) `manage:` when not the defaults
        self.acknowledgements: list[PriceAcknowledgement] = []  # of the products compiled

    def compile(self, document: Document) -> ProductSpec | None:
        """The spec of a product document, or None when it has an error (reported)."""
        try:
            model = ProductFile.model_validate(document.data)
        except ValidationError as exc:
            for path, message, at_key in errors_of(exc, ProductFile):
                self.out.add(document.diagnostic(path, message, at_key=at_key))
            return None
        layer, complete = self.resolver.resolve(model, document)
        product = Product(model.key, document, model, layer, failed=not complete)
        self._priority(product)
        fields: dict[str, Any] = {}
        if complete:
            fields, findings = self.rules.check(product.key, layer.values)
            if (owned := owners(layer.values)) != DEFAULT_OWNERS:
                self.ownership[product.key] = owned
            for finding in findings:
                self.finding(product, finding)
        description = self._description(product)
        images = self._images(product)
        acks = self._acknowledgements(product)
        if product.failed:
            return None
        self.acknowledgements += acks
        values = layer.values
        if "description" in values:
            fields["description"] = description
        if "main_images" in values:
            fields["main_images"] = images
        names = tuple(values)
        declared = self._declared.get(names)
        if declared is None:
            declared = self._declared[names] = _MANAGED.intersection(names)
        return ProductSpec(key=product.key, declared=declared, source=SourceRef(document.file, document.key_line),
                           **fields)

    def _priority(self, product: Product) -> None:
        """`priority` orders listings under the shop's daily_listing_limit; not product content."""
        priority = product.model.priority
        if priority is None or priority == 0:
            return
        if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            self.finding(product, Finding(("priority",), f"priority must be a whole number from {PRIORITY_MIN} to "
                                          f"{PRIORITY_MAX} (higher is listed first; default 0), got {priority}"))
            return
        self.priorities[product.key] = priority

    def finding(self, product: Product, finding: Finding) -> None:
        product.failed |= finding.severity == "error"
        origin = product.layer.origin_of(finding.path) if finding.path else None
        if origin is None:
            if finding.path and finding.path[0] in product.model.model_fields_set:
                origin = (product.document, ())
            else:
                self.out.add(Diagnostic(product.document.file, product.document.key_line, 1, finding.message,
                                        dotted(finding.path), finding.severity))
                return
        document, prefix = origin
        diagnostic = document.diagnostic(finding.path, finding.message, at_key=finding.at_key,
                                         severity=finding.severity, prefix=prefix)
        if prefix:
            diagnostic = Diagnostic(diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.message,
                                    dotted(prefix + finding.path), diagnostic.severity)
        self.out.add(diagnostic, product.key if document is not product.document else None)

    def _acknowledgements(self, product: Product) -> list[PriceAcknowledgement]:
        skus = tuple(sku.seller_sku for sku in product.layer.values.get("skus") or ())
        acks, findings = price_acknowledgements(product.key, product.model.acknowledge, skus)
        for finding in findings:
            self.finding(product, finding)
        return acks

    def _description(self, product: Product) -> str | None:
        value = product.layer.values.get("description")
        if value is None:
            return None
        if isinstance(value, str):
            html = value.strip()
        else:
            too_long = template_number_findings(value.vars, ("description", "vars"))
            for finding in too_long:
                self.finding(product, finding)
            if too_long:
                return None
            context = {"key": product.key, "title": product.layer.values.get("title")}
            try:
                rendered = self.templates.render(value.template, value.vars, context)
            except TemplateProblem as problem:
                self._template_problem(product, value.template, problem)
                return None
            if rendered is None:  # a template file was refused (reported): nothing is rendered
                product.failed = True
                return None
            html = rendered
        for finding in check_description(html):
            self.finding(product, finding)
        return html

    def _template_problem(self, product: Product, name: str, problem: TemplateProblem) -> None:
        if problem.file is None:
            names = self.templates.names()
            hint = did_you_mean(name, names)
            hint += f"; templates: {', '.join(names)}" if names and len(names) <= 20 else ""
            self.finding(product, Finding(("description", "template"), problem.message + hint))
        else:
            product.failed = True
            self.out.add(Diagnostic(problem.file, problem.line, 1, problem.message, "description"),
                         product.key, "rendering the description of")

    def _images(self, product: Product) -> tuple[ImageRef, ...]:
        refs = []
        for index, image in enumerate(product.layer.values.get("main_images") or ()):
            if not isinstance(image, str):
                refs.append(ImageRef(uri=image.uri))
                continue
            try:
                refs.append(self.images.check(image))
            except ImageProblem as problem:
                self.finding(product, Finding(("main_images", index), str(problem)))
        return tuple(refs)


def sku_entries(data: Any) -> list[tuple[Any, Any]]:
    """(seller_sku, barcode) per SKU of a raw product mapping, in YAML order (for shop-wide rules)."""
    skus = data.get("skus") if isinstance(data, dict) else None
    out = []
    for sku in skus if isinstance(skus, list) else ():
        if isinstance(sku, dict):
            code = sku.get("identifier_code")
            barcode = code.get("code") if isinstance(code, dict) else None
            out.append((sku.get("seller_sku"), barcode if isinstance(barcode, str) else None))
        else:
            out.append((None, None))
    return out
