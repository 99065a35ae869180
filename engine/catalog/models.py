"""The catalog's YAML format as pydantic models: the shape of every file a seller writes.

    shop.yaml            ShopFile      shop name, market, target, warehouses, defaults, guards
    bases/<name>.yaml    BaseFile      a reusable partial product (`extends: <name>`)
    products/**/*.yaml   ProductFile   one product per YAML document (`---` separates several)

The models check shape only: types, enum values, unknown keys (all forbidden). Business rules
(title length, price format, warehouses, platform rules...) live in `rules.py`, which gives
seller-worded messages; their limits are repeated here as JSON Schema hints so an editor
flags them while typing. Models are frozen and strict: `true`/`false` for booleans, plain
numbers for numbers, text for text (no silent coercion of `yes` or `"5"`). Amounts (prices,
weights, the rate limit) are kept as YAML gave them — a whole number, a float or a text — and
the rules check their range before converting them (limits.read_amount): a 5,000-digit
number is an error that names the field's range, never a conversion.

`catalog schema` exports these models as schemas/*.json (see `schema.py`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    WithJsonSchema,
)

from engine.catalog.scalars import IdText, NameText, Number, PriceText, by_shape

PRIORITY_MIN, PRIORITY_MAX = -1000, 1000  # a product's `priority` (listing order under a daily limit)
LISTING_LIMIT_MAX = 1_000_000  # shop.yaml `daily_listing_limit`

Platform = Literal["TIKTOK_SHOP", "TOKOPEDIA"]
Status = Literal["active", "inactive", "deleted"]
Insurance = Literal["REQUIRED", "OPTIONAL", "NOT_SUPPORTED"]
IdentifierType = Literal["GTIN", "EAN", "UPC", "ISBN", "JAN"]
Ownership = Literal["always", "on_create"]
DEFAULT_OWNERS = ("on_create", "always")  # (stock, price) `manage:` when nothing says: the shop owns stock

class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- product parts
class DescriptionTemplate(Strict):
    """A description rendered from a Jinja2 template under templates/."""

    template: StrictStr = Field(description="Template file, relative to templates/ (e.g. batik.html.j2).")
    vars: dict[StrictStr, Any] = Field(default_factory=dict, description="Variables for the template.")


class Reference(Strict):
    """A platform id or a name (brand, attribute value)."""

    id: IdText | None = None
    name: StrictStr | None = None


class ImageUri(Strict):
    """An image already uploaded to the platform (Upload Product Image `uri`)."""

    uri: StrictStr


class AttributeItem(Strict):
    """A product attribute in the API's shape, by id or by name."""

    id: IdText | None = None
    name: StrictStr | None = None
    values: list[Annotated[Union[Annotated[NameText, Tag("~name")], Annotated[Reference, Tag("~ref")]],
                           by_shape("~ref", "~name")]] = Field(min_length=1)


class PackageWeight(Strict):
    value: Number
    unit: StrictStr = Field("KILOGRAM", json_schema_extra={"enum": ["KILOGRAM"]},
                            description="Indonesia accepts KILOGRAM only.")


class PackageDimensions(Strict):
    """Package size in whole centimetres."""

    length: StrictInt = Field(json_schema_extra={"minimum": 1})
    width: StrictInt = Field(json_schema_extra={"minimum": 1})
    height: StrictInt = Field(json_schema_extra={"minimum": 1})
    unit: StrictStr = Field("CENTIMETER", json_schema_extra={"enum": ["CENTIMETER"]})


class PreSale(Strict):
    """A pre-order SKU: shipped `handling_duration_days` (3-30 calendar days) after the order."""

    type: Literal["PRE_ORDER"] = "PRE_ORDER"
    handling_duration_days: StrictInt = Field(json_schema_extra={"minimum": 3, "maximum": 30})


class IdentifierCode(Strict):
    type: IdentifierType
    code: StrictStr = Field(json_schema_extra={"pattern": r"^[0-9]{8,14}$|^[0-9Xx-]{10,17}$"},
                            description="The barcode digits, in quotes (leading zeros matter).")


AttrValues = Annotated[Union[Annotated[NameText, Tag("~one")], Annotated[list[NameText], Tag("~many")]],
                       by_shape("~one", "~one", "~many")]


class Sku(Strict):
    seller_sku: StrictStr = Field(json_schema_extra={"minLength": 1, "maxLength": 50, "pattern": r"^\S+$"},
                                  description="Your SKU code: 1-50 characters, no spaces, unique in the shop.")
    price: PriceText
    inventory: dict[StrictStr, StrictInt] | None = Field(
        None, json_schema_extra={"minProperties": 1, "additionalProperties": {"type": "integer", "minimum": 0,
                                                                            "maximum": 99999}},
        description="Stock per warehouse NAME (from shop.yaml `warehouses`). Under `manage: {stock: on_create}` "
                    "(the default) it is the stock a SKU is created with, and needed only until it exists.")
    sales_attributes: dict[StrictStr, NameText] = Field(
        default_factory=dict, json_schema_extra={"maxProperties": 3},
        description="Variant attributes, e.g. {Ukuran: M, Warna: Merah}; same names on every SKU.")
    pre_sale: PreSale | None = None
    identifier_code: IdentifierCode | None = None


Description = Annotated[Union[Annotated[StrictStr, Tag("~html")], Annotated[DescriptionTemplate, Tag("~tpl")]],
                        by_shape("~tpl", "~html")]
Brand = Annotated[Union[Annotated[StrictStr, Tag("~name")], Annotated[Reference, Tag("~ref")]],
                  by_shape("~ref", "~name")]
Image = Annotated[Union[Annotated[StrictStr, Tag("~file")], Annotated[ImageUri, Tag("~uri")]],
                  by_shape("~uri", "~file")]
Attributes = Annotated[Union[Annotated[dict[StrictStr, AttrValues | None], Tag("~map")],
                             Annotated[list[AttributeItem], Tag("~list")]],
                       by_shape("~map", "~map", "~list")]
Weight = Annotated[Union[Annotated[Number, Tag("~kg")], Annotated[PackageWeight, Tag("~obj")]],
                   by_shape("~obj", "~kg")]
Extends = Annotated[Union[Annotated[StrictStr, Tag("~one")], Annotated[list[StrictStr], Tag("~many")]],
                    by_shape("~one", "~one", "~many")]


class Manage(Strict):
    """Who owns a field group once the product is listed: `always` = git (a change in the shop is
    put back), `on_create` = the shop (the catalog's value is used only when a SKU is created)."""

    stock: Ownership | None = Field(None, description="Default on_create: buyers' orders move stock; a plan "
                                                      "never puts an existing SKU's stock back.")
    price: Ownership | None = Field(None, description="Default always: git owns the price; a price changed in "
                                                      "the shop is drift and is put back.")


class ProductFields(Strict):
    """Fields a product, a base and the shop defaults share. Unwritten = not managed."""

    title: StrictStr | None = Field(None, json_schema_extra={"minLength": 25, "maxLength": 255},
                                    description="25-255 characters (Indonesia).")
    description: Description | None = Field(
        None, description="Inline HTML, or {template: file.j2, vars: {...}} rendered from templates/.")
    category_id: IdText | None = Field(None, description="Leaf category id, e.g. \"600010\".")
    brand: Brand | None = Field(None, description="Brand name as the platform lists it, or {id: \"...\"}.")
    main_images: list[Image] | None = Field(
        None, json_schema_extra={"minItems": 1, "maxItems": 9},
        description="Up to 9: image files relative to the catalog, or {uri: ...} of uploaded images.")
    product_attributes: Attributes | None = Field(
        None, description="{name: value or [values]}, or a list of {id|name, values} (API shape).")
    package_weight: Weight | None = Field(None, description="Kilograms, e.g. 0.35 (at most 3 decimals).")
    package_dimensions: PackageDimensions | None = None
    listing_platforms: list[Platform] | None = Field(
        None, json_schema_extra={"minItems": 1, "uniqueItems": True},
        description="Where the product is listed: TIKTOK_SHOP (Shop | Tokopedia) and/or TOKOPEDIA.")
    status: Status | None = Field(None, description="active, inactive (hidden) or deleted (tombstone).")
    shipping_insurance_requirement: Insurance | None = Field(None, description="Only with TOKOPEDIA.")
    is_pre_owned: StrictBool | None = Field(None, description="Only when TOKOPEDIA is the sole platform.")
    minimum_order_quantity: StrictInt | None = Field(None, json_schema_extra={"minimum": 1, "maximum": 20})
    is_cod_allowed: StrictBool | None = None
    delivery_option_ids: list[IdText] | None = None
    manage: Manage | None = Field(None, description="Overrides shop.yaml `manage:` for these products, key by key.")


class ShopDefaults(ProductFields):
    """Values every product inherits unless a base or the product says otherwise."""


class BaseFile(ProductFields):
    """A reusable partial product in bases/<name>.yaml; products use it with `extends: <name>`."""

    extends: Extends | None = Field(None, description="Other bases this one builds on, in order.")


# --------------------------------------------------------------------------- guards
PERCENT = re.compile(r"\s*([0-9]{1,5}(?:\.[0-9]{1,2})?)\s*%\s*")
PERCENT_SCHEMA = {"type": "string", "pattern": r"^\s*[0-9]{1,5}(\.[0-9]{1,2})?\s*%\s*$"}
_OFF = " (or false to turn the guard off)"


def _percent(value: Any, example: str = "25%") -> Any:
    """A percentage written as text: `50%`, `12.5%` (more than 0)."""
    match = PERCENT.fullmatch(value) if isinstance(value, str) else None
    if match is None or not float(match.group(1)) > 0:
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        shown = f"{value}%" if number else example
        raise ValueError(f"write a percentage above 0 with its % sign, such as {shown}")
    return value


def _percent_or_off(value: Any) -> Any:
    if value is False:
        return value
    try:
        return _percent(value, "50%")
    except ValueError as exc:
        raise ValueError(f"{exc}{_OFF}") from None


def _limit_or_off(value: Any) -> Any:
    if value is False or isinstance(value, (dict, BaseModel)):
        return value
    raise ValueError(f"write the limit as a mapping, such as {{count: 10, share: 25%}}{_OFF}")


def _off_or(tag: str) -> Discriminator:
    return Discriminator(lambda value: "~off" if value is False else tag)


Percent = Annotated[StrictStr, BeforeValidator(_percent), WithJsonSchema(PERCENT_SCHEMA)]


class GuardLimit(Strict):
    """Trips when one plan touches more than `count` products, or more than `share` of them;
    a part not written keeps its default."""

    count: StrictInt | None = Field(None, json_schema_extra={"minimum": 0},
                                    description="Products in one plan past which the guard trips.")
    share: Percent | None = Field(None, description="Share of the shop's products past which the guard trips, "
                                                    "e.g. 25%.")


class MassAcknowledge(Strict):
    """Allows one mass change: the plan that touches exactly `count` products, these products."""

    count: StrictInt = Field(json_schema_extra={"minimum": 1}, description="How many products the plan touches.")
    products: StrictStr = Field(json_schema_extra={"pattern": "^[0-9a-f]{8}$"},
                                description="The products' fingerprint, as the plan prints it (in quotes).")


class ShopAcknowledge(Strict):
    """Mass changes the reviewers allowed (the plan prints what to write)."""

    deactivate: MassAcknowledge | None = None
    delete: MassAcknowledge | None = None


GuardPercent = Annotated[Union[Annotated[Literal[False], Tag("~off")], Annotated[StrictStr, Tag("~pct")]],
                         _off_or("~pct"), BeforeValidator(_percent_or_off),
                         WithJsonSchema({"anyOf": [PERCENT_SCHEMA, {"const": False}]})]
GuardLimitOrOff = Annotated[Union[Annotated[Literal[False], Tag("~off")], Annotated[GuardLimit, Tag("~limit")]],
                            _off_or("~limit"), BeforeValidator(_limit_or_off)]


class Guards(Strict):
    """Risky changes a plan may make only with an acknowledgement (on by default)."""

    max_price_change: GuardPercent | None = Field(
        None, description="Per SKU, up or down, against the live price (default 50%).")
    max_deactivate: GuardLimitOrOff | None = Field(
        None, description="Products deactivated or taken off a platform (default {count: 10, share: 25%}).")
    max_delete: GuardLimitOrOff | None = Field(
        None, description="Products deleted (default {count: 5, share: 10%}).")
    acknowledge: ShopAcknowledge | None = None


class PriceAcknowledge(Strict):
    """One price change a reviewer allowed: from the live price to the catalog's."""

    old: PriceText = Field(alias="from", description="The live price.")
    new: PriceText = Field(alias="to", description="The catalog's new price.")


class ProductAcknowledge(Strict):
    """Changes of this product that trip a guard and that the reviewers allowed."""

    price_change: dict[StrictStr, PriceAcknowledge] = Field(
        json_schema_extra={"minProperties": 1},
        description="Per seller SKU: {from: live price, to: new price}, as the plan prints it.")


class ProductFile(ProductFields):
    """One product (one YAML document)."""

    key: StrictStr = Field(json_schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
                           description="Stable identity of the product in this catalog; never reuse.")
    extends: Extends | None = Field(None, description="Bases (bases/<name>.yaml) to inherit from, in order.")
    skus: list[Sku] | None = Field(None, json_schema_extra={"minItems": 1, "maxItems": 100})
    priority: StrictInt | None = Field(
        None, json_schema_extra={"minimum": PRIORITY_MIN, "maximum": PRIORITY_MAX},
        description="Order under shop.yaml daily_listing_limit: higher goes first (default 0; ties by key). "
                    "Not sent to the shop.")
    acknowledge: ProductAcknowledge | None = Field(
        None, description="Guarded changes the reviewers allowed; flagged for removal once they are live.")


# --------------------------------------------------------------------------- shop.yaml
class ShopFile(Strict):
    """shop.yaml: the shop, where it lives, and what every product inherits.

    Credentials never go here: the engine reads TTS_APP_KEY, TTS_APP_SECRET,
    TTS_ACCESS_TOKEN, TTS_REFRESH_TOKEN and TTS_SHOP_CIPHER from the environment.
    """

    name: StrictStr = Field(json_schema_extra={"minLength": 1})
    market: Literal["ID"] = "ID"
    target: Literal["sandbox", "api"] = "sandbox"
    base_url: StrictStr | None = Field(None, description="API host for target api.")
    auth_url: StrictStr | None = Field(None, description="Token host for target api.")
    sandbox_db: StrictStr | None = Field(None, description="Sandbox database, relative to the catalog.")
    rate_limit_qps: Annotated[Number, WithJsonSchema({"type": "number", "exclusiveMinimum": 0})] | None = None
    daily_listing_limit: StrictInt | None = Field(
        None, json_schema_extra={"minimum": 1, "maximum": LISTING_LIMIT_MAX},
        description="Listings a day the shop may make (its tier, Seller Center homepage): creates and edits "
                    "that go to review past it are deferred to a later apply. Default: no limit known.")
    warehouses: dict[StrictStr, IdText] = Field(
        json_schema_extra={"minProperties": 1}, description="Warehouse name -> warehouse id.")
    manage: Manage | None = Field(
        None, description="Who owns stock and price once a SKU exists: {stock: on_create, price: always} when "
                          "not written; a base or a product can override it key by key.")
    defaults: ShopDefaults = Field(default_factory=lambda: ShopDefaults.model_validate({}))
    template_vars: dict[StrictStr, Any] = Field(
        default_factory=dict, description="Variables every description template can use.")
    guards: Guards = Field(default_factory=lambda: Guards.model_validate({}),
                           description="Limits past which a plan needs an acknowledgement.")


PRODUCT_FIELDS = tuple(ProductFields.model_fields) + ("skus",)  # what layers carry
