"""`extends` and shop defaults: layering partial products, remembering where each value came from.

A product is the result of writing, in order: shop.yaml `defaults`, then each base named in
`extends` (in the order written; a base's own `extends` come before it), then the product
itself. A field written later replaces the earlier value entirely, except
`product_attributes` in the mapping form, which merge attribute by attribute. Writing `null`
removes the value written before (a field, or one attribute): it is then not managed.

`Layer` keeps every value's origin (document + path prefix), so a rule that fails on an
inherited value points at the base or at shop.yaml, where the seller has to fix it, and
`Catalog.locate` finds where any value of a product was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.models import PRODUCT_FIELDS
from engine.catalog.source import Document
from engine.errors import Diagnostic

Origin = tuple[Document, tuple]  # (document, path prefix inside it)
ATTRIBUTES = "product_attributes"
MANAGE = "manage"  # who owns stock / price: merged key by key
_LAYERED = frozenset(PRODUCT_FIELDS)


@dataclass
class Layer:
    """Validated field values with their origins (`attribute_origins` per mapping-form attribute)."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    attribute_origins: dict[str, Origin] = field(default_factory=dict)

    def copy(self) -> Layer:
        return Layer(dict(self.values), dict(self.origins), dict(self.attribute_origins))

    def apply(self, model: Any, origin: Origin) -> None:
        """Write the fields `model` sets over this layer (a later value replaces an earlier one,
        mapping-form attributes merge one by one, `null` removes)."""
        for name in model.model_fields_set:
            if name not in _LAYERED:
                continue
            value = getattr(model, name)
            if value is None:
                self.values.pop(name, None)
                self.origins.pop(name, None)
                if name == ATTRIBUTES:
                    self.attribute_origins.clear()
            elif name == ATTRIBUTES and isinstance(value, dict):
                merged = dict(self.values[name]) if isinstance(self.values.get(name), dict) else {}
                if not isinstance(self.values.get(name), dict):
                    self.attribute_origins.clear()
                for attribute, item in value.items():
                    if item is None:
                        merged.pop(attribute, None)
                        self.attribute_origins.pop(attribute, None)
                    else:
                        merged[attribute] = item
                        self.attribute_origins[attribute] = origin
                self.values[name] = merged
                self.origins[name] = origin
            elif name == MANAGE:  # key by key: a product saying `stock` keeps the shop's `price`
                written = {key: getattr(value, key) for key in value.model_fields_set if getattr(value, key)}
                self.values[name] = {**self.values.get(name, {}), **written}
                self.origins[name] = origin
            else:
                self.values[name] = value
                self.origins[name] = origin
                if name == ATTRIBUTES:
                    self.attribute_origins.clear()

    def origin_of(self, path: tuple) -> Origin | None:
        if not path:
            return None
        if path[0] == ATTRIBUTES and len(path) > 1 and path[1] in self.attribute_origins:
            return self.attribute_origins[path[1]]
        return self.origins.get(path[0])


@dataclass
class BaseEntry:
    name: str
    document: Document
    model: Any  # the validated BaseFile


class Resolver:
    """Flattens every base's `extends` chain once; reports unknown, invalid and circular bases.

    `bases` holds the valid base files only. A name missing from it whose file exists is an
    invalid base (its own errors are reported by the loader): whoever extends it is told so and
    pointed at the file, not told the base is unknown.
    """

    def __init__(self, bases: dict[str, BaseEntry], defaults: Layer) -> None:
        self.bases = bases
        self.defaults = defaults
        self.diagnostics: list[Diagnostic] = []
        self.used: set[str] = set()
        self.chains: dict[str, list[BaseEntry] | None] = {}  # None: the base's chain is broken
        self._inherited: dict[tuple[str, ...], Layer] = {}
        for name in sorted(bases):
            self._chain(name, [])

    def resolve(self, model: Any, document: Document, *, report: bool = True) -> tuple[Layer, bool]:
        """(layer, complete): complete is False when a base could not be applied (reported,
        unless `report` is False)."""
        entries, complete = self.parents(model.extends, document if report else None)
        names = tuple(entry.name for entry in entries)
        inherited = self._inherited.get(names)
        if inherited is None:  # shop defaults and these bases, laid once per distinct `extends`
            inherited = self._inherited[names] = self.defaults.copy()
            for entry in entries:
                inherited.apply(entry.model, (entry.document, ()))
        layer = inherited.copy()
        layer.apply(model, (document, ()))
        return layer, complete

    def parents(self, extends: Any, document: Document | None) -> tuple[list[BaseEntry], bool]:
        """The bases to apply before a product, in order; unknown names reported at `document`."""
        entries: list[BaseEntry] = []
        complete = True
        for index, name in enumerate(_names(extends)):
            if not isinstance(name, str):
                complete = False
                continue
            if document is not None:
                self.used.add(name)
            chain = self.chains.get(name)
            if name not in self.bases and document is not None:
                path = ("extends",) if isinstance(extends, str) else ("extends", index)
                self.diagnostics.append(document.diagnostic(path, self._missing(name, document)))
            if chain is None:
                complete = False
                continue
            entries.extend(chain)
        return entries, complete

    def _missing(self, name: str, document: Document) -> str:
        invalid = _base_file(name, document)
        if invalid is not None:
            return f"base {name!r} is invalid (see the errors in {invalid})"
        known = sorted(self.bases)
        listing = f"; bases: {', '.join(known)}" if known else "; there are no files in bases/"
        return f"unknown base {name!r}{did_you_mean(name, known)}{listing} (a base is bases/<name>.yaml)"

    def _chain(self, name: str, stack: list[str]) -> list[BaseEntry] | None:
        if name in self.chains:
            return self.chains[name]
        entry = self.bases[name]
        extends = entry.model.extends
        chain: list[BaseEntry] = []
        complete = True
        for index, parent in enumerate(_names(extends)):
            path = ("extends",) if isinstance(extends, str) else ("extends", index)
            self.used.add(parent)
            trail = stack + [name]
            if parent in trail:
                cycle = " -> ".join(trail[trail.index(parent):] + [parent])
                self.diagnostics.append(entry.document.diagnostic(path, f"`extends` goes round in a circle: {cycle}"))
                complete = False
            elif parent not in self.bases:
                self.diagnostics.append(entry.document.diagnostic(path, self._missing(parent, entry.document)))
                complete = False
            else:
                sub = self._chain(parent, trail)
                complete = complete and sub is not None
                chain.extend(sub or ())
        self.chains[name] = chain + [entry] if complete else None
        return self.chains[name]


def _base_file(name: str, document: Document) -> str | None:
    """How messages name bases/<name>.yaml (or .yml) when that file exists, else None.

    Only asked about a name that is not a valid base, so it costs nothing on a valid catalog.
    """
    source = document.source
    parts = PurePosixPath(name).parts
    if not parts or ".." in parts or PurePosixPath(name).is_absolute() or not source.display.endswith(source.rel):
        return None
    root = Path(str(source.path)[: len(str(source.path)) - len(source.rel)] or ".")
    shown = source.display[: len(source.display) - len(source.rel)]
    for suffix in (".yaml", ".yml"):
        try:
            found = (root / "bases" / f"{name}{suffix}").is_file()
        except OSError:  # a name the file system cannot hold (too long...): no such file
            found = False
        if found:
            return f"{shown}bases/{name}{suffix}"
    return None


def _names(extends: Any) -> list:
    if extends is None:
        return []
    return [extends] if isinstance(extends, str) else list(extends)
