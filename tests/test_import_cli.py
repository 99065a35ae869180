"""`catalog import` end to end: products made directly through the API (as Seller Center or
another tool would), imported into a catalog, then `catalog plan --detailed-exitcode` exits 0."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml_rs
from clirun import run_cli
from rawclient import RawClient, png

from engine.sandbox.app import create_app
from engine.sandbox.store import SandboxStore

ROOT = Path(__file__).resolve().parent.parent
TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)
JKT, SBY = "7400000000000000001", "7400000000000000002"
SHOP = """\
# yaml-language-server: $schema=../schemas/shop.json
name: Toko Impor (sandbox)
warehouses:
  Gudang Jakarta: "7400000000000000001"
  Gudang Surabaya: "7400000000000000002"
"""
ALWAYS = SHOP + "manage: {stock: always}\n"  # git owns stock: import writes the live stock
DEFAULTS = ALWAYS + """\
defaults:
  listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]
  status: active
  is_cod_allowed: true
"""


run = run_cli  # tests/clirun.py


class Shop:
    """The catalog's sandbox shop, written to directly through the API (not through the engine)."""

    def __init__(self, catalog: Path) -> None:
        self.db = catalog / ".sandbox" / "shop.db"
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.app = create_app(self.db)
        self.client = RawClient("http://sandbox", transport=httpx.ASGITransport(app=self.app))
        self._uri: str | None = None

    def image(self) -> str:
        if self._uri is None:
            self._uri = self.client.upload(png(800, 800)).data["uri"]
        return self._uri

    def create(self, body: dict[str, Any]) -> str:
        body = {"category_version": "v2", "main_images": [{"uri": self.image()}],
                "package_weight": {"value": "0.3", "unit": "KILOGRAM"}, **body}
        response = self.client.call("POST", "/product/202309/products", body=body)
        assert response.code == 0, response.json
        return response.data["product_id"]

    def product(self, product_id: str) -> dict:
        response = self.client.call("GET", f"/product/202309/products/{product_id}")
        assert response.code == 0, response.json
        return response.data

    def store(self) -> SandboxStore:
        return SandboxStore(self.db)

    def close(self) -> None:
        self.client.close()
        self.app.state.shop.db.close()


def sku(seller_sku: str, price: str, stock: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {"seller_sku": seller_sku, "price": {"amount": price, "currency": "IDR"},
            "inventory": [{"warehouse_id": w, "quantity": q} for w, q in stock.items()], **extra}


def size(value: str, name: str = "Ukuran") -> list[dict[str, str]]:
    return [{"name": name, "value_name": value}]


LONG_HTML = "\n".join(["<h2>Kemeja Batik Tulis Solo</h2>", "<p>Dibuat dengan canting, {{ bukan variabel }}.</p>",
                       "<ul>", "  <li>Katun primisima</li>", "  <li>Pewarna alami</li>", "</ul>",
                       "<p>Ukuran: lihat tabel. Cuci tangan, jangan diperas & jangan dijemur terik.</p>"] * 2)


def generated_shop(shop: Shop) -> dict[str, str]:
    """A shop with every kind of product the import has to get right; name → product id."""
    ids = {}
    ids["batik"] = shop.create({  # both platforms, long HTML, attributes by id and by (custom) name
        "title": "Kemeja Batik Tulis Solo Motif Sekar Jagad Lengan Panjang", "description": LONG_HTML,
        "category_id": "600010", "brand_id": "700001", "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]},
                               {"id": "100101", "values": [{"name": "Sekar Jagad"}, {"id": "1001011"}]}],
        "package_dimensions": {"length": "30", "width": "25", "height": "3", "unit": "CENTIMETER"},
        "skus": [sku("SJ-M-MERAH", "185000", {SBY: 4, JKT: 10},
                     sales_attributes=size("M") + size("Merah", "Warna")),
                 sku("SJ-L-MERAH", "195000.50", {JKT: 3}, sales_attributes=size("L") + size("Merah", "Warna"))]})
    ids["kopi"] = shop.create({  # Tokopedia only, pre-order, insured, wholesale, one delivery option, barcode
        "title": "Kopi Arabika Gayo Pre Order Sangrai Segar 250 gram",
        "description": "<p>Disangrai setelah dipesan.</p>\n<p>Dikirim dari Jakarta.</p>",
        "category_id": "600050", "listing_platforms": ["TOKOPEDIA"], "shipping_insurance_requirement": "REQUIRED",
        "minimum_order_quantity": 2, "delivery_option_ids": ["7300000000000000001"],
        "product_attributes": [{"id": "100500", "values": [{"id": "1005001"}]}],
        "skus": [sku("GAYO-250", "89999.99", {JKT: 40}, sales_attributes=size("250g", "Berat"),
                     pre_sale={"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": 7}},
                     identifier_code={"type": "EAN", "code": "8998812000177"}),
                 sku("GAYO-500", "165000", {JKT: 20, SBY: 5}, sales_attributes=size("500g", "Berat"),
                     pre_sale={"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": 7}})]})
    ids["bekas"] = shop.create({  # pre-owned: Tokopedia only
        "title": "Samsung Galaxy S21 Bekas Mulus Fullset Dus", "description": "<p>Bekas pemakaian pribadi.</p>",
        "category_id": "600021", "brand_id": "700003", "listing_platforms": ["TOKOPEDIA"], "is_pre_owned": True,
        "package_dimensions": {"length": "18", "width": "10", "height": "6", "unit": "CENTIMETER"},
        "product_attributes": [{"id": "100210", "values": [{"id": "1002102"}]}],
        "skus": [sku("S21-BEKAS-1", "4250000", {SBY: 1})]})
    ids["kaos"] = shop.create({  # Shop | Tokopedia only, cash on delivery, deactivated below
        "title": "Kaos Polos Katun Combed 30s Hitam Unisex", "description": "<p>Kaos polos.</p>",
        "category_id": "600011", "listing_platforms": ["TIKTOK_SHOP"], "is_cod_allowed": True,
        "product_attributes": [{"id": "100100", "values": [{"name": "Katun"}]}],
        "skus": [sku("KAOS-HITAM-M", "35000", {JKT: 120}, sales_attributes=size("M") + size("Hitam", "Warna")),
                 sku("KAOS-HITAM-L", "37500", {JKT: 90}, sales_attributes=size("L") + size("Hitam", "Warna"))]})
    ids["tas"] = shop.create({  # review fails on Shop | Tokopedia only (the sandbox's banned claim)
        "title": "Tas Pandan Anyaman Tasikmalaya Warna Alami",
        "description": "<p>Garansi seumur hidup untuk jahitan.</p>", "category_id": "600040",
        "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
        "product_attributes": [{"id": "100400", "values": [{"id": "1004002"}]}],
        "skus": [sku("TAS-PANDAN", "89000", {JKT: 25, SBY: 25})]})
    ids["draft"] = shop.create({  # never published
        "title": "Kemeja Batik Motif Kawung Sutra Draft Baru", "description": "<p>Segera hadir.</p>",
        "category_id": "600010", "save_mode": "AS_DRAFT", "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001002"}]}],
        "skus": [sku("KAWUNG-DRAFT", "325000", {JKT: 2})]})
    shop.product(ids["tas"])  # let the reviews finish
    store = shop.store()
    store.set_status(ids["kaos"], "TIKTOK_SHOP", "SELLER_DEACTIVATED")
    store.close()
    return ids


def new_catalog(tmp_path: Path, shop_yaml: str = SHOP, name: str = "toko") -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "shop.yaml").write_text(shop_yaml)
    return root


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not {".sandbox", ".catalog-cache"} & set(p.relative_to(root).parts)}


@pytest.fixture
def shop_catalog(tmp_path):
    def make(shop_yaml: str = SHOP) -> tuple[Path, Shop]:
        root = new_catalog(tmp_path, shop_yaml)
        shop = Shop(root)
        made.append(shop)
        return root, shop

    made: list[Shop] = []
    yield make
    for shop in made:
        shop.close()


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("shop_yaml", [SHOP, DEFAULTS], ids=["no-defaults", "shop-defaults"])
def test_a_generated_shop_imports_and_then_plans_no_change(monkeypatch, capsys, shop_catalog, shop_yaml):
    root, shop = shop_catalog(shop_yaml)
    ids = generated_shop(shop)
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 0, err
    assert out.count("\n  + ") == len(ids) and "Checked: the catalog loads" in out
    code, out, err = run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0, out + err
    assert "Unmanaged" not in out and not TIKTOK.search(out)
    docs = {d["key"]: d for d in (yaml_rs.loads(p.read_text()) for p in (root / "products").glob("*.yaml"))}
    by_title = {d["title"]: d for d in docs.values()}
    batik = by_title["Kemeja Batik Tulis Solo Motif Sekar Jagad Lengan Panjang"]
    assert batik["product_attributes"] == {"Bahan": "Katun", "Motif": ["Parang", "Sekar Jagad"]}
    assert [s["price"] for s in batik["skus"]] == [185000, 195000.5]
    if shop_yaml == DEFAULTS:  # manage: {stock: always}
        assert batik["skus"][0]["inventory"] == {"Gudang Jakarta": 10, "Gudang Surabaya": 4}
    else:  # the default, stock: on_create — the shop owns the stock of existing SKUs: none is written
        assert all("inventory" not in sku for doc in docs.values() for sku in doc["skus"])
    assert (root / "templates" / batik["description"]["template"]).read_text() == \
        "{% raw %}" + LONG_HTML + "{% endraw %}\n"
    kopi = by_title["Kopi Arabika Gayo Pre Order Sangrai Segar 250 gram"]
    assert kopi["listing_platforms"] == ["TOKOPEDIA"] and kopi["delivery_option_ids"] == ["7300000000000000001"]
    assert kopi["skus"][0]["pre_sale"] == {"type": "PRE_ORDER", "handling_duration_days": 7}
    assert kopi["skus"][0]["price"] == 89999.99 and kopi["minimum_order_quantity"] == 2
    assert "{type: EAN, code: \"8998812000177\"}" in (root / "products" / f"{kopi['key']}.yaml").read_text()
    bekas = by_title["Samsung Galaxy S21 Bekas Mulus Fullset Dus"]
    assert bekas["is_pre_owned"] is True and bekas["brand"] == "Samsung"
    kaos = by_title["Kaos Polos Katun Combed 30s Hitam Unisex"]
    assert kaos["status"] == "inactive" and kaos["listing_platforms"] == ["TIKTOK_SHOP"]
    assert by_title["Kemeja Batik Motif Kawung Sutra Draft Baru"]["status"] == "inactive"
    for doc in docs.values():  # platform defaults are not written
        assert "shipping_insurance_requirement" not in doc or doc["shipping_insurance_requirement"] != "OPTIONAL"
    if shop_yaml == DEFAULTS:  # the shop's defaults are inherited, not repeated
        assert "listing_platforms" not in by_title["Tas Pandan Anyaman Tasikmalaya Warna Alami"]
        assert "is_cod_allowed" not in kaos and batik["is_cod_allowed"] is None
    code, out, _ = run(monkeypatch, capsys, "validate", root)
    assert code == 0 and "valid: 6 products" in out


def test_the_demo_shop_applied_then_imported_into_an_empty_catalog_plans_no_change(monkeypatch, capsys, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "catalogs" / "demo", demo, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    code, _, err = run(monkeypatch, capsys, "apply", demo, "--auto-approve")
    assert code in (0, 3), err  # the demo fails review on one platform on purpose
    shop_yaml = (demo / "shop.yaml").read_text()
    fresh = new_catalog(tmp_path, shop_yaml, "fresh")
    shutil.copytree(demo / ".sandbox", fresh / ".sandbox")  # the same shop: sandbox_db stays inside a catalog
    code, out, _ = run(monkeypatch, capsys, "import", fresh)
    assert code == 1 and "10 live product(s) are not in the catalog" in out and "--product-id" in out
    code, out, err = run(monkeypatch, capsys, "import", fresh, "--all")
    assert code == 0, err
    keys = sorted(re.findall(r"^  \+ (\S+)  product", out, re.M))
    assert keys == sorted(p.stem for p in (fresh / "products").glob("*.yaml"))
    assert "batik-parang" in keys  # the key the engine's annotation names
    code, out, err = run(monkeypatch, capsys, "plan", fresh, "--detailed-exitcode")
    assert code == 0, out + err
    assert "Plan: 0 to create, 0 to edit" in out and "0 unmanaged" in out
    before = files(fresh)
    code, out, _ = run(monkeypatch, capsys, "import", fresh, "--all")
    assert code == 0 and "nothing to import" in out
    pid = re.search(r"from product (\d+)", (fresh / "products" / "batik-parang.yaml").read_text()).group(1)
    code, out, _ = run(monkeypatch, capsys, "import", fresh, "--product-id", pid)
    assert code == 0 and "already matches the shop" in out
    assert files(fresh) == before  # importing twice changes nothing


# --------------------------------------------------------------------------- re-import keeps the seller's file
def test_a_reimport_refreshes_drift_in_place_and_keeps_comments(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog(ALWAYS)
    ids = generated_shop(shop)
    assert run(monkeypatch, capsys, "import", root, "--all")[0] == 0
    path = next(p for p in (root / "products").glob("*.yaml") if "KAOS-HITAM-M" in p.read_text())
    text = path.read_text().replace("title: Kaos", "# best seller, do not rename\ntitle: Kaos")
    text = text.replace("price: 35000", "price: 35000   # harga grosir")
    path.write_text(text)
    store = shop.store()
    store.outside_edit(ids["kaos"], title="Kaos Polos Katun Combed 30s Hitam Unisex Baru",
                       prices={"KAOS-HITAM-L": 39000}, stock={"KAOS-HITAM-M": {JKT: 100}})
    store.close()
    code, out, _ = run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 2
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["kaos"], "--dry-run")
    assert code == 0 and "-title: Kaos Polos Katun Combed 30s Hitam Unisex\n" in out and "Dry run" in out
    assert path.read_text() == text
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["kaos"])
    assert code == 0, err
    assert "title, skus refreshed from the shop" in out
    updated = path.read_text()
    assert "# best seller, do not rename\ntitle: Kaos Polos Katun Combed 30s Hitam Unisex Baru\n" in updated
    assert "price: 35000   # harga grosir\n    inventory: {Gudang Jakarta: 100}" in updated
    assert "price: 39000" in updated
    assert run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")[0] == 0
    before = files(root)
    code, out, _ = run(monkeypatch, capsys, "import", root, "--product-id", ids["kaos"])
    assert code == 0 and "already matches the shop" in out and files(root) == before


def test_into_adds_documents_to_one_file_and_keeps_its_bytes(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    ids = generated_shop(shop)
    target = root / "products" / "impor.yaml"
    target.parent.mkdir()
    head = "# yaml-language-server: $schema=../schemas/product.json\n# Produk lama dari Seller Center.\n"
    target.write_text(head)
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["kaos"], "--product-id",
                         ids["bekas"], "--into", "products/impor.yaml")
    assert code == 0, err
    text = target.read_text()
    assert text.startswith(head) and text.count("\n---\n") == 1 and "(added to the file)" in out
    assert sorted(p.name for p in (root / "products").iterdir()) == ["impor.yaml"]
    assert run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")[0] == 0
    code, _, err = run(monkeypatch, capsys, "import", root, "--all", "--into", "../outside.yaml")
    assert code == 1 and "give a .yaml file under products/" in err


# --------------------------------------------------------------------------- refusals: nothing written
def test_an_unknown_warehouse_is_a_clear_error_and_nothing_is_written(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog(ALWAYS.replace('  Gudang Surabaya: "7400000000000000002"\n', ""))
    generated_shop(shop)
    before = files(root)
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 1 and out == ""
    assert (f"warehouse {SBY} (called 'Gudang Surabaya' in the shop) is not in shop.yaml: add it under "
            f"`warehouses:`, e.g. `Gudang Surabaya: \"{SBY}\"`, then import again") in err
    assert err.count("is not in shop.yaml") == 1 and "Nothing was written." in err and "Traceback" not in err
    assert files(root) == before


def test_a_catalog_check_failing_after_writing_rolls_every_file_back(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    ids = generated_shop(shop)
    (root / "products").mkdir()
    (root / "products" / "mine.yaml").write_text(  # not applied yet: uses the same barcode as the shop's kopi
        "# yaml-language-server: $schema=../schemas/product.json\nkey: kopi-saya\n"
        "title: Kopi Robusta Lampung Bubuk Asli Petani\ndescription: <p>Kopi.</p>\ncategory_id: \"600050\"\n"
        "main_images: [{uri: tos-x}]\nproduct_attributes: {Jenis Kopi: Robusta}\npackage_weight: 0.25\n"
        "listing_platforms: [TOKOPEDIA]\nskus:\n  - seller_sku: LAMPUNG-1\n    price: 50000\n"
        "    inventory: {Gudang Jakarta: 5}\n    identifier_code: {type: EAN, code: \"8998812000177\"}\n")
    before = files(root)
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["kopi"], "--product-id",
                         ids["batik"])
    assert code == 1 and "barcode 8998812000177 is already used" in err
    assert "does not pass the catalog's checks (above); nothing was written" in err and "Traceback" not in err
    assert files(root) == before


def test_no_choice_lists_candidates_and_unknown_or_unreadable_ids_are_errors(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    ids = generated_shop(shop)
    store = shop.store()
    store.set_status(ids["tas"], "TIKTOK_SHOP", "FREEZE")
    store.set_status(ids["draft"], "TIKTOK_SHOP", "DELETED")
    store.set_status(ids["draft"], "TOKOPEDIA", "DELETED")
    store.close()
    code, out, err = run(monkeypatch, capsys, "import", root)
    assert code == 1 and "5 live product(s) are not in the catalog" in out  # the deleted one is not offered
    assert "Shop | Tokopedia (deactivated)" in out and "Tokopedia (live)" in out and not TIKTOK.search(out)
    code, _, err = run(monkeypatch, capsys, "import", root, "--product-id", "1234567")
    assert code == 1 and "product 1234567 is not in the shop" in err
    code, _, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["tas"])
    assert code == 1 and "frozen by the platform" in err
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 0, err
    assert f"skipped {ids['tas']}" in out and "frozen by the platform" in out and f"skipped {ids['draft']}" in out
    assert run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")[0] == 0


def test_a_seller_sku_in_two_live_products_is_refused_naming_both(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    body = {"title": "Kaos Polos Katun Combed 30s Putih Unisex", "description": "<p>Kaos.</p>",
            "category_id": "600011", "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}],
            "skus": [sku("KAOS-PUTIH-M", "35000", {JKT: 5})]}
    first, second = shop.create(body), shop.create({**body, "title": body["title"] + " Lagi"})
    why = f"seller SKU KAOS-PUTIH-M is used by live products {first} and {second}; merge them or delete the " \
          "duplicate in Seller Center, then import again"
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", second)
    assert code == 1 and why in err and not (root / "products").exists()
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 0 and out.count(why) == 2 and f"skipped {first}" in out and f"skipped {second}" in out
    assert not (root / "products").exists()


def test_dry_run_prints_the_files_and_writes_nothing(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    ids = generated_shop(shop)
    code, out, _ = run(monkeypatch, capsys, "import", root, "--product-id", ids["bekas"], "--dry-run")
    assert code == 0 and "+++ b/products/samsung-galaxy-s21-bekas-mulus-fullset.yaml" in out
    assert "+is_pre_owned: true" in out and "Dry run: nothing was written." in out
    assert not (root / "products").exists()


def test_a_product_the_catalog_cannot_hold_is_skipped_by_all_and_refused_by_id(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    body = {"title": "Kaos Polos Katun Combed 30s Putih Unisex", "category_id": "600011",
            "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}]}
    good = shop.create({**body, "description": "<p>Kaos.</p>", "skus": [sku("KAOS-PUTIH-M", "35000", {JKT: 5})]})
    odd = shop.create({**body, "title": body["title"] + " Besar", "description": "<p>Kaos.</p>\n",
                       "skus": [sku("KAOS-PUTIH-XL", "36000", {JKT: 5})]})
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", odd)
    assert code == 1 and f"product {odd}: its description starts or ends with blank space" in err
    assert not (root / "products").exists()
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 0, err
    assert re.search(rf"^  \+ kaos-polos-katun-combed-30s-putih-unisex  product {good}  ", out, re.M)
    assert f"skipped {odd}" in out and "cannot be imported: its description starts or ends with blank space" in out
    assert "1 live product(s) are still not in the catalog" in out
    code, out, _ = run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0 and "Unmanaged: 1 live product(s)" in out and odd in out


def test_a_file_that_cannot_be_written_rolls_the_others_back(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    generated_shop(shop)
    # a directory where the long batik description's template file goes: written last, it fails
    (root / "templates" / "kemeja-batik-tulis-solo-motif-sekar.html.j2").mkdir(parents=True)
    code, out, err = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 1 and "cannot write" in err and "nothing was written" in err and "Traceback" not in err
    assert not (root / "products").exists() and [p.name for p in (root / "templates").iterdir()] == [
        "kemeja-batik-tulis-solo-motif-sekar.html.j2"]


def test_an_empty_shop_has_nothing_to_import(monkeypatch, capsys, tmp_path):
    root = new_catalog(tmp_path)
    code, out, _ = run(monkeypatch, capsys, "import", root)
    assert code == 0
    assert out == "Toko Impor (sandbox) on Tokopedia & Shop: the shop has no products yet; nothing to import.\n"
    code, out, _ = run(monkeypatch, capsys, "import", root, "--all")
    assert code == 0 and "nothing to import" in out and not (root / "products").exists()


def test_a_reimport_rewrites_the_products_own_description_template(monkeypatch, capsys, shop_catalog):
    root, shop = shop_catalog()
    ids = generated_shop(shop)
    assert run(monkeypatch, capsys, "import", root, "--product-id", ids["batik"])[0] == 0
    (document,) = (root / "products").glob("*.yaml")
    (template,) = (root / "templates").glob("*.html.j2")
    before = document.read_text()
    new_html = LONG_HTML.replace("Katun primisima", "Katun primisima, kini {{ lebih }} adem")
    store = shop.store()
    store.outside_edit(ids["batik"], description=new_html)
    store.close()
    code, out, err = run(monkeypatch, capsys, "import", root, "--product-id", ids["batik"])
    assert code == 0 and "description refreshed from the shop" in out, err
    assert document.read_text() == before  # the document still names its template
    assert template.read_text() == "{% raw %}" + new_html + "{% endraw %}\n"
    assert run(monkeypatch, capsys, "plan", root, "--detailed-exitcode")[0] == 0
