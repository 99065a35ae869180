"""Generate a large, valid catalog for benchmarks and for seeding a matching sandbox shop.

    python3 bench/gen_catalog.py OUT_DIR --products 10000 [--per-file 50] [--seed 0]

N products with 3 SKUs each, listed on both platforms, in the sandbox seed's categories
(Kemeja Batik, Kaos, Ponsel, Tas Anyaman, Kopi) with their required attributes, brands and
warehouses; shop defaults, bases (`extends`), a description template used by some products,
pre-order SKUs in the categories that allow them, and small real PNG images shared by products.
Deterministic for a given seed. 10,000 products are about 12 MB of YAML.

Importable (issue 9 reuses it to seed the sandbox with the matching live shop):

    from bench.gen_catalog import generate_catalog, write_png
    summary = generate_catalog(Path("out/catalog"), products=10_000)
    # then engine.catalog.load.load_catalog(Path("out/catalog")) gives the ProductSpecs.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import struct
import zlib
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent.parent / "engine" / "sandbox" / "seed" / "shop.json"
SCHEMA = "# yaml-language-server: $schema={}schemas/{}.json\n"
IMAGE_COLORS = ((176, 58, 46), (40, 116, 166), (30, 132, 73), (183, 149, 11), (108, 52, 131),
                (93, 64, 55), (23, 32, 42), (202, 111, 30), (127, 140, 141), (17, 122, 101))

# category -> (noun, brand, product attributes, sales attribute, variant values, pre-order allowed)
CATEGORIES = {
    "600010": ("Kemeja Batik", "Batik Keris", {"Bahan": ["Katun", "Sutra", "Rayon"],
                                                "Motif": ["Parang", "Kawung", "Mega Mendung"],
                                                "Lengan": ["Pendek", "Panjang"]}, "Ukuran", ["S", "M", "L"], False),
    "600011": ("Kaos Polos", None, {"Bahan": ["Katun", "Polyester"]}, "Ukuran", ["M", "L", "XL"], False),
    "600020": ("Ponsel", "Samsung", {"Garansi": ["Resmi", "Distributor"], "Kapasitas Penyimpanan": ["128GB", "256GB"]},
               "Warna", ["Hitam", "Putih", "Biru"], False),
    "600040": ("Tas Anyaman", None, {"Bahan": ["Rotan", "Pandan", "Eceng Gondok"],
                                      "Asal Daerah": ["Lombok", "Tasikmalaya"]}, "Ukuran Tas",
               ["Kecil", "Sedang", "Besar"], True),
    "600050": ("Kopi Bubuk", "Kopi Kapal Api", {"Jenis Kopi": ["Arabika", "Robusta", "Liberika"],
                                                 "Masa Simpan": ["6 Bulan", "12 Bulan"]}, "Berat",
               ["250g", "500g", "1kg"], True),
}
ADJECTIVES = ("Premium", "Klasik", "Modern", "Eksklusif", "Original", "Terbaru", "Elegan", "Praktis", "Asli",
              "Berkualitas")
REGIONS = ("Solo", "Yogyakarta", "Pekalongan", "Bandung", "Surabaya", "Lombok", "Bali", "Garut", "Toraja", "Aceh")


def write_png(path: Path, width: int, height: int, rgb: tuple[int, int, int], stripe: int = 0) -> None:
    """A real RGB PNG (zlib-compressed, a few KB): solid colour with a lighter band."""
    light = tuple(min(255, c + 60) for c in rgb)
    rows = []
    for y in range(height):
        colour = light if stripe and (y // stripe) % 4 == 0 else rgb
        rows.append(b"\x00" + bytes(colour) * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"".join(rows), 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------- YAML text
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .,&()/_-]*")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def emit(value: object, indent: int = 0) -> str:
    """Block-style YAML for the generator's dicts/lists (flow style for short scalar lists)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, str) and "\n" in item:
                body = "\n".join(pad + "  " + line for line in item.splitlines())
                lines.append(f"{pad}{scalar(key)}: |\n{body}")
            elif isinstance(item, (dict, list)) and item and not _flow(item):
                lines.append(f"{pad}{scalar(key)}:\n{emit(item, indent + 2)}")
            else:
                lines.append(f"{pad}{scalar(key)}: {_inline(item)}")
        return "\n".join(lines)
    lines = []
    for item in value:  # list of mappings
        text = emit(item, indent + 2)
        lines.append(pad + "- " + text[indent + 2:])
    return "\n".join(lines)


def _flow(value: object) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return all(not isinstance(v, (dict, list)) for v in value.values()) and len(value) <= 3


def _inline(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    return scalar(value)


# --------------------------------------------------------------------------- products
def product_document(number: int, rng: random.Random) -> dict:
    category = list(CATEGORIES)[number % len(CATEGORIES)]
    noun, brand, attributes, sales_name, variants, pre_order = CATEGORIES[category]
    key = f"p{number:05d}-{noun.lower().replace(' ', '-')}"
    adjective, region = rng.choice(ADJECTIVES), rng.choice(REGIONS)
    title = f"{noun} {adjective} Khas {region} Seri {number:05d} Kualitas Terbaik"
    doc: dict = {"key": key}
    if category == "600010" and number % 3 == 0:
        doc["extends"] = "batik"
    doc["title"] = title
    if number % 10 == 0:
        doc["description"] = {"template": "produk.html.j2",
                              "vars": {"asal": region, "keunggulan": [adjective, "Tahan lama", "Nyaman dipakai"]}}
    else:
        doc["description"] = (f"<p>{title}.</p>\n<p>Dibuat oleh pengrajin {region} dengan bahan pilihan. "
                              f"Cocok untuk dipakai sehari-hari maupun acara resmi.</p>\n"
                              f"<ul><li>{adjective}</li><li>Garansi toko 7 hari</li><li>Dikirim dari Jakarta "
                              f"atau Surabaya</li></ul>\n<p>Perawatan: cuci dengan air dingin, jangan gunakan "
                              f"pemutih, jemur di tempat teduh. Pesanan sebelum pukul 15.00 dikirim di hari yang "
                              f"sama.</p>")
    if "extends" not in doc:
        doc["category_id"] = category
        if brand:
            doc["brand"] = brand
    doc["main_images"] = [f"images/foto-{(number + i) % len(IMAGE_COLORS) + 1:02d}.png" for i in range(1 + number % 3)]
    chosen = {name: rng.choice(values) for name, values in attributes.items()}
    if "extends" in doc:
        chosen.pop("Bahan", None)
    doc["product_attributes"] = chosen
    doc["package_weight"] = round(0.2 + (number % 17) * 0.05, 2)
    doc["package_dimensions"] = {"length": 20 + number % 15, "width": 15 + number % 10, "height": 3 + number % 8}
    if number % 7 == 0:
        doc["minimum_order_quantity"] = 1 + number % 5
    doc["skus"] = [_sku(number, index, sales_name, value, pre_order and number % 4 == 1, rng)
                   for index, value in enumerate(variants)]
    return doc


def _sku(number: int, index: int, sales_name: str, value: str, pre_order: bool, rng: random.Random) -> dict:
    sku = {"seller_sku": f"SKU-{number:05d}-{index + 1}",
           "sales_attributes": {sales_name: value},
           "price": 25_000 + rng.randrange(0, 400) * 2_500 + index * 5_000,
           # 1 or more: the spec's range for a new SKU's stock is 1–99,999 (the sandbox refuses 0 on create)
           "inventory": {"Gudang Jakarta": 1 + rng.randrange(0, 199), "Gudang Surabaya": 1 + rng.randrange(0, 79)}}
    if pre_order:
        sku["pre_sale"] = {"type": "PRE_ORDER", "handling_duration_days": 7}
    return sku


def generate_catalog(root: Path, products: int = 10_000, per_file: int = 50, seed: int = 0) -> dict:
    """Write a catalog with `products` products under `root`; returns a summary."""
    root = Path(root)
    seed_data = json.loads(SEED_FILE.read_text())
    warehouses = {w["name"]: w["id"] for w in seed_data["warehouses"]}
    rng = random.Random(seed)
    (root / "products").mkdir(parents=True, exist_ok=True)
    _write(root / "shop.yaml", SCHEMA.format("", "shop") + emit({
        "name": "Toko Benchmark", "market": "ID", "target": "sandbox",
        "warehouses": {name: str(ident) for name, ident in warehouses.items()},
        "defaults": {"listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"], "status": "active", "is_cod_allowed": True,
                     "shipping_insurance_requirement": "OPTIONAL"},
    }) + "\n")
    _write(root / "bases" / "batik.yaml", SCHEMA.format("../", "base") + emit({
        "category_id": "600010", "brand": "Batik Keris", "product_attributes": {"Bahan": "Katun"}}) + "\n")
    _write(root / "templates" / "produk.html.j2",
           "<p>{{ product.title }}</p>\n<p>Asal: {{ asal }}.</p>\n<ul>\n{% for item in keunggulan %}"
           "<li>{{ item }}</li>\n{% endfor %}</ul>\n")
    for number, colour in enumerate(IMAGE_COLORS, start=1):
        write_png(root / "images" / f"foto-{number:02d}.png", 400, 400, colour, stripe=10 + number)
    total_bytes, files, skus = 0, 0, 0
    for start in range(0, products, per_file):
        docs = [product_document(n, rng) for n in range(start, min(start + per_file, products))]
        skus += sum(len(d["skus"]) for d in docs)
        text = SCHEMA.format("../", "product") + "\n---\n".join(emit(d) for d in docs) + "\n"
        total_bytes += _write(root / "products" / f"produk-{start // per_file + 1:04d}.yaml", text)
        files += 1
    return {"root": str(root), "products": products, "skus": skus, "files": files, "yaml_bytes": total_bytes}


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(data)
    return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    summary = generate_catalog(args.out, args.products, args.per_file, args.seed)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
