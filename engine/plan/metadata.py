"""The catalog against the shop's reference data, before anything is sent (issue 18).

    issues, failed = metadata_issues(catalog, metadata, keys=("batik-parang",), creates={"batik-parang"})

make_plan runs it for the products it plans: those in `failed` get no actions (like an identity
conflict), and the issues are the plan's errors.

Pure: a function of the catalog and the shop metadata the reader fetched for it (categories
per platform, attributes of each leaf category the catalog uses, the brands the shop can use).
Every problem of every product is reported at once, each at the file:line:column where the
catalog writes the value (Catalog.locate: a base or shop.yaml defaults when inherited):

    unknown category         not in the shop's category tree on any platform
    not a leaf category      products go in a leaf; a few leaves under it are named
    unknown brand            not a brand this shop can use (Get Brands); did-you-mean
    unknown attribute        not a product attribute of the category; did-you-mean, or "it is a
                             sales attribute" for one that belongs on the SKUs
    unknown value            a value the attribute does not offer, when it takes no custom values
    one value only           several values for an attribute that takes one
    missing required         a required attribute the product does not give — when the catalog
                             owns the product's attributes (it writes `product_attributes`) or the
                             product is created (the platform refuses it: 12052104)

What the platform would otherwise do: refuse the create (12052023-12052025 category, 12052104
required attribute) or silently reset the value (brand to "No Brand", an attribute value; API.md
§3). A product with an error is left out of the plan (nothing is written for it) and the plan
has errors (`catalog plan` exits 1) — before Check Product Listing (`--check`) is asked anything.
Products with `status: deleted` are not checked (nothing is sent for them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.spec import ProductAttribute, ProductSpec, Ref
from engine.plan.context import context_for
from engine.plan.live import AttributeDef, LiveSnapshot, ShopMetadata
from engine.plan.model import PlanIssue
from engine.plan.payload import Known

SALES = "SALES_PROPERTY"
Where = Callable[[ProductSpec, tuple], str]


def metadata_issues(catalog: Any, metadata: ShopMetadata | None, *, keys: Iterable[str] | None = None,
                    creates: Collection[str] = ()) -> tuple[list[PlanIssue], set[str]]:
    """(every metadata problem of the catalog's products — only `keys`, when given — sorted, and
    the keys of the products that have one). A problem written once in a shared file (a base,
    shop.yaml defaults) is one issue naming the products that inherit it."""
    if metadata is None:
        return [], set()
    ctx = context_for(catalog, LiveSnapshot(metadata=metadata), None)
    wanted = None if keys is None else set(keys)
    known = Known(metadata)
    found: dict[tuple[str, str, str], list[str]] = {}  # (where, code, message) -> keys
    for spec in catalog.products:
        if (wanted is None or spec.key in wanted) and spec.status != "deleted":
            for where, code, message in _ProductCheck(spec, known, ctx.where, spec.key in creates).issues():
                found.setdefault((where, code, message), []).append(spec.key)
    issues = [PlanIssue("error", keys_[0], code, f"{where}: {_whose(keys_)}{message}")
              for (where, code, message), keys_ in found.items()]
    return sorted(issues), {key for keys_ in found.values() for key in keys_}


def _whose(keys: list[str]) -> str:
    if len(keys) == 1:
        return f"{keys[0]}: "
    shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
    return f"{shown} (inherited): "


class _ProductCheck:
    def __init__(self, spec: ProductSpec, known: Known, where: Where, created: bool) -> None:
        self.spec, self.known, self.where, self.created = spec, known, where, created
        self.found: list[tuple[str, str, str]] = []  # (file:line:column, code, message)

    def issues(self) -> list[tuple[str, str, str]]:
        declared = self.spec.declared
        leaf = self._category() if "category_id" in declared else None
        if "brand" in declared and self.spec.brand is not None:
            self._brand(self.spec.brand)
        if leaf is not None and ("product_attributes" in declared or self.created):
            self._attributes(leaf, "product_attributes" in declared)
        return self.found

    def error(self, code: str, path: tuple, message: str) -> None:
        self.found.append((self.where(self.spec, path), code, message))

    # ------------------------------------------------------------------ category
    def _category(self) -> str | None:
        """The leaf category id to check attributes against, or None (an error, or unknown)."""
        cid = self.spec.category_id
        if cid is None:
            return None
        info = self.known.category(cid)
        if info is None:
            self.error("unknown_category", ("category_id",), (
                f"category {cid} is not in the shop's category tree (on Shop | Tokopedia or Tokopedia): "
                "`catalog categories DIR --search WORD` lists the leaf categories"))
            return None
        if not info.is_leaf:
            name = f" ({info.name})" if info.name else ""
            self.error("category_not_leaf", ("category_id",), (
                f"category {cid}{name} is not a leaf category: a product goes in a leaf category under it, "
                f"e.g. {leaf_examples(info.leaves)}"))
            return None
        return cid if cid in self.known.attributes else None  # attributes read for it (else unknown)

    # ------------------------------------------------------------------ brand
    def _brand(self, brand: Ref) -> None:
        if self.known.brands.get(brand) is not None:
            return
        names = sorted(self.known.brands.by_name)
        if brand.id is not None:
            what = f"brand id {brand.id}"
        else:
            what = f"brand {brand.name!r}"
        self.error("unknown_brand", ("brand",), (
            f"{what} is not one of the brands this shop can use{did_you_mean(brand.name, names)}: "
            "`catalog brands DIR` lists them"))

    # ------------------------------------------------------------------ attributes
    def _attributes(self, category_id: str, declared: bool) -> None:
        definitions: tuple[AttributeDef, ...] = tuple(self.known.attributes.get(category_id, ()))
        product = [d for d in definitions if d.type != SALES]
        given = self.spec.product_attributes if declared else ()
        matched: set[str | None] = set()
        for attr in given:
            definition = _find(attr, product)
            if definition is None:
                self._unknown_attribute(attr, product, definitions, category_id)
                continue
            matched.add(definition.id)
            self._values(attr, definition)
        for definition in product:
            if definition.required and definition.id not in matched:
                self._missing(definition, category_id, declared)

    def _unknown_attribute(self, attr: ProductAttribute, product: list[AttributeDef],
                           definitions: tuple[AttributeDef, ...], category_id: str) -> None:
        label = _label(attr)
        sales = next((d for d in definitions if d.type == SALES and _find(attr, [d]) is not None), None)
        if sales is not None:
            hint = f": {sales.name} is a sales attribute — give it per SKU in `sales_attributes`"
        else:
            names = [d.name for d in product if d.name]
            hint = did_you_mean(attr.name, names) + (f"; the category's attributes: {', '.join(names)}" if names
                                                     else "; the category has no product attributes")
        self.error("unknown_attribute", ("product_attributes", attr.name or attr.id or ""),
                   f"{label} is not a product attribute of category {category_id}{hint}")

    def _values(self, attr: ProductAttribute, definition: AttributeDef) -> None:
        path = ("product_attributes", attr.name or attr.id or "")
        offered = [v.name for v in definition.values if v.name]
        for value in attr.values:
            if _offered(value, definition):
                continue
            if value.id is None and definition.customizable:
                continue  # a custom value, by name
            text = repr(value.name) if value.id is None else f"id {value.id}"
            custom = "" if definition.customizable else "; it takes no other value"
            self.error("unknown_attribute_value", path, (
                f"{definition.name}: {text} is not a value the shop offers{did_you_mean(value.name, offered)}"
                f"{custom} — values: {', '.join(offered) or '(none)'}"))
        if len(attr.values) > 1 and not definition.multiple:
            self.error("attribute_one_value", path, f"{definition.name} takes one value, not {len(attr.values)}")

    def _missing(self, definition: AttributeDef, category_id: str, declared: bool) -> None:
        offered = ", ".join(v.name for v in definition.values[:8] if v.name)
        values = f" (values: {offered}{', …' if len(definition.values) > 8 else ''})" if offered else ""
        path = ("product_attributes",) if declared else ("category_id",)
        self.error("missing_attribute", path, (
            f"category {category_id} requires the attribute {definition.name}{values}: add it to "
            "product_attributes (the platform refuses the product without it, 12052104)"))


def _find(attr: ProductAttribute, definitions: Iterable[AttributeDef]) -> AttributeDef | None:
    for definition in definitions:
        if (attr.id is not None and definition.id == attr.id) or (attr.id is None and definition.name == attr.name):
            return definition
    return None


def _offered(value: Ref, definition: AttributeDef) -> bool:
    if value.id is not None:
        return any(v.id == value.id for v in definition.values)
    name = (value.name or "").casefold()
    return any((v.name or "").casefold() == name for v in definition.values)


def _label(attr: ProductAttribute) -> str:
    return f"attribute {attr.name!r}" if attr.name else f"attribute id {attr.id}"


def leaf_examples(leaves: tuple[Ref, ...]) -> str:
    """'600010 (Kemeja Batik), 600011 (Kaos), … (`catalog categories DIR` lists them all)'."""
    if not leaves:
        return "one that `catalog categories DIR` lists"
    return ", ".join(f"{ref.id} ({ref.name})" for ref in leaves) + ", … (`catalog categories DIR` lists them all)"
