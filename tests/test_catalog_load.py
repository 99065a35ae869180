"""load_catalog: the Catalog value, ProductSpec conventions, extends/defaults, templates, images, digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_catalog_rules import DEMO, demo_copy, edit, line_of

from bench.gen_catalog import generate_catalog, write_png
from engine.catalog.images import image_size
from engine.catalog.load import load_catalog
from engine.catalog.spec import ImageRef, ProductAttribute, Ref, SalesAttribute
from engine.errors import CatalogError

SHOP = """\
# yaml-language-server: $schema=../schemas/shop.json
name: Toko Uji
warehouses: {Gudang A: "7400000000000000001", Gudang B: 7400000000000000002}
defaults:
  listing_platforms: [TOKOPEDIA, TIKTOK_SHOP]
  is_cod_allowed: true
  product_attributes: {Bahan: Katun}
"""
PRODUCT = """\
# yaml-language-server: $schema=../../schemas/product.json
key: kaos
title: Kaos Polos Katun Combed Premium 30s
description: "<p>Kaos.</p>"
category_id: 600011
main_images: [{{uri: tos-id-i-kaos}}]
package_weight: 0.25
{extra}skus:
  - seller_sku: KAOS-L
    sales_attributes: {{Ukuran: L}}
    price: "99000.50"
    inventory: {{Gudang B: 3, Gudang A: 7}}
  - seller_sku: KAOS-M
    sales_attributes: {{Ukuran: 42}}
    price: 99000
    inventory: {{Gudang A: 0}}
"""


def small_catalog(tmp_path: Path, extra: str = "", bases: dict[str, str] | None = None) -> Path:
    root = tmp_path / "shop"
    (root / "products").mkdir(parents=True)
    (root / "shop.yaml").write_text(SHOP)
    (root / "products" / "kaos.yaml").write_text(PRODUCT.format(extra=extra))
    for name, text in (bases or {}).items():
        (root / "bases").mkdir(exist_ok=True)
        (root / "bases" / f"{name}.yaml").write_text("# yaml-language-server: $schema=../../schemas/base.json\n" + text)
    return root


def test_demo_catalog_value():
    catalog = load_catalog(DEMO)
    assert catalog.root == DEMO
    assert catalog.keys == tuple(sorted(catalog.keys)) and len(catalog.keys) == 10
    assert catalog.warnings == ()
    shop = catalog.shop
    assert (shop.name, shop.market, shop.target) == ("Toko Nusantara (sandbox)", "ID", "sandbox")
    assert shop.sandbox_db == DEMO / ".sandbox" / "shop.db"
    assert shop.base_url == "https://open-api.tiktokglobalshop.com"
    assert shop.auth_url == "https://auth.tiktok-shops.com"
    assert shop.rate_limit_qps == 50
    assert shop.warehouses == {"Gudang Jakarta": "7400000000000000001", "Gudang Surabaya": "7400000000000000002"}
    assert shop.warehouse_name("7400000000000000002") == "Gudang Surabaya"
    assert shop.defaults == {"listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"], "status": "active",
                             "is_cod_allowed": True}
    paths = [image.path for image in catalog.images]
    assert paths == sorted(paths) and len(paths) == 13
    for image in catalog.images:
        assert image.sha256 == hashlib.sha256((DEMO / image.path).read_bytes()).hexdigest()
        assert image_size((DEMO / image.path).read_bytes()) == (600, 600)


def test_demo_covers_every_feature_the_issue_lists():
    products = {p.key: p for p in load_catalog(DEMO).products}
    both = ("TIKTOK_SHOP", "TOKOPEDIA")
    assert products["batik-parang"].listing_platforms == both
    used = products["samsung-galaxy-s21-bekas"]
    assert used.listing_platforms == ("TOKOPEDIA",) and used.is_pre_owned and used.category_id == "600021"
    assert {s.pre_sale_days for s in products["tas-rotan-bulat-lombok"].skus} == {7, 14}
    assert products["samsung-galaxy-a55"].shipping_insurance_requirement == "REQUIRED"
    assert products["kaos-polos-katun"].minimum_order_quantity == 3
    assert {a.name for s in products["batik-parang"].skus for a in s.sales_attributes} == {"Ukuran", "Warna"}
    assert "<li>Pewarna alami</li>" in products["batik-parang"].description
    assert products["batik-mega-mendung"].status == "inactive"
    watch = products["seiko-presage-cocktail"]
    assert watch.category_id == "600030" and watch.listing_platforms == both and watch.is_cod_allowed is False
    assert "garansi seumur hidup" in products["tas-pandan-tasikmalaya"].description.lower()
    assert {p.brand.name for p in products.values() if p.brand} == {"Batik Keris", "Kopi Kapal Api", "Samsung", "Seiko"}


def test_spec_follows_the_normalisation_conventions(tmp_path):
    root = small_catalog(tmp_path)
    (spec,) = load_catalog(root).products
    assert spec.category_id == "600011"  # unquoted id -> text
    assert spec.listing_platforms == ("TIKTOK_SHOP", "TOKOPEDIA")  # sorted
    assert spec.package_weight == "0.25"
    assert [s.seller_sku for s in spec.skus] == ["KAOS-L", "KAOS-M"]
    large, medium = spec.skus
    assert large.price == "99000.5" and medium.price == "99000"
    assert large.inventory == (("7400000000000000001", 7), ("7400000000000000002", 3))  # names -> ids, sorted
    assert medium.sales_attributes == (SalesAttribute(name="Ukuran", value="42"),)
    assert spec.main_images == (ImageRef(uri="tos-id-i-kaos"),)
    assert spec.product_attributes == (ProductAttribute(id=None, name="Bahan", values=(Ref(name="Katun"),)),)
    assert spec.declared == {"title", "description", "category_id", "main_images", "package_weight", "skus",
                             "listing_platforms", "is_cod_allowed", "product_attributes"}
    assert spec.status == "active" and "status" not in spec.declared  # not written: not managed
    assert spec.source.file == f"{root.as_posix()}/products/kaos.yaml" and spec.source.line == 2


def test_references_are_kept_as_written(tmp_path):
    extra = ("brand: {id: 700001}\n"
             "product_attributes:\n  - {id: \"100100\", values: [{id: \"1001001\"}, Katun]}\n"
             "  - {name: Motif, values: [Parang]}\n")
    (spec,) = load_catalog(small_catalog(tmp_path, extra)).products
    assert spec.brand == Ref(id="700001")
    assert spec.product_attributes == (
        ProductAttribute(id="100100", name=None, values=(Ref(id="1001001"), Ref(name="Katun"))),
        ProductAttribute(id=None, name="Motif", values=(Ref(name="Parang"),)),
    )


def test_extends_layers_defaults_bases_and_product_in_order(tmp_path):
    bases = {
        "kain": "product_attributes: {Bahan: Sutra, Motif: Parang}\nis_cod_allowed: false\n",
        "kaos": "extends: kain\nproduct_attributes: {Motif: null, Lengan: Pendek}\nminimum_order_quantity: 2\n",
    }
    extra = "extends: [kaos]\nis_cod_allowed: null\nproduct_attributes: {Lengan: Panjang}\n"
    (spec,) = load_catalog(small_catalog(tmp_path, extra, bases)).products
    attributes = {a.name: a.values[0].name for a in spec.product_attributes}
    assert attributes == {"Bahan": "Sutra", "Lengan": "Panjang"}  # Motif removed by `null` in a base
    assert spec.minimum_order_quantity == 2 and "minimum_order_quantity" in spec.declared
    assert spec.is_cod_allowed is None and "is_cod_allowed" not in spec.declared  # `null` = not managed


def test_later_bases_win(tmp_path):
    bases = {"a": "minimum_order_quantity: 2\n", "b": "minimum_order_quantity: 5\n"}
    (spec,) = load_catalog(small_catalog(tmp_path, "extends: [a, b]\n", bases)).products
    assert spec.minimum_order_quantity == 5


def test_deleted_tombstone_needs_only_key_and_skus(tmp_path):
    root = small_catalog(tmp_path)
    (root / "products" / "old.yaml").write_text(
        "# yaml-language-server: $schema=../../schemas/product.json\nkey: old\nstatus: deleted\n"
        "skus: [{seller_sku: OLD-1, price: 1, inventory: {Gudang A: 0}}]\n")
    old = load_catalog(root).product("old")
    assert old.status == "deleted" and old.seller_skus == ("OLD-1",)


def test_template_gets_vars_shop_vars_and_product(tmp_path):
    root = small_catalog(tmp_path, "")
    (root / "templates").mkdir()
    (root / "templates" / "kaos.j2").write_text(
        "<p>{{ product.title }} ({{ product.key }}) {{ toko }} {{ bahan }}</p>\n")
    edit(root, "shop.yaml", "name: Toko Uji", "name: Toko Uji\ntemplate_vars: {toko: Toko <Uji>}")
    edit(root, "products/kaos.yaml", 'description: "<p>Kaos.</p>"',
         "description: {template: kaos.j2, vars: {bahan: Katun & Rayon}}")
    (spec,) = load_catalog(root).products
    assert spec.description == "<p>Kaos Polos Katun Combed Premium 30s (kaos) Toko &lt;Uji&gt; Katun &amp; Rayon</p>"


def test_sandboxed_templates_cannot_reach_python(tmp_path):
    root = demo_copy(tmp_path)
    edit(root, "templates/batik.html.j2", "{{ makna }}", "{{ makna.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(CatalogError) as error:
        load_catalog(root)
    (problem,) = [d for d in error.value.diagnostics if d.severity == "error"]
    assert problem.file.endswith("templates/batik.html.j2") and problem.line == 2
    assert "not allowed in a template" in problem.message or "unsafe" in problem.message


def test_digest_is_stable_and_covers_every_file_the_catalog_is_made_of(tmp_path):
    """The digest is over the catalog's files (saved plans record it; apply refuses a plan made
    from other files): any edit changes it, comments included; a CRLF checkout or a BOM does not."""
    first = load_catalog(DEMO).digest
    assert first == load_catalog(DEMO).digest and len(first) == 64
    root = demo_copy(tmp_path)
    assert load_catalog(root).digest == first  # where the catalog lives is not part of it
    kopi = root / "products" / "kopi.yaml"
    kopi.write_bytes(b"\xef\xbb\xbf" + kopi.read_bytes().replace(b"\n", b"\r\n"))
    assert load_catalog(root).digest == first
    edit(root, "products/kopi.yaml", "price: 27500", "price: 27600")
    assert load_catalog(root).digest != first
    for rel, old, new in (("products/kopi.yaml", "key: kopi-kapal-api-special",
                           "# a comment\nkey: kopi-kapal-api-special"),
                          ("shop.yaml", "name:", "# the shop\nname:")):
        other = demo_copy(tmp_path / rel.replace("/", "-"))
        edit(other, rel, old, new)
        assert load_catalog(other).digest not in (first,)
    templates = sorted((DEMO / "templates").rglob("*.j2"))
    assert templates, "the demo uses a description template"
    other = demo_copy(tmp_path / "template")
    template = other / "templates" / templates[0].relative_to(DEMO / "templates")
    template.write_text(template.read_text(encoding="utf-8") + "\n{# a comment #}\n", encoding="utf-8")
    assert load_catalog(other).digest != first  # templates are part of the catalog
    root2 = demo_copy(tmp_path / "two")
    write_png(root2 / "images" / "kopi-kapal-api-1.png", 600, 600, (1, 2, 3))
    assert load_catalog(root2).digest != first  # an image's content is part of the catalog


def test_warnings_ride_along_on_a_valid_catalog(tmp_path):
    root = demo_copy(tmp_path)
    edit(root, "products/kopi.yaml", "# yaml-language-server: $schema=../../../schemas/product.json\n", "")
    edit(root, "products/kopi.yaml", "Kemasan Hemat", "Kemasan Hemat TikTok")
    (root / "bases" / "unused.yaml").write_text("# yaml-language-server: $schema=../../../schemas/base.json\n"
                                                "is_cod_allowed: true\n")
    catalog = load_catalog(root)
    messages = [(Path(w.file).name, w.line, w.message) for w in catalog.warnings]
    assert all(w.severity == "warning" for w in catalog.warnings)
    assert ("kopi.yaml", 1, "the first line should be '# yaml-language-server: $schema=<path to "
            "schemas/...json>' so editors check the file") in messages
    assert any(name == "kopi.yaml" and "names the platform by a name buyers in Indonesia must not see" in m
               for name, _, m in messages)
    assert not any("tiktok" in m.lower() for _, _, m in messages)
    assert ("unused.yaml", 1, "base 'unused' is not used by any product") in messages


def test_shop_settings_for_the_api_target(tmp_path):
    root = small_catalog(tmp_path)
    edit(root, "shop.yaml", "name: Toko Uji", "name: Toko Uji\ntarget: api\nbase_url: https://open-api.example.com/\n"
                                               "rate_limit_qps: 10\nsandbox_db: state/x.db")
    shop = load_catalog(root).shop
    assert (shop.target, shop.base_url, shop.rate_limit_qps) == ("api", "https://open-api.example.com", 10.0)
    assert shop.sandbox_db == root / "state" / "x.db"  # inside the catalog (tests/test_malicious_catalog.py)


def test_a_shop_file_path_is_accepted_for_the_directory():
    assert load_catalog(DEMO / "shop.yaml").keys == load_catalog(DEMO).keys


def test_generated_catalogs_are_valid(tmp_path):
    summary = generate_catalog(tmp_path / "gen", products=25, per_file=10)
    catalog = load_catalog(tmp_path / "gen")
    assert summary["products"] == len(catalog.products) == 25
    assert summary["skus"] == sum(len(p.skus) for p in catalog.products) == 75
    assert catalog.warnings == ()
    assert all(p.listing_platforms == ("TIKTOK_SHOP", "TOKOPEDIA") for p in catalog.products)


def test_templates_render_with_globals_shop_vars_and_product(tmp_path):
    """A template sees Jinja's globals, shop template_vars (a product's vars win) and `product`;
    each render starts afresh."""
    from engine.catalog.templates import TemplateRenderer

    (tmp_path / "t.html.j2").write_text("{% for i in range(2) %}{{ i }}{{ toko }}{{ product.title }}{{ x }}"
                                        "{{ cycler('a', 'b').next() }}{% endfor %}{{ '<b>' }}")
    with TemplateRenderer(tmp_path, "templates", {"toko": "T", "x": "shop"}) as renderer:
        product = {"key": "k", "title": "Judul"}
        assert renderer.render("t.html.j2", {"x": "mine"}, product) == "0TJudulminea1TJudulminea&lt;b&gt;"
        assert renderer.render("t.html.j2", {}, product) == "0TJudulshopa1TJudulshopa&lt;b&gt;"  # no state kept


def test_locate_follows_a_value_to_where_it_is_written():
    """Catalog.locate: the product's own file, a base it extends, or shop.yaml defaults; list
    items by position or by seller SKU; a field the product lacks: its first line."""
    catalog = load_catalog(DEMO)
    demo = DEMO.as_posix()
    kopi, batik, base, shop = (f"{demo}/products/kopi.yaml", f"{demo}/products/batik.yaml",
                               f"{demo}/bases/kemeja-batik.yaml", f"{demo}/shop.yaml")
    assert catalog.locate("kopi-kapal-api-special", ("skus", 0, "price")) == \
        (kopi, line_of(DEMO, "products/kopi.yaml", "price: 27500"), 12)
    assert catalog.locate("kopi-kapal-api-special", ("skus", "KOPI-KAPAL-API-500G", "price")) == \
        (kopi, line_of(DEMO, "products/kopi.yaml", "price: 52000"), 12)
    assert catalog.locate("batik-parang", ("product_attributes", "Motif")) == \
        (batik, line_of(DEMO, "products/batik.yaml", "Motif: [Parang]"), 3)  # a list: at its key
    assert catalog.locate("batik-parang", ("product_attributes", "Bahan")) == \
        (base, line_of(DEMO, "bases/kemeja-batik.yaml", "Bahan: Katun"), 10)  # inherited from the base
    assert catalog.locate("batik-kawung", ("description", "vars", "motif")) == \
        (batik, line_of(DEMO, "products/batik.yaml", "motif: Kawung"), 12)
    assert catalog.locate("kopi-kapal-api-special", ("listing_platforms",))[:2] == \
        (shop, line_of(DEMO, "shop.yaml", "listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]"))
    assert catalog.locate("kopi-kapal-api-special", ("minimum_order_quantity",)) == (kopi, 2, 1)
    with pytest.raises(KeyError):
        catalog.locate("no-such-product", ("title",))


def test_locate_an_attribute_merged_from_shop_defaults(tmp_path):
    root = small_catalog(tmp_path, "product_attributes: {Motif: Polos}\n")
    catalog = load_catalog(root)
    assert catalog.locate("kaos", ("product_attributes", "Bahan")) == \
        (f"{root.as_posix()}/shop.yaml", line_of(root, "shop.yaml", "Bahan: Katun"), 31)
    assert catalog.locate("kaos", ("product_attributes", "Motif"))[:2] == \
        (f"{root.as_posix()}/products/kaos.yaml", line_of(root, "products/kaos.yaml", "Motif: Polos"))
