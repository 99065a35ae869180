"""Value checks of the fast path (fast.py): each returns the normalised value or raises Bail.

Each mirrors, as a plain predicate, what models.py (shape) and rules.py / sku_rules.py
(limits) accept for one field; anything unusual raises Bail and the product takes the slow
path, which says what is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from engine.catalog.build import fast_decimal
from engine.catalog.limits import DIGITS, MOQ_MAX, MOQ_MIN, PRE_SALE_MAX, PRE_SALE_MIN, barcode_problem
from engine.catalog.rules import title_is_clean
from engine.catalog.spec import INSURANCE, STATUSES

DECIMAL_TEXT = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
BARCODE_TYPES = frozenset({"GTIN", "EAN", "UPC", "ISBN", "JAN"})


class Bail(Exception):
    """Not plainly valid: take the slow path."""


def title_value(value: Any, _: Any) -> str:
    if type(value) is not str or not title_is_clean(value):
        raise Bail
    return value


# (Each handler is one call: these run for every product of a 10,000-product catalog.)
def category_value(value: Any, _: Any) -> str:
    if type(value) is str and value in _CATEGORIES:  # a shop has a few dozen: each checked once
        return value
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is not str or not DIGITS.fullmatch(value):
        raise Bail
    _CATEGORIES.add(value)
    return value


_CATEGORIES: set[str] = set()  # category ids (text) found valid


def status_value(value: Any, _: Any) -> str:
    if type(value) is not str or value not in STATUSES:
        raise Bail
    return value


def cod_value(value: Any, _: Any) -> bool:
    if type(value) is not bool:
        raise Bail
    return value


def insurance_value(value: Any, values: dict[str, Any]) -> str:
    if type(value) is not str or value not in INSURANCE or \
            "TOKOPEDIA" not in values.get("listing_platforms", ("TOKOPEDIA",)):
        raise Bail
    return value


def pre_owned_value(value: Any, values: dict[str, Any]) -> bool:
    if type(value) is not bool or (value and values.get("listing_platforms", ["TOKOPEDIA"]) != ["TOKOPEDIA"]):
        raise Bail
    return value


def moq_value(value: Any, _: Any) -> int:
    if type(value) is not int or not MOQ_MIN <= value <= MOQ_MAX:
        raise Bail
    return value


def delivery_value(value: Any, _: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise Bail
    ids = [id_value(v) for v in value]
    if len(set(ids)) != len(ids):
        raise Bail
    return tuple(sorted(ids))


def id_value(value: Any) -> str:
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is not str or not DIGITS.fullmatch(value):
        raise Bail
    return value


def name_value(value: Any, limit: int) -> str:
    if type(value) in (int, float):
        value = str(value)
    if type(value) is not str or not value.strip() or len(value) > limit:
        raise Bail
    return value


def decimal_text_value(value: Any, places: int) -> str:
    """Canonical text of a positive number with at most `places` decimals (as build.py writes it)."""
    if type(value) is int:
        text = str(value)
    elif type(value) is float:
        text = repr(value)
    elif type(value) is str:
        text = value
    else:
        raise Bail
    if not DECIMAL_TEXT.fullmatch(text) or len(text.partition(".")[2]) > places:
        raise Bail
    canonical = fast_decimal(text)
    if canonical == "0":
        raise Bail
    return canonical


def weight_value(value: Any, _: Any) -> str:
    if type(value) is float:  # the common case, a few distinct weights: answered once each
        text = _FLOAT_WEIGHTS.get(value)
        if text is None:
            text = _FLOAT_WEIGHTS[value] = decimal_text_value(value, 3)
        return text
    if type(value) is dict:
        if not value.keys() <= {"value", "unit"} or value.get("unit", "KILOGRAM") != "KILOGRAM":
            raise Bail
        value = value["value"]
    return decimal_text_value(value, 3)


# Floats only (1 == 1.0 == True: never mixed with other types); a float equal to another has
# the same text, except 0.0 == -0.0, and neither is a valid weight (never stored).
_FLOAT_WEIGHTS: dict[float, str] = {}


def dimensions_value(value: Any, _: Any) -> tuple[int, int, int]:
    if type(value) is not dict:
        raise Bail
    if len(value) != 3:  # three keys that are length, width and height need no other check
        if not value.keys() <= {"length", "width", "height", "unit"} or value.get("unit", "CENTIMETER") != "CENTIMETER":
            raise Bail
    length, width, height = value["length"], value["width"], value["height"]
    if type(length) is not int or type(width) is not int or type(height) is not int or \
            length < 1 or width < 1 or height < 1:
        raise Bail
    return length, width, height


def pre_sale_value(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not dict or not value.keys() <= {"type", "handling_duration_days"}:
        raise Bail
    days = value["handling_duration_days"]
    if value.get("type", "PRE_ORDER") != "PRE_ORDER" or type(days) is not int or not PRE_SALE_MIN <= days <= PRE_SALE_MAX:
        raise Bail
    return days


def barcode_value(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if type(value) is not dict or value.keys() != {"type", "code"}:
        raise Bail
    kind, code = value["type"], value["code"]
    if kind not in BARCODE_TYPES or type(code) is not str or barcode_problem(kind, code):
        raise Bail
    return kind, code
