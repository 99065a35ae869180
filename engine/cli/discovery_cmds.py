"""`catalog categories | attributes | brands | warehouses`: the shop's reference data, to write a
catalog with — read from the shop the catalog targets (the in-process sandbox by default), with
`--json` for scripts. Only shop.yaml is read from the catalog, so the commands also work while a
product file is half-written. Platforms are named as a seller knows them (Shop | Tokopedia,
Tokopedia); the JSON keeps the API's enum values next to those labels. Not cached
(engine.shop.discovery)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.catalog.spec import PLATFORM_LABELS, PLATFORMS
from engine.cli.common import catalog_dir_argument, sandbox_app_for
from engine.plan.model import PERMISSION_TEXT

T = TypeVar("T")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def _read(catalog_dir: Path, read: Callable[[Any], Awaitable[T]]) -> tuple[Any, T]:
    """(the catalog's shop config, what `read(client)` got from its shop)."""
    from engine.catalog.load import load_shop
    from engine.shop.connect import client_for, run_sync

    shop = load_shop(catalog_dir)

    async def run() -> T:
        client = client_for(shop, app=sandbox_app_for(shop))
        try:
            return await read(client)
        finally:
            await client.aclose()

    return shop, run_sync(run())


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _permission(statuses: tuple[str, ...]) -> str:
    if "AVAILABLE" in statuses:
        return "available"
    return " + ".join(PERMISSION_TEXT.get(s, s.lower()) for s in statuses) or "available"


def _platforms_json(permissions: tuple[tuple[str, tuple[str, ...]], ...]) -> list[dict]:
    return [{"platform": p, "label": PLATFORM_LABELS[p], "permission_statuses": list(s)} for p, s in permissions]


# --------------------------------------------------------------------------- categories
@click.command("categories")
@catalog_dir_argument
@click.option("--platform", type=click.Choice(PLATFORMS), help="Only this platform's categories (default: both).")
@click.option("--search", metavar="WORD", default="", help="Only leaf categories whose path holds WORD (any case).")
@json_option
def categories(catalog_dir: Path, platform: str | None, search: str, as_json: bool) -> None:
    """Leaf categories (the ids `category_id` takes): path and permission per platform."""
    from engine.shop.discovery import category_trees, leaf_rows

    platforms = (platform,) if platform else PLATFORMS
    shop, trees = _read(catalog_dir, lambda client: category_trees(client, platforms))
    rows = leaf_rows(trees, search)
    if as_json:
        _echo_json([{"id": r.id, "name": r.name, "path": list(r.path), "permissions": _platforms_json(r.permissions)}
                    for r in rows])
        return
    where = " and ".join(PLATFORM_LABELS[p] for p in platforms)
    found = f'{len(rows)} leaf categor{"y" if len(rows) == 1 else "ies"}' + (f' matching "{search}"' if search else "")
    click.echo(f"{shop.name} on {where}: {found}")
    width = max((len(" > ".join(r.path)) for r in rows), default=0)
    for row in rows:
        offered = dict(row.permissions)
        cells = [f"{PLATFORM_LABELS[p]}: {_permission(offered[p]) if p in offered else 'not offered'}"
                 for p in platforms]
        click.echo(f"  {row.id:<8} {' > '.join(row.path):<{width}}  {' · '.join(cells)}")
    if rows:
        click.echo(f'Write the id as `category_id: "{rows[0].id}"`; `catalog attributes {catalog_dir} ID` lists a '
                   "category's attributes.")


# --------------------------------------------------------------------------- attributes
@click.command("attributes")
@catalog_dir_argument
@click.argument("category_id")
@json_option
def attributes(catalog_dir: Path, category_id: str, as_json: bool) -> None:
    """A leaf category's attributes: product attributes and SKU sales attributes, required or not,
    one value or several, the values offered."""
    from engine.shop.discovery import category_attributes

    _, (row, found) = _read(catalog_dir, lambda client: category_attributes(client, category_id.strip()))
    if as_json:
        _echo_json({"category": {"id": row.id, "name": row.name, "path": list(row.path),
                                 "permissions": _platforms_json(row.permissions)},
                    "attributes": [{"id": a.id, "name": a.name, "type": a.type, "required": a.is_required,
                                    "multiple": a.is_multiple_selection, "customizable": a.is_customizable,
                                    "values": [{"id": v.id, "name": v.name} for v in a.values]} for a in found]})
        return
    click.echo(f"Category {row.id}: {' > '.join(row.path)}")
    groups = (("Product attributes (product_attributes):", False), ("Sales attributes (per SKU, sales_attributes):",
                                                                     True))
    for title, sales in groups:
        listed = [a for a in found if (a.type == "SALES_PROPERTY") == sales]
        click.echo(title if listed else f"{title} none")
        for attr in listed:
            traits = ["required" if attr.is_required else "optional",
                      "several values" if attr.is_multiple_selection else "one value"]
            if attr.is_customizable:
                traits.append("custom values allowed")
            click.echo(f"  {attr.name}  (id {attr.id})  {' · '.join(traits)}")
            values = ", ".join(v.name for v in attr.values)
            click.echo(f"      {values or '(no list: write the value)'}")


# --------------------------------------------------------------------------- brands
@click.command("brands")
@catalog_dir_argument
@click.option("--category", "category_id", metavar="ID", help="Only the brands offered in this category.")
@json_option
def brands(catalog_dir: Path, category_id: str | None, as_json: bool) -> None:
    """Brands (Get Brands): the ones marked usable are what `brand:` takes in this shop."""
    shop, found = _read(catalog_dir, lambda client: client.brands(category_id=category_id))
    found = sorted(found, key=lambda b: (b.name.casefold(), b.id))
    if as_json:
        _echo_json([{"id": b.id, "name": b.name, "authorized": b.authorized, "available": b.available,
                     "protected": b.is_t1, "usable": b.is_selectable} for b in found])
        return
    scope = f" in category {category_id}" if category_id else ""
    click.echo(f"{shop.name}: {len(found)} brand(s){scope}; the usable ones go in `brand:`")
    width = max((len(b.name) for b in found), default=0)
    for brand in found:
        traits = ["authorized" if brand.authorized else "not authorized"]
        if brand.is_t1:
            traits.append("protected brand")
        if not brand.available:
            traits.append("unavailable")
        click.echo(f"  {brand.id:<8} {brand.name:<{width}}  {_usable(brand)} ({', '.join(traits)})")


def _usable(brand: Any) -> str:
    if brand.is_selectable:
        return "usable"
    if not brand.available:
        return "not usable: unavailable"
    return "not usable: a protected brand this shop is not authorized for (Seller Center: brand authorization)"


# --------------------------------------------------------------------------- warehouses
@click.command("warehouses")
@catalog_dir_argument
@json_option
def warehouses(catalog_dir: Path, as_json: bool) -> None:
    """The shop's warehouses, and the names shop.yaml gives them (stock is written per name)."""
    shop, found = _read(catalog_dir, lambda client: client.warehouses())
    named = {ident: name for name, ident in shop.warehouses.items()}
    if as_json:
        _echo_json([{"id": w.id, "name": w.name, "is_default": w.is_default, "type": w.type,
                     "effect_status": w.effect_status, "catalog_name": named.get(w.id)} for w in found])
        return
    click.echo(f"{shop.name}: {len(found)} warehouse(s)")
    width = max((len(w.name) for w in found), default=0)
    for warehouse in found:
        where = (f'shop.yaml: "{named[warehouse.id]}"' if warehouse.id in named
                 else f'not in shop.yaml (add `{warehouse.name}: "{warehouse.id}"` under warehouses)')
        default = "default" if warehouse.is_default else ""
        click.echo(f"  {warehouse.id}  {warehouse.name:<{width}}  {default:<7}  {where}")
    shop_ids = {w.id for w in found}
    for name, ident in sorted(shop.warehouses.items()):
        if ident not in shop_ids:
            click.echo(f'  shop.yaml names "{name}: {ident}", a warehouse the shop does not have', err=True)
