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
from collections.abc import Callable
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


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type `tp` from `to_plain` output."""
    return _decoder(tp)(data)


Decode = Callable[[Any], Any]


@functools.cache
def _decoder(tp: Any) -> Decode:
    """The decoding function of one type, built once from its type hints (the set of types is
    the engine's own, fixed): a warm read decodes ~10⁶ values of a dozen types, so nothing is
    inspected per value. Rules: dataclasses from objects of their fields (fields left out keep
    their defaults, unknown keys are ignored), tuples / frozensets / dicts item by item, a
    union tries its members in order, int is not bool, float accepts int; `Any` and unknown
    types pass through as parsed. A value that is decoded already — a dataclass instance of
    the type, a tuple, a frozenset (JSON parsers make neither) — is kept as it is, so a caller
    may decode parts of a value itself (the read cache decodes repeated parts once)."""
    if tp is Any or tp is object:
        return _as_is  # opaque JSON, kept as parsed
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return _union([a for a in get_args(tp) if a is not type(None)], tp)
    if origin is tuple:
        return _tuple(get_args(tp), tp)
    if origin is frozenset:
        item = _decoder(get_args(tp)[0])
        return lambda data: data if type(data) is frozenset else frozenset([item(v) for v in _seq(data, tp)])
    if origin is dict:
        key, value = map(_decoder, get_args(tp))
        return lambda data: {key(k): value(v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    if tp in (str, int, float, bool):
        return _scalar(tp)
    return _as_is


def _as_is(data: Any) -> Any:
    return data


def _union(args: list, tp: Any) -> Decode:
    if len(args) == 1:
        inner = _decoder(args[0])
        return lambda data: None if data is None else inner(data)
    members = [_decoder(a) for a in args]

    def first_that_fits(data: Any) -> Any:
        if data is None:
            return None
        for member in members:
            try:
                return member(data)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"cannot decode {data!r} as {tp}")
    return first_that_fits


_EXACT = (str, int)  # scalars whose JSON form is the value itself (bool is not an int here, float takes int)


def _tuple(args: tuple, tp: Any) -> Decode:
    """Tuples item by item; a list of exactly the scalar types asked for is taken as it is (most
    tuples in a snapshot are ids, names and (warehouse, quantity) pairs)."""
    if len(args) == 2 and args[1] is Ellipsis:
        kind, item = args[0], _decoder(args[0])

        def variadic(data: Any) -> tuple:
            if type(data) is tuple:
                return data
            if kind in _EXACT and type(data) is list and all(type(v) is kind for v in data):
                return tuple(data)
            return tuple([item(v) for v in _seq(data, tp)])
        return variadic
    parts = [_decoder(a) for a in args]
    kinds = args if all(a in _EXACT for a in args) else None

    def fixed(data: Any) -> tuple:
        if type(data) is tuple:
            return data
        if kinds is not None and type(data) is list and tuple(map(type, data)) == kinds:
            return tuple(data)
        items = _seq(data, tp)
        if len(items) != len(parts):
            raise ValueError(f"expected {len(parts)} items for {tp}, got {len(items)}")
        return tuple([part(v) for part, v in zip(parts, items, strict=True)])
    return fixed


def _dataclass(tp: type) -> Decode:
    hints = typing.get_type_hints(tp)
    every = dataclasses.fields(tp)
    fields = [(f.name, _decoder(hints[f.name])) for f in every if not f.name.startswith("_")]
    positional = len(fields) == len(every) and all(f.init for f in every)

    def build(data: Any) -> Any:
        if type(data) is tp:
            return data
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {type(data).__name__}")
        if positional and len(data) == len(fields):  # every field written: what to_plain writes
            try:
                return tp(*[decode(data[name]) for name, decode in fields])
            except KeyError:
                pass  # the same number of keys, but not these: by name below
        return tp(**{name: decode(data[name]) for name, decode in fields if name in data})
    return build


def _scalar(tp: type) -> Decode:
    def check(data: Any) -> Any:
        if type(data) is tp:
            return data
        if tp is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    return check


def _seq(data: Any, tp: Any) -> list | tuple:
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"expected a list for {tp}, got {type(data).__name__}")
    return data
