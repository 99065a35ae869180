"""`fast_init`: a faster `__init__` for the engine's frozen, slotted dataclasses.

A frozen dataclass's generated `__init__` writes each field with `object.__setattr__`, which
looks the name up through the class for every field of every object. Loading and planning
10,000 products builds millions of these values (SKUs, references, field changes, actions),
so the constructor is a visible share of the time. `fast_init` replaces `__init__` with one of
the same signature — same parameter names, order and defaults, `default_factory` called per
object — that turns the object into a plain twin class with the same slots, stores each field
(a plain slot store, which the interpreter specialises) and turns it back by `__class__`
assignment, which Python allows between classes of the same layout. Nothing else of the dataclass
changes (equality, order, hash, repr, frozenness: assignment after construction still raises).
A class the recipe does not cover (`__post_init__`, `init=False` or keyword-only fields, no
slots) keeps its own `__init__`. tests/test_records.py holds every decorated class to it.

Cheaper still where the loader builds tens of thousands of values: `maker` (positional),
`from_fields` (from a dict) and `assembler` (one generated function per combination of
fields) fill a plain twin class with the same slots — plain attribute stores, which the
interpreter specialises — and turn it into the dataclass by `__class__` assignment.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_NO_DEFAULT = object()
TWIN_FROM = 6  # fields from which __init__ goes through the twin (measured: break-even at ~5)


def _covered(cls: type) -> tuple[dataclasses.Field, ...]:
    """The dataclass's fields when the recipe covers it, else ()."""
    params = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    if params and "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__") \
            and all(f.init and not f.kw_only for f in params):
        return params
    return ()


def _namespace(cls: type, **extra: Any) -> dict[str, Any]:
    """What generated code refers to: the class, its twin, each field's default or factory."""
    namespace: dict[str, Any] = {"_NO_DEFAULT": _NO_DEFAULT, "_cls": cls, "_twin": _twin(cls), **extra}
    for number, f in enumerate(dataclasses.fields(cls)):
        if f.default is not dataclasses.MISSING:
            namespace[f"_default{number}"] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{number}"] = f.default_factory
    return namespace


def _generate(cls: type, name: str, signature: str, value_of) -> Any:
    """`def __init__(<signature>)` for `cls`: the object becomes its plain twin (see _twin) for
    the stores — one specialised slot store per field instead of a slot-descriptor call, ~40 %
    of the constructor for an Action's 17 fields — and turns back into a `cls`. An object of a
    subclass (another layout) is written through the member descriptors instead.
    `value_of(number, field)` gives the expression of each field's value."""
    fields = dataclasses.fields(cls)
    namespace = _namespace(cls, _set_class=object.__setattr__,
                           **{f"_set{number}": cls.__dict__[f.name].__set__ for number, f in enumerate(fields)})
    by_descriptor = [f"_set{number}(self, {value_of(number, f)})" for number, f in enumerate(fields)]
    body = [f"def {name}({signature}):"]
    if len(fields) < TWIN_FROM:  # two class switches cost more than a few descriptor calls
        body += [f"    {line}" for line in by_descriptor]
    else:
        body += ["    if type(self) is _cls:", "        _set_class(self, '__class__', _twin)",
                 *(f"        self.{f.name} = {value_of(number, f)}" for number, f in enumerate(fields)),
                 "        self.__class__ = _cls", "    else:", *(f"        {line}" for line in by_descriptor)]
    exec("\n".join(body) + "\n", namespace)  # noqa: S102 - generated from the dataclass's own fields
    return namespace[name]


def _twin(cls: type) -> type:
    """A plain class with the same slots as `cls`: its objects take attribute stores at the
    interpreter's cheapest (a specialised slot store, no descriptor call) and then become a
    `cls` by `__class__` assignment, which Python allows between classes of the same layout."""
    twin = _TWINS.get(cls)
    if twin is None:
        twin = _TWINS[cls] = type(f"_{cls.__name__}Builder", (object,), {"__slots__": cls.__slots__})
    return twin


_TWINS: dict[type, type] = {}


def _generate_built(cls: type, signature: str, value_of, extra: dict[str, Any] | None = None) -> Any:
    """`def make(<signature>)` filling a twin (see _twin) and turning it into a `cls`."""
    namespace = _namespace(cls, **(extra or {}))
    body = ["def make(" + signature + "):", "    self = _twin()"]
    body += [f"    self.{f.name} = {value_of(number, f)}" for number, f in enumerate(dataclasses.fields(cls))]
    body += ["    self.__class__ = _cls", "    return self"]
    exec("\n".join(body) + "\n", namespace)  # noqa: S102 - generated from the dataclass's own fields
    return namespace["make"]


def _positional(params: tuple[dataclasses.Field, ...]) -> tuple[list[str], Any]:
    """The constructor's parameters (same names, order and defaults; a factory called per
    object) and `value_of` for them: what `fast_init` and `maker` both generate."""
    signature = [f"{f.name}=_default{n}" if f.default is not dataclasses.MISSING
                 else f"{f.name}=_NO_DEFAULT" if f.default_factory is not dataclasses.MISSING else f.name
                 for n, f in enumerate(params)]

    def value_of(number: int, f: dataclasses.Field) -> str:
        if f.default_factory is not dataclasses.MISSING:
            return f"_factory{number}() if {f.name} is _NO_DEFAULT else {f.name}"
        return f.name

    return signature, value_of


def fast_init(cls: type[T]) -> type[T]:
    params = _covered(cls)
    if not params:
        return cls
    signature, value_of = _positional(params)
    init = _generate(cls, "__init__", ", ".join(["self", *signature]), value_of)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.fast_init = True  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls


def from_fields(cls: type[T], *given: str) -> Any:
    """`make(*given, fields)`: an instance of `cls` with the `given` fields passed as arguments
    and the others taken from the `fields` dict (their defaults when absent) — the loader's
    fast path builds a spec from a dict of 16 fields, which keyword arguments would unpack
    and check again. Falls back to `cls(**)` for a class the recipe does not cover."""
    if not _covered(cls):
        return lambda *args: cls(**dict(zip(given, args)), **args[-1])

    def value_of(number: int, f: dataclasses.Field) -> str:
        if f.name in given:
            return f.name
        if f.default is not dataclasses.MISSING:
            return f"fields.get({f.name!r}, _default{number})"
        if f.default_factory is not dataclasses.MISSING:
            return f"fields[{f.name!r}] if {f.name!r} in fields else _factory{number}()"
        return f"fields[{f.name!r}]"

    return _generate_built(cls, ", ".join([*given, "fields"]), value_of)


def maker(cls: type[T]) -> Any:
    """`make(*values)`: the constructor's positional form (same parameters, same defaults) for
    the hottest values of a big load (30,000 SKUs): about half the cost of calling the class.
    The class itself when the recipe does not cover it."""
    params = _covered(cls)
    if not params:
        return cls
    signature, value_of = _positional(params)
    return _generate_built(cls, ", ".join(signature), value_of)


def assembler(cls: type[T], given: tuple[str, ...], computed: dict[str, Any], fixed: dict[str, Any]) -> Any:
    """`make(*given, values)`: a `cls` whose `computed` fields are `computed[name](values[name],
    values)` (in field order), `given` fields the arguments, `fixed` fields the values given
    here (the same for every object), every other field its default.
    The fast path makes one per combination of declared fields (a catalog has a handful), so a
    product costs its handler calls and slot stores: no dict of fields, no lookups by name.
    None when the recipe does not cover `cls`."""
    if not _covered(cls):
        return None
    handlers = {f"_handle{number}": handler for number, handler in enumerate(computed.values())}
    handlers.update({f"_fixed_{name}": value for name, value in fixed.items()})
    number_of = {name: number for number, name in enumerate(computed)}

    def value_of(number: int, f: dataclasses.Field) -> str:
        if f.name in given:
            return f.name
        if f.name in number_of:
            return f"_handle{number_of[f.name]}(values[{f.name!r}], values)"
        if f.name in fixed:
            return f"_fixed_{f.name}"
        if f.default is not dataclasses.MISSING:
            return f"_default{number}"
        return f"_factory{number}()"

    return _generate_built(cls, ", ".join([*given, "values"]), value_of, handlers)
