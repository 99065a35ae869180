"""Dataclass ⇄ plain JSON values, driven by the type hints (no tags in the JSON).

Used for every frozen value that crosses a file boundary: live snapshots (golden cases,
`catalog live`), plans (`--out plan.json`) and reports. Fields named with a leading
underscore and fields marked `compare=False` whose default is fine are skipped.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Union, get_args, get_origin

_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, Any] = {}  # class → encoded field names (None: not a dataclass)
_UNSEEN = object()


def to_plain(value: Any) -> Any:
    """Dataclasses as objects of their fields (leading-underscore ones left out), tuples and
    lists as arrays, frozensets as sorted arrays, dict keys as strings. Field names are looked
    up once per class: plans of 10,000 creates and cold reads encode ~10⁶ values."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [to_plain(v) for v in value]
    names = _FIELDS.get(kind, _UNSEEN)
    if names is _UNSEEN:
        names = _FIELDS[kind] = (tuple(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))
                                 if dataclasses.is_dataclass(kind) else None)
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, (tuple, list)):  # a subclass (a named tuple...)
        return [to_plain(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type `tp` from `to_plain` output."""
    if tp is Any or tp is object:
        return data  # opaque JSON, kept as parsed
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        if len(args) == 1:
            return from_plain(args[0], data)
        for arg in args:  # first that fits
            try:
                return from_plain(arg, data)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"cannot decode {data!r} as {tp}")
    if origin is tuple:
        kinds = get_args(tp)
        if len(kinds) == 2 and kinds[1] is Ellipsis:
            return tuple(from_plain(kinds[0], item) for item in _seq(data, tp))
        items = _seq(data, tp)
        if len(items) != len(kinds):
            raise ValueError(f"expected {len(kinds)} items for {tp}, got {len(items)}")
        return tuple(from_plain(a, item) for a, item in zip(kinds, items, strict=True))
    if origin is frozenset:
        (arg,) = get_args(tp)
        return frozenset(from_plain(arg, item) for item in _seq(data, tp))
    if origin is dict:
        kt, vt = get_args(tp)
        return {from_plain(kt, k): from_plain(vt, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {type(data).__name__}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name.startswith("_") or f.name not in data:
                continue
            kwargs[f.name] = from_plain(hints[f.name], data[f.name])
        return tp(**kwargs)
    if tp in (str, int, float, bool):
        if tp is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    return data


def _seq(data: Any, tp: Any) -> list:
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"expected a list for {tp}, got {type(data).__name__}")
    return list(data)

