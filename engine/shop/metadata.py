"""The shop's reference data a plan checks against: categories per platform (with permissions;
whether each is a leaf, and a few leaves under one that is not), rules and attributes (required,
one value or several, custom values) of the catalog's leaf categories, selectable brands,
warehouses — what engine.plan.metadata checks the catalog with.

    metadata = await read_metadata(client, {"600010", "600050"})

Two category trees, brands (every page), warehouses, then rules and attributes per leaf
category: a dozen calls for a catalog of five categories. engine.shop.read keeps the result in
the read cache for a day (engine.shop.cache) and reads it again only when older or when the
catalog uses a category it was not read for.
"""

from __future__ import annotations

import asyncio

from engine.catalog.spec import PLATFORMS, Ref
from engine.plan.live import AttributeDef, CategoryInfo, ShopMetadata
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.discovery import leaves_under

METADATA_APIS = frozenset(ENDPOINTS[name].api for name in ("categories", "rules", "attributes", "brands",
                                                           "warehouses"))


async def read_metadata(client: ShopClient, category_ids: set[str]) -> ShopMetadata:
    """Categories (per platform, with permissions) and, for the given leaf categories,
    rules and attributes; plus selectable brands and warehouses."""
    trees = await asyncio.gather(*(client.categories(platform, include_prohibited=True) for platform in PLATFORMS))
    brands, warehouses = await asyncio.gather(client.brands(), client.warehouses())
    by_platform = {platform: {c.id: c for c in tree} for platform, tree in zip(PLATFORMS, trees, strict=True)}
    wanted = sorted(cid for cid in category_ids if any(cid in tree for tree in by_platform.values()))
    leaves = [cid for cid in wanted if any(tree[cid].is_leaf for tree in by_platform.values() if cid in tree)]
    rules = await asyncio.gather(*(client.category_rules(cid) for cid in leaves))
    attrs = await asyncio.gather(*(client.attributes(cid) for cid in leaves))
    rules_by, attrs_by = dict(zip(leaves, rules, strict=True)), dict(zip(leaves, attrs, strict=True))
    categories = []
    for cid in wanted:
        found = [(p, tree[cid]) for p, tree in by_platform.items() if cid in tree]
        rule = rules_by.get(cid)
        categories.append(CategoryInfo(
            id=cid, name=found[0][1].name,
            permissions=tuple((p, c.permission_statuses) for p, c in found),
            allows_pre_order=bool(rule and rule.allows_pre_order),
            cod_supported=rule.cod_supported if rule else True,
            is_leaf=cid in leaves, leaves=() if cid in leaves else leaves_under(cid, by_platform)))
    attributes = tuple(
        (cid, tuple(AttributeDef(id=a.id, name=a.name, values=tuple(Ref(id=v.id, name=v.name) for v in a.values),
                                 type=a.type, required=a.is_required, multiple=a.is_multiple_selection,
                                 customizable=a.is_customizable)
                    for a in attrs_by[cid]))
        for cid in leaves)
    return ShopMetadata(
        categories=tuple(categories),
        brands=tuple(Ref(id=b.id, name=b.name) for b in brands if b.is_selectable),
        attributes=attributes,
        warehouses=tuple(Ref(id=w.id, name=w.name) for w in warehouses))
