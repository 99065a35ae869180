"""The sandbox shop's seed data (seed/shop.json), loaded once and looked up by the rules.

Data, not code: categories, per-platform category permissions, category rules,
attributes, brands, warehouses, delivery options, review rules, limits and the
default credentials all live in the JSON file; this module only indexes them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SEED_FILE = Path(__file__).resolve().parent / "seed" / "shop.json"
PLATFORMS = ("TIKTOK_SHOP", "TOKOPEDIA")


class Seed:
    """Read-only view of the seed file with the lookups the rules need."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._categories = {c["id"]: c for c in raw["categories"]}
        self._brands = {b["id"]: b for b in raw["brands"]}

    # ------------------------------------------------------------------ shop & auth
    @property
    def shop(self) -> dict[str, Any]:
        return self.raw["shop"]

    @property
    def cipher(self) -> str:
        return self.shop["cipher"]

    @property
    def credentials(self) -> dict[str, Any]:
        return self.raw["credentials"]

    @property
    def limits(self) -> dict[str, Any]:
        return self.raw["limits"]

    # ------------------------------------------------------------------ logistics
    @property
    def warehouses(self) -> list[dict[str, Any]]:
        return self.raw["warehouses"]

    @property
    def warehouse_ids(self) -> frozenset[str]:
        return frozenset(w["id"] for w in self.warehouses)

    @property
    def delivery_options(self) -> dict[str, str]:
        return {d["id"]: d["name"] for d in self.raw["delivery_options"]}

    # ------------------------------------------------------------------ categories
    @property
    def categories(self) -> list[dict[str, Any]]:
        return self.raw["categories"]

    def category(self, category_id: str) -> dict[str, Any] | None:
        return self._categories.get(category_id)

    def category_chain(self, category_id: str) -> list[dict[str, Any]]:
        """Root-first chain of a category (Get Product `category_chains`)."""
        chain: list[dict[str, Any]] = []
        current = self.category(category_id)
        while current is not None:
            chain.append(current)
            current = self.category(current["parent_id"]) if current["parent_id"] != "0" else None
        return list(reversed(chain))

    def permission(self, category_id: str, platform: str) -> list[str]:
        perms = self.raw.get("category_permissions", {}).get(category_id, {})
        return list(perms.get(platform, ["AVAILABLE"]))

    def rules(self, category_id: str) -> dict[str, Any]:
        all_rules = self.raw.get("category_rules", {})
        merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in all_rules["default"].items()}
        for key, value in all_rules.get(category_id, {}).items():
            merged[key] = value
        return merged

    def attributes(self, category_id: str) -> list[dict[str, Any]]:
        return list(self.raw.get("attributes", {}).get(category_id, []))

    # ------------------------------------------------------------------ brands & review
    @property
    def brands(self) -> list[dict[str, Any]]:
        return self.raw["brands"]

    def brand(self, brand_id: str) -> dict[str, Any] | None:
        return self._brands.get(brand_id)

    @property
    def banned_words(self) -> list[dict[str, Any]]:
        return self.raw.get("review_rules", {}).get("banned_words", [])


@lru_cache(maxsize=1)
def load_seed(path: Path = SEED_FILE) -> Seed:
    return Seed(json.loads(path.read_text(encoding="utf-8")))
