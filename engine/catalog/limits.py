"""Limits of a Tokopedia & Shop listing in Indonesia (API.md §7.3, §10), the Finding value, and
numbers read without converting anything absurd.

The platform publishes no upper bound for prices, weights or dimensions; the bounds here
(PRICE_MAX as the sandbox shop, WEIGHT_MAX, SIDE_MAX) are what a real listing never exceeds,
so a typo or a hostile catalog ends in a clear message instead of a number no packer, JSON
encoder or database column takes. `read_amount` and `shown` never turn a huge number into
digits (Python refuses more than 4,300 of them) or into a `Decimal` of absurd size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TITLE_MIN, TITLE_MAX = 25, 255
MAX_IMAGES, MAX_SKUS, MAX_SALES_ATTRIBUTES = 9, 100, 3
SELLER_SKU_MAX = 50
MOQ_MIN, MOQ_MAX = 1, 20
PRE_SALE_MIN, PRE_SALE_MAX = 3, 30
STOCK_MAX = 99_999
PRICE_MAX = 1_000_000_000  # rupiah
WEIGHT_MAX = 1_000  # kilograms
SIDE_MAX = 1_000  # centimetres
ID_DIGITS_MAX = 20  # platform ids are 64-bit numbers
TEMPLATE_NUMBER_DIGITS = 30  # numbers in template variables
REQUIRED = ("title", "description", "category_id", "main_images", "package_weight",
            "listing_platforms", "skus")
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
DIGITS = re.compile(r"[0-9]+")
REPEATS = re.compile(r"(.)\1{9,}")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")
GROUPED = re.compile(r"[0-9]{1,3}([.,][0-9]{3})+")
# An unquoted price whose decimals end in 0 (`price: 150.000`) is read by YAML as 150.0: only
# the file's text shows the thousands separator, so product files are scanned for it.
UNQUOTED_PRICE = re.compile(r"price[ \t]*:[ \t]*([0-9]+\.[0-9]{2,}0)(?=[ \t]*(?:[,}#\r\n]|$))", re.M)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
TITLE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")
IMG_TAG = re.compile(r"<img\b", re.I)
DESCRIPTION_MAX = 10_000
DESCRIPTION_IMAGES_MAX = 30
BARCODE_LENGTHS = {"GTIN": (14,), "EAN": (8, 13, 14), "UPC": (12,), "JAN": (8, 13), "ISBN": (10, 13)}


@dataclass(frozen=True)
class Finding:
    path: tuple
    message: str
    at_key: bool = False
    severity: str = "error"


def barcode_problem(kind: str, code: str) -> str | None:
    """Why a barcode is invalid (length, digits, check digit), or None."""
    digits = code.replace("-", "") if kind == "ISBN" else code
    lengths = BARCODE_LENGTHS[kind]
    body_ok = digits.isdigit() or (kind == "ISBN" and len(digits) == 10 and digits[:9].isdigit()
                                   and digits[9] in "0123456789Xx")
    if not body_ok or len(digits) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        return f"{kind} code must be {allowed} digits (got {code!r}); quote it so leading zeros stay"
    if kind == "ISBN" and len(digits) == 10:
        total = sum((10 - i) * (10 if ch in "Xx" else int(ch)) for i, ch in enumerate(digits))
        return None if total % 11 == 0 else f"ISBN {code} has a wrong check digit"
    expected = _gs1_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        return f"{kind} {code} has a wrong check digit (expected {expected} at the end)"
    return None


def _gs1_check_digit(body: str) -> int:
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(body)))
    return (10 - total % 10) % 10


_LONG = 10 ** 30  # a whole number beyond this is shown by its count of digits, never converted
_TEXT_MAX = 40  # characters: more than any valid amount needs
_EXPONENT_MAX = 40
BEYOND = Decimal("1e41")  # what read_amount gives for a number beyond every bound
TINY = Decimal("1e-41")  # ... and for one with more decimals than any amount has


def read_amount(value: int | float | str) -> Decimal | None:
    """The number a numeric field holds, as YAML gave it (a whole number, a float or a text such
    as "150000.50"); None when it holds no finite number. Nothing absurd is converted: a whole
    number beyond 10**30, a text of more than 40 digits or an exponent above 40 reads as
    ±BEYOND (larger than every bound here), one below -40 as ±TINY (more decimals than any
    amount has), a longer text that is not all digits as None."""
    if isinstance(value, int):
        return Decimal(value) if -_LONG < value < _LONG else (BEYOND if value > 0 else -BEYOND)
    text = repr(value) if isinstance(value, float) else value.strip()
    if len(text) > _TEXT_MAX:
        return BEYOND if DIGITS.fullmatch(text) else None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    if number and not -_EXPONENT_MAX <= number.adjusted() <= _EXPONENT_MAX:
        size = BEYOND if number.adjusted() > 0 else TINY
        return size if number > 0 else -size
    return number


def decimal_places(number: Decimal) -> int:
    """Decimals of a number as written ("150.000" has 3)."""
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def literal(value: int | float | str) -> str | None:
    """A numeric field's value as text, as written; None when it is too long to show."""
    if isinstance(value, int):
        return str(value) if -_LONG < value < _LONG else None
    text = repr(value) if isinstance(value, float) else value
    return text if len(text) <= _TEXT_MAX else None


def written(value: int | float | str) -> str:
    """A numeric field's value as a message shows it: as written, or by its size when it is huge."""
    text = literal(value)
    if text is not None:
        return text
    if isinstance(value, int):
        return f"a number of {digit_count(value)} digits"
    text = repr(value) if isinstance(value, float) else value
    return f"a number of {len(text)} digits" if DIGITS.fullmatch(text) else f"a text of {len(text)} characters"


def digit_count(number: int) -> int:
    """Decimal digits of a whole number, without converting it to text."""
    number = abs(number)
    count = max(1, int((number.bit_length() - 1) * 0.30102999566398120)) if number else 1
    while number >= 10 ** count:
        count += 1
    return count
