"""engine.plan.metadata: the catalog against the shop's categories, attributes and brands — pure,
with values built in code (the CLI cases, with file:line:column, are in test_malformed_cli.py)."""

from __future__ import annotations

from dataclasses import replace

from test_plan_builders import METADATA, catalog, plan_for, spec

from engine.catalog.spec import ProductAttribute, Ref, SourceRef
from engine.plan.metadata import metadata_issues

DECLARED_NO_ATTRIBUTES = {"title", "category_id", "brand", "skus"}


def attrs(**values) -> tuple[ProductAttribute, ...]:
    return tuple(ProductAttribute(None, name, tuple(Ref(name=v) for v in (value if isinstance(value, list) else
                                                                              [value])))
                 for name, value in values.items())


def issues(*specs, creates=()) -> list[tuple[str, str]]:
    found, failed = metadata_issues(catalog(*specs), METADATA, creates=creates)
    assert failed == {i.key for i in found} | failed  # every issue's product is left out
    return [(i.code, i.message) for i in found]


def codes(*specs, creates=()) -> list[str]:
    return [code for code, _ in issues(*specs, creates=creates)]


def test_a_product_the_shop_knows_everything_of_has_no_issue():
    assert issues(spec(), creates={"batik-parang"}) == []
    assert metadata_issues(catalog(spec(category_id="600099")), None) == ([], set())  # no metadata read


def test_an_unknown_or_non_leaf_category():
    [(code, message)] = issues(spec(category_id="600099"))
    assert code == "unknown_category" and message.startswith("products/batik-parang.yaml:1: batik-parang: category "
                                                            "600099 is not in the shop's category tree")
    [(code, message)] = issues(spec(category_id="600001"))
    assert code == "category_not_leaf" and "category 600001 (Pakaian Pria) is not a leaf category" in message
    assert "e.g. 600010 (Kemeja Batik), 600011 (Kaos), …" in message


def test_an_unknown_brand_by_name_or_id():
    [(code, message)] = issues(spec(brand=Ref(name="Batik Kris")))
    assert code == "unknown_brand" and "brand 'Batik Kris' is not one of the brands this shop can use (did you " \
                                       "mean 'Batik Keris'?)" in message
    assert codes(spec(brand=Ref(id="799999"))) == ["unknown_brand"]
    assert codes(spec(brand=Ref(id="700001"))) == []


def test_attributes_names_values_counts_and_sales_attributes():
    messages = [m for _, m in issues(spec(product_attributes=attrs(Bahan="Katun", Motiv="Parang", Lengan="Pendk",
                                                                   Ukuran="M")))]
    assert any("attribute 'Motiv' is not a product attribute of category 600010 (did you mean 'Motif'?)" in m
               for m in messages)
    assert any("attribute 'Ukuran' is not a product attribute of category 600010: Ukuran is a sales attribute — "
               "give it per SKU in `sales_attributes`" in m for m in messages)
    assert any("Lengan: 'Pendk' is not a value the shop offers (did you mean 'Pendek'?); it takes no other value "
               "— values: Pendek, Panjang" in m for m in messages)
    assert len(messages) == 3  # every problem at once
    # a customizable attribute takes a value of the seller's own; case does not matter for offered ones
    assert codes(spec(product_attributes=attrs(Bahan="Linen", Lengan="pendek"))) == []
    [(code, message)] = issues(spec(product_attributes=attrs(Bahan="Katun", Lengan=["Pendek", "Panjang"])))
    assert code == "attribute_one_value" and "Lengan takes one value, not 2" in message
    assert codes(spec(product_attributes=attrs(Bahan="Katun", Motif=["Parang", "Kawung"]))) == []


def test_a_required_attribute_is_missing_when_the_catalog_owns_the_attributes_or_creates_the_product():
    [(code, message)] = issues(spec(product_attributes=attrs(Motif="Parang")))
    assert code == "missing_attribute" and "category 600010 requires the attribute Bahan (values: Katun, Sutra, " \
                                           "Rayon): add it to product_attributes" in message
    loose = spec(declared=DECLARED_NO_ATTRIBUTES, product_attributes=())
    assert codes(loose) == []  # a live product keeps its attributes: not managed, not checked
    assert codes(loose, creates={"batik-parang"}) == ["missing_attribute"]


def test_deleted_products_and_products_outside_the_targets_are_not_checked():
    assert codes(spec(status="deleted", category_id="600099")) == []
    found, failed = metadata_issues(catalog(spec("a", category_id="600099"), spec("b")), METADATA, keys=["b"])
    assert found == [] and failed == set()


def test_a_product_with_an_issue_is_left_out_of_the_plan_with_the_issue():
    good, bad = spec("batik-a"), spec("batik-b", brand=Ref(name="Batik Kris"))
    plan = plan_for((good, bad))  # make_plan checks the catalog against the snapshot's metadata
    assert [p.key for p in plan.products] == ["batik-a"]
    assert [(e.key, e.code) for e in plan.errors] == [("batik-b", "unknown_brand")]
    assert plan_for(good).products == plan.products and not plan_for(good).errors


def test_one_problem_written_in_a_shared_place_is_one_issue_naming_its_products():
    # without Catalog.locate the place is the product's source: the same for all four here
    shared = [replace(spec(key), brand=Ref(name="Batik Kris"), source=SourceRef("bases/kemeja.yaml", 3))
              for key in ("a", "b", "c", "d")]
    found, failed = metadata_issues(catalog(*shared), METADATA)
    assert failed == {"a", "b", "c", "d"}
    [issue] = found
    assert issue.key == "a" and issue.message.startswith("bases/kemeja.yaml:3: a, b, c and 1 more (inherited): "
                                                         "brand 'Batik Kris'")


def test_metadata_the_read_cache_keeps_is_read_back_with_the_attribute_rules(tmp_path):
    """The checks need each attribute's rules from the cache as the reader gave them (a cache of the
    format before them is ignored: CACHE_FORMAT 3)."""
    from engine.shop.cache import ReadCache

    cache = ReadCache.open(tmp_path, "shop")
    cache.close(metadata=METADATA, categories=["600010"])
    again = ReadCache.open(tmp_path, "shop").metadata(["600010"])
    assert again == METADATA
    batik = dict(again.attributes)["600010"]
    assert [(a.name, a.required, a.multiple, a.customizable) for a in batik[:3]] == [
        ("Bahan", True, False, True), ("Motif", False, True, True), ("Lengan", False, False, False)]
    assert not again.category("600001").is_leaf
