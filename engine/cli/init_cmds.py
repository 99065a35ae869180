"""`catalog init PATH`: a seller's catalog repository — a shop, an example product, the schemas,
the GitHub workflows pinned to this engine's version, pre-commit, .gitignore and a README."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click


def _default_engine_repo() -> str | None:
    """OWNER/NAME of catalog-engine on GitHub, from the installed package's Project-URL (if any)."""
    import importlib.metadata

    try:
        urls = importlib.metadata.metadata("catalog-engine").get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in urls:
        found = re.search(r"https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$", entry)
        if found:
            return found[1]
    return None


def _warehouse(text: str) -> tuple[str, str]:
    name, sep, warehouse_id = text.partition("=")
    if not sep:
        raise click.BadParameter(f"{text!r}: write NAME=ID, e.g. 'Gudang Jakarta=7400000000000000001'")
    return name.strip(), warehouse_id.strip()


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--shop", "shop_name", metavar="NAME", help="The shop's name (asked on a terminal).")
@click.option("--market", default=None, metavar="MARKET", help="The shop's market (default ID).")
@click.option("--warehouse", "warehouses", multiple=True, metavar="NAME=ID",
              help="A warehouse: the name products use and its id in Seller Center (repeatable; default the "
              "sandbox's 'Gudang Jakarta=7400000000000000001').")
@click.option("--shop-dir", "shop_id", default="", metavar="ID",
              help="Folder under catalogs/ (default: from the name).")
@click.option("--engine-repo", metavar="OWNER/NAME", help="catalog-engine's GitHub repository the workflows and the "
              "pre-commit hook use (default: the installed package's source URL).")
@click.option("--branch", default="main", show_default=True, help="The default branch merges land on.")
def init(path: Path, shop_name: str | None, market: str | None, warehouses: tuple[str, ...], shop_id: str,
         engine_repo: str | None, branch: str) -> None:
    """Create a catalog repository at PATH: ready to validate, plan (sandbox) and push.

    \b
    catalog init toko-repo                            asks for the shop name, market, warehouses
    catalog init toko-repo --shop "Toko Nusantara" --warehouse "Gudang Jakarta=7400000000000000001"
    Refuses to overwrite any file (nothing is written then). Afterwards:
    cd toko-repo && catalog validate catalogs/<shop> && catalog plan catalogs/<shop>
    """
    from engine.cli import engine_version
    from engine.github.scaffold import SANDBOX_WAREHOUSES, InitRequest, scaffold_files, write_new

    asking = sys.stdin.isatty()
    if shop_name is None:
        if not asking:
            raise click.UsageError("give the shop's name with --shop NAME (no terminal to ask on)")
        shop_name = click.prompt("Shop name")
    if market is None:
        market = click.prompt("Market", default="ID") if asking else "ID"
    pairs = tuple(_warehouse(w) for w in warehouses)
    if not pairs and asking:
        answer = click.prompt("Warehouses (NAME=ID, comma-separated)",
                              default=", ".join(f"{n}={i}" for n, i in SANDBOX_WAREHOUSES))
        pairs = tuple(_warehouse(w) for w in answer.split(",") if w.strip())
    repo = engine_repo or _default_engine_repo()
    if repo is None:
        raise click.UsageError("give --engine-repo OWNER/NAME: the GitHub repository of catalog-engine the new "
                               "repository's workflows and pre-commit hook should use")
    version = engine_version().split(" ")[0]
    request = InitRequest(shop_name, repo, version, market, pairs or SANDBOX_WAREHOUSES, shop_id, branch)
    written = write_new(path, scaffold_files(request))
    shop = next(p for p in written if p.name == "shop.yaml").parent
    click.echo(f"Created {len(written)} files in {path} for {shop_name!r} (catalog-engine v{version}, {repo}):")
    for file in written:
        click.echo(f"  {file}")
    click.echo(f"Next: catalog validate {shop} && catalog plan {shop}   (the local sandbox shop; "
               "`target: api` in shop.yaml for the real one)")
