"""Which fields differ (compare.changed_fields: equal values, else the views of the field) is
exactly which fields' views differ; live images are labelled with the catalog's paths once
uploaded; the annotation's images are read as parse_annotation reads them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    external_product_id,
    image_token,
    parse_annotation,
)
from engine.plan.compare import changed_fields, desired_view, live_view
from engine.plan.images import ImageIndex, annotated_images
from engine.plan.live import LiveProduct

WH1, WH2 = "7400000000000000001", "7400000000000000002"
FILES = [("images/a.png", "aa" * 32), ("images/b.png", "bb" * 32), ("images/c.png", "aa" * 32)]  # c: a's content
URIS = ["tos-1", "tos-2", "tos-3"]
CONTENT = [n for n in MANAGED_FIELDS if n not in ("listing_platforms", "status")]

refs = st.sampled_from([Ref(None, "Batik Keris"), Ref("700001", None), Ref("700001", "Batik Keris"),
                        Ref("700002", "Batik Keris"), Ref(None, "Danar Hadi")])
values = st.sampled_from([Ref(None, "Katun"), Ref(None, "Sutra"), Ref("1001001", "Katun"), Ref("1001002", None)])
attributes = st.lists(st.builds(ProductAttribute, st.sampled_from([None, "100100"]),
                                st.sampled_from(["Bahan", "Motif", None]),
                                st.lists(values, max_size=3).map(tuple)), max_size=3).map(tuple)
SALES = [SalesAttribute("Ukuran", "M"), SalesAttribute("Ukuran", "L"),
         SalesAttribute("Ukuran", "M", "100900", "1009001"),
         SalesAttribute("Ukuran", "L", "100900", "1009002"), SalesAttribute("Warna", "Merah"),
         SalesAttribute("Warna", "Merah", "100901", "1009101")]
sales = st.lists(st.sampled_from(SALES), max_size=2, unique_by=lambda a: a.name).map(tuple)
skus = st.lists(st.builds(SkuSpec, st.sampled_from(["B-L", "B-M", "B-S"]), st.sampled_from(["99000", "150000"]),
                          st.sampled_from([((WH1, 1),), ((WH1, 1), (WH2, 2)), ((WH2, 2),), ()]), sales,
                          st.sampled_from([None, 3]), st.sampled_from([None, ("EAN", "899")])),
                max_size=3, unique_by=lambda k: k.seller_sku
                ).map(lambda s: tuple(sorted(s, key=lambda k: k.seller_sku)))
live_attributes = st.lists(st.builds(ProductAttribute, st.sampled_from(["100100", "100101"]),
                                     st.sampled_from(["Bahan", "Motif"]),
                                     st.lists(st.sampled_from([Ref("1001001", "Katun"), Ref("1001002", "Sutra")]),
                                              max_size=2).map(tuple)), max_size=2).map(tuple)
local = st.sampled_from(FILES).map(lambda f: ImageRef(path=f[0], sha256=f[1]))
remote = st.sampled_from(URIS + ["tos-9"]).map(lambda u: ImageRef(uri=u))
images = st.lists(st.one_of(local, remote), max_size=3).map(tuple)
live_images = st.lists(st.sampled_from(URIS + ["tos-9"]).map(lambda u: ImageRef(uri=u)), max_size=3).map(tuple)
uploads = st.dictionaries(st.sampled_from(FILES), st.sampled_from(URIS), max_size=3)


@st.composite
def specs(draw, live: bool):
    return ProductSpec(
        key="k", title=draw(st.sampled_from(["Kemeja", "Kemeja Batik"])), description="<p>x</p>",
        category_id=draw(st.sampled_from(["600010", "600011"])), brand=draw(st.one_of(st.none(), refs)),
        main_images=draw(live_images if live else images),
        product_attributes=draw(live_attributes if live else attributes),
        package_weight=draw(st.sampled_from(["0.2", "0.25"])), package_dimensions=(20, 15, 3),
        is_cod_allowed=draw(st.booleans()),
        delivery_option_ids=draw(st.sampled_from([None, ("1", "2"), ("2", "1"), ("1",)])), skus=draw(skus),
        declared=frozenset(MANAGED_FIELDS) if live else frozenset(draw(st.lists(st.sampled_from(MANAGED_FIELDS)))))


@settings(max_examples=300, deadline=None)
@given(desired=specs(live=False), live=specs(live=True), shared=uploads, own=uploads,
       equal=st.sets(st.sampled_from(CONTENT)))
def test_changed_fields_are_the_fields_whose_views_differ(desired, live, shared, own, equal):
    """`equal`: fields the live product has exactly as desired (so changed_fields stops at ==);
    live images are uris (a shop never has a catalog's local file), and a catalog names each
    attribute once (the loader refuses a nameless or repeated one)."""
    if any(i.path is not None for i in desired.main_images):
        equal.discard("main_images")
    idents = [a.id or a.name for a in desired.product_attributes]
    if None in idents or len(set(idents)) < len(idents):
        equal.discard("product_attributes")
    live = ProductSpec(**{**{n: getattr(live, n) for n in ProductSpec.__slots__},
                          **{n: getattr(desired, n) for n in equal}})
    index = ImageIndex(shared).with_own(own)
    expected = [n for n in CONTENT if n in desired.declared
                and desired_view(desired, (n,)) != live_view(live, desired, index, (n,))]
    assert changed_fields(desired, live, index) == expected


def test_live_images_uploaded_from_the_catalog_show_its_paths():
    want = tuple(ImageRef(path=p, sha256=s) for p, s in FILES[:2])
    have = (ImageRef(uri="tos-1"), ImageRef(uri="tos-2"))
    index = ImageIndex({FILES[1]: "tos-2"}).with_own({FILES[0]: "tos-1"})
    assert index.live_labels(have, want) == ["images/a.png", "images/b.png"]
    assert index.live_labels(have[::-1], want) == ["images/b.png", "images/a.png"]  # reordered: a change
    assert index.live_labels((ImageRef(uri="tos-9"),) + have[1:], want) == ["tos-9", "images/b.png"]
    assert ImageIndex({FILES[1]: "tos-2"}).live_labels(have, want) == ["tos-1", "images/b.png"]


def _annotated_by_parse(desired: ProductSpec, live: LiveProduct) -> dict:
    """annotated_images' recipe with parse_annotation and every wanted file in sorted order."""
    if "main_images" not in desired.declared or live.spec is None:
        return {}
    annotation = parse_annotation(live.external_product_id)
    if annotation is None or not annotation.images:
        return {}
    wanted = sorted({(i.path, i.sha256) for i in desired.main_images if i.path and i.sha256})
    out: dict = {}
    for token, image in zip(annotation.images, live.spec.main_images, strict=False):
        if token and image.uri:
            for path, sha256 in wanted:
                if image_token(sha256, image.uri) == token:
                    out.setdefault((path, sha256), image.uri)
    return out


@settings(max_examples=400, deadline=None)
@given(desired=specs(live=False), uploaded=st.lists(st.sampled_from(FILES + [None]), max_size=3),
       uris=st.lists(st.sampled_from(URIS), min_size=3, max_size=3), prefix=st.sampled_from(["ce3", "ce2", "ce1"]))
def test_annotated_images_read_the_tokens_as_parse_annotation_does(desired, uploaded, uris, prefix):
    """Files uploaded at some positions (the same content under two paths included); the
    `ce2:` / `ce1:` forms are not the engine's annotation: no image is known from them."""
    sent = tuple(ImageRef(uri=u, path=f[0], sha256=f[1]) if f else ImageRef(uri=u)
                 for f, u in zip(uploaded, uris, strict=False))
    value = external_product_id("k", "0123456789abcdef", sent).replace("ce3:", prefix + ":", 1)
    if prefix == "ce1":
        value = "ce1:0123456789abcdef:k"
    live_spec = ProductSpec(key="k", main_images=tuple(ImageRef(uri=i.uri) for i in sent))
    live = LiveProduct("1", 1, external_product_id=value, spec=live_spec)
    found = annotated_images(desired, live)
    assert found == _annotated_by_parse(desired, live)
    assert prefix == "ce3" or found == {}


def test_a_live_reference_with_neither_id_nor_name_is_shown_not_a_crash():
    """A malformed shop answer (a value or an attribute with neither id nor name) is a change
    to show, sorted first / under an empty label, never a comparison of None with text."""
    from engine.plan.diff import field_changes

    desired = ProductSpec(key="k", product_attributes=(ProductAttribute(None, "Bahan", (Ref(None, "Katun"),)),),
                          declared=frozenset({"product_attributes"}))
    live = ProductSpec(key="k", product_attributes=(
        ProductAttribute(None, None, (Ref(None, "Sutra"),)),
        ProductAttribute("100100", "Bahan", (Ref("1001001", "Katun"), Ref(None, None))),
    ))
    view = live_view(live, desired, ImageIndex({}))
    assert view["product_attributes"] == {"": ["Sutra"], "Bahan": [None, "Katun"]}
    assert changed_fields(desired, live, ImageIndex({})) == ["product_attributes"]
    assert [c.path for c in field_changes(view, desired_view(desired))] == [
        ("product_attributes", ""), ("product_attributes", "Bahan")]
