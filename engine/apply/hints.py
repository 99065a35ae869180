"""What a seller can do about a refused write: a hint per error code, per platform.

Messages from the shop are shown as they came, except that the platform is named the way an
Indonesian seller knows it (brand rule: never "TikTok"; TIKTOK_SHOP is "Shop | Tokopedia").
"""

from __future__ import annotations

import re

from engine.catalog.spec import PLATFORM_LABELS

CATEGORY_CODES = frozenset(range(12052220, 12052228))
ENUM = re.compile(r"\b(TIKTOK_SHOP|TOKOPEDIA)\b")
TIKTOK_SHOP_WORDS = re.compile(r"tik\s?tok\s+shop(?!_)", re.IGNORECASE)
TIKTOK_WORD = re.compile(r"tik\s?tok(?!_shop)", re.IGNORECASE)
AMBIGUOUS = ("the shop did not confirm the write, so it may or may not have happened; it was not "
             "retried — run `catalog plan` to see what the shop holds now")


def seller_text(text: str, market: str = "ID") -> str:
    """A shop message as shown to the seller (platform names per the brand rule)."""
    if market != "ID" or not text:
        return text
    text = ENUM.sub(lambda m: PLATFORM_LABELS[m.group(1)], text)
    text = TIKTOK_SHOP_WORDS.sub("Shop | Tokopedia", text)
    return TIKTOK_WORD.sub("Tokopedia & Shop", text)


def _label(platform: str | None) -> str:
    return PLATFORM_LABELS.get(platform or "", "this platform")


def hint(code: int, platform: str | None = None, kind: str = "") -> str:
    """One sentence the seller can act on, or "" when the message says it all."""
    where = _label(platform)
    if code in CATEGORY_CODES:
        if code == 12052220:
            return (f"the category is prohibited on {where}: choose another category, or remove "
                    f"{platform or 'the platform'} from listing_platforms")
        return (f"the category is restricted (e.g. invite-only) on {where}: request access in Seller Center, "
                f"choose another category, or remove {platform or 'the platform'} from listing_platforms; "
                "the next plan shows it as blocked until the catalog changes")
    hints = {
        12052316: ("pre-owned items can be listed on Tokopedia only: set `listing_platforms: [TOKOPEDIA]` "
                   "(Shop | Tokopedia has dedicated pre-owned categories)"),
        12052358: "Tokopedia does not accept this kind of product: list it on Shop | Tokopedia only",
        12052330: f"this product is not supported on {where}: remove it from listing_platforms",
        12052093: ("the shop reached its daily listing limit (shown on the Seller Center homepage): apply again "
                   "tomorrow; what was not applied stays in the plan"),
        12052109: "the shop sent too many requests: apply again later",
        12052201: f"the brand is not authorized on {where}: authorize it in Seller Center, or remove the brand",
        12052208: f"the brand is not authorized on {where}: authorize it in Seller Center, or remove the brand",
        12052722: "an image is unknown to the shop: apply again (the image is uploaded anew)",
        12052996: ("another live product already carries this product's engine annotation "
                   "(external_product_id): an identity conflict — run `catalog plan` for details"),
        12019113: "the product's status does not allow this write (e.g. prices of a product that is not live): "
                  "run `catalog plan` again",
        12052003: "the product's current status does not allow this: run `catalog plan` again",
        12052038: "the price is locked by an ongoing promotion: change it after the promotion ends",
        12019045: "the price is locked by an ongoing promotion: change it after the promotion ends",
        12052533: ("an existing SKU cannot move to other warehouses: keep its warehouses, or give it a new "
                   "seller_sku"),
        12052332: "Seller Center is locked during the Tokopedia integration: only price and stock can change now",
        12052104: "a required product attribute is missing: add it under product_attributes",
        12052217: "the category must come from the v2 category tree",
        12019095: "this category does not allow pre-order SKUs: remove pre_sale",
        12052706: "minimum_order_quantity must be 1–20 and allowed for the shop",
        12052707: "minimum_order_quantity is not permitted for this shop",
    }
    return hints.get(code, "")
