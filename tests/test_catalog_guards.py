"""Guards (issue 17), catalog side: shop.yaml `guards:` and a product's `acknowledge:` — read into
values, every mistake reported at its file:line:column, and an acknowledgement never part of
what is compared with the shop (adding or removing one changes no fingerprint)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_catalog_load import SHOP, small_catalog

from engine.catalog.guard_settings import DEFAULT_GUARDS, Limit, MassAcknowledgement, PriceAcknowledgement
from engine.catalog.load import load_catalog
from engine.catalog.spec import fingerprint
from engine.errors import CatalogError


def with_guards(tmp_path, guards: str, extra: str = ""):
    root = small_catalog(tmp_path, extra)
    (root / "shop.yaml").write_text(SHOP + guards)
    return root


def problems(root) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    return [f"{d.file.rsplit('/', 1)[-1]}:{d.line}:{d.column}: {d.path}: {d.message}" for d in caught.value.diagnostics
            if d.severity == "error"]


def test_guards_are_on_by_default(tmp_path):
    guards = load_catalog(small_catalog(tmp_path)).shop.guards
    assert guards == DEFAULT_GUARDS
    assert (guards.price_change, guards.deactivate, guards.delete) == (
        Decimal("0.5"), Limit(10, Decimal("0.25")), Limit(5, Decimal("0.1")))


def test_a_limit_keeps_the_default_of_the_part_it_leaves_out_and_false_turns_a_guard_off(tmp_path):
    root = with_guards(tmp_path, "guards:\n  max_price_change: 12.5%\n  max_deactivate: {count: 50}\n"
                                 "  max_delete: false\n")
    guards = load_catalog(root).shop.guards
    assert guards.price_change == Decimal("0.125")
    assert guards.deactivate == Limit(50, Decimal("0.25")) and guards.delete is None
    root = with_guards(tmp_path / "b", "guards:\n  max_deactivate: {share: 50%, count: null}\n")
    assert load_catalog(root).shop.guards.deactivate == Limit(None, Decimal("0.5"))


def test_a_shop_acknowledgement_is_read_with_its_position(tmp_path):
    root = with_guards(tmp_path, 'guards:\n  acknowledge:\n    deactivate: {count: 14, products: "3fa9c2e1"}\n')
    assert load_catalog(root).shop.guards.acknowledged == (MassAcknowledgement("deactivate", 14, "3fa9c2e1", 10, 5),)


@pytest.mark.parametrize("guards,expected", [
    ("  max_price_change: 50\n", "shop.yaml:9:21: guards.max_price_change: write a percentage above 0 with its % "
                                 "sign, such as 50% (or false to turn the guard off)"),
    ("  max_deactivate: 10\n", "shop.yaml:9:19: guards.max_deactivate: write the limit as a mapping, such as "
                               "{count: 10, share: 25%} (or false to turn the guard off)"),
    ("  max_delete: {share: 150%}\n", "shop.yaml:9:23: guards.max_delete.share: a share is at most 100% (got 150%)"),
    ("  max_delete: {}\n", "shop.yaml:9:3: guards.max_delete: give count, share or both (or false to turn the "
                           "guard off)"),
    ("  max_delete: {cont: 3}\n", "shop.yaml:9:16: guards.max_delete.cont: unknown field 'cont' (did you mean "
                                  "'count'?)"),
    ("  acknowledge: {delete: {count: 3, products: 12345678}}\n",
     "shop.yaml:9:46: guards.acknowledge.delete.products: expected text, got a number (put it in quotes to keep it "
     "as written)"),
])
def test_a_wrong_guard_is_reported_where_it_is_written(tmp_path, guards, expected):
    assert problems(with_guards(tmp_path, "guards:\n" + guards)) == [expected]


ACK = "acknowledge:\n  price_change:\n    KAOS-M: {from: 150000, to: 1500}\n"


def test_a_product_acknowledgement_is_read_and_located(tmp_path):
    catalog = load_catalog(small_catalog(tmp_path, ACK))
    assert catalog.acknowledgements == (PriceAcknowledgement("kaos", "KAOS-M", "150000", "1500"),)
    file, line, column = catalog.locate("kaos", ("acknowledge", "price_change", "KAOS-M"))
    assert file.endswith("products/kaos.yaml") and (line, column) == (10, 5)


def test_an_acknowledgement_changes_nothing_the_shop_is_compared_with(tmp_path):
    bare = load_catalog(small_catalog(tmp_path / "a")).products[0]
    acked = load_catalog(small_catalog(tmp_path / "b", ACK)).products[0]
    assert acked == bare and fingerprint(acked) == fingerprint(bare)


@pytest.mark.parametrize("ack,expected", [
    ("    KAOS-X: {from: 150000, to: 1500}\n",
     "kaos.yaml:10:5: acknowledge.price_change.KAOS-X: acknowledges a price change of SKU 'KAOS-X', which this "
     "product does not have (did you mean 'KAOS-M'?); its SKUs: KAOS-L, KAOS-M"),
    ("    KAOS-M: {from: 1500, to: 1500.00}\n",
     "kaos.yaml:10:5: acknowledge.price_change.KAOS-M: from and to are the same price (1500): there is no change "
     "to acknowledge; remove it"),
    ("    KAOS-M: {from: 150000, to: -1}\n",
     "kaos.yaml:10:32: acknowledge.price_change.KAOS-M.to: a price of rupiah above 0 with at most 2 decimals, "
     "like 185000, got -1"),
    ("    KAOS-M: {frm: 150000, to: 1500}\n",
     "kaos.yaml:10:14: acknowledge.price_change.KAOS-M.frm: unknown field 'frm' (did you mean 'from'?)"),
])
def test_a_wrong_acknowledgement_is_reported_where_it_is_written(tmp_path, ack, expected):
    found = problems(small_catalog(tmp_path, "acknowledge:\n  price_change:\n" + ack))
    assert expected in found, found


def test_an_acknowledgement_belongs_to_the_product_not_to_a_base_or_the_defaults(tmp_path):
    root = small_catalog(tmp_path, "extends: kaos-dasar\n", {"kaos-dasar": ACK})
    assert any("unknown field 'acknowledge'" in p for p in problems(root))
