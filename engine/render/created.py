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

from engine.catalog.spec import ProductAttribute, ProductSpec, Ref, SkuSpec
from engine.plan.model import FieldChange
from engine.plan.project import content_fields, image_label, ref_label, sales_labels, scalar_view
from engine.render import fmt

_SELLER_SKU = attrgetter("seller_sku")
_UNIQUE = frozenset({"title", "description", "skus", "product_attributes", "main_images"})


def created_lines(spec: ProductSpec, names: fmt.Names, indent: str = "", out: list[str] | None = None) -> list[str]:
    """The lines `change_lines` gives for each of `created_changes(spec)`, in order, each
    prefixed with `indent`, appended to `out` (a new list when None)."""
    out = [] if out is None else out
    memo = names.memo
    for name in content_fields(spec):
        value = getattr(spec, name)
        if name not in _UNIQUE:  # a field's values are of one type: no 1 == True mix-up per field
            known = memo.get((indent, name))
            if known is None:
                known = memo[(indent, name)] = {}
            lines = known.get(value)
            if lines is None:
                shown = scalar_view(name, value)
                lines = known[value] = ([indent + line for line in fmt.change_lines(FieldChange((name,), None, shown), names)]
                                        if shown is not None and shown != [] else [])
            out += lines
        elif name == "skus":
            out += [f"{indent}+ SKU {sku.seller_sku}: {sku_line(sku, names)}" for sku in sorted(value, key=_SELLER_SKU)]
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
            pairs = [_attribute(a, memo, indent) for a in value]
            if len(pairs) > 1:
                by_label = dict(pairs)  # one line per label, the last attribute's (as a dict of views keeps)
                out += [by_label[label] for label in sorted(by_label)]
            else:
                out.append(pairs[0][1])
    return out


def _attribute(attribute: ProductAttribute, memo: dict, indent: str) -> tuple[str | None, str]:
    """(label, line) of one product attribute (the same attribute recurs across a shop)."""
    known = memo.get((indent, "attribute"))
    if known is None:
        known = memo[(indent, "attribute")] = {}
    found = known.get(attribute)
    if found is None:
        label = ref_label(Ref(attribute.id, attribute.name))
        values = sorted(ref_label(v) for v in attribute.values)
        found = known[attribute] = (label, f"{indent}attribute {label}: " + (", ".join(str(v) for v in values) or "(none)"))
    return found


def sku_line(sku: SkuSpec, names: fmt.Names) -> str:
    """`fmt.sku_summary(project.sku_view(sku))` without the view; prices and warehouse stock
    texts recur across SKUs and are formatted once per render."""
    memo = names.memo
    parts = []
    if sku.price is not None:
        prices = memo.get("price")
        if prices is None:
            prices = memo["price"] = {}
        text = prices.get(sku.price)
        if text is None:
            text = prices[sku.price] = f"price {fmt.rupiah(sku.price)}"
        parts.append(text)
    inventory = sku.inventory
    if inventory:
        if len(inventory) > 1 and not (len(inventory) == 2 and inventory[0][0] < inventory[1][0]):
            inventory = tuple(sorted(dict(inventory).items()))  # as the view (a dict) shows it
        stock = memo.get("stock")
        if stock is None:
            stock = memo["stock"] = {}
        texts = []
        for pair in inventory:
            text = stock.get(pair)
            if text is None:
                text = stock[pair] = f"{names.warehouse(pair[0])} {fmt.quantity(pair[1])}"
            texts.append(text)
        parts.append("stock " + ", ".join(texts))
    if sku.sales_attributes:
        parts.append(", ".join(sales_labels(sku.sales_attributes)))
    if sku.pre_sale_days is not None:
        parts.append(f"pre-order {sku.pre_sale_days} days")
    if sku.identifier_code:
        parts.append(f"{sku.identifier_code[0]} {sku.identifier_code[1]}")
    return " · ".join(parts)
