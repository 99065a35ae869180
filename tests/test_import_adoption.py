"""Adoption and identity conflicts end to end: products made directly through the API (as Seller
Center or another tool makes them, with no engine fingerprint), a catalog that describes them,
then `catalog plan` / `catalog apply` / `catalog import` against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_cli import JKT, SHOP, TIKTOK, Shop, new_catalog, run, sku

KAOS = {"title": "Kaos Polos Katun Combed 30s Hitam Unisex", "description": "<p>Kaos polos.</p>",
        "category_id": "600011", "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
        "product_attributes": [{"id": "100100", "values": [{"id": "1001001"}]}],
        "skus": [sku("KAOS-HITAM-M", "35000", {JKT: 120}, sales_attributes=[{"name": "Ukuran", "value_name": "M"}]),
                 sku("KAOS-HITAM-L", "37500", {JKT: 90}, sales_attributes=[{"name": "Ukuran", "value_name": "L"}])]}


def kaos_yaml(uri: str, title: str = KAOS["title"], price_l: str = "37500") -> str:
    return f"""\
# yaml-language-server: $schema=../schemas/product.json
key: kaos-hitam
title: {title}
description: <p>Kaos polos.</p>
category_id: "600011"
main_images: [{{uri: {uri}}}]
product_attributes: {{Bahan: Katun}}
package_weight: 0.3
listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]
skus:
  - seller_sku: KAOS-HITAM-M
    sales_attributes: {{Ukuran: M}}
    price: 35000
    inventory: {{Gudang Jakarta: 120}}
  - seller_sku: KAOS-HITAM-L
    sales_attributes: {{Ukuran: L}}
    price: {price_l}
    inventory: {{Gudang Jakarta: 90}}
"""


@pytest.fixture
def shop(tmp_path):
    root = new_catalog(tmp_path, SHOP)
    (root / "products").mkdir()
    handle = Shop(root)
    handle.root = root
    yield handle
    handle.close()


def write(shop: Shop, text: str) -> Path:
    path = shop.root / "products" / "kaos.yaml"
    path.write_text(text)
    return path


def product_count(shop: Shop) -> int:
    store = shop.store()
    try:
        return len(store.products())
    finally:
        store.close()


def test_a_product_made_outside_the_engine_is_adopted_never_created_again(monkeypatch, capsys, shop):
    pid = shop.create(KAOS)
    write(shop, kaos_yaml(shop.image()))
    code, out, err = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 0, out + err
    assert f"kaos-hitam  \"{KAOS['title']}\"  product {pid}  (adopted)" in out
    assert "matched by seller SKU (no engine fingerprint yet)" in out and "+ create" not in out
    assert run(monkeypatch, capsys, "apply", shop.root, "--auto-approve")[0] == 0
    assert product_count(shop) == 1 and "external_product_id" not in shop.product(pid)
    # the first content write records the engine's fingerprint; from then on it is managed
    write(shop, kaos_yaml(shop.image(), title=KAOS["title"] + " Premium", price_l="39000"))
    code, out, err = run(monkeypatch, capsys, "apply", shop.root, "--auto-approve")
    assert code == 0, out + err
    assert product_count(shop) == 1
    live = shop.product(pid)
    assert live["title"] == KAOS["title"] + " Premium" and live["external_product_id"].startswith("ce3:")
    assert live["external_product_id"].endswith(":kaos-hitam")
    code, out, _ = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 0 and "(adopted)" not in out and not TIKTOK.search(out)


def test_a_seller_sku_in_two_live_products_is_an_error_naming_both(monkeypatch, capsys, shop):
    first = shop.create(KAOS)
    second = shop.create({**KAOS, "title": KAOS["title"] + " Duplikat", "skus": KAOS["skus"][:1]})
    write(shop, kaos_yaml(shop.image()))
    code, out, err = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 1
    assert (f"kaos-hitam: seller SKU KAOS-HITAM-M is in live products {first} and {second}; merge them or delete "
            "the duplicate in Seller Center, then plan again") in out
    before = {pid: shop.product(pid)["update_time"] for pid in (first, second)}
    code, out, err = run(monkeypatch, capsys, "apply", shop.root, "--auto-approve")
    assert "seller SKU KAOS-HITAM-M is in live products" in out
    assert product_count(shop) == 2  # nothing created, nothing touched
    assert {pid: shop.product(pid)["update_time"] for pid in (first, second)} == before


def test_skus_spread_over_two_live_products_is_an_error_naming_both(monkeypatch, capsys, shop):
    medium = shop.create({**KAOS, "skus": [sku("KAOS-HITAM-M", "35000", {JKT: 120})]})
    large = shop.create({**KAOS, "title": KAOS["title"] + " Besar", "skus": [sku("KAOS-HITAM-L", "37500", {JKT: 90})]})
    write(shop, kaos_yaml(shop.image()))
    code, out, _ = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 1
    assert (f"kaos-hitam: its seller SKUs are spread over live products {medium} and {large} ({medium} has "
            f"KAOS-HITAM-M; {large} has KAOS-HITAM-L); merge them or delete the duplicate in Seller Center") in out


def test_a_deleted_duplicate_does_not_block_adoption(monkeypatch, capsys, shop):
    alive = shop.create(KAOS)
    gone = shop.create({**KAOS, "title": KAOS["title"] + " Lama"})
    assert shop.client.call("DELETE", "/product/202309/products", body={"product_ids": [gone]}).code == 0
    write(shop, kaos_yaml(shop.image()))
    code, out, err = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 0, out + err
    assert f"product {alive}  (adopted)" in out and gone not in out


def test_unmanaged_products_are_listed_in_every_plan_and_never_touched(monkeypatch, capsys, shop):
    managed = shop.create(KAOS)
    strangers = [shop.create({**KAOS, "title": f"Kaos Polos Katun Combed 30s Warna {color}",
                              "skus": [sku(f"KAOS-{color.upper()}", "35000", {JKT: 3})]})
                 for color in ("Putih", "Merah")]
    write(shop, kaos_yaml(shop.image(), price_l="39000"))
    before = {pid: shop.product(pid)["update_time"] for pid in strangers}
    code, out, _ = run(monkeypatch, capsys, "plan", shop.root)
    assert "Unmanaged: 2 live product(s) not in the catalog, never touched:" in out
    for pid, color in zip(strangers, ("Putih", "Merah"), strict=True):
        assert f"  {pid}  \"Kaos Polos Katun Combed 30s Warna {color}\"" in out
    assert "2 unmanaged" in out
    code, out, err = run(monkeypatch, capsys, "apply", shop.root, "--auto-approve")
    assert code == 0, out + err
    assert shop.product(managed)["skus"][1]["price"]["sale_price"] == "39000"
    assert {pid: shop.product(pid)["update_time"] for pid in strangers} == before
    # `catalog import` is how they join the catalog; afterwards nothing is unmanaged and nothing changes
    code, out, err = run(monkeypatch, capsys, "import", shop.root, "--all")
    assert code == 0, err
    code, out, _ = run(monkeypatch, capsys, "plan", shop.root, "--detailed-exitcode")
    assert code == 0 and "Unmanaged" not in out and "0 unmanaged" in out
    times = {pid: shop.product(pid)["update_time"] for pid in (managed, *strangers)}
    code, out, _ = run(monkeypatch, capsys, "apply", shop.root, "--auto-approve")
    assert code == 0 and "+ create" not in out and product_count(shop) == 3
    assert {pid: shop.product(pid)["update_time"] for pid in (managed, *strangers)} == times


# --------------------------------------------------------------------------- golden cases, checked beyond the text
def test_the_first_content_write_of_an_adopted_product_records_the_fingerprint():
    from test_plan_golden import plan_case

    from engine.plan import model as m

    (item,) = plan_case("adopted-content-edit").products
    (action,) = item.actions
    assert item.adopted and action.kind == m.PARTIAL_EDIT and "external_product_id" in action.fields
    assert action.external_product_id.startswith(f"ce3:{item.fingerprint}:")
    assert action.external_product_id.endswith(":batik-parang")


def test_adopted_and_conflicting_cases_name_every_product_involved():
    from test_plan_golden import plan_case

    assert plan_case("adopted-no-change").has_changes is False
    assert [p.product_id for p in plan_case("adopted-deleted-duplicate").products] == ["7491000000000000204"]
    for name, ids in (("conflict-duplicate-sku", ("7491000000000000206", "7491000000000000207")),
                      ("conflict-split-product", ("7491000000000000208", "7491000000000000209"))):
        (error,) = plan_case(name).errors
        assert error.product_ids == ids and all(i in error.message for i in ids) and "Seller Center" in error.message
    plan = plan_case("conflict-one-live-two-catalog")
    assert [e.key for e in plan.errors] == ["kaos-polos", "kopi-gayo"] and plan.products == ()
    plan = plan_case("conflict-unmanaged-duplicates")
    duplicates = ("7491000000000000212", "7491000000000000213")
    assert not plan.errors and [w.product_ids for w in plan.warnings] == [duplicates]
    assert [u.product_id for u in plan.unmanaged] == ["7491000000000000212", "7491000000000000213"]
