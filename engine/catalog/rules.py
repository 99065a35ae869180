"""The offline rules of a Tokopedia & Shop listing (API.md §7.3, §10), in a seller's words.

Each rule looks at one resolved product (after `extends` and shop defaults) and yields
`Finding(path, message)`; `load.py` turns the path into file:line:column through the
value's origin. Shop-wide rules (unique keys, seller_skus, barcodes) are in `check_shop`.
Limits come from the official API documentation for the Indonesian market.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.catalog.diagnose import did_you_mean
from engine.catalog.spec import canonical_decimal

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
_REPEATS = re.compile(r"(.)\1{9,}")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")
_GROUPED = re.compile(r"[0-9]{1,3}([.,][0-9]{3})+")
# An unquoted price whose decimals end in 0 (`price: 150.000`) is read by YAML as 150.0: only
# the file's text shows the thousands separator, so product files are scanned for it.
UNQUOTED_PRICE = re.compile(r"price[ \t]*:[ \t]*([0-9]+\.[0-9]{2,}0)(?=[ \t]*(?:[,}#\r\n]|$))", re.M)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_TITLE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")
_IMG_TAG = re.compile(r"<img\b", re.I)
DESCRIPTION_MAX = 10_000
DESCRIPTION_IMAGES_MAX = 30
_BARCODE_LENGTHS = {"GTIN": (14,), "EAN": (8, 13, 14), "UPC": (12,), "JAN": (8, 13), "ISBN": (10, 13)}


@dataclass(frozen=True)
class Finding:
    path: tuple
    message: str
    at_key: bool = False
    severity: str = "error"


def check_product(key: str, values: dict[str, Any], warehouses: dict[str, str]) -> Iterator[Finding]:
    """Every offline rule for one resolved product."""
    if not KEY_PATTERN.fullmatch(key):
        yield Finding(("key",), "key must be 1-100 letters, digits, '.', '_' or '-', starting with a "
                                "letter or digit (it names the product in plans and in the shop)")
    deleted = values.get("status") == "deleted"
    for name in ("skus",) if deleted else REQUIRED:
        if name not in values:
            yield Finding((name,), f"missing required field {name!r}" + _inherit_hint(name))
    platforms = values.get("listing_platforms")
    yield from _title(values.get("title"))
    yield from _identity_fields(values)
    yield from _images(values.get("main_images"))
    yield from _attributes(values.get("product_attributes"))
    yield from _package(values)
    yield from _platforms(values, platforms)
    skus = values.get("skus")
    if skus is not None:
        yield from _skus(skus, warehouses)


def _inherit_hint(name: str) -> str:
    return " (write it in the product, in a base it extends, or in shop.yaml defaults)" \
        if name != "skus" else ""


def title_is_clean(title: str) -> bool:
    """True when `_title` has nothing to say (fast path: runs once per product of a big catalog)."""
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        return False
    if title.isascii():  # printable ASCII has no control characters and no emoji
        return title.isprintable() and not _ascii_run(title) and "tiktok" not in title.lower()
    return not (_TITLE_CHARACTERS.search(title) or _REPEATS.search(title)) and "tiktok" not in title.casefold()


def _ascii_run(text: str) -> bool:
    """Same answer as _REPEATS.search for ASCII text, without a regex step per character.

    XOR of the text with itself shifted by one is 0 exactly where a character repeats the
    previous one; ten equal characters in a row are nine zero bytes in a row.
    """
    data = text.encode("ascii")
    same = int.from_bytes(data[1:], "big") ^ int.from_bytes(data[:-1], "big")
    return b"\x00" * 9 in same.to_bytes(len(data) - 1, "big")


def _title(title: str | None) -> Iterator[Finding]:
    if title is None or title_is_clean(title):
        return
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        yield Finding(("title",), f"title must be {TITLE_MIN}-{TITLE_MAX} characters in Indonesia "
                                  f"(it has {len(title)})")
    if _CONTROL.search(title):
        yield Finding(("title",), "title must not contain control characters (tabs, line breaks)")
    repeated = _REPEATS.search(title)
    if repeated:
        yield Finding(("title",), f"title must not repeat a character more than 9 times in a row "
                                  f"({repeated.group(0)[:12]!r})")
    if _EMOJI.search(title):
        yield Finding(("title",), "title must not contain emoji")
    if "tiktok" in title.casefold():
        yield Finding(("title",), "buyers in Indonesia must not see the name 'TikTok': the platform is "
                                  "'Tokopedia & Shop' (the app is 'Shop | Tokopedia')", severity="warning")


def description_is_clean(html: str) -> bool:
    """True when `check_description` has nothing to say (fast path)."""
    folded = html.lower() if html.isascii() else html.casefold()
    return (0 < len(html) <= DESCRIPTION_MAX and "tiktok" not in folded
            and (html.count("<") <= DESCRIPTION_IMAGES_MAX or len(_IMG_TAG.findall(html)) <= DESCRIPTION_IMAGES_MAX))


def check_description(html: str) -> list[Finding]:
    """Rules for the description as it will be sent (inline HTML, or the rendered template)."""
    findings = []
    if not html:
        findings.append(Finding(("description",), "description must not be empty"))
    if len(html) > DESCRIPTION_MAX:
        findings.append(Finding(("description",), f"description must be at most {DESCRIPTION_MAX} characters "
                                                  f"(it has {len(html)})"))
    images = len(_IMG_TAG.findall(html))
    if images > DESCRIPTION_IMAGES_MAX:
        findings.append(Finding(("description",), f"description may hold at most {DESCRIPTION_IMAGES_MAX} "
                                                  f"<img> (it has {images})"))
    if "tiktok" in html.casefold():
        findings.append(Finding(("description",), "buyers in Indonesia must not see the name 'TikTok': the "
                                                  "platform is 'Tokopedia & Shop'", severity="warning"))
    return findings


def _identity_fields(values: dict[str, Any]) -> Iterator[Finding]:
    category = values.get("category_id")
    if category is not None and not DIGITS.fullmatch(category):
        yield Finding(("category_id",), f"category_id must be the digits of a leaf category, got {category!r}")
    brand = values.get("brand")
    if brand is not None and not isinstance(brand, str) and not (brand.id or brand.name):
        yield Finding(("brand",), "brand needs an id or a name")
    elif isinstance(brand, str) and not brand.strip():
        yield Finding(("brand",), "brand must not be empty")
    elif brand is not None and not isinstance(brand, str) and brand.id and not DIGITS.fullmatch(brand.id):
        yield Finding(("brand", "id"), f"brand id must be digits, got {brand.id!r}")


def _images(images: list | None) -> Iterator[Finding]:
    if images is None:
        return
    if not images:
        yield Finding(("main_images",), "main_images needs at least one image")
    if len(images) > MAX_IMAGES:
        yield Finding(("main_images", MAX_IMAGES), f"at most {MAX_IMAGES} main images (there are {len(images)})")


def _attributes(attributes: Any) -> Iterator[Finding]:
    if attributes is None:
        return
    if isinstance(attributes, dict):
        for name, value in attributes.items():
            if not name.strip():
                yield Finding(("product_attributes", name), "attribute name must not be empty", at_key=True)
            values = value if isinstance(value, list) else [value]
            if not values:
                yield Finding(("product_attributes", name), "give at least one value")
            for index, item in enumerate(values):
                path = ("product_attributes", name) + ((index,) if isinstance(value, list) else ())
                yield from _attribute_value(path, item)
        return
    seen: set[str] = set()
    for index, item in enumerate(attributes):
        ident = item.id or item.name
        if not ident:
            yield Finding(("product_attributes", index), "an attribute needs an id or a name")
        elif ident in seen:
            yield Finding(("product_attributes", index), f"attribute {ident!r} is listed twice")
        seen.add(ident or "")
        for number, ref in enumerate(item.values):
            path = ("product_attributes", index, "values", number)
            if isinstance(ref, str):
                yield from _attribute_value(path, ref)
            elif not (ref.id or ref.name):
                yield Finding(path, "a value needs an id or a name")


def _attribute_value(path: tuple, value: str) -> Iterator[Finding]:
    if not value.strip():
        yield Finding(path, "attribute value must not be empty")
    elif len(value) > 2000:
        yield Finding(path, f"attribute value must be at most 2000 characters (it has {len(value)})")


def _package(values: dict[str, Any]) -> Iterator[Finding]:
    weight = values.get("package_weight")
    if weight is not None:
        text, path = (weight, ("package_weight",)) if isinstance(weight, str) else \
            (weight.value, ("package_weight", "value"))
        if not isinstance(weight, str) and weight.unit != "KILOGRAM":
            yield Finding(("package_weight", "unit"),
                          f"unit {weight.unit!r} is not accepted in Indonesia: write the weight in KILOGRAM "
                          "(e.g. 250 g is 0.25)")
        number = _decimal(text)
        if number is None:
            yield Finding(path, f"package_weight must be a number of kilograms, got {text!r}")
        elif number <= 0:
            yield Finding(path, "package_weight must be more than 0 kg")
        elif _places(canonical_decimal(number)) > 3:
            yield Finding(path, f"package_weight has at most 3 decimals in kilograms (got {text})")
    dimensions = values.get("package_dimensions")
    if dimensions is not None:
        for side in ("length", "width", "height"):
            if getattr(dimensions, side) < 1:
                yield Finding(("package_dimensions", side), f"{side} must be a whole number of centimetres, at least 1")
        if dimensions.unit != "CENTIMETER":
            yield Finding(("package_dimensions", "unit"),
                          f"unit {dimensions.unit!r} is not accepted in Indonesia: use CENTIMETER (whole numbers)")


def _platforms(values: dict[str, Any], platforms: list | None) -> Iterator[Finding]:
    if platforms is not None:
        if not platforms:
            yield Finding(("listing_platforms",), "list at least one platform: TIKTOK_SHOP and/or TOKOPEDIA")
        for index, platform in enumerate(platforms):
            if platform in platforms[:index]:
                yield Finding(("listing_platforms", index), f"{platform} is listed twice")
    on = set(platforms or ())
    insurance = values.get("shipping_insurance_requirement")
    if insurance is not None and platforms is not None and "TOKOPEDIA" not in on:
        yield Finding(("shipping_insurance_requirement",),
                      "shipping_insurance_requirement applies only to products listed on TOKOPEDIA: "
                      "add TOKOPEDIA to listing_platforms or remove this field")
    if values.get("is_pre_owned") and platforms is not None and on != {"TOKOPEDIA"}:
        yield Finding(("is_pre_owned",),
                      "is_pre_owned is allowed only when TOKOPEDIA is the sole listing platform "
                      "(Shop | Tokopedia has dedicated pre-owned categories instead)")
    moq = values.get("minimum_order_quantity")
    if moq is not None and not MOQ_MIN <= moq <= MOQ_MAX:
        yield Finding(("minimum_order_quantity",), f"minimum_order_quantity must be {MOQ_MIN}-{MOQ_MAX} (got {moq})")
    for index, option in enumerate(values.get("delivery_option_ids") or ()):
        if not DIGITS.fullmatch(option):
            yield Finding(("delivery_option_ids", index), f"delivery option id must be digits, got {option!r}")
        elif option in values["delivery_option_ids"][:index]:
            yield Finding(("delivery_option_ids", index), f"delivery option {option} is listed twice")


# --------------------------------------------------------------------------- SKUs
def _skus(skus: list, warehouses: dict[str, str]) -> Iterator[Finding]:
    if not skus:
        yield Finding(("skus",), "a product needs at least one SKU")
        return
    if len(skus) > MAX_SKUS:
        yield Finding(("skus", MAX_SKUS), f"at most {MAX_SKUS} SKUs per product (there are {len(skus)})")
    # The loop below runs 30,000 times for a big catalog: cheap checks first, details only on failure.
    for index, sku in enumerate(skus):
        code, price = sku.seller_sku, sku.price
        if not 0 < len(code) <= SELLER_SKU_MAX or SPACE_OR_CONTROL.search(code):
            yield from _seller_sku(index, code)
        if not (price.isdigit() and price.isascii() and price[0] != "0"):
            yield from _price(("skus", index, "price"), price)
        inventory = sku.inventory
        if not inventory or not all(name in warehouses and 0 <= qty <= STOCK_MAX for name, qty in inventory.items()):
            yield from _inventory(index, inventory, warehouses)
        if sku.pre_sale is not None and not PRE_SALE_MIN <= sku.pre_sale.handling_duration_days <= PRE_SALE_MAX:
            yield Finding(("skus", index, "pre_sale", "handling_duration_days"),
                          f"pre-order handling time must be {PRE_SALE_MIN}-{PRE_SALE_MAX} calendar days "
                          f"(got {sku.pre_sale.handling_duration_days})")
        if sku.identifier_code is not None:
            problem = barcode_problem(sku.identifier_code.type, sku.identifier_code.code)
            if problem:
                yield Finding(("skus", index, "identifier_code", "code"), problem)
    yield from _variants(skus)
    if any(sku.pre_sale is not None for sku in skus):
        yield from _pre_sale_consistency(skus)


def _seller_sku(index: int, code: str) -> Iterator[Finding]:
    path = ("skus", index, "seller_sku")
    if not 1 <= len(code) <= SELLER_SKU_MAX:
        yield Finding(path, f"seller_sku must be 1-{SELLER_SKU_MAX} characters (it has {len(code)})")
    if SPACE_OR_CONTROL.search(code):
        yield Finding(path, f"seller_sku must not contain spaces or control characters: {code!r}")


def _inventory(index: int, inventory: dict[str, int], warehouses: dict[str, str]) -> Iterator[Finding]:
    path = ("skus", index, "inventory")
    if not inventory:
        yield Finding(path, "give the stock of at least one warehouse (name: quantity)")
    for name, quantity in inventory.items():
        if name not in warehouses:
            known = sorted(warehouses)
            yield Finding(path + (name,), f"unknown warehouse {name!r}{did_you_mean(name, known)}; shop.yaml "
                                          f"warehouses: {', '.join(known)}", at_key=True)
        if not 0 <= quantity <= STOCK_MAX:
            yield Finding(path + (name,), f"stock must be 0-{STOCK_MAX} (got {quantity})")


def _price(path: tuple, text: str) -> Iterator[Finding]:
    number = _decimal(text)
    if number is None:
        hint = (f"; leave out the thousands separators: {re.sub(r'[.,]', '', text.strip())}"
                if _GROUPED.fullmatch(text.strip()) else "")
        yield Finding(path, f"price must be a plain number of rupiah like 150000 or 99999.5, got {text!r}{hint}")
        return
    if number <= 0:
        yield Finding(path, f"price must be more than 0 (got {text})")
    places = _places(text)
    if places > 2:
        hint = (f"; to write {canonical_decimal(number * 1000)} rupiah, leave out the thousands separator"
                if _places(canonical_decimal(number)) == 0 else "")
        yield Finding(path, f"IDR prices have at most 2 decimals (got {text}){hint}")


def _variants(skus: list) -> Iterator[Finding]:
    first = skus[0]
    if len(skus) == 1 and len(first.sales_attributes) <= 1 and _attribute_lengths_ok(first.sales_attributes):
        return
    names = sorted(first.sales_attributes)
    seen: dict[tuple, str] = {}
    for index, sku in enumerate(skus):
        path = ("skus", index, "sales_attributes")
        attributes = sku.sales_attributes
        if len(skus) > 1 and not attributes:
            yield Finding(("skus", index), f"SKU {sku.seller_sku!r} needs sales_attributes: a product with several "
                                           "SKUs tells them apart by sales attributes (e.g. Ukuran: M)")
            continue
        if len(attributes) > MAX_SALES_ATTRIBUTES:
            yield Finding(path, f"at most {MAX_SALES_ATTRIBUTES} sales attributes per SKU (got {len(attributes)})")
        if not _attribute_lengths_ok(attributes):
            yield from _attribute_lengths(path, attributes)
        if index and sorted(attributes) != names:
            yield Finding(path, f"sales attributes must have the same names on every SKU: {sku.seller_sku!r} has "
                                f"{', '.join(sorted(attributes))}, {first.seller_sku!r} has {', '.join(names) or 'none'}")
            continue
        combination = tuple(sorted(attributes.items()))
        if combination and combination in seen:
            shown = ", ".join(f"{k}: {v}" for k, v in combination)
            yield Finding(path, f"SKU {sku.seller_sku!r} has the same sales attributes ({shown}) as "
                                f"{seen[combination]!r}: every SKU needs a different combination")
        seen.setdefault(combination, sku.seller_sku)


def _attribute_lengths_ok(attributes: dict[str, str]) -> bool:
    return all(0 < len(name) <= 20 and 0 < len(value) <= 50 and name.strip() and value.strip()
               for name, value in attributes.items())


def _attribute_lengths(path: tuple, attributes: dict[str, str]) -> Iterator[Finding]:
    for name, value in attributes.items():
        if not name.strip() or len(name) > 20:
            yield Finding(path + (name,), "sales attribute name must be 1-20 characters", at_key=True)
        if not value.strip() or len(value) > 50:
            yield Finding(path + (name,), "sales attribute value must be 1-50 characters")


def _pre_sale_consistency(skus: list) -> Iterator[Finding]:
    pre_order = [sku.seller_sku for sku in skus if sku.pre_sale is not None]
    if pre_order and len(pre_order) != len(skus):
        for index, sku in enumerate(skus):
            if sku.pre_sale is None:
                yield Finding(("skus", index), f"SKU {sku.seller_sku!r} is not pre-order but {pre_order[0]!r} is: "
                                               "all SKUs of a product must share the same pre-sale type")


def unquoted_prices(text: str) -> list[tuple[int, str]]:
    """(offset, written) of each `price: 150.000` in a product file's text."""
    found = []
    for match in UNQUOTED_PRICE.finditer(text):
        before = text[match.start() - 1:match.start()]
        if not (before.isalnum() or before in "_-"):
            found.append((match.start(1), match.group(1)))
    return found


def unquoted_price_message(written: str) -> str:
    """Message for `price: 150.000` found in a file's text by UNQUOTED_PRICE."""
    whole, decimals = written.split(".")
    hint = f" (write {whole}{decimals} for {whole}{decimals} rupiah)" if len(decimals) == 3 else ""
    return (f"price {written} is read as {canonical_decimal(written)} rupiah: IDR prices have at most 2 "
            f"decimals and no thousands separator{hint}")


# --------------------------------------------------------------------------- helpers
def barcode_problem(kind: str, code: str) -> str | None:
    """Why a barcode is invalid (length, digits, check digit), or None."""
    digits = code.replace("-", "") if kind == "ISBN" else code
    lengths = _BARCODE_LENGTHS[kind]
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


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _places(text: str) -> int:
    number = _decimal(text)
    if number is None:
        return 0
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_shop(products: list[tuple[str, str, list[tuple[Any, Any]]]]) -> Iterator[tuple[int, Finding]]:
    """Shop-wide uniqueness of keys, seller_skus and barcodes.

    `products` = [(key, "file:line", [(seller_sku, barcode), ...] in YAML order)];
    yields (index into products, finding).
    """
    keys: dict[str, str] = {}
    skus: dict[str, tuple[str, str]] = {}
    codes: dict[str, str] = {}
    for number, (key, where, entries) in enumerate(products):
        if key in keys:
            yield number, Finding(("key",), f"key {key!r} is already used by the product at {keys[key]}")
        keys.setdefault(key, where)
        for index, (code, barcode) in enumerate(entries):
            if not isinstance(code, str):
                continue
            if code in skus:
                owner, owner_where = skus[code]
                by = "another SKU of this product" if owner == key else f"product {owner!r} ({owner_where})"
                yield number, Finding(("skus", index, "seller_sku"),
                                      f"seller_sku {code!r} is already used by {by}: seller_skus are unique in the shop")
            skus.setdefault(code, (key, where))
            if barcode and barcode in codes and codes[barcode] != code:
                yield number, Finding(("skus", index, "identifier_code", "code"),
                                      f"barcode {barcode} is already used by SKU {codes[barcode]!r}")
            if barcode:
                codes.setdefault(barcode, code)
