"""Offline commands on the catalog files: `validate` and `schema`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.actions import annotate, enable_annotations
from engine.cli.common import catalog_dir_argument


@click.command("validate")
@catalog_dir_argument
@click.option("--annotations", is_flag=True,
              help="Also print problems as GitHub workflow annotations (::error file=…). On in GitHub Actions.")
def validate(catalog_dir: Path, annotations: bool) -> None:
    """Check a catalog offline; every problem as file:line:column. Exit 0 when valid, 1 when not."""
    from engine.catalog.load import load_catalog

    if annotations:
        enable_annotations()
    catalog = load_catalog(catalog_dir)
    annotate(catalog.warnings)
    for warning in catalog.warnings:
        click.echo(str(warning), err=True)
    skus = sum(len(product.skus) for product in catalog.products)
    click.echo(f"{catalog_dir}: valid: {len(catalog.products)} products, {skus} SKUs for "
               f"{catalog.shop.name!r} (Tokopedia & Shop, target {catalog.shop.target}); "
               f"digest {catalog.digest[:12]}")


@click.command("schema")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Directory for shop.json, product.json and base.json.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file differs from the models.")
def schema(out_dir: Path, check: bool) -> None:
    """Write the JSON Schema of the catalog files (for editors: yaml-language-server)."""
    from engine.catalog.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out_dir)
        for name in stale:
            click.echo(f"{out_dir / name}: differs from the models; run `catalog schema --out {out_dir}`", err=True)
        sys.exit(1 if stale else 0)
    try:
        written = write_schemas(out_dir)
    except OSError as exc:
        raise click.ClickException(f"cannot write schemas to {out_dir}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo(f"{out_dir}: schemas are up to date")
