"""engine/catalog/export.py and export_files.py: live specs → catalog YAML, and writing it safely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml_rs
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.catalog.spec import ImageRef, ProductAttribute, ProductSpec, Ref, SalesAttribute, SkuSpec
from engine.catalog.templates import TemplateRenderer
from engine.importing.export import ExportContext, Exporter, listing_state, template_text, yaml_number
from engine.importing.files import (
    FileTransaction,
    UpdateProblem,
    append_text,
    document_spans,
    new_file_text,
    schema_comment,
    update_text,
)
from engine.importing.keys import assign_keys, key_candidates, slug
from engine.importing.yaml_writer import document_text, dump_document, emit, reads_back

JKT, SBY = "7400000000000000001", "7400000000000000002"
WAREHOUSES = {"Gudang Jakarta": JKT, "Gudang Surabaya": SBY}
BOTH = (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "ACTIVATE"))


def live_spec(**fields) -> ProductSpec:
    base = dict(
        key="7490000000000000001", title="Kemeja Batik Pria Motif Parang Lengan Panjang",
        description="<p>Kemeja batik tulis.</p>", category_id="600010", brand=Ref("700001", "Batik Keris"),
        main_images=(ImageRef(uri="tos-id-i-1"),),
        product_attributes=(ProductAttribute("100100", "Bahan", (Ref("1001001", "Katun"),)),),
        package_weight="0.3", listing_platforms=("TIKTOK_SHOP", "TOKOPEDIA"), is_cod_allowed=False,
        skus=(SkuSpec("BATIK-M", "150000", ((JKT, 10),), (SalesAttribute("Ukuran", "M", "100900", "1009002"),)),))
    base.update(fields)
    return ProductSpec(**base)


def export(spec: ProductSpec | None = None, statuses=BOTH, **context):
    context.setdefault("warehouses", WAREHOUSES)
    context.setdefault("stock_owned_by_shop", False)  # manage: {stock: always}: inventory is written
    return Exporter(ExportContext(**context)).export(spec or live_spec(), key="batik", statuses=statuses)


def read(document) -> dict:
    return yaml_rs.loads(document_text(document), parse_datetime=False)


# --------------------------------------------------------------------------- listing state
@pytest.mark.parametrize("statuses,expected", [
    (BOTH, (("TIKTOK_SHOP", "TOKOPEDIA"), "active")),
    ((("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED")), (("TIKTOK_SHOP",), "active")),
    ((("TIKTOK_SHOP", "FAILED"), ("TOKOPEDIA", "ACTIVATE")), (("TIKTOK_SHOP", "TOKOPEDIA"), "active")),
    ((("TOKOPEDIA", "PENDING"),), (("TOKOPEDIA",), "active")),
    ((("TIKTOK_SHOP", "DRAFT"), ("TOKOPEDIA", "ACTIVATE")), (("TOKOPEDIA",), "active")),
    ((("TIKTOK_SHOP", "DRAFT"), ("TOKOPEDIA", "DRAFT")), (("TIKTOK_SHOP", "TOKOPEDIA"), "inactive")),
    ((("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "PLATFORM_DEACTIVATED")),
     (("TIKTOK_SHOP", "TOKOPEDIA"), "inactive")),
    ((("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "DELETED")), (("TIKTOK_SHOP",), "inactive")),
])
def test_listing_state_lists_where_the_product_is_listed(statuses, expected):
    assert listing_state(statuses) == expected


# --------------------------------------------------------------------------- numbers, keys, templates
@pytest.mark.parametrize("text,value", [("150000", 150000), ("99999.5", 99999.5), ("0.25", 0.25),
                                        ("12345678.99", 12345678.99), ("1", 1)])
def test_numbers_stay_exact_integers_stay_integers(text, value):
    number = yaml_number(text)
    assert number == value and type(number) is type(value)


def test_a_decimal_a_float_cannot_hold_exactly_is_written_as_text():
    assert yaml_number("123456789012345678.5") == "123456789012345678.5"


def test_slug_is_readable_ascii_cut_at_a_word():
    assert slug("Kemeja Batik Pria — Motif Parang!") == "kemeja-batik-pria-motif-parang"
    assert slug("Kopi Luwak Aceh Gayo Premium Grade A 250 gram Biji Sangrai Medium Roast") == \
        "kopi-luwak-aceh-gayo-premium-grade-a-250"
    assert slug("Café Crème Brûlée") == "cafe-creme-brulee"


def test_keys_are_unique_and_do_not_depend_on_order():
    products = {"1": ("Kemeja Batik Parang", ("BATIK-M",)), "2": ("Kemeja Batik Parang", ("BATIK-XL",)),
                "3": ("Kopi Gayo", ("KOPI-1",)), "4": ("Tas Rotan", ("TAS-1",))}
    keys = assign_keys(products, taken={"tas-rotan"})
    assert keys == {"1": "kemeja-batik-parang-batik-m", "2": "kemeja-batik-parang-batik-xl", "3": "kopi-gayo",
                    "4": "tas-rotan-tas-1"}
    assert assign_keys(dict(reversed(products.items())), taken={"tas-rotan"}) == keys


def test_the_key_an_engine_annotation_names_is_reused_when_free():
    keys = assign_keys({"1": ("Kemeja Batik Parang", ("B-M",)), "2": ("Kopi", ("K-1",))}, taken={"kopi-lama"},
                       preferred={"1": "batik-parang", "2": "kopi-lama"})
    assert keys["1"] == "batik-parang" and keys["2"] != "kopi-lama"


@given(st.dictionaries(st.text("0123456789", min_size=1, max_size=19),
                       st.tuples(st.text(max_size=40), st.lists(st.text(max_size=12), max_size=3).map(tuple)),
                       max_size=8),
       st.sets(st.text("abc-", min_size=1, max_size=6), max_size=4))
@settings(max_examples=150, deadline=None)
def test_assigned_keys_are_always_valid_and_unique(products, taken):
    from engine.catalog.rules import KEY_PATTERN

    keys = assign_keys(products, taken)
    assert len(set(keys.values())) == len(keys) and not set(keys.values()) & taken
    assert all(KEY_PATTERN.fullmatch(k) for k in keys.values()), keys
    assert assign_keys(dict(reversed(list(products.items()))), taken) == keys


def test_key_candidates_fall_back_to_the_sku_and_the_product_id():
    assert key_candidates("🙂🙂🙂", ("SKU-9",), "77") == ("sku-9", "sku-9-77", "sku-9-77")


@pytest.mark.parametrize("html", ["<p>Kopi {{ enak }} dan {% mantap %}</p>", "<p>a</p>\n<p>b</p>\n", "<p>{#x#}</p>"])
def test_a_template_without_variables_renders_the_html_exactly(tmp_path, html):
    html = html.strip()
    (tmp_path / "t.html.j2").write_text(template_text(html))
    assert TemplateRenderer(tmp_path, "templates", {}).render("t.html.j2", {}, {}) == html


def test_html_no_template_can_render_stays_inline():
    assert template_text("<p>a</p>\r\n<p>b</p>") is None
    assert template_text("<p>{% endraw %}</p>") is None


# --------------------------------------------------------------------------- the exporter
def test_platform_defaults_are_left_out_and_what_matters_is_written():
    out = export(live_spec(shipping_insurance_requirement="OPTIONAL", is_pre_owned=False, minimum_order_quantity=1,
                           delivery_option_ids=("1", "2", "3")), default_delivery=("1", "2", "3"))
    assert out.problems == []
    data = read(out.document)
    for name in ("shipping_insurance_requirement", "is_pre_owned", "minimum_order_quantity", "is_cod_allowed",
                 "delivery_option_ids", "status"):
        assert name not in data
    assert data["listing_platforms"] == ["TIKTOK_SHOP", "TOKOPEDIA"]
    assert data["skus"] == [{"seller_sku": "BATIK-M", "sales_attributes": {"Ukuran": "M"}, "price": 150000,
                             "inventory": {"Gudang Jakarta": 10}}]
    out = export(live_spec(shipping_insurance_requirement="REQUIRED", minimum_order_quantity=3, is_cod_allowed=True,
                           delivery_option_ids=("1",)), default_delivery=("1", "2", "3"))
    data = read(out.document)
    assert (data["shipping_insurance_requirement"], data["minimum_order_quantity"], data["is_cod_allowed"],
            data["delivery_option_ids"]) == ("REQUIRED", 3, True, ["1"])


def test_shop_defaults_are_inherited_or_overridden_or_taken_away():
    defaults = {"listing_platforms": ["TOKOPEDIA", "TIKTOK_SHOP"], "status": "active", "is_cod_allowed": True,
                "shipping_insurance_requirement": "REQUIRED", "minimum_order_quantity": 2}
    spec = live_spec(listing_platforms=("TIKTOK_SHOP",), is_cod_allowed=None, minimum_order_quantity=2)
    data = read(export(spec, statuses=(("TIKTOK_SHOP", "ACTIVATE"),), defaults=defaults).document)
    assert data["listing_platforms"] == ["TIKTOK_SHOP"]  # differs from the default
    assert "status" not in data and "minimum_order_quantity" not in data  # same as the default
    assert data["is_cod_allowed"] is None  # the shop has no value: the default does not apply
    assert data["shipping_insurance_requirement"] is None  # not on Tokopedia: insurance cannot apply
    data = read(export(live_spec(is_cod_allowed=False), defaults=defaults).document)
    assert data["is_cod_allowed"] is False and "listing_platforms" not in data


def test_an_inactive_product_keeps_its_platforms_and_says_inactive():
    data = read(export(statuses=(("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "DRAFT"))).document)
    assert data["status"] == "inactive" and data["listing_platforms"] == ["TIKTOK_SHOP", "TOKOPEDIA"]


def test_names_are_written_unless_ambiguous_then_ids_with_the_name_as_a_comment():
    spec = live_spec(product_attributes=(
        ProductAttribute("100100", "Bahan", (Ref("1001001", "Katun"),)),
        ProductAttribute("100101", "Motif", (Ref("1001011", "Parang"), Ref("1001012", "Kawung"))),
        ProductAttribute("100102", "Warna Dasar", (Ref(None, "Biru Dongker"),))))
    data = read(export(spec).document)
    assert data["brand"] == "Batik Keris"
    assert data["product_attributes"] == {"Bahan": "Katun", "Motif": ["Kawung", "Parang"],
                                          "Warna Dasar": "Biru Dongker"}
    out = export(spec, ambiguous_brands=frozenset({"Batik Keris"}),
                 ambiguous_attributes=frozenset({("600010", "Motif")}))
    text = document_text(out.document)
    assert 'brand: {id: "700001"}  # Batik Keris' in text
    assert '- {id: "100101", values: [Kawung, Parang]}  # Motif' in text
    assert "- {name: Bahan, values: [Katun]}" in text


def test_long_descriptions_become_template_files_and_short_ones_stay_inline():
    long = "\n".join(f"<p>Baris {i} tentang kemeja batik tulis dari Solo.</p>" for i in range(10))
    out = export(live_spec(description=long))
    assert read(out.document)["description"] == {"template": "batik.html.j2"}
    assert out.templates == [("batik.html.j2", long + "\n")]
    out = export(live_spec(description=long), templates_taken=frozenset({"batik.html.j2"}))
    assert out.templates[0][0] == "batik-2.html.j2"
    two_lines = "<p>a</p>\n<p>b</p>"
    out = export(live_spec(description=two_lines))
    assert "description: |-\n  <p>a</p>\n  <p>b</p>\n" in document_text(out.document)
    for odd in ("<p>a</p>  \n<p>b</p>", "<p>tab\there</p>\n<p>x</p>", "#<p>hash first</p>", "'quoted' <p>"):
        assert read(export(live_spec(description=odd)).document)["description"] == odd


def test_warehouses_by_name_in_shop_yaml_order_and_an_unknown_one_is_a_problem():
    sku = SkuSpec("BATIK-M", "150000", ((JKT, 5), (SBY, 7)), pre_sale_days=7, identifier_code=("EAN", "0012345678905"))
    reversed_names = {"Gudang Surabaya": SBY, "Gudang Jakarta": JKT}
    text = document_text(export(live_spec(skus=(sku,)), warehouses=reversed_names).document)
    assert "inventory: {Gudang Surabaya: 7, Gudang Jakarta: 5}" in text
    assert 'pre_sale: {type: PRE_ORDER, handling_duration_days: 7}' in text
    assert 'identifier_code: {type: EAN, code: "0012345678905"}' in text
    out = export(live_spec(skus=(sku,)), warehouses={"Gudang Jakarta": JKT}, warehouse_labels={SBY: "Gudang SBY"})
    assert out.problems == []
    assert out.shop_problems == [f"warehouse {SBY} (called 'Gudang SBY' in the shop) is not in shop.yaml: add it "
                                 f"under `warehouses:`, e.g. `Gudang SBY: \"{SBY}\"`, then import again"]


def test_what_the_catalog_cannot_hold_is_a_problem_not_a_guess():
    no_sku = SkuSpec("", "150000", ((JKT, 1),))
    out = export(live_spec(skus=(no_sku,), package_weight=None, description="<p>x</p>\n"))
    assert any("has no package weight" in p for p in out.problems)
    assert any("SKU has no seller SKU" in p for p in out.problems)
    assert any("description starts or ends with blank space" in p for p in out.problems)


def test_a_default_that_does_not_apply_is_taken_away_with_a_comment():
    out = export(live_spec(is_cod_allowed=None), defaults={"is_cod_allowed": True})
    assert "is_cod_allowed: null  # not set in the shop: the shop.yaml default does not apply" in \
        document_text(out.document)


def test_inherited_mapping_attributes_the_product_lacks_are_taken_away():
    out = export(defaults={"product_attributes": {"Bahan": "Sutra", "Lengan": "Panjang"}})
    assert read(out.document)["product_attributes"] == {"Bahan": "Katun", "Lengan": None}


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_any_title_or_description_reads_back_exactly(text):
    out = export(live_spec(title=text, description=text))
    data = read(out.document) if not out.templates else None
    if data is not None:
        assert data["title"] == text and data["description"] == text


# --------------------------------------------------------------------------- files
MULTI = """\
# yaml-language-server: $schema=../../schemas/product.json
# Two products.
key: a
title: Produk A yang cukup panjang untuk judul   # keep me
skus:
  - seller_sku: A-1
    price: 100   # promo
    inventory: {Gudang Jakarta: 1}
  - seller_sku: A-2
    price: 200
    inventory: {Gudang Jakarta: 2}
---
key: b
title:    Produk B dengan spasi aneh
skus: [{seller_sku: B-1, price: 5, inventory: {Gudang Jakarta: 1}}]
"""


def test_update_changes_one_document_and_keeps_comments_and_the_rest_byte_for_byte():
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    new_skus = CommentedSeq([CommentedMap(seller_sku="A-2", price=250, inventory=CommentedMap({"Gudang Jakarta": 2})),
                             CommentedMap(seller_sku="A-3", price=300, inventory=CommentedMap({"Gudang Jakarta": 3}))])
    for sku in new_skus:
        sku["inventory"].fa.set_flow_style()
    text = update_text(MULTI, "a", {"title": "Produk A yang baru dan cukup panjang", "skus": new_skus,
                                    "package_weight": 0.5})
    first, second = text.split("---\n")
    assert second == MULTI.split("---\n")[1]  # the other document: byte for byte
    # the comment keeps its column; A-1 (gone from the shop) leaves with its comment
    assert first == """\
# yaml-language-server: $schema=../../schemas/product.json
# Two products.
key: a
title: Produk A yang baru dan cukup panjang      # keep me
package_weight: 0.5
skus:
  - seller_sku: A-2
    price: 250
    inventory: {Gudang Jakarta: 2}
  - seller_sku: A-3
    price: 300
    inventory: {Gudang Jakarta: 3}
"""
    assert update_text(MULTI, "a", {"title": "Produk A yang cukup panjang untuk judul"}) == MULTI
    with pytest.raises(UpdateProblem):
        update_text(MULTI, "c", {"title": "x"})


def test_update_keeps_the_documents_own_indentation():
    text = "key: a\nskus:\n- seller_sku: A-1\n  price: 100\n  inventory:\n    Gudang Jakarta: 1\n"
    assert update_text(text, "a", {"title": "Judul produk yang cukup panjang ya"}) == \
        "key: a\ntitle: Judul produk yang cukup panjang ya\nskus:\n- seller_sku: A-1\n  price: 100\n" \
        "  inventory:\n    Gudang Jakarta: 1\n"


def test_append_keeps_the_existing_bytes_and_separates_documents():
    assert append_text(MULTI, "key: c\n", "from product 9") == MULTI + "---\n# from product 9\nkey: c\n"
    header = "# yaml-language-server: $schema=x.json\n# only comments so far"
    assert append_text(header, "key: c\n") == header + "\nkey: c\n"
    assert len(document_spans(append_text(MULTI, "key: c\n"))) == 3


def test_new_file_starts_with_the_schema_comment(tmp_path):
    (tmp_path / "repo" / "schemas").mkdir(parents=True)
    (tmp_path / "repo" / "schemas" / "product.json").write_text("{}")
    catalog = tmp_path / "repo" / "catalogs" / "toko"
    (catalog / "products").mkdir(parents=True)
    line = schema_comment(catalog, catalog / "products")
    assert line == "# yaml-language-server: $schema=../../../schemas/product.json"
    assert new_file_text("key: a\n", line, "note").splitlines() == [line, "# note", "key: a"]
    elsewhere = tmp_path / "other"
    (elsewhere / "products").mkdir(parents=True)
    assert schema_comment(elsewhere, elsewhere / "products", "# yaml-language-server: $schema=mine.json") == \
        "# yaml-language-server: $schema=mine.json"


def test_a_transaction_rolls_every_file_back(tmp_path):
    kept = tmp_path / "products" / "kept.yaml"
    kept.parent.mkdir()
    kept.write_bytes(b"key: kept\r\n# bytes as they were\r\n")
    transaction = FileTransaction()
    transaction.write(kept, "key: changed\n")
    transaction.write(tmp_path / "templates" / "deep" / "new.html.j2", "<p>x</p>\n")
    transaction.write(tmp_path / "products" / "new.yaml", "key: new\n")
    assert kept.read_text() == "key: changed\n" and (tmp_path / "templates" / "deep" / "new.html.j2").exists()
    assert transaction.rollback() == []
    assert kept.read_bytes() == b"key: kept\r\n# bytes as they were\r\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["products",
                                                                                       "products/kept.yaml"]
    assert not list(Path(tmp_path).rglob(".*.tmp"))


# --------------------------------------------------------------------------- YAML text
def test_the_small_emitter_writes_what_ruamel_writes():
    long = "\n".join(f"<p>Baris {i}</p>" for i in range(8))
    documents = [
        export().document,
        export(live_spec(description="<p>a</p>\n<p>b</p>", is_cod_allowed=None),
               defaults={"is_cod_allowed": True}).document,
        export(live_spec(description=long, product_attributes=(
            ProductAttribute("100101", "Motif", (Ref("1001011", "Parang"),)),)),
            ambiguous_brands=frozenset({"Batik Keris"}),
            ambiguous_attributes=frozenset({("600010", "Motif")})).document,
    ]
    for document in documents:
        assert emit(document) == dump_document(document)
        assert document_text(document) == emit(document)


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
       st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_name_or_value_is_written_so_that_it_reads_back(name, value):
    spec = live_spec(product_attributes=(ProductAttribute(None, name, (Ref(None, value),)),),
                     skus=(SkuSpec("BATIK-M", "150000", ((JKT, 1),), (SalesAttribute(name, value),)),))
    out = export(spec, warehouses={name: JKT})
    text = document_text(out.document)
    assert reads_back(text, out.document)
    data = yaml_rs.loads(text, parse_datetime=False)
    assert data["skus"][0]["sales_attributes"] == {name: value} and data["skus"][0]["inventory"] == {name: 1}


def test_update_keeps_a_byte_order_mark_and_windows_line_ends():
    text = "\ufeff# catatan\r\nkey: a\r\ntitle: Judul lama yang cukup panjang sekali\r\nskus: []\r\n"
    assert update_text(text, "a", {"title": "Judul baru yang cukup panjang sekali"}) == \
        "\ufeff# catatan\r\nkey: a\r\ntitle: Judul baru yang cukup panjang sekali\r\nskus: []\r\n"


def test_under_stock_on_create_no_inventory_is_written():
    """The default `manage: {stock: on_create}`: the shop owns an existing SKU's stock."""
    written = export(stock_owned_by_shop=True).document
    assert [dict(sku) for sku in written["skus"]] == [{"seller_sku": "BATIK-M", "sales_attributes": {"Ukuran": "M"},
                                                       "price": 150000}]
