"""`catalog init PATH`: a seller's catalog repository, ready in one command (issue 18).

    files = scaffold_files(InitRequest(shop_name="Toko Nusantara", market="ID",
                                       warehouses=(("Gudang Jakarta", "7400000000000000001"),),
                                       engine_repo="OWNER/catalog-engine", version="0.1.0"))
    written = write_new(Path("toko-repo"), files)      # refuses if any of them exists

What it writes (templates in engine/github/scaffold/, Jinja2 with [[ ]] / [% %] delimiters so
GitHub's ${{ }} and the catalog's own {{ }} templates pass through untouched):

    catalogs/<shop id>/shop.yaml                 commented defaults, the warehouses, target sandbox
    catalogs/<shop id>/products/contoh-kopi.yaml one example product (a base, a template, an image)
    catalogs/<shop id>/bases/kopi.yaml, templates/deskripsi.html.j2, images/contoh-kopi-1.png
    schemas/shop.json, product.json, base.json   so every `$schema` line resolves
    .github/workflows/catalog-plan.yml, catalog-apply.yml, catalog-drift.yml
                                                 the reusable workflows, pinned to v<version>
    .pre-commit-config.yaml, .gitignore, README.md

Right after it, `catalog validate` passes and `catalog plan` runs against the sandbox. Nothing is
half-written: every path is checked first (none may exist, none may be a link), then each file
is written; a failure removes what this run wrote.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine.errors import ConfigError

TEMPLATES = Path(__file__).resolve().parent / "scaffold"
MARKETS = ("ID",)
REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
WAREHOUSE_ID = re.compile(r"^[0-9]{1,32}$")
SANDBOX_WAREHOUSES = (("Gudang Jakarta", "7400000000000000001"),)  # the sandbox shop's seed warehouse


@dataclass(frozen=True)
class InitRequest:
    shop_name: str
    engine_repo: str
    version: str
    market: str = "ID"
    warehouses: tuple[tuple[str, str], ...] = SANDBOX_WAREHOUSES
    shop_id: str = ""  # the folder under catalogs/ (default: from the name)
    branch: str = "main"


def shop_id_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "shop"


def check(req: InitRequest) -> None:
    if not req.shop_name.strip() or any(ord(c) < 32 for c in req.shop_name) or len(req.shop_name) > 100:
        raise ConfigError("the shop name must be 1-100 characters on one line")
    if req.market not in MARKETS:
        raise ConfigError(f"market {req.market!r} is not supported; choose one of {', '.join(MARKETS)}")
    if not REPO.match(req.engine_repo):
        raise ConfigError(f"--engine-repo must be OWNER/NAME (the GitHub repository of catalog-engine), "
                          f"got {req.engine_repo!r}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,59}", req.shop_id or shop_id_for(req.shop_name)):
        raise ConfigError(f"--shop-dir must be lower-case letters, digits, '.', '_' or '-', got {req.shop_id!r}")
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,100}", req.branch):
        raise ConfigError(f"--branch must be a branch name, got {req.branch!r}")
    if not req.warehouses:
        raise ConfigError("give at least one warehouse (--warehouse 'NAME=ID')")
    for name, warehouse_id in req.warehouses:
        if not name.strip() or any(c in name for c in ":#{}[],&*!|>'\"%@`\n") or not WAREHOUSE_ID.match(warehouse_id):
            raise ConfigError(f"warehouse {name!r}={warehouse_id!r}: a plain name and the numeric warehouse id "
                              "from Seller Center, e.g. --warehouse 'Gudang Jakarta=7400000000000000001'")


def scaffold_files(req: InitRequest) -> dict[str, bytes]:
    """Relative path → content of every file `catalog init` writes."""
    from engine.catalog.schema import render_schemas

    check(req)
    shop_id = req.shop_id or shop_id_for(req.shop_name)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      keep_trailing_newline=True, variable_start_string="[[", variable_end_string="]]",
                      block_start_string="[%", block_end_string="%]", comment_start_string="[#",
                      comment_end_string="#]")
    values = {"shop_name": json.dumps(req.shop_name, ensure_ascii=False), "shop_name_text": req.shop_name,
              "shop_name_comment": req.shop_name.replace("\n", " "), "shop_id": shop_id, "market": req.market,
              "warehouses": req.warehouses, "warehouse": req.warehouses[0][0], "engine_repo": req.engine_repo,
              "version": req.version, "tag": f"v{req.version}", "branch": req.branch}

    def render(name: str) -> bytes:
        return env.get_template(name).render(**values).encode("utf-8")

    shop = f"catalogs/{shop_id}"
    files = {
        f"{shop}/shop.yaml": render("shop.yaml.j2"),
        f"{shop}/bases/kopi.yaml": render("base.yaml.j2"),
        f"{shop}/products/contoh-kopi.yaml": render("product.yaml.j2"),
        f"{shop}/templates/deskripsi.html.j2": render("description.html.j2"),
        f"{shop}/images/contoh-kopi-1.png": solid_png(600, 600, (111, 78, 55)),
        ".github/workflows/catalog-plan.yml": render("workflow-plan.yaml.j2"),
        ".github/workflows/catalog-apply.yml": render("workflow-apply.yaml.j2"),
        ".github/workflows/catalog-drift.yml": render("workflow-drift.yaml.j2"),
        ".pre-commit-config.yaml": render("pre-commit-config.yaml.j2"),
        ".gitignore": render("gitignore.j2"),
        "README.md": render("readme.md.j2"),
    }
    files.update({f"schemas/{name}": text.encode("utf-8") for name, text in render_schemas().items()})
    return dict(sorted(files.items()))


def write_new(root: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file under `root`, refusing (before writing anything) when one exists."""
    existing = [rel for rel in files if (root / rel).exists() or (root / rel).is_symlink()]
    if existing:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise ConfigError(f"{root}: refusing to overwrite {shown}; nothing was written (init a new directory, "
                          "or move those files away)")
    for rel in files:
        for parent in (root / rel).parents:
            if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
                raise ConfigError(f"{parent} is a link or not a directory; nothing was written")
    written: list[Path] = []
    try:
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:  # exclusive: never replaces a file created meanwhile
                handle.write(data)
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {root}: {exc.strerror or exc}; nothing was left behind") from exc
    return written


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour PNG (the example product's main image; 300-4000 px as the platform wants)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 9))
            + chunk(b"IEND", b""))
