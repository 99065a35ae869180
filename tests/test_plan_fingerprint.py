"""The `ce3` fingerprint is its recipe written as a plain walk (sha256 of the compact JSON array
of the key and the declared fields), for generated products and any set of declared fields."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_render_created import varied

from bench.gen_catalog import generate_catalog
from engine.catalog.load import load_catalog
from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    SalesAttribute,
    fingerprint,
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
