"""JSON Schema for the catalog files, generated from the pydantic models (models.py).

`catalog schema` writes them to schemas/; every YAML file of a catalog names its schema in
its first line (`# yaml-language-server: $schema=../../schemas/product.json`), so an editor
with the YAML language server completes keys and flags mistakes while the seller types.
A test fails when the committed files differ from what the models generate.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from engine.catalog.models import BaseFile, ProductFile, ShopFile

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "shop.json": (ShopFile, "Tokopedia & Shop catalog: shop.yaml"),
    "product.json": (ProductFile, "Tokopedia & Shop catalog: a product (products/*.yaml, one per YAML document)"),
    "base.json": (BaseFile, "Tokopedia & Shop catalog: a base other products extend (bases/<name>.yaml)"),
}


def render_schemas() -> dict[str, str]:
    """File name → JSON text, exactly as committed under schemas/."""
    out = {}
    for name, (model, title) in SCHEMAS.items():
        schema = {"$schema": DIALECT, **model.model_json_schema(), "title": title}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def stale_schemas(directory: Path) -> list[str]:
    """Names of schema files under `directory` that are missing or differ from the models."""
    stale = []
    for name, text in render_schemas().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema that changed; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in stale_schemas(directory):
        path = directory / name
        path.write_text(render_schemas()[name], encoding="utf-8")
        written.append(path)
    return written
