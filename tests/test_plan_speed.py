"""Speed-motivated fast paths give exactly what the plain recipes give (bench/bench_plan.py
measures the speed; these tests hold the values)."""

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
    ProductAttribute,
    Ref,
    SalesAttribute,
    fingerprint,
    legacy_fingerprint,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("speed") / "catalog"
    generate_catalog(root, products=40)
    return load_catalog(root)


def _legacy_recipe(spec) -> str:
    """The fingerprint `ce1` / `ce2` annotations hold: sha256 of the sorted-key compact JSON of
    `canonical()` (first 16 hex digits)."""
    blob = json.dumps(spec.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


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
        assert legacy_fingerprint(spec) == _legacy_recipe(spec), spec.key


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
        assert legacy_fingerprint(spec) == _legacy_recipe(spec)
        fingerprints.add(fingerprint(spec))
    assert len(fingerprints) == len(variants)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fingerprint_is_the_canonical_recipe_for_any_declared_fields(data):
    spec = data.draw(varied())
    declared = data.draw(st.sets(st.sampled_from(MANAGED_FIELDS)))
    for each in (spec, replace(spec, declared=frozenset(declared))):
        assert fingerprint(each) == _recipe(each)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
       st.lists(st.builds(ImageRef, st.one_of(st.none(), st.sampled_from(["tos-id-i-1", "tos-id-i-2"])),
                          st.one_of(st.none(), st.just("images/a.png")),
                          st.one_of(st.none(), st.sampled_from(["aa", "bb"]))), max_size=9))
def test_external_product_id_is_the_annotation_written_out(key, fp, images):
    from engine.catalog.spec import Annotation, external_product_id, image_tokens

    assert external_product_id(key, fp, tuple(images)) == str(Annotation(key, fp, image_tokens(tuple(images))))


def test_a_value_that_changes_type_only_is_a_change():
    """True == 1 in Python; a view that goes from true to 1 has changed (as deepdiff sees it)."""
    from engine.plan.diff import field_changes
    from engine.plan.model import FieldChange

    old = {"product_attributes": {"a": True, "c": [1]}}
    new = {"product_attributes": {"a": 1, "b": [], "c": [True]}}
    assert field_changes(old, new) == (
        FieldChange(("product_attributes", "a"), True, 1),
        FieldChange(("product_attributes", "b"), None, []),
        FieldChange(("product_attributes", "c"), [1], [True]),
    )



@pytest.mark.parametrize("fields", [("title",), ("skus",), ("product_attributes",), ("brand", "main_images"),
                                    ("listing_platforms", "title"), ("description", "product_attributes", "skus")])
def test_a_partial_merge_gives_the_fields_a_full_merge_gives(fields):
    """merged_spec(only=fields) works out just what a partial edit sends — the same values."""
    from test_plan_builders import METADATA, live_image, sku, spec

    from engine.catalog.spec import ImageRef
    from engine.plan.payload import Known, merged_spec, partial_spec

    desired = spec(title="Kemeja Batik Parang Premium", main_images=(ImageRef(path="images/a.png", sha256="ab" * 32),),
                   skus=(sku("BATIK-PARANG-L", "99000", 3, "L"), sku("BATIK-PARANG-XL", "120000", 4, "XL")),
                   product_attributes=(ProductAttribute(None, "Bahan", (Ref(None, "Sutra"),)),))
    live = live_image(spec()).spec
    args = (desired, live, ("TOKOPEDIA",), {("images/a.png", "ab" * 32): "tos-1"}, Known(METADATA))
    full, part = merged_spec(*args), merged_spec(*args, only=fields)
    assert partial_spec(part, fields) == partial_spec(full, fields)
    assert part.main_images == full.main_images  # the annotation's image tokens come from these
