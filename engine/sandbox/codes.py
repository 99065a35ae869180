"""Error codes the sandbox answers with (API.md §7.3, §8) and the one exception that carries them.

Where API.md documents no code for a rule, the closest documented one is used and the
choice is commented next to the constant.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")

OK = 0

# --- gateway (API.md §1–2, §8)
TOO_MANY_REQUESTS = 36009002
INTERNAL_ERROR = 36009003
INVALID_PARAM = 36009004  # invalid/missing app_key, timestamp, signature; unexpected shop_cipher
INVALID_PATH = 36009009
INVALID_METHOD = 36009010
INVALID_VERSION = 36009014
# API.md lists 36009022/36009023 together as "wrong content-type" without telling them apart:
# the sandbox uses 36009022 for JSON endpoints and 36009023 for the multipart upload endpoint.
CONTENT_TYPE_JSON = 36009022
CONTENT_TYPE_MULTIPART = 36009023
INVALID_SIGN = 106001
TOKEN_INVALID = 101000
TOKEN_EXPIRED = 105002
MISSING_SHOP_CIPHER = 106013
# Only a FAQ title names a code for an expired refresh token (API.md §4); used for invalid ones too.
REFRESH_TOKEN_EXPIRED = 36004001

# --- product rules (API.md §7.3 "Selected Create error codes")
SELLER_SKU_INVALID = 12019059
PRE_SALE_NOT_ALLOWED = 12019095  # 12019095–12019100 are "pre-sale validation"; split documented here:
PRE_SALE_DAYS = 12019096  # handling_duration_days outside 3–30 (or type not PRE_ORDER)
PRE_SALE_MIXED = 12019100  # all SKUs must share the same pre-sale type (documented)
SKU_ID_INVALID = 12019022
PRICE_LOCKED = 12019045  # "price is locked" [HEMI]; not used: 12052038 names the promotion
PRODUCT_STATUS_INVALID = 12019113  # documented for price updates; used for every single-product write
TOO_MANY_IDS = 12019120
CATEGORY_MISSING = 12052023
CATEGORY_NOT_LEAF = 12052024
CATEGORY_INVALID = 12052025
MAIN_IMAGE_REQUIRED = 12052028
PRODUCT_IDS_REQUIRED = 12052030
PRODUCT_NOT_FOUND = 12052032
PRODUCT_NOT_IN_SHOP = 12052048
PROMOTION_PRICE_LOCKED = 12052038  # "Product price locked due to ongoing promotion" [HEMI, API.md §7.6]
STATUS_CONFLICT = 12052003  # "current product status can not be activated/deactivated" (batch items)
TOO_MANY_SKUS = 12052050
TITLE_LENGTH = 12052051  # documented as "title too long"; also used for too short (ID: 25–255)
SELLER_SKU_TOO_LONG = 12052054
INVENTORY_RANGE = 12052055
PRICE_INVALID = 12052073
LISTING_LIMIT = 12052093
WAREHOUSE_NOT_FOUND = 12052097
ATTRIBUTE_REQUIRED = 12052104
WEIGHT_INVALID = 12052181
BRAND_UNAUTHORIZED = 12052201
# 12052220–12052227 are "category prohibited/restricted/unauthorized"; the sandbox uses the first for
# PROHIBITED and 12052223 (the example in the OAS) for INVITE_ONLY / NON_MAIN_CATEGORY.
CATEGORY_PROHIBITED = 12052220
CATEGORY_RESTRICTED = 12052223
CATEGORY_VERSION = 12052217
PRE_OWNED_PLATFORM = 12052316
INVENTORY_REQUIRED = 12052486
WAREHOUSE_CHANGE = 12052533
DUPLICATE_SALES_ATTRIBUTE = 12052560
PRICE_MISSING = 12052571
MOQ_INVALID = 12052706
IMAGE_NOT_FOUND = 12052722
INVALID_PARAMS = 12052910  # documented "invalid params": every rule without a dedicated code
UNIT_INVALID = 12052915  # documented for mismatched measurement systems; used for any wrong unit
TEXT_FORMAT = 12052931
CHECK_FAILED = 12052990
EXTERNAL_ID_DUPLICATED = 12052996
TITLE_EMPTY = 12052261


class PlatformError(Exception):
    """A non-zero answer: business code, message, HTTP status and optional `data`."""

    def __init__(self, code: int, message: str, *, http_status: int = 200,
                 data: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data if data is not None else {}
        self.headers = headers or {}


class RuleError(Exception):
    """One violated product rule (optionally tied to a listing platform)."""

    def __init__(self, code: int, message: str, platform: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.platform = platform

    def as_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.platform:
            item["detail"] = {"listing_platform": self.platform}
        return item


class RuleErrors(RuleError):
    """Every violated rule of one request: a write answers with the first, Check Listing lists them all.

    `failures` holds the per-platform failures found alongside (category permission, pre-owned,
    brand authorisation), when the product was far enough valid to judge them.
    """

    def __init__(self, errors: list[RuleError], failures: dict[str, list[RuleError]] | None = None) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, first.platform)
        self.errors = errors
        self.failures = failures or {}


class Problems:
    """Collects RuleErrors instead of stopping at the first (`check` runs one rule)."""

    def __init__(self) -> None:
        self.errors: list[RuleError] = []

    def check(self, rule: Callable[..., T], *args: Any, default: Any = None, **kwargs: Any) -> T:
        try:
            return rule(*args, **kwargs)
        except RuleErrors as several:
            self.errors.extend(several.errors)
        except RuleError as error:
            self.errors.append(error)
        return default

    def raise_any(self) -> None:
        if self.errors:
            raise RuleErrors(self.errors)
