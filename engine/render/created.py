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

import functools
from operator import attrgetter

from engine.catalog.spec import MANAGED_FIELDS, ProductAttribute, ProductSpec, Ref, SkuSpec
from engine.plan.model import FieldChange
from engine.plan.project import content_fields, image_label, ref_label, sales_labels, scalar_view
from engine.render import fmt

_SELLER_SKU = attrgetter("seller_sku")
_UNIQUE = frozenset({"title", "description", "skus", "product_attributes", "main_images"})


def created_lines(spec: ProductSpec, names: fmt.Names, indent: str = "", out: list[str] | None = None) -> list[str]:
    """The lines `change_lines` gives for each of `created_changes(spec)`, in order, each
    prefixed with `indent`, appended to `out` (a new list when None)."""
    out = [] if out is None else out
    texts = names.memo.get(indent)
    if texts is None:
        texts = names.memo[indent] = _Texts(names, indent)
    fields = texts.fields
    for name, value in zip(*_declared(spec)):
        if name not in _UNIQUE:  # a field's values are of one type: no 1 == True mix-up per field
            lines = fields[name].get(value)
            if lines is None:
                lines = texts.field(name, value)
            out += lines
        elif name == "skus":
            sku_text = texts.sku
            out += [f"{indent}+ SKU {sku.seller_sku}: {sku_text(sku)}" for sku in sorted(value, key=_SELLER_SKU)]
        elif name == "title":
            if value is not None:
                out.append(f"{indent}title: {fmt.scalar(value)}")
        elif name == "description":
            if value is not None:
                first = fmt.description_first_line(value) if value else None
                out.append(f"{indent}description: {fmt.scalar(value if first is None else first)} "
                           f"({len(value)} characters)")
        elif name == "main_images":
            if value:
                out.append(indent + "main_images: [" + ", ".join([image_label(i) for i in value]) + "]")
        elif value:  # product_attributes: one line per attribute label, sorted by label
            known = texts.attributes
            pairs = [known.get(a) or texts.attribute(a) for a in value]
            if len(pairs) > 1:
                by_label = dict(pairs)  # one line per label, the last attribute's (as a dict of views keeps)
                out += [by_label[label] for label in sorted(by_label)]
            else:
                out.append(pairs[0][1])
    return out


def _declared(spec: ProductSpec) -> tuple[tuple[str, ...], tuple]:
    """(the fields a create shows, in order; their values)."""
    names = content_fields(spec)
    return names, _getter(names)(spec)


@functools.lru_cache(maxsize=256)
def _getter(names: tuple[str, ...]):
    if not names:
        return lambda spec: ()
    one = attrgetter(*names)
    return one if len(names) > 1 else lambda spec: (one(spec),)


class _Texts:
    """What one render has formatted already, for one indent: values that recur across a
    shop's products (category, brand, weight...), attributes, prices, warehouse stock."""

    def __init__(self, names: fmt.Names, indent: str) -> None:
        self.names, self.indent = names, indent
        self.fields: dict[str, dict] = {name: {} for name in MANAGED_FIELDS}
        self.attributes: dict[ProductAttribute, tuple[str | None, str]] = {}
        self.prices: dict[str, str] = {}
        self.stock: dict[tuple[str, int], str] = {}
        self.sales: dict[int, tuple[tuple, str]] = {}  # id(sales attributes) → (them, their text)

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
        """`fmt.sku_summary(project.sku_view(sku))` without the view."""
        parts = []
        price = sku.price
        if price is not None:
            text = self.prices.get(price)
            if text is None:
                text = self.prices[price] = f"price {fmt.rupiah(price)}"
            parts.append(text)
        inventory = sku.inventory
        if inventory:
            if len(inventory) > 1 and not (len(inventory) == 2 and inventory[0][0] < inventory[1][0]):
                inventory = tuple(sorted(dict(inventory).items()))  # as the view (a dict) shows it
            stock = self.stock
            texts = [stock.get(pair) or self._stock(pair) for pair in inventory]
            parts.append("stock " + ", ".join(texts))
        attributes = sku.sales_attributes
        if attributes:
            # by identity: the loader shares one tuple per combination written (its hash is Python-level)
            known = self.sales.get(id(attributes))
            if known is None or known[0] is not attributes:
                known = self.sales[id(attributes)] = (attributes, ", ".join(sales_labels(attributes)))
            parts.append(known[1])
        if sku.pre_sale_days is not None:
            parts.append(f"pre-order {sku.pre_sale_days} days")
        if sku.identifier_code:
            parts.append(f"{sku.identifier_code[0]} {sku.identifier_code[1]}")
        return " · ".join(parts)

    def _stock(self, pair: tuple[str, int]) -> str:
        self.stock[pair] = text = f"{self.names.warehouse(pair[0])} {fmt.quantity(pair[1])}"
        return text
