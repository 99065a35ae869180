"""The shop's reference data a seller picks catalog values from (issue 18's discovery commands):
leaf categories with their path and permission per platform, a category's attributes, brands
and warehouses — read from the shop (the sandbox by default), never from a file.

    trees = await category_trees(client)                    # Get Categories, once per platform
    rows = leaf_rows(trees, search="ponsel")                # leaves whose path holds the word
    category, attributes = await category_attributes(client, "600010")
    brands = await client.brands(category_id="600010")      # every page
    warehouses = await client.warehouses()

Not cached: each command reads what it shows (a handful of calls). The read cache keeps the
metadata a plan uses (the catalog's categories only), not whole category trees, and the
platform advises against keeping categories long (API.md §7.13).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from engine.catalog.spec import PLATFORM_LABELS, PLATFORMS, Ref
from engine.errors import EngineError
from engine.plan.metadata import leaf_examples
from engine.shop.client import ShopClient
from engine.shop.models import AttributeInfo, Category

Trees = Mapping[str, Mapping[str, Category]]  # platform -> category id -> category


class DiscoveryError(EngineError):
    """What a discovery command was asked cannot be shown (an unknown or non-leaf category)."""


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """A category as a seller looks for it: its path of names and its permission per platform."""

    id: str
    name: str
    path: tuple[str, ...]  # names from the root down to the category itself
    is_leaf: bool
    permissions: tuple[tuple[str, tuple[str, ...]], ...]  # (platform, permission_statuses) where offered


async def category_trees(client: ShopClient, platforms: tuple[str, ...] = PLATFORMS) -> dict[str, dict[str, Category]]:
    """Each platform's category tree (Get Categories with `listing_platform`; prohibited ones too)."""
    trees = await asyncio.gather(*(client.categories(platform, include_prohibited=True) for platform in platforms))
    return {platform: {c.id: c for c in tree} for platform, tree in zip(platforms, trees, strict=True)}


def category_row(category_id: str, trees: Trees) -> CategoryRow | None:
    found = [(platform, tree[category_id]) for platform, tree in trees.items() if category_id in tree]
    if not found:
        return None
    category = found[0][1]
    return CategoryRow(category.id, category.name, _path(category_id, trees), any(c.is_leaf for _, c in found),
                       tuple((platform, c.permission_statuses) for platform, c in found))


def leaf_rows(trees: Trees, search: str = "") -> list[CategoryRow]:
    """Every leaf category (sorted by path), or those whose path holds `search` (any case)."""
    ids = {cid for tree in trees.values() for cid, c in tree.items() if c.is_leaf}
    rows = [row for cid in ids if (row := category_row(cid, trees)) is not None]
    word = search.casefold().strip()
    if word:
        rows = [row for row in rows if word in " > ".join(row.path).casefold() or word == row.id]
    return sorted(rows, key=lambda r: (tuple(p.casefold() for p in r.path), r.id))


def leaves_under(category_id: str, trees: Trees, limit: int = 5) -> tuple[Ref, ...]:
    """The first `limit` leaf categories (by id) below a category, on any platform's tree."""
    children: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    leaves: set[str] = set()
    for tree in trees.values():
        for category in tree.values():
            children.setdefault(category.parent_id, set()).add(category.id)
            names.setdefault(category.id, category.name)
            if category.is_leaf:
                leaves.add(category.id)
    found: list[str] = []
    todo, seen = [category_id], {category_id}
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                (found if child in leaves else todo).append(child)
    return tuple(Ref(cid, names[cid]) for cid in sorted(found)[:limit])


async def category_attributes(client: ShopClient, category_id: str) -> tuple[CategoryRow, tuple[AttributeInfo, ...]]:
    """A leaf category and its attributes (Get Attributes); DiscoveryError when the shop has no
    such category or it is not a leaf (attributes belong to leaves)."""
    trees = await category_trees(client)
    row = category_row(category_id, trees)
    if row is None:
        raise DiscoveryError(f"category {category_id} is not in the shop's category tree (on "
                             f"{' or '.join(PLATFORM_LABELS[p] for p in trees)}): `catalog categories DIR --search "
                             "WORD` lists the leaf categories")
    if not row.is_leaf:
        raise DiscoveryError(f"category {category_id} ({' > '.join(row.path)}) is not a leaf category; attributes "
                             f"belong to leaf categories, e.g. {leaf_examples(leaves_under(category_id, trees))}")
    return row, await client.attributes(category_id)


def _path(category_id: str, trees: Trees) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    current = category_id
    while current and current != "0" and current not in seen:
        seen.add(current)
        category = next((tree[current] for tree in trees.values() if current in tree), None)
        if category is None:
            break
        names.append(category.name)
        current = category.parent_id
    return tuple(reversed(names))
