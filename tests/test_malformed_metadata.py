"""Malformed input the shop's reference data finds (issue 18): `catalog plan` reports what the shop
does not know — categories, attributes and their values, brands — at the file:line:column of the
value, every problem at once, exit 1, before Check Product Listing (engine.plan.metadata). The
catalog itself is valid: `catalog validate` (offline) passes on each case."""

from __future__ import annotations

import pytest
from clirun import demo_copy, run_clean

KOPI = "products/kopi.yaml"
KAOS = "products/kaos.yaml"


@pytest.fixture
def demo(tmp_path):
    return demo_copy(tmp_path / "shop")


def apply_edits(root, edits) -> None:
    for relative, old, new in edits:
        path = root / relative
        text = path.read_text()
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1))


def assert_clean_failure(code: int, output: str, phrase: str) -> None:
    assert code == 1, output
    assert phrase in output, output


# (id, edits, phrase): `catalog plan` reports what the shop's reference data does not know, at the
# file:line:column of the value, exit 1, before any Check Product Listing (engine.plan.metadata)
PLAN_METADATA_CASES = [
    ("category-unknown", [(KOPI, 'category_id: "600050"', 'category_id: "600099"')],
     "products/kopi.yaml:6:14: kopi-kapal-api-special: category 600099 is not in the shop's category tree"),
    ("category-not-leaf", [(KAOS, 'category_id: "600011"', 'category_id: "600001"')],
     "products/kaos.yaml:7:14: kaos-polos-katun: category 600001 (Pakaian Pria) is not a leaf category: a product "
     "goes in a leaf category under it, e.g. 600010 (Kemeja Batik), 600011 (Kaos)"),
    ("attribute-unknown", [(KOPI, "  Jenis Kopi: Robusta", "  Jenis Kopi: Robusta\n  Roasting: Medium")],
     "products/kopi.yaml:11:13: kopi-kapal-api-special: attribute 'Roasting' is not a product attribute of "
     "category 600050; the category's attributes: Jenis Kopi, Masa Simpan"),
    ("attribute-misspelt", [(KOPI, "  Masa Simpan: 12 Bulan", "  Masa Simpen: 12 Bulan")],
     "products/kopi.yaml:11:16: kopi-kapal-api-special: attribute 'Masa Simpen' is not a product attribute of "
     "category 600050 (did you mean 'Masa Simpan'?)"),
    ("attribute-value-unknown", [(KOPI, "  Jenis Kopi: Robusta", "  Jenis Kopi: Robusto")],
     "products/kopi.yaml:10:15: kopi-kapal-api-special: Jenis Kopi: 'Robusto' is not a value the shop offers (did "
     "you mean 'Robusta'?); it takes no other value"),
    ("attribute-required-missing", [(KOPI, "  Jenis Kopi: Robusta\n", "")],
     "products/kopi.yaml:9:1: kopi-kapal-api-special: category 600050 requires the attribute Jenis Kopi"),
    ("brand-unknown-in-a-base", [("bases/kemeja-batik.yaml", "brand: Batik Keris", "brand: Batik Kris")],
     "bases/kemeja-batik.yaml:4:8: batik-kawung, batik-mega-mendung, batik-parang (inherited): brand 'Batik Kris' "
     "is not one of the brands this shop can use (did you mean 'Batik Keris'?)"),
]


@pytest.mark.parametrize("edits, phrase", [pytest.param(e, p, id=i) for i, e, p in PLAN_METADATA_CASES])
def test_plan_refuses_what_the_shop_does_not_know_at_file_line(monkeypatch, capsys, demo, edits, phrase):
    apply_edits(demo, edits)
    assert run_clean(monkeypatch, capsys, "validate", demo)[0] == 0  # offline, the catalog is valid
    assert_clean_failure(*run_clean(monkeypatch, capsys, "plan", demo), phrase)


def test_every_metadata_problem_at_once_and_before_check_product_listing(monkeypatch, capsys, demo):
    for _, edits, _ in PLAN_METADATA_CASES[1:3] + PLAN_METADATA_CASES[-1:]:
        apply_edits(demo, edits)
    code, output = run_clean(monkeypatch, capsys, "plan", demo, "--check")
    assert_clean_failure(code, output, "3 errors")
    for _, _, phrase in PLAN_METADATA_CASES[1:3] + PLAN_METADATA_CASES[-1:]:
        assert phrase in output
    # the products with a problem are not planned, so the shop's check never sees them
    checked = [line for line in output.splitlines() if line.startswith(("+ ", "~ ", "± "))]
    assert {line.split()[1] for line in checked} == {"samsung-galaxy-a55", "samsung-galaxy-s21-bekas",
                                                     "seiko-presage-cocktail", "tas-pandan-tasikmalaya",
                                                     "tas-rotan-bulat-lombok"}
    assert output.count("listing check:") == 5
