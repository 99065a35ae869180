"""The offline rules of a Tokopedia & Shop listing, per product, in a seller's words.

`ProductRules.check` looks at one resolved product (after `extends` and shop defaults) and
gives, in one pass, the normalised values of the spec (conventions in spec.py's docstring)
and every `Finding(path, message)`; the loader (check.py) turns each path into
file:line:column through the value's origin. Each field's check normalises the value in the
same step — one place says what a valid price is and what it becomes — and runs once per
distinct value written in a load (a catalog repeats a few dozen categories, brands,
attribute sets, weights and platform lists), remembered by the `ProductRules` of that load.
SKU rules and shop-wide rules are in sku_rules.py; the limits in limits.py.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
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
    SIDE_MAX,
    TEMPLATE_NUMBER_DIGITS,
    TITLE_CHARACTERS,
    TITLE_MAX,
    TITLE_MIN,
    WEIGHT_MAX,
    Finding,
    decimal_places,
    digit_count,
    literal,
    read_amount,
    written,
)
from engine.catalog.models import DEFAULT_OWNERS, PackageWeight
from engine.catalog.sku_rules import SkuRules
from engine.catalog.spec import ProductAttribute, Ref, canonical_decimal

# The brand rule: buyers (and sellers) in Indonesia must not see the platform's former name,
# so the message does not spell it either.
BRAND_MESSAGE = ("the {field} names the platform by a name buyers in Indonesia must not see: call it "
                 "'Tokopedia & Shop' (the app: 'Shop | Tokopedia')")
_PLAIN = ("status", "shipping_insurance_requirement", "is_pre_owned", "minimum_order_quantity", "is_cod_allowed")
Checked = tuple[Any, tuple[Finding, ...]]  # (normalised value, findings)


class ProductRules:
    """Every offline rule for the products of one load, each distinct value checked once."""

    def __init__(self, warehouses: dict[str, str]) -> None:
        self.skus = SkuRules(warehouses)
        self._checked: dict[str, dict[Hashable, Checked]] = {name: {} for name, _, _ in _REMEMBERED}

    def check(self, key: str, values: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
        """(the spec's fields but description and main_images, findings) of one resolved product."""
        findings: list[Finding] = []
        if not KEY_PATTERN.fullmatch(key):
            findings.append(Finding(("key",), "key must be 1-100 letters, digits, '.', '_' or '-', starting "
                                              "with a letter or digit (it names the product in plans and in the shop)"))
        for name in ("skus",) if values.get("status") == "deleted" else REQUIRED:
            if name not in values:
                findings.append(Finding((name,), f"missing required field {name!r}" + _inherit_hint(name)))
        fields = {name: values[name] for name in _PLAIN if name in values}
        if "title" in values:
            fields["title"] = values["title"]
            findings += title_findings(values["title"])
        findings += image_count_findings(values.get("main_images"))
        for name, key_of, check in _REMEMBERED:
            value = values.get(name)
            if value is not None:
                checked, memo_key = self._checked[name], key_of(value)
                result = checked.get(memo_key) if memo_key is not None else None
                if result is None:
                    result = check(value)
                    if memo_key is not None:
                        checked[memo_key] = result
                fields[name], problems = result
                findings += problems
        findings += _platform_rules(values)
        moq = values.get("minimum_order_quantity")
        if moq is not None and not MOQ_MIN <= moq <= MOQ_MAX:
            findings.append(Finding(("minimum_order_quantity",),
                                    f"minimum_order_quantity must be {MOQ_MIN}-{MOQ_MAX} (got {written(moq)})"))
        if "skus" in values:
            stock_required = owners(values)[0] == "always"
            fields["skus"], found = self.skus.check(values["skus"], stock_required=stock_required)
            findings += found
        return fields, findings


def owners(values: dict[str, Any]) -> tuple[str, str]:
    """(stock, price) ownership of a resolved product: `manage:` of shop.yaml, bases and the
    product, key by key, over the defaults (stock on_create, price always)."""
    manage = values.get("manage", {})
    return manage.get("stock", DEFAULT_OWNERS[0]), manage.get("price", DEFAULT_OWNERS[1])


def _inherit_hint(name: str) -> str:
    return " (write it in the product, in a base it extends, or in shop.yaml defaults)" \
        if name != "skus" else ""


# --------------------------------------------------------------------------- text fields
def title_findings(title: str) -> list[Finding]:
    if TITLE_MIN <= len(title) <= TITLE_MAX and not TITLE_CHARACTERS.search(title) \
            and not REPEATS.search(title) and "tiktok" not in title.casefold():
        return []
    findings = []
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        findings.append(Finding(("title",), f"title must be {TITLE_MIN}-{TITLE_MAX} characters in Indonesia "
                                            f"(it has {len(title)})"))
    if CONTROL.search(title):
        findings.append(Finding(("title",), "title must not contain control characters (tabs, line breaks)"))
    repeated = REPEATS.search(title)
    if repeated:
        findings.append(Finding(("title",), f"title must not repeat a character more than 9 times in a row "
                                            f"({repeated.group(0)[:12]!r})"))
    if EMOJI.search(title):
        findings.append(Finding(("title",), "title must not contain emoji"))
    if "tiktok" in title.casefold():
        findings.append(Finding(("title",), BRAND_MESSAGE.format(field="title"), severity="warning"))
    return findings


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


def template_number_findings(value: Any, path: tuple) -> list[Finding]:
    """Whole numbers in template variables are printed by templates: at most TEMPLATE_NUMBER_DIGITS digits."""
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in template_number_findings(item, path + (key,))]
    if isinstance(value, list):
        return [f for index, item in enumerate(value) for f in template_number_findings(item, path + (index,))]
    if isinstance(value, int) and not isinstance(value, bool) and digit_count(value) > TEMPLATE_NUMBER_DIGITS:
        return [Finding(path, f"a number in template variables has at most {TEMPLATE_NUMBER_DIGITS} digits (got "
                              f"{written(value)}): write a longer one in quotes")]
    return []


def image_count_findings(images: list | None) -> list[Finding]:
    if images is None:
        return []
    findings = []
    if not images:
        findings.append(Finding(("main_images",), "main_images needs at least one image"))
    if len(images) > MAX_IMAGES:
        findings.append(Finding(("main_images", MAX_IMAGES), f"at most {MAX_IMAGES} main images "
                                                             f"(there are {len(images)})"))
    return findings


# --------------------------------------------------------------------------- identity
def _category(category: str) -> Checked:
    if DIGITS.fullmatch(category):
        return category, ()
    return category, (Finding(("category_id",), f"category_id must be the digits of a leaf category, "
                                                f"got {category!r}"),)


def _brand(brand: Any) -> Checked:
    if isinstance(brand, str):
        problem = () if brand.strip() else (Finding(("brand",), "brand must not be empty"),)
        return Ref(name=brand), problem
    if not (brand.id or brand.name):
        return None, (Finding(("brand",), "brand needs an id or a name"),)
    if brand.id and not DIGITS.fullmatch(brand.id):
        return None, (Finding(("brand", "id"), f"brand id must be digits, got {brand.id!r}"),)
    return Ref(id=brand.id, name=brand.name), ()


def _attributes(attributes: Any) -> Checked:
    if isinstance(attributes, dict):
        out, findings = [], []
        for name, value in attributes.items():
            if not name.strip():
                findings.append(Finding(("product_attributes", name), "attribute name must not be empty", at_key=True))
            items = value if isinstance(value, list) else [value]
            if not items:
                findings.append(Finding(("product_attributes", name), "give at least one value"))
            for index, item in enumerate(items):
                findings += _attribute_value(("product_attributes", name) + ((index,) if isinstance(value, list)
                                                                             else ()), item)
            out.append(ProductAttribute(id=None, name=name, values=_refs(Ref(name=v) for v in items)))
        return _sorted_attributes(out), tuple(findings)
    return _attribute_list(attributes)


def _attribute_list(attributes: list) -> Checked:
    """The API shape: [{id or name, values: [text or {id, name}]}]."""
    out, findings, seen = [], [], set()
    for index, item in enumerate(attributes):
        ident = item.id or item.name
        if not ident:
            findings.append(Finding(("product_attributes", index), "an attribute needs an id or a name"))
        elif ident in seen:
            findings.append(Finding(("product_attributes", index), f"attribute {ident!r} is listed twice"))
        seen.add(ident or "")
        refs = []
        for number, ref in enumerate(item.values):
            path = ("product_attributes", index, "values", number)
            if isinstance(ref, str):
                findings += _attribute_value(path, ref)
                refs.append(Ref(name=ref))
            else:
                if not (ref.id or ref.name):
                    findings.append(Finding(path, "a value needs an id or a name"))
                refs.append(Ref(id=ref.id, name=ref.name))
        out.append(ProductAttribute(id=item.id, name=item.name, values=_refs(refs)))
    return _sorted_attributes(out), tuple(findings)


def _attribute_value(path: tuple, value: str) -> list[Finding]:
    if not value.strip():
        return [Finding(path, "attribute value must not be empty")]
    if len(value) > 2000:
        return [Finding(path, f"attribute value must be at most 2000 characters (it has {len(value)})")]
    return []


def _refs(refs: Iterable[Ref]) -> tuple[Ref, ...]:
    return tuple(sorted(set(refs), key=lambda r: (r.id or r.name or "", r.name or "")))


def _sorted_attributes(attributes: list[ProductAttribute]) -> tuple[ProductAttribute, ...]:
    return tuple(sorted(attributes, key=lambda a: (a.id or a.name or "", a.name or "")))


# --------------------------------------------------------------------------- package
def _weight(weight: Any) -> Checked:
    value, path = (weight.value, ("package_weight", "value")) if isinstance(weight, PackageWeight) else \
        (weight, ("package_weight",))
    findings = []
    if isinstance(weight, PackageWeight) and weight.unit != "KILOGRAM":
        findings.append(Finding(("package_weight", "unit"),
                                f"unit {weight.unit!r} is not accepted in Indonesia: write the weight in KILOGRAM "
                                "(e.g. 250 g is 0.25)"))
    number = read_amount(value)
    if number is None:
        findings.append(Finding(path, f"package_weight must be a number of kilograms, got {_quoted(value)}"))
    elif number <= 0:
        findings.append(Finding(path, "package_weight must be more than 0 kg"))
    elif number > WEIGHT_MAX:
        findings.append(Finding(path, f"package_weight must be at most {WEIGHT_MAX} kg (got {written(value)})"))
    elif decimal_places(number.normalize()) > 3:
        findings.append(Finding(path, f"package_weight has at most 3 decimals in kilograms (got {written(value)})"))
    return (None if findings else canonical_decimal(number)), tuple(findings)


def _quoted(value: int | float | str) -> str:
    """A value that is no number, as the messages quote it: its text in quotes."""
    text = literal(value)
    return repr(text) if text is not None else written(value)


def _dimensions(box: Any) -> Checked:
    findings = []
    for side in ("length", "width", "height"):
        size = getattr(box, side)
        if size < 1:
            findings.append(Finding(("package_dimensions", side),
                                    f"{side} must be a whole number of centimetres, at least 1"))
        elif size > SIDE_MAX:
            findings.append(Finding(("package_dimensions", side), f"{side} must be at most {SIDE_MAX} centimetres "
                                                                  f"(got {written(size)})"))
    if box.unit != "CENTIMETER":
        findings.append(Finding(("package_dimensions", "unit"),
                                f"unit {box.unit!r} is not accepted in Indonesia: use CENTIMETER (whole numbers)"))
    return (box.length, box.width, box.height), tuple(findings)


# --------------------------------------------------------------------------- platforms
def _platforms(platforms: list[str]) -> Checked:
    findings = []
    if not platforms:
        findings.append(Finding(("listing_platforms",), "list at least one platform: TIKTOK_SHOP and/or TOKOPEDIA"))
    for index, platform in enumerate(platforms):
        if platform in platforms[:index]:
            findings.append(Finding(("listing_platforms", index), f"{platform} is listed twice"))
    return tuple(sorted(set(platforms))), tuple(findings)


def _platform_rules(values: dict[str, Any]) -> list[Finding]:
    platforms = values.get("listing_platforms")
    if platforms is None:
        return []
    findings = []
    if values.get("shipping_insurance_requirement") is not None and "TOKOPEDIA" not in platforms:
        findings.append(Finding(("shipping_insurance_requirement",),
                                "shipping_insurance_requirement applies only to products listed on TOKOPEDIA: "
                                "add TOKOPEDIA to listing_platforms or remove this field"))
    if values.get("is_pre_owned") and set(platforms) != {"TOKOPEDIA"}:
        findings.append(Finding(("is_pre_owned",),
                                "is_pre_owned is allowed only when TOKOPEDIA is the sole listing platform "
                                "(Shop | Tokopedia has dedicated pre-owned categories instead)"))
    return findings


def _delivery(options: list[str]) -> Checked:
    findings = []
    for index, option in enumerate(options):
        if not DIGITS.fullmatch(option):
            findings.append(Finding(("delivery_option_ids", index),
                                    f"delivery option id must be digits, got {option!r}"))
        elif option in options[:index]:
            findings.append(Finding(("delivery_option_ids", index), f"delivery option {option} is listed twice"))
    return tuple(sorted(set(options))), tuple(findings)


# --------------------------------------------------------------------------- what is remembered
# Each field checked once per distinct value of a load, by a key that tells apart what Python
# finds equal (1 == 1.0 == True: a weight of 1 is shown as written, 1 or 1.0). None: not
# remembered (an attribute list in the API's shape).
def _brand_key(brand: Any) -> Hashable:
    return brand if isinstance(brand, str) else (brand.id, brand.name)


def _attributes_key(attributes: Any) -> Hashable:
    if not isinstance(attributes, dict):
        return None
    return tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in attributes.items())


def _weight_key(weight: Any) -> Hashable:
    if isinstance(weight, PackageWeight):
        return type(weight.value), weight.value, weight.unit
    return type(weight), weight


def _dimensions_key(box: Any) -> Hashable:
    return box.length, box.width, box.height, box.unit


_REMEMBERED: tuple[tuple[str, Callable[[Any], Hashable], Callable[[Any], Checked]], ...] = (
    ("category_id", str, _category), ("brand", _brand_key, _brand),
    ("product_attributes", _attributes_key, _attributes),
    ("package_weight", _weight_key, _weight), ("package_dimensions", _dimensions_key, _dimensions),
    ("listing_platforms", tuple, _platforms), ("delivery_option_ids", tuple, _delivery),
)
