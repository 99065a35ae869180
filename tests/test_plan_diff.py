"""engine.plan.diff: the view diff, with deepdiff as the oracle."""

from __future__ import annotations

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.plan.diff import added_changes, change_order, field_changes
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


def test_added_changes_list_every_key_of_dict_fields():
    assert added_changes({"title": "T", "skus": {"A": {"price": "1"}}, "main_images": []}) == (
        FieldChange(("title",), None, "T"), FieldChange(("skus", "A"), None, {"price": "1"}))
