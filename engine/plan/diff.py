"""Field changes between two views.

`field_changes(old, new)` compares the plain views of `engine.plan.compare` (dicts, lists,
scalars) for the fields whose values differ and returns `FieldChange`s in display order. Paths
follow the natural keys of the views — `("skus", "BATIK-M", "price")`,
`("skus", "BATIK-M", "inventory", "<warehouse id>")`, `("product_attributes", "Bahan")` — and
stop at lists: a list (images, attribute values, sales attributes) changes as a whole, because
that is how the API replaces it. (What a create sends: `compare.created_changes`.)

Departure from the first design (deepdiff here): deepdiff costs about 1 ms per changed product
even on trimmed views (1,000 changed products ≈ 1 s, twice a yaml-rs parse of 10,000
products), while views are plain JSON values whose diff is a dozen lines. tests/test_plan_diff.py
keeps deepdiff as the oracle: both give the same changes for generated views.
"""

from __future__ import annotations

from engine.catalog.spec import MANAGED_FIELDS
from engine.plan.model import FieldChange

_MISSING = object()
_ORDER = {name: index for index, name in enumerate(MANAGED_FIELDS)}


def change_order(change: FieldChange) -> tuple:
    """Display order: fields as ProductSpec lists them (title first, SKUs last), then the path."""
    return (_ORDER.get(change.path[0], len(_ORDER)), change.path)


def _changed(old: dict, new: dict) -> list[str]:
    return [name for name, value in new.items() if old.get(name, _MISSING) != value]


def field_changes(old: dict, new: dict) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    for name in _changed(old, new):
        _diff(old.get(name, _MISSING), new[name], (name,), changes)
    return tuple(sorted(changes, key=change_order))


def _same(a: object, b: object) -> bool:
    """Equal and of the same types all the way down (True == 1 in Python, not in a view)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _diff(old: object, new: object, path: tuple[str, ...], out: list[FieldChange]) -> None:
    if old == new and _same(old, new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() | new.keys():
            _diff(old.get(key, _MISSING), new.get(key, _MISSING), path + (key,), out)
        return
    old = None if old is _MISSING else old
    new = None if new is _MISSING else new
    if old is not None or new is not None:
        out.append(FieldChange(path, old, new))
