"""A create's display lines, straight from its desired spec.

What a create sends is shown as field changes from nothing (`project.created_changes`), one
line each through `fmt.change_lines`. A plan of 10,000 creates is ~170,000 such lines; building
the FieldChanges and their SKU views first only to format them doubled the cost of planning and
printing. `created_lines` formats the same lines from the spec in one pass — the same helpers,
the same order — and a field whose value recurs across a shop (category, brand, weight,
insurance...) is formatted once per render. tests/test_render_created.py holds it to
`change_lines` over `created_changes` for generated products.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from engine.catalog.spec import MANAGED_FIELDS, ProductAttribute, ProductSpec, Ref, SkuSpec
from engine.plan.images import image_label
from engine.plan.model import FieldChange
from engine.plan.project import ref_label, sales_labels, scalar_view, sku_view
from engine.render import fmt

_SELLER_SKU = attrgetter("seller_sku")


def created_lines(spec: ProductSpec, names: fmt.Names, indent: str = "", out: list[str] | None = None) -> list[str]:
    """The lines `change_lines` gives for each of `created_changes(spec)`, in order, each
    prefixed with `indent`, appended to `out` (a new list when None)."""
    out = [] if out is None else out
    texts = names.memo.get(indent)
    if texts is None:
        texts = names.memo[indent] = _Texts(names, indent)
    declared = spec.declared
    if "title" in declared and spec.title is not None:
        out.append(f"{indent}title: {fmt.scalar(spec.title)}")
    value = spec.description
    if "description" in declared and value is not None:
        first = fmt.description_first_line(value) if value else None
        out.append(f"{indent}description: {fmt.scalar(value if first is None else first)} ({len(value)} characters)")
    texts.recurring(spec, declared, _RECURRING_FIRST, out)
    shared = texts.shared
    if "brand" in declared:
        value = spec.brand
        known = shared.get(id(value))
        out += known[1] if known is not None and known[0] is value else texts.share(value, texts.field("brand", value))
    if "main_images" in declared and spec.main_images:
        out.append(indent + "main_images: [" + ", ".join([image_label(i) for i in spec.main_images]) + "]")
    value = spec.product_attributes
    if "product_attributes" in declared and value:
        known = shared.get(id(value))
        out += known[1] if known is not None and known[0] is value else texts.share(value, texts.attribute_lines(value))
    texts.recurring(spec, declared, _RECURRING_THEN, out)
    if "skus" in declared:
        sku_text = texts.sku
        out += [f"{indent}+ SKU {sku.seller_sku}: {sku_text(sku)}" for sku in sorted(spec.skus, key=_SELLER_SKU)]
    return out


# The fields shown in MANAGED_FIELDS order, as created_lines writes them (tests hold it to content_fields):
# title, description, _RECURRING_FIRST, brand, main_images, product_attributes, _RECURRING_THEN, skus.
_RECURRING_FIRST = ("category_id",)
_RECURRING_THEN = ("package_weight", "package_dimensions", "shipping_insurance_requirement", "is_pre_owned",
                   "minimum_order_quantity", "is_cod_allowed", "delivery_option_ids")
ORDER = ("title", "description", *_RECURRING_FIRST, "brand", "main_images", "product_attributes", *_RECURRING_THEN,
         "skus")


class _Texts:
    """What one render has formatted already, for one indent: values that recur across a
    shop's products (category, brand, weight...), attributes, prices, warehouse stock."""

    def __init__(self, names: fmt.Names, indent: str) -> None:
        self.names, self.indent = names, indent
        self.fields: dict[str, dict] = {name: {} for name in MANAGED_FIELDS}
        self.attributes: dict[ProductAttribute, tuple[str | None, str]] = {}
        self.prices: dict[str, str] = {}
        self.stock: dict[tuple[str, int], str] = {}
        # id(value) → (value, its text) for values the loader shares between products (a brand, a
        # set of product attributes, a SKU's sales attributes): found by identity, no hashing (a
        # dataclass hashes in Python code); an entry holds its value, so the id cannot be reused
        self.shared: dict[int, tuple[object, Any]] = {}

    def share(self, value: object, text: Any) -> Any:
        self.shared[id(value)] = (value, text)
        return text

    def attribute_lines(self, attributes: tuple[ProductAttribute, ...]) -> list[str]:
        """One line per attribute label, sorted by label."""
        known = self.attributes
        pairs = [known.get(a) or self.attribute(a) for a in attributes]
        if len(pairs) == 1:
            return [pairs[0][1]]
        by_label = dict(pairs)  # one line per label, the last attribute's (as a dict of views keeps)
        return [by_label[label] for label in sorted(by_label)]

    def recurring(self, spec: ProductSpec, declared: frozenset[str], names: tuple[str, ...], out: list[str]) -> None:
        """The lines of fields whose values recur across a shop, each value formatted once
        (a field's values are of one type: no 1 == True mix-up within one)."""
        fields = self.fields
        for name in names:
            if name in declared:
                value = getattr(spec, name)
                lines = fields[name].get(value)
                out += self.field(name, value) if lines is None else lines

    def field(self, name: str, value: object) -> list[str]:
        shown = scalar_view(name, value)
        lines = fmt.change_lines(FieldChange((name,), None, shown), self.names) \
            if shown is not None and shown != [] else []
        self.fields[name][value] = lines = [self.indent + line for line in lines]
        return lines

    def attribute(self, attribute: ProductAttribute) -> tuple[str | None, str]:
        """(label, line) of one product attribute."""
        label = ref_label(Ref(attribute.id, attribute.name))
        values = sorted(ref_label(v) for v in attribute.values)
        line = f"{self.indent}attribute {label}: " + (", ".join(str(v) for v in values) or "(none)")
        self.attributes[attribute] = found = (label, line)
        return found

    def sku(self, sku: SkuSpec) -> str:
        """`fmt.sku_summary(project.sku_view(sku))`; the usual shape without building the view."""
        price, inventory, attributes = sku.price, sku.inventory, sku.sales_attributes
        if price is not None and attributes and len(inventory) == 2 and inventory[0][0] < inventory[1][0] \
                and sku.pre_sale_days is None and not sku.identifier_code:  # the usual shape, in one string
            stock = self.stock
            first, second = inventory
            return (f"{self.prices.get(price) or self._price(price)} · stock {stock.get(first) or self._stock(first)}, "
                    f"{stock.get(second) or self._stock(second)} · {self._sales(attributes)}")
        return fmt.sku_summary(sku_view(sku), self.names)  # any other shape: through the view

    def _price(self, price: str) -> str:
        self.prices[price] = text = f"price {fmt.rupiah(price)}"
        return text

    def _sales(self, attributes: tuple) -> str:
        known = self.shared.get(id(attributes))
        if known is None or known[0] is not attributes:
            return self.share(attributes, ", ".join(sales_labels(attributes)))
        return known[1]

    def _stock(self, pair: tuple[str, int]) -> str:
        self.stock[pair] = text = f"{self.names.warehouse(pair[0])} {fmt.quantity(pair[1])}"
        return text
