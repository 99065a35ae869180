"""Property: for any live shop, `catalog import --all` then `catalog plan` plans nothing.

Hypothesis generates small shops (bounded examples): categories with their required attributes,
attributes by id and by (custom) name, brands, prices with and without decimals, stock in one
or several warehouses in any order, pre-order SKUs where the category allows them, one or both
platforms, insurance, wholesale minimums, cash on delivery, delivery options, package sizes,
live / deactivated / draft / in-review products, and a shop.yaml with or without defaults. The
products are seeded straight into the sandbox's store, as Seller Center would create them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.load import load_catalog
from engine.importing.importer import ImportRequest, run_import
from engine.plan.planner import make_plan
from engine.sandbox.app import create_app
from engine.sandbox.store import SandboxStore
from engine.shop.connect import read_catalog

WAREHOUSES = ("7400000000000000001", "7400000000000000002")
NAMES = {"7400000000000000001": "Gudang Jakarta", "7400000000000000002": "Gudang Surabaya"}
DELIVERY = ("7300000000000000001", "7300000000000000002", "7300000000000000003")
# category → (required attribute id, its value ids, optional customizable attribute id, platforms allowed,
#              pre-order allowed, package size required, COD allowed)
CATEGORIES = {
    "600010": ("100100", ("1001001", "1001002"), "100101", ("TIKTOK_SHOP", "TOKOPEDIA"), False, False, True),
    "600011": ("100100", ("1001001", "1001004"), None, ("TIKTOK_SHOP", "TOKOPEDIA"), False, False, True),
    "600021": ("100210", ("1002101", "1002103"), None, ("TOKOPEDIA",), False, True, True),
    "600030": ("100300", ("1003001", "1003002"), "100301", ("TIKTOK_SHOP",), False, True, False),
    "600040": ("100400", ("1004001", "1004002"), "100401", ("TIKTOK_SHOP", "TOKOPEDIA"), True, False, True),
    "600050": ("100500", ("1005001", "1005002"), "100501", ("TIKTOK_SHOP", "TOKOPEDIA"), True, False, True),
}
VALUE_NAMES = {"1001001": "Katun", "1001002": "Sutra", "1001004": "Polyester", "1002101": "Seperti Baru",
               "1002103": "Bekas Wajar", "1003001": "Otomatis", "1003002": "Quartz", "1004001": "Rotan",
               "1004002": "Pandan", "1005001": "Arabika", "1005002": "Robusta"}
WORDS = ("Kemeja", "Batik", "Kopi", "Tas", "Rotan", "Premium", "Asli", "Lombok", "Solo", "Gayo", "Hitam",
         "Putih", "Katun", "Murah", "Original", "Grosir", "Isi", "3", "250g", "Pria", "Wanita", "Anyaman")
DESCRIPTIONS = st.sampled_from([
    "<p>Produk asli.</p>",
    "<p>Baris satu.</p>\n<p>Baris dua: harga \"grosir\" & ongkir #murah.</p>",
    "\n".join(f"<p>Keterangan {i}: kain {{{{ tebal }}}} — ukuran {{% besar %}}.</p>" for i in range(12)),
    "<p>Café crème — 100% ‘asli’</p>\n\n<p>Tabel:</p>\n<table><tr><td>M</td></tr></table>",
    "'<p>dimulai dengan kutip</p>'",
])


@st.composite
def products(draw, index: int) -> tuple[dict, str | None]:
    category = draw(st.sampled_from(sorted(CATEGORIES)))
    required, values, optional, allowed, pre_order, sized, cod = CATEGORIES[category]
    platforms = draw(st.sampled_from([p for p in (("TIKTOK_SHOP",), ("TOKOPEDIA",), ("TIKTOK_SHOP", "TOKOPEDIA"))
                                      if set(p) <= set(allowed)]))
    value = draw(st.sampled_from(values))
    by_name = draw(st.booleans())
    attributes = [{"id": required, "values": [{"name": VALUE_NAMES[value]} if by_name else {"id": value}]}]
    if optional and draw(st.booleans()):
        attributes.append({"id": optional, "values": [{"name": draw(st.sampled_from(["Khas Daerah", "Edisi 2025"]))}]})
    title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=9)))
    title = (title + " Produk Nusantara Pilihan")[:80]
    body = {"title": title, "description": draw(DESCRIPTIONS), "category_id": category, "category_version": "v2",
            "main_images": [{"uri": f"tos-id-i-gen-{index}"}], "listing_platforms": list(platforms),
            "product_attributes": attributes,
            "package_weight": {"value": draw(st.sampled_from(["0.3", "1", "0.125", "2.5"])), "unit": "KILOGRAM"}}
    if sized or draw(st.booleans()):
        body["package_dimensions"] = {"length": "20", "width": str(draw(st.integers(1, 40))), "height": "5",
                                      "unit": "CENTIMETER"}
    if draw(st.booleans()):
        body["brand_id"] = draw(st.sampled_from(["700001", "700002", "700003", "700004", "700005"]))
    if "TOKOPEDIA" in platforms and draw(st.booleans()):
        body["shipping_insurance_requirement"] = draw(st.sampled_from(["REQUIRED", "OPTIONAL", "NOT_SUPPORTED"]))
    if platforms == ("TOKOPEDIA",) and draw(st.booleans()):
        body["is_pre_owned"] = draw(st.booleans())
    if draw(st.booleans()):
        body["minimum_order_quantity"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        body["is_cod_allowed"] = cod and draw(st.booleans())
    if draw(st.booleans()):
        body["delivery_option_ids"] = sorted(draw(st.sets(st.sampled_from(DELIVERY), min_size=1)))
    body["skus"] = draw(skus(index, pre_order and draw(st.booleans())))
    status = draw(st.sampled_from([None, None, "SELLER_DEACTIVATED", "DRAFT", "PENDING"]))
    return body, status


@st.composite
def skus(draw, index: int, pre_order: bool) -> list[dict]:
    count = draw(st.integers(1, 3))
    sizes = draw(st.permutations(["S", "M", "L", "XL"]))[:count]
    days = draw(st.integers(3, 30))
    out = []
    for number, size in enumerate(sizes):
        warehouses = draw(st.permutations(WAREHOUSES))[:draw(st.integers(1, 2))]
        decimal = st.tuples(st.integers(1000, 900_000), st.integers(1, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}")
        price = draw(st.one_of(st.integers(1000, 9_000_000).map(str), decimal))
        sku = {"seller_sku": f"GEN-{index}-{number}", "price": {"amount": price, "currency": "IDR"},
               "inventory": [{"warehouse_id": w, "quantity": draw(st.integers(0, 500))} for w in warehouses]}
        if count > 1:
            sku["sales_attributes"] = [{"name": "Ukuran", "value_name": size}]
        if pre_order:
            sku["pre_sale"] = {"type": "PRE_ORDER", "fulfillment_type": {"handling_duration_days": days}}
        out.append(sku)
    return out


@st.composite
def shops(draw) -> tuple[list[tuple[dict, str | None]], str]:
    count = draw(st.integers(1, 4))
    items = [draw(products(index)) for index in range(count)]
    names = draw(st.permutations(WAREHOUSES))
    shop = "name: Toko Properti (sandbox)\nwarehouses:\n" + "".join(f'  {NAMES[w]}: "{w}"\n' for w in names)
    defaults = {}
    if draw(st.booleans()):
        defaults["listing_platforms"] = draw(st.sampled_from(["[TIKTOK_SHOP, TOKOPEDIA]", "[TIKTOK_SHOP]"]))
    if draw(st.booleans()):
        defaults["status"] = "active"
    if draw(st.booleans()):
        defaults["is_cod_allowed"] = draw(st.sampled_from(["true", "false"]))
    if draw(st.booleans()):
        defaults["minimum_order_quantity"] = str(draw(st.integers(1, 3)))
    if defaults:
        shop += "defaults:\n" + "".join(f"  {k}: {v}\n" for k, v in defaults.items())
    return items, shop


def new_shop(tmp: Path, shop_yaml: str) -> tuple[Path, Path, SandboxStore]:
    """A catalog directory with only shop.yaml, and its empty sandbox shop (root, db, store)."""
    root = tmp / "toko"
    root.mkdir()
    (root / "shop.yaml").write_text("# yaml-language-server: $schema=../schemas/shop.json\n" + shop_yaml)
    db = root / ".sandbox" / "shop.db"
    db.parent.mkdir()
    return root, db, SandboxStore(db)


@given(shops())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_import_of_any_shop_then_plan_is_empty(shop):
    items, shop_yaml = shop
    with tempfile.TemporaryDirectory() as tmp:
        root, db, store = new_shop(Path(tmp), shop_yaml)
        for body, status in items:
            store.seed_products([body], status=status)
        store.close()
        app = create_app(db)
        try:
            report = run_import(ImportRequest(root, all_products=True), app=app)
            assert len(report.products) == len(items), report.text()
            catalog = load_catalog(root)
            plan = make_plan(catalog, read_catalog(catalog, app=app, use_cache=False))
            assert not plan.has_changes and not plan.errors and not plan.unmanaged, [
                (p.key, [(a.kind, a.changes) for a in p.actions]) for p in plan.products]
            written = {p: p.read_bytes() for p in root.rglob("*.yaml")}
            again = run_import(ImportRequest(root, all_products=True), app=app)
            assert again.products == () and {p: p.read_bytes() for p in root.rglob("*.yaml")} == written
        finally:
            app.state.shop.db.close()


@st.composite
def outside_edits(draw, items: list) -> dict:
    """A Seller Center edit of the first product: some of its fields changed outside git."""
    body = items[0][0]
    edit = {}
    if draw(st.booleans()):
        edit["title"] = body["title"][:60] + " Edisi Baru"
    if draw(st.booleans()):
        edit["description"] = draw(DESCRIPTIONS.filter(lambda d: d != body["description"]))
    if draw(st.booleans()):
        edit["package_weight"] = {"value": draw(st.sampled_from(["0.45", "3"])), "unit": "KILOGRAM"}
    if draw(st.booleans()):
        edit["minimum_order_quantity"] = draw(st.integers(6, 9))
    skus = [s["seller_sku"] for s in body["skus"]]
    if draw(st.booleans()):
        edit["prices"] = {skus[0]: draw(st.sampled_from(["77000", "77000.5"]))}
    if draw(st.booleans()):
        edit["stock"] = {skus[-1]: {w: draw(st.integers(0, 50)) for w in draw(st.permutations(WAREHOUSES))[:1]}}
    return edit


@given(st.data())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_a_reimport_after_any_outside_edit_plans_nothing_and_keeps_comments(data):
    items, shop_yaml = data.draw(shops())
    edit = data.draw(outside_edits(items))
    with tempfile.TemporaryDirectory() as tmp:
        root, db, store = new_shop(Path(tmp), shop_yaml)
        pid = store.seed_products([items[0][0]], status=items[0][1])[0]
        app = create_app(db)
        try:
            run_import(ImportRequest(root, all_products=True), app=app)
            (path,) = (root / "products").glob("*.yaml")
            path.write_text(path.read_text().replace("\ntitle:", "\n# a note the seller wrote\ntitle:"))
            store.outside_edit(pid, **edit)
            run_import(ImportRequest(root, product_ids=(pid,)), app=app)
            assert "# a note the seller wrote\ntitle:" in path.read_text()
            catalog = load_catalog(root)
            plan = make_plan(catalog, read_catalog(catalog, app=app, use_cache=False))
            assert not plan.has_changes and not plan.errors, [
                (p.key, [(a.kind, a.changes) for a in p.actions]) for p in plan.products]
        finally:
            store.close()
            app.state.shop.db.close()
