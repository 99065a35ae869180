"""The discovery commands (issue 18) through the CLI against the sandbox shop: `catalog categories`,
`attributes`, `brands`, `warehouses`, text and `--json`."""

from __future__ import annotations

import json
import re

import pytest
from clirun import demo_copy, run_clean, run_cli


@pytest.fixture
def demo(tmp_path):
    return demo_copy(tmp_path / "demo")


def as_json(monkeypatch, capsys, *args):
    code, out, err = run_cli(monkeypatch, capsys, *args, "--json")
    assert code == 0, out + err
    return json.loads(out)


def no_former_brand(output: str) -> None:
    assert not re.search(r"tik\s*tok", output, re.IGNORECASE)  # brand rule: the platform is Tokopedia & Shop


def test_categories_lists_leaves_with_their_path_and_permission_per_platform(monkeypatch, capsys, demo):
    rows = as_json(monkeypatch, capsys, "categories", demo)
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == 14 and "600001" not in by_id  # leaves only
    watch = by_id["600030"]
    assert watch["path"] == ["Jam Tangan", "Jam Tangan Mewah"] and watch["name"] == "Jam Tangan Mewah"
    assert watch["permissions"] == [
        {"platform": "TIKTOK_SHOP", "label": "Shop | Tokopedia", "permission_statuses": ["AVAILABLE"]},
        {"platform": "TOKOPEDIA", "label": "Tokopedia", "permission_statuses": ["INVITE_ONLY"]}]
    assert by_id["600120"]["path"] == ["Pakaian Pria", "Celana Pria", "Celana Jeans"]

    code, output = run_clean(monkeypatch, capsys, "categories", demo)
    assert code == 0
    assert re.search(r"600030 +Jam Tangan > Jam Tangan Mewah +Shop \| Tokopedia: available · Tokopedia: invite-only",
                     output)
    assert "600021   Elektronik > Ponsel Bekas" in output and "Shop | Tokopedia: prohibited" in output
    no_former_brand(output)


def test_categories_by_platform_and_search(monkeypatch, capsys, demo):
    rows = as_json(monkeypatch, capsys, "categories", demo, "--search", "PONSEL")
    assert [r["id"] for r in rows] == ["600220", "600221", "600020", "600021"]  # by path
    rows = as_json(monkeypatch, capsys, "categories", demo, "--platform", "TOKOPEDIA", "--search", "jam tangan")
    assert [(r["id"], r["permissions"]) for r in rows] == [
        ("600030", [{"platform": "TOKOPEDIA", "label": "Tokopedia", "permission_statuses": ["INVITE_ONLY"]}]),
        ("600031", [{"platform": "TOKOPEDIA", "label": "Tokopedia", "permission_statuses": ["AVAILABLE"]}])]
    code, output = run_clean(monkeypatch, capsys, "categories", demo, "--platform", "TOKOPEDIA", "--search", "jam")
    assert code == 0 and "on Tokopedia: 3 leaf categories matching \"jam\"" in output
    assert "Shop | Tokopedia" not in output
    assert run_clean(monkeypatch, capsys, "categories", demo, "--platform", "TIKTOK")[0] == 1  # usage error


def test_attributes_of_a_leaf_category(monkeypatch, capsys, demo):
    data = as_json(monkeypatch, capsys, "attributes", demo, "600010")
    assert data["category"]["path"] == ["Pakaian Pria", "Kemeja Batik"]
    found = {a["name"]: a for a in data["attributes"]}
    assert (found["Bahan"]["required"], found["Bahan"]["multiple"], found["Bahan"]["type"]) == (
        True, False, "PRODUCT_PROPERTY")
    assert found["Motif"]["multiple"] and not found["Lengan"]["customizable"]
    assert [v["name"] for v in found["Lengan"]["values"]] == ["Pendek", "Panjang"]
    assert found["Ukuran"]["type"] == "SALES_PROPERTY"
    code, output = run_clean(monkeypatch, capsys, "attributes", demo, "600010")
    assert code == 0 and "Bahan  (id 100100)  required · one value · custom values allowed" in output
    assert output.index("Product attributes") < output.index("Lengan") < output.index("Sales attributes") < \
        output.index("Ukuran")
    code, output = run_clean(monkeypatch, capsys, "attributes", demo, "600060")  # a required free-text attribute
    assert "Nomor BPOM  (id " in output and "(no list: write the value)" in output


@pytest.mark.parametrize("category, phrase", [
    ("600001", "category 600001 (Pakaian Pria) is not a leaf category; attributes belong to leaf categories, e.g. "
               "600010 (Kemeja Batik), 600011 (Kaos)"),
    ("600099", "category 600099 is not in the shop's category tree"),
])
def test_attributes_of_a_non_leaf_or_unknown_category_is_a_clear_error(monkeypatch, capsys, demo, category, phrase):
    code, output = run_clean(monkeypatch, capsys, "attributes", demo, category)
    assert code == 1 and phrase in output


def test_brands_say_which_the_catalog_can_use(monkeypatch, capsys, demo):
    brands = {b["name"]: b for b in as_json(monkeypatch, capsys, "brands", demo)}
    assert len(brands) == 11
    assert brands["Batik Keris"] == {"id": "700001", "name": "Batik Keris", "authorized": True, "available": True,
                                     "protected": False, "usable": True}
    assert not brands["Xiaomi"]["usable"] and not brands["Apple"]["usable"] and brands["Rotan Lombok"]["usable"]
    phones = [b["name"] for b in as_json(monkeypatch, capsys, "brands", demo, "--category", "600020")]
    assert phones == ["Apple", "Robbyn", "Samsung", "Xiaomi"]
    code, output = run_clean(monkeypatch, capsys, "brands", demo, "--category", "600020")
    assert code == 0 and "4 brand(s) in category 600020" in output
    assert re.search(r"700008 +Xiaomi +not usable: a protected brand this shop is not authorized for", output)
    assert re.search(r"700006 +Apple +not usable: unavailable", output)


def test_warehouses_with_the_names_shop_yaml_gives_them(monkeypatch, capsys, demo):
    shop = demo / "shop.yaml"
    shop.write_text(shop.read_text().replace('  Gudang Surabaya: "7400000000000000002"\n',
                                             '  Gudang Bandung: "7400000000000000009"\n'))
    found = as_json(monkeypatch, capsys, "warehouses", demo)
    assert [(w["id"], w["name"], w["is_default"], w["catalog_name"]) for w in found] == [
        ("7400000000000000001", "Gudang Jakarta", True, "Gudang Jakarta"),
        ("7400000000000000002", "Gudang Surabaya", False, None)]
    code, output = run_clean(monkeypatch, capsys, "warehouses", demo)
    assert code == 0 and 'not in shop.yaml (add `Gudang Surabaya: "7400000000000000002"` under warehouses)' in output
    assert 'shop.yaml names "Gudang Bandung: 7400000000000000009", a warehouse the shop does not have' in output


def test_a_half_written_product_does_not_stop_discovery_but_a_broken_shop_yaml_does(monkeypatch, capsys, demo):
    (demo / "products" / "baru.yaml").write_text("key: baru\ntitle: [unclosed\n")
    assert run_clean(monkeypatch, capsys, "warehouses", demo)[0] == 0
    assert run_clean(monkeypatch, capsys, "plan", demo)[0] == 1  # the catalog itself is invalid
    shop = demo / "shop.yaml"
    shop.write_text(shop.read_text().replace("target: sandbox ", "target: produksi "))
    code, output = run_clean(monkeypatch, capsys, "categories", demo)
    assert code == 1 and "shop.yaml:7:9: error: target: 'produksi' is not allowed" in output
