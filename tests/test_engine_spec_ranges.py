"""The spec's ranges on the engine side (issue 20): stock 1-99,999 when a SKU is created or sent
in an edit (0 only through Update Inventory), through the CLI against the strict sandbox."""

from __future__ import annotations

from clirun import demo_copy, run_clean

from engine.catalog.spec import ProductSpec, SkuSpec
from engine.sandbox.store import SandboxStore
from engine.shop.build import listing_check_body, sku_body

KOPI = "products/kopi.yaml"
NEW_SKU = """  - seller_sku: KOPI-KAPAL-API-1KG
    sales_attributes: {Berat: 1kg}
    price: 99000
    inventory: {Gudang Jakarta: STOCK, Gudang Surabaya: 10}
"""


def edit(root, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def applied_demo(monkeypatch, capsys, tmp_path):
    root = demo_copy(tmp_path / "demo")
    assert run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")[0] == 3  # the watch: Tokopedia refuses
    return root


def sell_out(root, seller_sku: str, stock: dict[str, int]) -> None:
    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        for warehouse_id, quantity in stock.items():
            store.sell(seller_sku, quantity, warehouse_id)


def test_a_sku_added_to_a_live_product_with_stock_0_is_refused_by_the_plan_at_file_line(monkeypatch, capsys,
                                                                                          tmp_path):
    root = applied_demo(monkeypatch, capsys, tmp_path)
    (root / KOPI).write_text((root / KOPI).read_text() + NEW_SKU.replace("STOCK", "0"))
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--target", "kopi-*")
    assert code == 1, output
    assert "products/kopi.yaml:27:33: kopi-kapal-api-special: SKU KOPI-KAPAL-API-1KG is new and has stock 0 in " \
           "Gudang Jakarta" in output
    assert "± partial edit" not in output  # nothing is planned for the product


def test_an_edit_of_a_product_with_a_sold_out_sku_leaves_its_stock_out(monkeypatch, capsys, tmp_path):
    """A sold-out SKU has 0; an edit sending it is refused (12052055): the edit leaves existing SKUs'
    stock out, and a stock change goes through Update Inventory (which takes 0)."""
    root = applied_demo(monkeypatch, capsys, tmp_path)
    edit(root, "shop.yaml", "  stock: on_create", "  stock: always")  # git owns stock: the 0 is written
    sell_out(root, "KOPI-KAPAL-API-500G", {"7400000000000000001": 100, "7400000000000000002": 80})
    edit(root, KOPI, "inventory: {Gudang Jakarta: 100, Gudang Surabaya: 80}",
         "inventory: {Gudang Jakarta: 0, Gudang Surabaya: 5}")
    (root / KOPI).write_text((root / KOPI).read_text() + NEW_SKU.replace("STOCK", "10"))
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--target", "kopi-*", "--check")
    assert code == 0 and "listing check: PASS" in output, output
    assert "± partial edit" in output and "# update stock" in output
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve", "--target", "kopi-*")
    assert code == 0, output
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--target", "kopi-*", "--detailed-exitcode")
    assert code == 0, output


def test_an_edit_sends_the_stock_of_new_skus_only_and_the_check_never_sends_0():
    existing = SkuSpec("KOPI-500", "52000", (("7400000000000000001", 0), ("7400000000000000002", 5)))
    assert "inventory" not in sku_body(existing, "1729001")
    assert sku_body(existing)["inventory"][0] == {"warehouse_id": "7400000000000000001", "quantity": 0}
    body = listing_check_body(ProductSpec("kopi", skus=(existing,)))
    assert [w["quantity"] for w in body["skus"][0]["inventory"]] == [1, 5]
