"""Turning pydantic's validation errors into seller-worded messages with a did-you-mean.

pydantic checks the shape of each YAML document (models.py); this module rewrites its
errors: union branch tags are dropped from paths, unknown keys get the closest known key,
enum values the closest allowed value, credential-looking keys a pointer to the environment
variable to use instead. Messages never echo the value of a credential-looking key.
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from engine.catalog.limits import literal, written

CREDENTIAL_ENV = {
    "app_key": "TTS_APP_KEY",
    "app_secret": "TTS_APP_SECRET",
    "access_token": "TTS_ACCESS_TOKEN",
    "refresh_token": "TTS_REFRESH_TOKEN",
    "shop_cipher": "TTS_SHOP_CIPHER",
    "cipher": "TTS_SHOP_CIPHER",
}
_SECRETISH = re.compile(r"secret|token|passw|api[_-]?key|app[_-]?key|cipher|credential|auth[_-]?code",
                        re.I)


def did_you_mean(word: Any, choices: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, '' when nothing is close."""
    if not isinstance(word, str):
        return ""
    choices = [c for c in choices if isinstance(c, str)]
    folded = {c.casefold(): c for c in choices}
    if word.casefold().strip() in folded:
        return f" (did you mean {folded[word.casefold().strip()]!r}?)"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = [folded[c] for c in difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)]
    return f" (did you mean {close[0]!r}?)" if close else ""


def credential_message(key: str) -> str | None:
    """A message for a key that looks like a credential, else None."""
    env = CREDENTIAL_ENV.get(key.lower())
    if env:
        return (f"credentials never go in catalog files: remove {key!r} and set the environment "
                f"variable {env} instead")
    if _SECRETISH.search(key):
        return (f"{key!r} looks like a credential; credentials never go in catalog files: use the "
                "TTS_* environment variables (TTS_APP_KEY, TTS_APP_SECRET, TTS_ACCESS_TOKEN, "
                "TTS_REFRESH_TOKEN, TTS_SHOP_CIPHER)")
    return None


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "nothing"
    return _KINDS.get(type(value), type(value).__name__)


_KINDS: dict[type, str] = {dict: "a mapping", list: "a list"}


def errors_of(exc: ValidationError, model: type[BaseModel]) -> list[tuple[tuple, str, bool]]:
    """(path, message, at_key) for each pydantic error, tags dropped, deduplicated."""
    out: list[tuple[tuple, str, bool]] = []
    seen = set()
    for error in exc.errors(include_url=False):
        path = tuple(_printed_step(step) for step in error["loc"]
                     if not (isinstance(step, str) and step.startswith("~")))
        message, at_key = _message(error, path, model)
        if path and path[-1] == "[key]":
            path, at_key = path[:-1], True
        if (path, message) not in seen:
            seen.add((path, message))
            out.append((path, message, at_key))
    return out


def _printed_step(step: Any) -> Any:
    """A path step as messages can name it: a mapping key YAML read as a huge number by its size
    (its digits are never printed: Python refuses more than 4,300 of them)."""
    if isinstance(step, int) and not isinstance(step, bool) and literal(step) is None:
        return written(step)
    return step


def _message(error: ErrorDetails, path: tuple, model: type[BaseModel]) -> tuple[str, bool]:
    kind, value = error["type"], error.get("input")
    name = path[-1] if path else ""
    if kind == "extra_forbidden" or kind == "invalid_key":
        key = str(name)
        secret = credential_message(key)
        if secret:
            return secret, True
        known = _known_keys(model, path[:-1])
        hint = did_you_mean(key, known)
        return f"unknown field {key!r}" + (hint or _known_list(known)), True
    if kind == "missing":
        return f"missing required field {name!r}", False
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        shown = value if isinstance(value, str) else describe(value)
        return (f"{shown!r} is not allowed{did_you_mean(value, expected)}; "
                f"expected one of: {', '.join(expected)}"), False
    if kind == "string_type":
        hint = " (put it in quotes to keep it as written)" if isinstance(value, (int, float)) else ""
        return f"expected text, got {describe(value)}{hint}", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_shown(value)}", False
    if kind == "bool_type":
        return f"expected true or false, got {_shown(value)}", False
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {describe(value)}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {describe(value)}", False
    if kind == "too_short":
        return "must not be empty", False
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, "), False
    return str(error["msg"]), False


def _shown(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return written(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    return describe(value)


def _known_list(known: list[str]) -> str:
    return f"; known fields: {', '.join(known)}" if 0 < len(known) <= 30 else ""


def _known_keys(model: type[BaseModel], path: tuple) -> list[str]:
    """Field names of the model found at `path` (for did-you-mean)."""
    current: Any = model
    for step in path:
        current = _step(current, step)
        if current is None:
            return []
    current = _model_in(current)
    return [field.alias or name for name, field in current.model_fields.items()] if current else []


def _step(annotation: Any, step: Any) -> Any:
    candidates = _members(annotation)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(step, str):
            for name, field in candidate.model_fields.items():
                if step in (name, field.alias):
                    return field.annotation
        origin = typing.get_origin(candidate)
        if origin is list and isinstance(step, int):
            return typing.get_args(candidate)[0]
        if origin is dict and isinstance(step, str):
            return typing.get_args(candidate)[1]
    return None


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, __import__("types").UnionType):
        out = []
        for arg in typing.get_args(annotation):
            out.extend(_members(arg))
        return out
    return [annotation]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None
