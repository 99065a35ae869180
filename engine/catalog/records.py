"""`fast_init`: a faster `__init__` for the engine's frozen, slotted dataclasses.

A frozen dataclass's generated `__init__` writes each field with `object.__setattr__`, which
looks the name up through the class for every field of every object. Loading and planning
10,000 products builds millions of these values (SKUs, references, field changes, actions),
so the constructor is a visible share of the time. `fast_init` replaces `__init__` with one of
the same signature — same parameter names, order and defaults, `default_factory` called per
object — that writes each slot through its member descriptor. Nothing else of the dataclass
changes (equality, order, hash, repr, frozenness: assignment after construction still raises).
A class the recipe does not cover (`__post_init__`, `init=False` or keyword-only fields, no
slots) keeps its own `__init__`. tests/test_records.py holds every decorated class to it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_NO_DEFAULT = object()


def fast_init(cls: type[T]) -> type[T]:
    params = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    covered = (params and "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__")
               and all(f.init and not f.kw_only for f in params))
    if not covered:
        return cls
    namespace: dict[str, Any] = {"_NO_DEFAULT": _NO_DEFAULT}
    signature, body = [], []
    for number, f in enumerate(params):
        namespace[f"_set{number}"] = cls.__dict__[f.name].__set__
        if f.default is not dataclasses.MISSING:
            namespace[f"_default{number}"] = f.default
            signature.append(f"{f.name}=_default{number}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{number}"] = f.default_factory
            signature.append(f"{f.name}=_NO_DEFAULT")
            body.append(f"    if {f.name} is _NO_DEFAULT: {f.name} = _factory{number}()")
        else:
            signature.append(f.name)
        body.append(f"    _set{number}(self, {f.name})")
    source = f"def __init__(self, {', '.join(signature)}):\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # noqa: S102 - generated from the dataclass's own fields
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.fast_init = True  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls
