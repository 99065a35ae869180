"""`catalog import`: adopt live products the catalog does not have yet as YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.common import catalog_dir_argument, sandbox_app_for


@click.command("import")
@catalog_dir_argument
@click.option("--product-id", "product_ids", multiple=True, metavar="ID",
              help="Import this live product (repeatable). One the catalog has already is refreshed from the shop.")
@click.option("--all", "all_products", is_flag=True, help="Import every live product the catalog does not have.")
@click.option("--into", metavar="FILE", help="Add the new products to this file under products/ (default: one "
              "file per product, products/<key>.yaml).")
@click.option("--dry-run", is_flag=True, help="Print the changes as diffs; write nothing.")
@click.option("--no-cache", is_flag=True, help="Fetch every product again, ignoring .catalog-cache/.")
def import_(catalog_dir: Path, product_ids: tuple[str, ...], all_products: bool, into: str | None, dry_run: bool,
            no_cache: bool) -> None:
    """Write YAML for live products the catalog does not have yet (adopt an existing shop).

    \b
    catalog import catalogs/demo                     list the products you can import (exit 1)
    catalog import catalogs/demo --all               every one of them
    catalog import catalogs/demo --product-id ID     some of them (repeat the option)
    Files are written atomically; the catalog is loaded and planned against the shop afterwards,
    and anything wrong rolls every file back. Right after an import, `catalog plan` changes nothing.
    """
    from engine.importing.importer import ImportRequest, run_import

    request = ImportRequest(catalog_dir, tuple(product_ids), all_products, dry_run, into, not no_cache)
    report = run_import(request, app_for=sandbox_app_for)
    click.echo(report.text(), nl=False)
    sys.exit(report.exit_code)
