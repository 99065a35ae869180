"""The offline rules of a Tokopedia & Shop listing, per product, in a seller's words.

Each rule looks at one resolved product (after `extends` and shop defaults) and yields
`Finding(path, message)`; the slow path (slow.py) turns the path into file:line:column through
the value's origin. SKU rules and shop-wide rules are in sku_rules.py; the limits in limits.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.catalog.limits import (
    CONTROL,
    DESCRIPTION_IMAGES_MAX,
    DESCRIPTION_MAX,
    DIGITS,
    EMOJI,
    IMG_TAG,
    KEY_PATTERN,
    MAX_IMAGES,
    MOQ_MAX,
    MOQ_MIN,
    REPEATS,
    REQUIRED,
    TITLE_CHARACTERS,
    TITLE_MAX,
    TITLE_MIN,
    Finding,
    decimal_or_none,
    decimal_places,
)
from engine.catalog.sku_rules import check_skus

# The brand rule: buyers (and sellers) in Indonesia must not see the platform's former name,
# so the message does not spell it either.
BRAND_MESSAGE = ("the {field} names the platform by a name buyers in Indonesia must not see: call it "
                 "'Tokopedia & Shop' (the app: 'Shop | Tokopedia')")
from engine.catalog.spec import canonical_decimal


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
        yield from check_skus(skus, warehouses)


def _inherit_hint(name: str) -> str:
    return " (write it in the product, in a base it extends, or in shop.yaml defaults)" \
        if name != "skus" else ""


def title_is_clean(title: str) -> bool:
    """True when `_title` has nothing to say (fast path: runs once per product of a big catalog)."""
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        return False
    if title.isascii():  # printable ASCII has no control characters and no emoji
        return title.isprintable() and not _ascii_run(title) and "tiktok" not in title.lower()
    return not (TITLE_CHARACTERS.search(title) or REPEATS.search(title)) and "tiktok" not in title.casefold()


def _ascii_run(text: str) -> bool:
    """Same answer as REPEATS.search for printable ASCII text, without a regex step per character.

    As one big number (a byte per character), XOR with itself shifted by a byte is a zero byte
    exactly where a character repeats the previous one (the first character is never 0). Ten
    equal characters in a row are nine zero bytes in a row: found with a few whole-number steps
    (tests/test_catalog_rules.py holds it to the regex).
    """
    number = _from_bytes(text.encode(), "big")
    same = number ^ (number >> 8)
    low, high = _BYTE_MASKS.get(len(text)) or _byte_masks(len(text))
    zero = ~(((same & low) + low) | same) & high  # 0x80 in each zero byte (bytes are < 0x80: no carry)
    run = zero & (zero >> 8)  # 2 zero bytes from here
    run &= run >> 16  # 4
    run &= run >> 32  # 8
    return run & (zero >> 64) != 0  # 9


_from_bytes = int.from_bytes
_BYTE_MASKS: dict[int, tuple[int, int]] = {}


def _byte_masks(length: int) -> tuple[int, int]:
    masks = _BYTE_MASKS[length] = (_from_bytes(b"\x7f" * length, "big"), _from_bytes(b"\x80" * length, "big"))
    return masks


def _title(title: str | None) -> Iterator[Finding]:
    if title is None or title_is_clean(title):
        return
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        yield Finding(("title",), f"title must be {TITLE_MIN}-{TITLE_MAX} characters in Indonesia "
                                  f"(it has {len(title)})")
    if CONTROL.search(title):
        yield Finding(("title",), "title must not contain control characters (tabs, line breaks)")
    repeated = REPEATS.search(title)
    if repeated:
        yield Finding(("title",), f"title must not repeat a character more than 9 times in a row "
                                  f"({repeated.group(0)[:12]!r})")
    if EMOJI.search(title):
        yield Finding(("title",), "title must not contain emoji")
    if "tiktok" in title.casefold():
        yield Finding(("title",), BRAND_MESSAGE.format(field="title"), severity="warning")


def description_is_clean(html: str) -> bool:
    """True when `check_description` has nothing to say (fast path)."""
    if html.isascii():  # `<img` in the lowered text: at least every IMG_TAG match (str.count of 4 characters is fast)
        folded = html.lower()
        few_images = folded.count("<img") <= DESCRIPTION_IMAGES_MAX
    else:
        folded = html.casefold()
        few_images = html.count("<") <= DESCRIPTION_IMAGES_MAX
    return (0 < len(html) <= DESCRIPTION_MAX and "tiktok" not in folded
            and (few_images or len(IMG_TAG.findall(html)) <= DESCRIPTION_IMAGES_MAX))


def check_description(html: str) -> list[Finding]:
    """Rules for the description as it will be sent (inline HTML, or the rendered template)."""
    findings = []
    if not html:
        findings.append(Finding(("description",), "description must not be empty"))
    if len(html) > DESCRIPTION_MAX:
        findings.append(Finding(("description",), f"description must be at most {DESCRIPTION_MAX} characters "
                                                  f"(it has {len(html)})"))
    images = len(IMG_TAG.findall(html))
    if images > DESCRIPTION_IMAGES_MAX:
        findings.append(Finding(("description",), f"description may hold at most {DESCRIPTION_IMAGES_MAX} "
                                                  f"<img> (it has {images})"))
    if "tiktok" in html.casefold():
        findings.append(Finding(("description",), BRAND_MESSAGE.format(field="description"), severity="warning"))
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
        number = decimal_or_none(text)
        if number is None:
            yield Finding(path, f"package_weight must be a number of kilograms, got {text!r}")
        elif number <= 0:
            yield Finding(path, "package_weight must be more than 0 kg")
        elif decimal_places(canonical_decimal(number)) > 3:
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
