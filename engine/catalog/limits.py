"""Limits of a Tokopedia & Shop listing in Indonesia (API.md §7.3, §10), and the Finding value.

Shared by the rules (rules.py, sku_rules.py: every problem, in a seller's words) and the
fast path (fast.py: the same limits as plain predicates).
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


def decimal_or_none(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def decimal_places(text: str) -> int:
    number = decimal_or_none(text)
    if number is None:
        return 0
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
