"""Speed-motivated fast paths give exactly what the plain recipes give (bench/bench_plan.py
measures the speed; these tests hold the values)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.gen_catalog import generate_catalog
from engine.catalog.load import load_catalog
from engine.catalog.spec import (MANAGED_FIELDS, ImageRef, ProductAttribute, ProductSpec, Ref, SalesAttribute, fingerprint,
                                 legacy_fingerprint)
from engine.plan.images import ImageIndex
from engine.plan.project import desired_view, live_view
from engine.plan.same import _attributes_same_by_name
from test_render_created import varied


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



def _attributes(names, values_by_name, ids=False):
    return tuple(ProductAttribute(f"7{i}" if ids else None, name,
                                  tuple(Ref(f"9{j}" if ids else None, v) for j, v in enumerate(values_by_name[name])))
                 for i, name in enumerate(names))


NAMES = ["Bahan", "Motif", "Lengan", "Warna"]


@settings(max_examples=300, deadline=None)
@given(want_names=st.lists(st.sampled_from(NAMES), max_size=4), have_names=st.lists(st.sampled_from(NAMES), max_size=4),
       want_values=st.fixed_dictionaries({n: st.lists(st.sampled_from(["Katun", "Kawung", "Merah"]), min_size=1,
                                                       max_size=3) for n in NAMES}),
       have_values=st.fixed_dictionaries({n: st.lists(st.sampled_from(["Katun", "Kawung", "Merah"]), min_size=1,
                                                       max_size=3) for n in NAMES}),
       live_ids=st.booleans())
def test_the_attribute_shortcut_agrees_with_the_views(want_names, have_names, want_values, have_values, live_ids):
    """same._attributes_same_by_name answers only when it is sure, and then as the views do
    (duplicates, extra and missing attributes, live ids, value order and repeats included)."""
    want = _attributes(want_names, want_values)
    have = _attributes(have_names, have_values, ids=live_ids)
    desired = ProductSpec(key="k", product_attributes=want, declared=frozenset({"product_attributes"}))
    live = ProductSpec(key="k", product_attributes=have)
    views_same = (desired_view(desired, ("product_attributes",))
                  == live_view(live, desired, ImageIndex({}), ("product_attributes",)))
    quick = _attributes_same_by_name(want, have)
    assert quick is None or quick == views_same


@pytest.mark.parametrize("fields", [("title",), ("skus",), ("product_attributes",), ("brand", "main_images"),
                                    ("listing_platforms", "title"), ("description", "product_attributes", "skus")])
def test_a_partial_merge_gives_the_fields_a_full_merge_gives(fields):
    """merged_spec(only=fields) works out just what a partial edit sends — the same values."""
    from engine.catalog.spec import ImageRef
    from engine.plan.payload import Known, merged_spec, partial_spec
    from test_plan_builders import METADATA, live_image, sku, spec

    desired = spec(title="Kemeja Batik Parang Premium", main_images=(ImageRef(path="images/a.png", sha256="ab" * 32),),
                   skus=(sku("BATIK-PARANG-L", "99000", 3, "L"), sku("BATIK-PARANG-XL", "120000", 4, "XL")),
                   product_attributes=(ProductAttribute(None, "Bahan", (Ref(None, "Sutra"),)),))
    live = live_image(spec()).spec
    args = (desired, live, ("TOKOPEDIA",), {("images/a.png", "ab" * 32): "tos-1"}, Known(METADATA))
    full, part = merged_spec(*args), merged_spec(*args, only=fields)
    assert partial_spec(part, fields) == partial_spec(full, fields)
    assert part.main_images == full.main_images  # the annotation's image tokens come from these


_SKU_CHOICES = st.tuples(st.sampled_from(["B-S", "B-M", "B-L", "B-XL"]), st.sampled_from(["99000", "150000"]),
                         st.integers(0, 3), st.sampled_from(["S", "M", "L"]))


@settings(max_examples=200, deadline=None)
@given(want=st.lists(_SKU_CHOICES, min_size=1, max_size=4, unique_by=lambda t: t[0]),
       have=st.lists(_SKU_CHOICES, min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_viewing_only_the_differing_skus_gives_the_same_changes(want, have):
    """route._field_changes views only SKUs that differ (project.differing_skus): same changes."""
    from engine.plan.diff import field_changes
    from engine.plan.same import differing_skus
    from test_plan_builders import live_image, sku, spec

    desired = spec(skus=tuple(sku(code, price, stock, size) for code, price, stock, size in want))
    live = live_image(spec(skus=tuple(sku(code, price, stock, size) for code, price, stock, size in have))).spec
    images = ImageIndex({})
    whole = field_changes(live_view(live, desired, images, ("skus",)), desired_view(desired, ("skus",)))
    trimmed_desired, trimmed_live = differing_skus(desired, live)
    trimmed = field_changes(live_view(trimmed_live, trimmed_desired, images, ("skus",)),
                            desired_view(trimmed_desired, ("skus",)))
    assert trimmed == whole
