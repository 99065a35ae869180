"""Field changes between two views (the only module that imports deepdiff).

`field_changes(old, new)` compares the plain views of `engine.plan.project` for the fields
whose values differ and returns sorted `FieldChange`s. Paths follow the natural keys of the
views — `("skus", "BATIK-M", "price")`, `("skus", "BATIK-M", "inventory", "<warehouse id>")`,
`("product_attributes", "Bahan")` — and stop at the first list: a list (images, attribute
values, sales attributes) changes as a whole, because that is how the API replaces it.
`added_changes(new)` lists what a create sends, without deepdiff (nothing to compare with).
"""

from __future__ import annotations

from deepdiff import DeepDiff

from engine.catalog.spec import MANAGED_FIELDS
from engine.plan.model import FieldChange

_MISSING = object()
_ORDER = {name: index for index, name in enumerate(MANAGED_FIELDS)}


def change_order(change: FieldChange) -> tuple:
    """Display order: fields as ProductSpec lists them (title first, SKUs last), then the path."""
    return (_ORDER.get(change.path[0], len(_ORDER)), change.path)


def changed_fields(old: dict, new: dict) -> list[str]:
    """Top-level view fields whose values differ (the cheap check before deepdiff)."""
    return [name for name, value in new.items() if old.get(name, _MISSING) != value]


def field_changes(old: dict, new: dict) -> tuple[FieldChange, ...]:
    names = changed_fields(old, new)
    if not names:
        return ()
    left = {n: old.get(n) for n in names}
    right = {n: new[n] for n in names}
    paths: set[tuple[str, ...]] = set()
    for levels in DeepDiff(left, right, view="tree", verbose_level=2).values():
        for level in levels:
            paths.add(_truncate(level.path(output_format="list")))
    changes = [FieldChange(path, _walk(left, path), _walk(right, path)) for path in paths]
    return tuple(sorted(changes, key=change_order))


def added_changes(new: dict) -> tuple[FieldChange, ...]:
    changes = []
    for name, value in new.items():
        if isinstance(value, dict):
            changes.extend(FieldChange((name, key), None, item) for key, item in value.items())
        elif value is not None and value != []:
            changes.append(FieldChange((name,), None, value))
    return tuple(sorted(changes, key=change_order))


def _truncate(path: list) -> tuple[str, ...]:
    out = []
    for part in path:
        if not isinstance(part, str):
            break
        out.append(part)
    return tuple(out)


def _walk(view: dict, path: tuple[str, ...]) -> object:
    value: object = view
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
