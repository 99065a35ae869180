"""Reading YAML: documents, exact positions, syntax errors, encodings, YAML 1.2 behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_catalog_rules import demo_copy, edit, line_of

from bench.gen_catalog import generate_catalog
from engine.catalog.load import load_catalog
from engine.catalog.source import dotted, read_file
from engine.errors import CatalogError

KOPI = "products/kopi.yaml"


def errors(root: Path) -> list:
    with pytest.raises(CatalogError) as error:
        load_catalog(root)
    return [d for d in error.value.diagnostics if d.severity == "error"]


def read(tmp_path: Path, text: str | bytes):
    path = tmp_path / "f.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return read_file(path, "f.yaml", "f.yaml")


def test_documents_know_their_first_line_and_key_line(tmp_path):
    source, problems = read(tmp_path, "# comment\n---\nkey: a\nx: 1\n---\n# c\n\nkey: b\n...\n---\nfoo: 1\nkey: c\n")
    assert problems == []
    assert [(d.data.get("key"), d.line, d.key_line) for d in source.documents] == [
        ("a", 3, 3), ("b", 6, 8), ("c", 11, 12)]


def test_a_block_scalar_may_contain_dashes(tmp_path):
    source, problems = read(tmp_path, "key: a\ndescription: |\n  ---\n  <p>x</p>\n---\nkey: b\n")
    assert problems == [] and [d.data["key"] for d in source.documents] == ["a", "b"]
    assert source.documents[0].data["description"] == "---\n<p>x</p>\n"


def test_positions_of_nested_fields(tmp_path):
    source, _ = read(tmp_path, "key: a\n---\nkey: b\nskus:\n  - seller_sku: X\n    inventory: {G: 1, H: 2}\n")
    document = source.documents[1]
    assert document.where(("skus", 0, "seller_sku")) == (5, 17)
    assert document.where(("skus", 0, "inventory", "H"), at_key=True) == (6, 23)
    assert document.where(("skus", 0, "inventory", "H")) == (6, 26)
    assert document.where(("skus", 0, "price")) == (5, 5)  # missing: the item that lacks it
    assert document.where(("nope", 3)) == (3, 1)


def test_yaml_12_keeps_yes_and_dates_as_text(tmp_path):
    source, _ = read(tmp_path, "a: yes\nb: 2024-01-01\nc: 012\nd: on\n")
    assert source.documents[0].data == {"a": "yes", "b": "2024-01-01", "c": 12, "d": "on"}


def test_a_broken_document_keeps_the_others(tmp_path):
    source, problems = read(tmp_path, "key: a\n---\nkey: b\n  x: [1\n---\nkey: c\n")
    assert [d.data["key"] for d in source.documents] == ["a", "c"]
    (problem,) = problems
    assert problem.line == 4 and problem.message.startswith("YAML syntax error")


def test_syntax_messages_never_quote_the_line(tmp_path):
    _, problems = read(tmp_path, 'name: x\napp_secret: "TTP_secret_value\n')
    (problem,) = problems
    assert "TTP_secret_value" not in str(problem)


def test_duplicate_keys_point_at_the_second_one(tmp_path):
    _, problems = read(tmp_path, "key: a\nskus:\n  - seller_sku: A\n    price: 1\n    price: 2\n")
    (problem,) = problems
    assert (problem.line, problem.column) == (5, 5)
    assert problem.message.startswith("duplicate key 'price'")


def test_not_utf8(tmp_path):
    _, problems = read(tmp_path, b"key: a\ntitle: caf\xe9\n")
    assert [(p.line, p.message) for p in problems] == [(2, "file is not UTF-8 text")]


def test_a_byte_order_mark_is_fine(tmp_path):
    source, problems = read(tmp_path, "\ufeff# yaml-language-server: $schema=x\nkey: a\n")
    assert problems == [] and source.has_schema_comment and source.documents[0].data == {"key": "a"}


def test_dotted_paths():
    assert dotted(("skus", 2, "inventory", "Gudang Jakarta")) == 'skus[2].inventory["Gudang Jakarta"]'
    assert dotted(("product_attributes", "Bahan")) == "product_attributes.Bahan"
    assert dotted(("a", "line\nbreak")) == 'a["line\\nbreak"]'


def test_a_product_document_must_be_a_mapping(tmp_path):
    root = demo_copy(tmp_path)
    (root / "products" / "list.yaml").write_text("# yaml-language-server: $schema=x\n- a\n- b\n")
    (root / "products" / "empty.yaml").write_text("# only a comment\n")
    (problem,) = errors(root)
    assert problem.file.endswith("list.yaml") and problem.line == 2
    assert problem.message == "a product must be a mapping of fields (key, title, ...)"


def test_yes_is_not_a_boolean(tmp_path):
    root = demo_copy(tmp_path)
    edit(root, "shop.yaml", "is_cod_allowed: true", "is_cod_allowed: yes")
    (problem,) = errors(root)
    assert problem.message == "expected true or false, got 'yes'"
    assert problem.line == line_of(root, "shop.yaml", "is_cod_allowed: yes")


def test_position_of_an_error_deep_in_a_big_file(tmp_path):
    generate_catalog(tmp_path / "gen", products=300, per_file=300)
    rel = "products/produk-0001.yaml"
    edit(tmp_path / "gen", rel, "seller_sku: SKU-00257-2", "seller_sku: SKU 00257 2")
    (problem,) = errors(tmp_path / "gen")
    assert problem.line == line_of(tmp_path / "gen", rel, "SKU 00257 2")
    assert problem.path == "skus[1].seller_sku"


@pytest.mark.parametrize("text, line, message", [
    ("# only a comment\n", 1, "shop.yaml is empty: it needs at least the shop name and its warehouses"),
    ("name: a\n---\nname: b\n", 3, "shop.yaml must hold exactly one YAML document"),
    ("name: [a\n", 2, "YAML syntax error: expected ',' or ']'"),
    ("- a\n", 1, "shop.yaml must be a mapping of fields"),
])
def test_a_broken_shop_file_gets_one_clear_message(tmp_path, text, line, message):
    root = demo_copy(tmp_path)
    (root / "shop.yaml").write_text(text)
    (problem,) = errors(root)
    assert problem.file.endswith("shop.yaml") and problem.line == line and problem.message.startswith(message)


def test_content_after_a_document_end_marker_is_a_document(tmp_path):
    source, problems = read(tmp_path, "key: a\n...\nkey: b\n...\n# trailing comment\n")
    assert problems == [] and [(d.data["key"], d.line) for d in source.documents] == [("a", 1), ("b", 3)]
