"""Product rules: what create / edit / partial edit / listing check accept, and review.

`check_product(body, ctx, ...)` validates a Create/Edit-shaped body (a partial edit is
merged onto the latest version first) and returns a `Checked`: the normalised content,
the requested platforms, per-platform failures and warnings. A rule that fails the whole
request raises `RuleError`; a rule that fails on one platform only (category permission,
pre-owned on TIKTOK_SHOP, brand authorisation on TIKTOK_SHOP) lands in `failures`.
Optional fields that fail format validation are reset with a warning, as the platform
does (API.md §3: brand, GTIN, attribute values).

`review(content, platforms, seed)` is the deterministic review: banned words from the seed
fail review on their platforms, with per-platform `audit_failed_reasons`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from engine.sandbox import codes
from engine.sandbox.codes import Problems, RuleError, RuleErrors
from engine.sandbox.extras import extras
from engine.sandbox.seed import PLATFORMS, Seed
from engine.sandbox.skurules import SalesAttributeResolver, SkuRules, check_skus

CREATE_FIELDS = frozenset({
    "brand_id", "category_id", "category_version", "certifications", "delivery_option_ids", "description",
    "external_product_id", "idempotency_key", "is_cod_allowed", "is_not_for_sale", "is_pre_owned",
    "listing_platforms", "main_images", "manufacturer_ids", "minimum_order_quantity", "package_dimensions",
    "package_weight", "primary_combined_product_id", "product_attributes", "responsible_person_ids", "save_mode",
    "shipping_insurance_requirement", "shipping_template_id", "size_chart", "skus", "title", "video",
})
EDIT_FIELDS = (CREATE_FIELDS - {"idempotency_key", "is_not_for_sale", "primary_combined_product_id"}) | {
    "replicated_products", "subscribe_info_edit"}
PARTIAL_FIELDS = frozenset({
    "brand_id", "certifications", "description", "external_product_id", "is_cod_allowed", "listing_platforms",
    "main_images", "manufacturer_ids", "package_dimensions", "package_weight", "product_attributes",
    "replicated_products", "responsible_person_ids", "save_mode", "size_chart", "skus", "subscribe_info_edit",
    "title", "video",
})
CHECK_FIELDS = (CREATE_FIELDS - {"category_version", "idempotency_key", "save_mode", "is_not_for_sale"}) | {"option"}
INSURANCE = ("REQUIRED", "OPTIONAL", "NOT_SUPPORTED")
HTML_ESCAPE = re.compile(r"&(#\d+|[a-zA-Z]+);")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REPEATED = re.compile(r"(.)\1{9,}")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


@dataclass
class Context:
    """What the rules may ask the shop (the store answers inside the request's transaction)."""

    seed: Seed
    image: Callable[[str | None], dict[str, Any] | None]  # uploaded image info by uri, or None
    known_url: Callable[[str], bool]
    external_owner: Callable[[str], str | None]


@dataclass
class Checked:
    content: dict[str, Any]
    platforms: list[str]
    platforms_given: bool
    failures: dict[str, list[RuleError]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def passing(self) -> list[str]:
        return [p for p in self.platforms if p not in self.failures]


def reject_unknown_fields(body: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise codes.PlatformError(codes.INVALID_PARAM, f"Invalid param: unknown field(s) {', '.join(unknown)}")


def check_product(body: dict[str, Any], ctx: Context, *, product_id: str | None = None,
                  existing_skus: dict[str, dict[str, Any]] | None = None,
                  default_platforms: list[str] | None = None, present: tuple[str, ...] = (),
                  backorders: bool = True, min_stock: int = 1) -> Checked:
    """Every rule, every failure: raises RuleErrors (all the request-wide failures, in rule order,
    plus the per-platform ones when they could be judged) or returns the Checked product.

    `present`: platforms an existing product is already on (a stored Tokopedia-only value stays
    valid); `backorders`: the endpoint's version takes SKU `backorder_quantity` / `handling_time`;
    `min_stock`: 1 for requests (the spec), 0 for seeded shop states (orders sell SKUs out).
    """
    warnings: list[str] = []
    problems = Problems()
    platforms, given = problems.check(_platforms, body.get("listing_platforms"), default_platforms,
                                      default=(list(default_platforms or ["TIKTOK_SHOP"]), False))
    category_id, rules = problems.check(_category, body, ctx.seed, default=("", ctx.seed.rules("")))
    definitions = ctx.seed.attributes(category_id)
    content: dict[str, Any] = {
        "title": problems.check(_title, body.get("title")),
        "description": problems.check(_description, body.get("description"), ctx),
        "category_id": category_id,
        "main_images": problems.check(_main_images, body.get("main_images"), ctx),
        "package_weight": problems.check(_weight, body.get("package_weight")),
        "package_dimensions": problems.check(_dimensions, body.get("package_dimensions"), rules),
        "product_attributes": problems.check(_attributes, body.get("product_attributes"), definitions, warnings),
    }
    content["brand_id"] = _brand(body.get("brand_id"), ctx.seed, warnings)
    content.update(problems.check(_logistics, body, sorted(set(platforms) | set(present)), rules, ctx.seed,
                                  default={}))
    content.update(problems.check(extras, body, ctx.image, warnings, default={}))
    problems.check(_size_chart, content.get("size_chart"), rules)
    sku_rules = SkuRules(existing=existing_skus or {}, allowed=list(rules.get("allowed_special_product_types") or []),
                         resolver=SalesAttributeResolver(definitions, ctx.image), warehouses=ctx.seed.warehouse_ids,
                         backorders=backorders, min_stock=min_stock, warnings=warnings)
    content["skus"] = problems.check(check_skus, body.get("skus"), sku_rules)
    problems.check(_external_id, body.get("external_product_id"), ctx, product_id)
    checked = Checked(content, platforms, given, warnings=warnings)
    _platform_failures(checked, body, ctx.seed)
    if problems.errors:
        raise RuleErrors(problems.errors, checked.failures)
    return checked


def _platforms(value: Any, default: list[str] | None) -> tuple[list[str], bool]:
    if value is None:
        return list(default or ["TIKTOK_SHOP"]), False
    if not isinstance(value, list) or not value or any(p not in PLATFORMS for p in value):
        raise RuleError(codes.INVALID_PARAMS, f"listing_platforms must be a non-empty list of {', '.join(PLATFORMS)}")
    return sorted(set(value)), True


def _category(body: dict[str, Any], seed: Seed) -> tuple[str, dict[str, Any]]:
    version = body.get("category_version")
    if version == "v1":
        raise RuleError(codes.CATEGORY_VERSION, "All region shops must use V2 categories (category_version v2)")
    if version not in (None, "v2"):
        raise RuleError(codes.INVALID_PARAMS, f"category_version must be v2, got {version!r}")
    category_id = body.get("category_id")
    if not category_id:
        raise RuleError(codes.CATEGORY_MISSING, "category_id is required")
    category = seed.category(str(category_id))
    if category is None:
        raise RuleError(codes.CATEGORY_INVALID, f"category {category_id} does not exist")
    if not category["is_leaf"]:
        raise RuleError(codes.CATEGORY_NOT_LEAF, f"category {category_id} is not a leaf category")
    return category["id"], seed.rules(category["id"])


def _text_rules(value: str, name: str) -> None:
    if CONTROL.search(value) or EMOJI.search(value) or HTML_ESCAPE.search(value) or REPEATED.search(value) \
            or not any(ch.isalnum() for ch in value):
        raise RuleError(codes.TEXT_FORMAT, f"{name} breaks the formatting rules (no emoji, control characters, "
                                           "HTML escapes, 10+ repeated characters, or symbols only)")


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(codes.TITLE_EMPTY, "title is required")
    if not 25 <= len(value) <= 255:
        raise RuleError(codes.TITLE_LENGTH, f"title must be 25–255 characters for Indonesia, got {len(value)}")
    _text_rules(value, "title")
    return value


def _description(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(codes.INVALID_PARAMS, "description is required")
    if len(value) > 10_000:
        raise RuleError(codes.INVALID_PARAMS, f"description is longer than 10,000 characters ({len(value)})")
    images = IMG_TAG.findall(value)
    if len(images) > 30:
        raise RuleError(codes.INVALID_PARAMS, f"description has more than 30 images ({len(images)})")
    for tag in images:
        src = IMG_SRC.search(tag)
        if not src or not ctx.known_url(src.group(1)):
            raise RuleError(codes.IMAGE_NOT_FOUND, "description images must use URLs from images/upload")
    return value


def _main_images(value: Any, ctx: Context) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise RuleError(codes.MAIN_IMAGE_REQUIRED, "main_images: at least one image is required")
    if len(value) > 9:
        raise RuleError(codes.INVALID_PARAMS, f"main_images: at most 9 images ({len(value)})")
    uris = []
    for image in value:
        uri = image.get("uri") if isinstance(image, dict) else None
        info = ctx.image(uri)
        if info is None:
            raise RuleError(codes.IMAGE_NOT_FOUND, f"main_images: {uri!r} was not uploaded to this shop")
        uris.append(info)
    return uris


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _weight(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RuleError(codes.WEIGHT_INVALID, "package_weight is required")
    if value.get("unit") != "KILOGRAM":
        raise RuleError(codes.UNIT_INVALID, "package_weight.unit must be KILOGRAM in Indonesia")
    number = _decimal(value.get("value"))
    if number is None or number <= 0 or number.as_tuple().exponent < -3:  # type: ignore[operator]
        raise RuleError(codes.WEIGHT_INVALID, "package_weight.value must be > 0 with at most 3 decimals")
    return {"value": value["value"], "unit": "KILOGRAM"}


def _dimensions(value: Any, rules: dict[str, Any]) -> dict[str, str] | None:
    if value is None:
        if rules["package_dimension"]["is_required"]:
            raise RuleError(codes.INVALID_PARAMS, "package_dimensions are required in this category")
        return None
    if not isinstance(value, dict) or value.get("unit") != "CENTIMETER":
        raise RuleError(codes.UNIT_INVALID, "package_dimensions.unit must be CENTIMETER with KILOGRAM weights")
    for key in ("length", "width", "height"):
        number = _decimal(value.get(key))
        if number is None or number <= 0 or number != number.to_integral():
            raise RuleError(codes.INVALID_PARAMS, f"package_dimensions.{key} must be a positive whole number")
    return {k: value[k] for k in ("length", "width", "height", "unit")}


def _attributes(value: Any, definitions: list[dict[str, Any]], warnings: list[str]) -> list[dict[str, Any]]:
    product_props = {a["id"]: a for a in definitions if a["type"] == "PRODUCT_PROPERTY"}
    if value is not None and not isinstance(value, list):
        raise RuleError(codes.INVALID_PARAMS, "product_attributes must be a list")
    result = []
    for attr in value or []:
        definition = product_props.get(str(attr.get("id"))) if isinstance(attr, dict) else None
        if definition is None:
            warnings.append(f"product attribute {attr.get('id') if isinstance(attr, dict) else attr!r} "
                            "is not in this category; it was reset")
            continue
        values = attr.get("values") or []
        if not isinstance(values, list):
            raise RuleError(codes.INVALID_PARAMS, f"product attribute {definition['id']}: values must be a list")
        values = _attribute_values(values, definition, warnings)
        if values:
            result.append({"id": definition["id"], "name": definition["name"], "values": values})
    present = {a["id"] for a in result}
    for definition in product_props.values():
        if definition.get("is_requried") and definition["id"] not in present:
            raise RuleError(codes.ATTRIBUTE_REQUIRED,
                            f"product attribute {definition['name']} ({definition['id']}) is required")
    return sorted(result, key=lambda a: a["id"])


def _attribute_values(values: list[Any], definition: dict[str, Any], warnings: list[str]) -> list[dict[str, str]]:
    known = {v["id"]: v for v in definition["values"]}
    result = []
    for value in values:
        match = known.get(str(value.get("id"))) if isinstance(value, dict) and value.get("id") else None
        if match is None and isinstance(value, dict) and value.get("name"):
            match = next((v for v in known.values() if v["name"].lower() == str(value["name"]).lower()), None)
            if match is None and definition.get("is_customizable") and len(str(value["name"])) <= 2000:
                match = {"id": "", "name": str(value["name"])}
        if match is None:
            warnings.append(f"value {value!r} of product attribute {definition['name']} is invalid; it was reset")
            continue
        result.append({"id": match["id"], "name": match["name"]})
    if len(result) > 1 and not definition.get("is_multiple_selection"):
        warnings.append(f"product attribute {definition['name']} takes one value; only the first was kept")
        result = result[:1]
    return result


def _brand(value: Any, seed: Seed, warnings: list[str]) -> str | None:
    if value in (None, ""):
        return None
    if seed.brand(str(value)) is None:
        warnings.append(f"brand {value} does not exist; the product was reset to No Brand")
        return None
    return str(value)


def _logistics(body: dict[str, Any], platforms: list[str], rules: dict[str, Any], seed: Seed) -> dict[str, Any]:
    out: dict[str, Any] = {}
    wrong: list[RuleError] = []
    insurance = body.get("shipping_insurance_requirement")
    if insurance is not None:
        if insurance not in INSURANCE:
            wrong.append(RuleError(codes.INVALID_PARAMS,
                                   f"shipping_insurance_requirement must be one of {', '.join(INSURANCE)}"))
        elif "TOKOPEDIA" not in platforms:
            wrong.append(RuleError(codes.INVALID_PARAMS, "shipping_insurance_requirement applies only when "
                                   "listing_platforms includes TOKOPEDIA"))
        out["shipping_insurance_requirement"] = insurance
    moq = body.get("minimum_order_quantity")
    if moq is not None:
        if isinstance(moq, bool) or not isinstance(moq, int) or not 1 <= moq <= 20:
            wrong.append(RuleError(codes.MOQ_INVALID, f"minimum_order_quantity must be 1–20, got {moq!r}"))
        out["minimum_order_quantity"] = moq
    for key in ("is_pre_owned", "is_cod_allowed", "is_not_for_sale"):
        if body.get(key) is not None:
            if not isinstance(body[key], bool):
                wrong.append(RuleError(codes.INVALID_PARAMS, f"{key} must be a boolean"))
            out[key] = body[key]
    if out.get("is_cod_allowed") is True and not rules["cod"]["is_supported"]:
        wrong.append(RuleError(codes.INVALID_PARAMS, "cash on delivery is not supported in this category"))
    options = body.get("delivery_option_ids")
    if options is not None:
        if not isinstance(options, list) or any(not isinstance(o, str) or o not in seed.delivery_options
                                                for o in options):
            wrong.append(RuleError(codes.INVALID_PARAMS, "delivery_option_ids: unknown delivery option"))
        else:
            out["delivery_option_ids"] = sorted(set(options))
    if wrong:
        raise RuleErrors(wrong)
    return out


def _size_chart(value: Any, rules: dict[str, Any]) -> None:
    if value and not rules["size_chart"]["is_supported"]:
        raise RuleError(codes.INVALID_PARAMS, "size_chart is not supported in this category")
    if not value and rules["size_chart"]["is_required"]:
        raise RuleError(codes.INVALID_PARAMS, "size_chart is required in this category")


def _external_id(value: Any, ctx: Context, product_id: str | None) -> None:
    if value in (None, ""):
        return
    if not isinstance(value, str) or len(value) > 999:
        raise RuleError(codes.INVALID_PARAMS, "external_product_id must be a string of at most 999 characters")
    owner = ctx.external_owner(value)
    if owner is not None and owner != product_id:
        raise RuleError(codes.EXTERNAL_ID_DUPLICATED, f"external_id duplicated: product {owner} already uses it")


def _platform_failures(checked: Checked, body: dict[str, Any], seed: Seed) -> None:
    content = checked.content
    for platform in checked.platforms:
        failures: list[RuleError] = []
        permission = seed.permission(content["category_id"], platform) if content["category_id"] else ["AVAILABLE"]
        if "PROHIBITED" in permission:
            failures.append(RuleError(codes.CATEGORY_PROHIBITED,
                                      f"category {content['category_id']} is prohibited on this platform", platform))
        elif "AVAILABLE" not in permission:
            failures.append(RuleError(codes.CATEGORY_RESTRICTED, f"category {content['category_id']} is "
                                      f"{'/'.join(permission).lower()} on this platform", platform))
        if platform == "TIKTOK_SHOP" and content.get("is_pre_owned"):
            failures.append(RuleError(codes.PRE_OWNED_PLATFORM, "is_pre_owned is only applicable when TOKOPEDIA "
                                      "is the only listing platform", platform))
        brand = seed.brand(content["brand_id"]) if content.get("brand_id") else None
        if platform == "TIKTOK_SHOP" and brand and (brand["brand_status"] != "AVAILABLE" or (
                brand["authorized_status"] != "AUTHORIZED" and brand["is_t1_brand"])):
            failures.append(RuleError(codes.BRAND_UNAUTHORIZED,
                                      f"brand {brand['name']} is not authorized for this shop", platform))
        if failures:
            checked.failures[platform] = failures


def review(content: dict[str, Any], platforms: list[str], seed: Seed) -> dict[str, list[dict[str, Any]]]:
    """Deterministic review: {platform: audit_failed_reasons} for the platforms that fail."""
    failed: dict[str, list[dict[str, Any]]] = {}
    for rule in seed.banned_words:
        text = str(content.get(rule["position"], "")).lower()
        if rule["word"].lower() not in text:
            continue
        for platform in platforms:
            if platform in rule["platforms"]:
                failed.setdefault(platform, []).append({
                    "listing_platform": platform, "position": rule["position"],
                    "reasons": list(rule["reasons"]), "suggestions": list(rule["suggestions"])})
    return failed
