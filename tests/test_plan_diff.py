"""engine.plan.diff: the view diff, with deepdiff as the oracle."""

from __future__ import annotations

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.plan.diff import change_order, field_changes
from engine.plan.model import FieldChange

FIELDS = ["title", "description", "brand", "main_images", "product_attributes", "skus"]


def deepdiff_changes(old: dict, new: dict) -> tuple[FieldChange, ...]:
    """The reference: deepdiff's tree, paths cut at the first list index, values looked up."""
    names = [n for n, v in new.items() if old.get(n, ...) != v]
    left, right = {n: old.get(n) for n in names}, {n: new[n] for n in names}
    paths = set()
    for levels in DeepDiff(left, right, view="tree", threshold_to_diff_deeper=0).values():
        for level in levels:
            path = []
            for part in level.path(output_format="list"):
                if not isinstance(part, str):
                    break
                path.append(part)
            paths.add(tuple(path))

    def walk(view, path):
        for part in path:
            if not isinstance(view, dict) or part not in view:
                return None
            view = view[part]
        return view

    changes = [FieldChange(p, walk(left, p), walk(right, p)) for p in paths]
    return tuple(sorted((c for c in changes if c.old is not None or c.new is not None), key=change_order))


# Like real views: a field may be None; inside dicts (SKUs, inventory, attributes) values never are.
scalars = st.one_of(st.booleans(), st.integers(0, 5), st.sampled_from(["Katun", "Sutra", "150000"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)), max_leaves=8)
views = st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.none(), values), max_size=4)


@settings(max_examples=150, deadline=None)
@given(views, views)
def test_field_changes_match_deepdiff(old, new):
    new = {**{k: v for k, v in old.items() if k not in new}, **new}  # same fields, as views have
    assert field_changes(old, new) == deepdiff_changes(old, new)


def test_paths_follow_natural_keys_and_lists_change_whole():
    old = {"skus": {"B-M": {"price": "150000", "inventory": {"w1": 10}}}, "main_images": ["a", "b"]}
    new = {"skus": {"B-M": {"price": "135000", "inventory": {"w1": 10, "w2": 1}}}, "main_images": ["a", "c"]}
    assert field_changes(old, new) == (
        FieldChange(("main_images",), ["a", "b"], ["a", "c"]),
        FieldChange(("skus", "B-M", "inventory", "w2"), None, 1),
        FieldChange(("skus", "B-M", "price"), "150000", "135000"),
    )


def _added(view: dict) -> tuple[FieldChange, ...]:
    """Reference: every key of the dict fields, every other non-empty field, in display order."""
    out = []
    for name in sorted(view, key=lambda n: change_order(FieldChange((n,)))):
        value = view[name]
        if isinstance(value, dict):
            out += [FieldChange((name, key), None, value[key]) for key in sorted(value)]
        elif value is not None and value != []:
            out.append(FieldChange((name,), None, value))
    return tuple(out)


def test_a_create_shows_every_declared_value_as_added():
    from test_plan_builders import sku, spec

    from engine.catalog.spec import ImageRef, ProductAttribute, Ref
    from engine.plan.compare import created_changes, desired_view

    products = [spec(), spec("kopi", declared={"title", "skus", "main_images"}, main_images=()),
                spec(skus=(sku("Z-1", "1", 1, "XL"), sku("A-1", "2", 2, "S")), brand=None, description=None,
                     main_images=(ImageRef(path="images/a.png", sha256="ab"), ImageRef(uri="tos-1")),
                     product_attributes=(ProductAttribute("7", None, (Ref("9"),)),
                                         ProductAttribute(None, "Bahan", ())))]
    for product in products:
        assert created_changes(product) == _added(desired_view(product)) != ()
    assert created_changes(products[1])[0] == FieldChange(("title",), None, products[1].title)


def test_a_value_that_changes_type_only_is_a_change():
    """True == 1 in Python; a view that goes from true to 1 has changed (as deepdiff sees it)."""
    from engine.plan.diff import field_changes
    from engine.plan.model import FieldChange

    old = {"product_attributes": {"a": True, "c": [1]}}
    new = {"product_attributes": {"a": 1, "b": [], "c": [True]}}
    assert field_changes(old, new) == (
        FieldChange(("product_attributes", "a"), True, 1),
        FieldChange(("product_attributes", "b"), None, []),
        FieldChange(("product_attributes", "c"), [1], [True]),
    )
