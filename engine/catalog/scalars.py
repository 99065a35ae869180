"""The catalog models' scalar types: numbers kept as YAML wrote them, platform ids and names written
as bare numbers, and the shape discriminator that picks a union member by the YAML node's shape.
The rules (engine.catalog.rules) bound and convert the values; these only accept their shapes.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from engine.catalog.limits import ID_DIGITS_MAX, digit_count

NUMBER_SCHEMA = {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                           {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}]}


def _number(value: Any) -> Any:
    """A YAML number (int or float) or a text that holds one (the rules read and bound it)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    if isinstance(value, (int, float, str)):
        return value
    raise ValueError(f"expected a number, got {_kind(value)}")


_ID_LIMIT = 10 ** ID_DIGITS_MAX


def _id_text(value: Any) -> Any:
    """Platform ids are digits; accept them unquoted (YAML reads them as integers)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value >= _ID_LIMIT:
            raise ValueError(f"an id has at most {ID_DIGITS_MAX} digits (got a number of {digit_count(value)} digits)")
        return str(value)
    return value


_NAME_DIGITS = 50
_NAME_LIMIT = 10 ** _NAME_DIGITS


def _name_text(value: Any) -> Any:
    """Attribute values may be written as bare numbers (`Ukuran: 42`)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -_NAME_LIMIT < value < _NAME_LIMIT:
        raise ValueError(f"a number written as a value has at most {_NAME_DIGITS} digits "
                         f"(got a number of {digit_count(value)} digits)")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), type(value).__name__)


# Numbers kept as written (range-checked, then canonicalised, by the rules).
Amount = Union[StrictInt, StrictFloat, StrictStr]
Number = Annotated[Amount, BeforeValidator(_number), WithJsonSchema(NUMBER_SCHEMA)]
PriceText = Annotated[Amount, BeforeValidator(_number), WithJsonSchema({
    "anyOf": [{"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
              {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$"}],
    "description": "Price in IDR: a plain number of rupiah, at most 2 decimals (150000, 99999.5)."})]
IdText = Annotated[StrictStr, BeforeValidator(_id_text), WithJsonSchema(
    {"type": ["string", "integer"], "pattern": r"^[0-9]+$", "description": "A platform id (digits)."})]
NameText = Annotated[StrictStr, BeforeValidator(_name_text), WithJsonSchema(
    {"type": ["string", "number"]})]


def by_shape(mapping_tag: str, other_tag: str, list_tag: str | None = None):
    """Callable discriminator: pick a union member by the YAML node's shape."""

    def pick(value: Any) -> str:
        if isinstance(value, dict) or isinstance(value, BaseModel):
            return mapping_tag
        if list_tag and isinstance(value, list):
            return list_tag
        return other_tag

    return Discriminator(pick)
