"""The `ce3` fingerprint is its recipe written as a plain walk (sha256 of the compact JSON array
of the key and the declared fields), for generated products and any set of declared fields."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plan_builders import WH1, WH2
from test_plan_properties import products
from test_render_description import BREAKS

from bench.gen_catalog import generate_catalog
from engine.catalog.load import load_catalog
from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    Ref,
    SalesAttribute,
    fingerprint,
)


@st.composite
def varied(draw):
    """The property tests' products, with the fields they leave plain varied too."""
    base = draw(products(draw(st.sampled_from(["batik-a", "kaos-c"]))))
    skus = tuple(replace(s, pre_sale_days=draw(st.sampled_from([None, 7, 30])),
                         identifier_code=draw(st.sampled_from([None, ("EAN", "4006381333931")])),
                         inventory=draw(st.sampled_from([s.inventory, (), ((WH2, 3), (WH1, 1200)),
                                                         ((WH1, 1), ("7400000000000000009", 5), (WH2, 2))])))
                 for s in base.skus)
    attributes = draw(st.sampled_from([
        base.product_attributes, (),
        (ProductAttribute(None, "Bahan", (Ref(name="Katun"),)), ProductAttribute(None, "Bahan", (Ref(name="Sutra"),))),
        (ProductAttribute("100101", "Motif", (Ref("2001", "Parang"), Ref(id="2002"))),),
        (ProductAttribute(None, "Kosong", ()),),
    ]))
    return replace(
        base, skus=skus, product_attributes=attributes,
        description=draw(st.one_of(st.none(), st.lists(st.sampled_from(BREAKS), max_size=8).map("".join))),
        title=draw(st.sampled_from([base.title, "", "x" * 150, 'Kemeja "Batik"\nBaru'])),
        category_id=draw(st.sampled_from([None, "600010", "600011"])),
        package_weight=draw(st.sampled_from([None, "0.2", "12"])),
        package_dimensions=draw(st.sampled_from([None, (20, 15, 3)])),
        delivery_option_ids=draw(st.sampled_from([(), ("2", "1")])),
        shipping_insurance_requirement=draw(st.sampled_from([None, "OPTIONAL", "REQUIRED"])),
        is_pre_owned=draw(st.sampled_from([None, False, True])),
        declared=base.declared | frozenset(draw(st.lists(st.sampled_from(
            ["description", "category_id", "package_weight", "package_dimensions", "delivery_option_ids",
             "shipping_insurance_requirement", "is_pre_owned", "brand", "main_images", "product_attributes"]),
            unique=True))),
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("speed") / "catalog"
    generate_catalog(root, products=40)
    return load_catalog(root)


def _walk(value):
    if isinstance(value, tuple):
        return [_walk(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return [_walk(getattr(value, name)) for name in value.__dataclass_fields__]
    return value


def _recipe(spec) -> str:
    """The `ce3` fingerprint: sha256 of the compact JSON array [key, [field, value], ...] of the
    declared fields in MANAGED_FIELDS order, each dataclass an array of its fields in order."""
    blob = json.dumps([spec.key] + [[n, _walk(getattr(spec, n))] for n in MANAGED_FIELDS if n in spec.declared],
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def test_fingerprint_is_the_canonical_recipe_on_generated_products(generated):
    assert len(generated.products) == 40
    for spec in generated.products:
        assert fingerprint(spec) == _recipe(spec), spec.key


def test_fingerprint_is_the_canonical_recipe_for_ids_non_ascii_and_partial_declarations(generated):
    base = generated.products[0]
    sku = replace(base.skus[0], sales_attributes=(SalesAttribute("Warna", "Merah Marun ✓", "100", "200"),),
                  identifier_code=("EAN", "8991234567890"), pre_sale_days=7)
    variants = (
        replace(base, title="Kopi “Gayo” — 250 g", skus=(sku,) + base.skus[1:]),
        replace(base, main_images=(ImageRef(uri="tos-id-i-1"), ImageRef(path="a.png", sha256="ff"))),
        replace(base, declared=frozenset({"title", "skus"})),
        replace(base, declared=frozenset()),
        replace(base, delivery_option_ids=None, brand=None, package_dimensions=None),
    )
    fingerprints = set()
    for spec in variants:
        assert fingerprint(spec) == _recipe(spec)
        fingerprints.add(fingerprint(spec))
    assert len(fingerprints) == len(variants)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fingerprint_is_the_canonical_recipe_for_any_declared_fields(data):
    spec = data.draw(varied())
    declared = data.draw(st.sets(st.sampled_from(MANAGED_FIELDS)))
    for each in (spec, replace(spec, declared=frozenset(declared))):
        assert fingerprint(each) == _recipe(each)
