"""The fast path never accepts what the slow path rejects, and builds the very same spec.

load_catalog compiles each product with fast.py (one pass over the raw YAML) and falls back
to slow.py (pydantic + rules + positions) when the fast path gives up. The slow path is the
authority: whenever the fast path returns a spec, the slow path must find no error and build
an equal spec. Checked on the demo shop, on a generated catalog, and on random mutations.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.gen_catalog import generate_catalog
from engine.catalog.fast import FastCompiler
from engine.catalog.images import ImageChecker
from engine.catalog.load import _Loader, load_catalog
from engine.catalog.merge import Resolver
from engine.catalog.slow import Collector, ProductChecker
from engine.catalog.spec import SourceRef, canonical_tuple
from engine.catalog.templates import TemplateRenderer

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"


class Paths:
    """Both compilers over one catalog directory."""

    def __init__(self, root: Path) -> None:
        loader = _Loader(root)
        shop, defaults, raw_defaults = loader._shop()
        bases = loader._bases()
        self.documents = [d for path in loader._files("products") for d in loader._product_file(path)]
        resolver = Resolver(bases, defaults)
        templates = TemplateRenderer(root / "templates", "templates", shop.template_vars)
        images = ImageChecker(root)
        self.fast = FastCompiler(warehouses=shop.warehouses, defaults=raw_defaults, resolver=resolver,
                                 templates=templates, images=images)
        self.out = Collector()
        self.slow = ProductChecker(self.out, resolver=resolver, warehouses=shop.warehouses, templates=templates,
                                   images=images)

    def both(self, document):
        source = SourceRef(document.file, document.key_line)
        fast = self.fast.compile(document.data, source)
        self.out.items.clear()
        self.out.shared.clear()
        slow, _ = self.slow.check(document)
        return fast, slow, self.out.all()


def assert_agree(paths: Paths, document) -> object:
    fast, slow, diagnostics = paths.both(document)
    if fast is not None:
        errors = [d for d in diagnostics if d.severity == "error"]
        assert errors == [], f"fast path accepted what the slow path rejects: {errors}"
        assert not diagnostics, f"fast path skipped a warning: {diagnostics}"
        assert slow == fast
        assert slow.source == fast.source
        assert canonical_tuple(slow) == canonical_tuple(fast)
    return fast


def test_demo_products_agree_and_most_take_the_fast_path():
    paths = Paths(DEMO)
    fast = [assert_agree(paths, document) for document in paths.documents]
    assert len(fast) == 10
    assert sum(spec is not None for spec in fast) >= 8  # a decimal price sends batik-parang the slow way


def test_generated_catalog_agrees_and_takes_the_fast_path_only(tmp_path):
    generate_catalog(tmp_path / "gen", products=40, per_file=7)
    paths = Paths(tmp_path / "gen")
    assert all(assert_agree(paths, document) is not None for document in paths.documents)


def test_both_paths_give_the_loaded_catalog(tmp_path):
    """load_catalog's result equals building every product the slow way."""
    catalog = load_catalog(DEMO)
    paths = Paths(DEMO)
    slow = sorted((paths.slow.check(d)[0] for d in paths.documents), key=lambda s: s.key)
    assert tuple(slow) == catalog.products


def test_equal_but_differently_typed_values_are_not_confused(tmp_path):
    """1 == 1.0 == True in Python: a cache keyed by value must not let `true` pass as `1`."""
    paths = Paths(DEMO)
    document = next(d for d in paths.documents if d.data["key"] == "kaos-polos-katun")
    for first, second in ((1, True), (1, 1.0), (True, 1)):
        data = copy.deepcopy(document.data)
        data["skus"][0]["sales_attributes"] = {"Warna": first, "Ukuran": "M"}
        data["skus"][1]["sales_attributes"] = {"Warna": second, "Ukuran": "L"}
        data["product_attributes"] = {"Bahan": first}
        assert_agree(paths, dataclasses.replace(document, data=data, _positions=None))
        data["product_attributes"] = {"Bahan": second}
        data["skus"][0]["sales_attributes"] = {"Warna": second, "Ukuran": "M"}
        assert_agree(paths, dataclasses.replace(document, data=data, _positions=None))


# --------------------------------------------------------------------------- mutations
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 120_000), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, 0.25, 150000.5, 1e16, 0.0001, 12.345, -0.5, 1.0]),
    st.text(max_size=12),
    st.sampled_from(["TOKOPEDIA", "TIKTOK_SHOP", "PRE_ORDER", "Gudang Jakarta", "Gudang Surabaya", "active",
                     "inactive", "deleted", "REQUIRED", "OPTIONAL", "0.3", "150.000", "", " ", "600010",
                     "x" * 300, "kemeja-batik", "elektronik", "images/kaos-polos-1.png", "batik.html.j2",
                     "BATIK-KAWUNG-M", "Kaos TikTok Polos Katun Combed Premium 30s", "EAN", "8991234000015",
                     "Ukuran", "M", "KILOGRAM", "GRAM", "150000.50", "0.300", "007", "1e5", " 5",
                     "99999.999", "-1"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.sampled_from(
    ["id", "name", "uri", "value", "unit", "type", "code", "template", "vars", "handling_duration_days", "length",
     "width", "height", "Gudang Jakarta", "Ukuran", "seller_sku", "price", "inventory"]), SCALARS, max_size=3))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _mutate(data, path, operation, value):
    if not path:
        return
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if operation == "set":
        parent[last] = value
    elif operation == "delete":
        del parent[last]
    elif operation == "rename" and isinstance(parent, dict):
        parent[str(value)[:20] or "x"] = parent.pop(last)
    elif operation == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))


PATHS = Paths(DEMO)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_never_make_the_paths_disagree(data):
    document = data.draw(st.sampled_from(PATHS.documents))
    mutated = copy.deepcopy(document.data)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(mutated))))
        operation = data.draw(st.sampled_from(["set", "set", "delete", "rename", "duplicate"]))
        _mutate(mutated, path, operation, data.draw(VALUES))
    if not isinstance(mutated, dict):
        return
    assert_agree(PATHS, dataclasses.replace(document, data=mutated, _positions=None))


def test_seller_skus_with_spaces_controls_or_invisible_characters_agree():
    """The fast path's seller_sku check (printable, no space; the regex only otherwise) accepts
    no code the slow path rejects, and builds the same spec for those it accepts."""
    paths = Paths(DEMO)
    document = next(d for d in paths.documents if d.data["key"] == "kaos-polos-katun")
    for code in ("KAOS M", "KAOS\tM", "KAOS\u00a0M", "KAOS\u200bM", "KAOS\u3000M", "KAOS\x85M", "KAOS\x7fM",
                 "KAOS-\u00e9-M", "KAOS\u2028M", "KAOS-\U0001F600", "K" * 50, "K" * 51):
        data = copy.deepcopy(document.data)
        data["skus"][0]["seller_sku"] = code
        assert_agree(paths, dataclasses.replace(document, data=data, _positions=None))
    data = copy.deepcopy(document.data)
    data["skus"][0]["seller_sku"] = "KAOS-\u00e9-M"
    assert paths.fast.compile(data, SourceRef()) is not None  # printable non-ASCII is fine
    data["skus"][0]["seller_sku"] = "KAOS\u00a0M"
    assert paths.fast.compile(data, SourceRef()) is None


def test_a_sku_with_three_fields_that_are_not_the_three_required_ones_is_not_accepted():
    paths = Paths(DEMO)
    document = next(d for d in paths.documents if d.data["key"] == "kaos-polos-katun")
    data = copy.deepcopy(document.data)
    data["skus"][0] = {"seller_sku": "KAOS-X", "price": 1000, "colour": "red"}
    assert paths.fast.compile(data, SourceRef()) is None
    assert_agree(paths, dataclasses.replace(document, data=data, _positions=None))


def test_inventories_of_one_two_or_unknown_warehouses_in_any_order_agree():
    """The two-warehouse case is unrolled in the fast path: order, bounds and types as the loop."""
    paths = Paths(DEMO)
    document = next(d for d in paths.documents if d.data["key"] == "kaos-polos-katun")
    names = list(paths.fast.warehouses)
    stocks = [{names[1]: 5, names[0]: 7}, {names[0]: 7, names[1]: 5}, {names[0]: 0}, {names[1]: 3, "Gudang X": 1},
              {names[0]: -1, names[1]: 2}, {names[0]: True, names[1]: 2}, {names[0]: 2, names[1]: 1.5}, {},
              {names[0]: 1, names[1]: 10**9}]
    built = []
    for stock in stocks:
        data = copy.deepcopy(document.data)
        data["skus"][0]["inventory"] = stock
        built.append(assert_agree(paths, dataclasses.replace(document, data=data, _positions=None)))
    assert built[0] is not None and built[0] == built[1] and built[2] is not None
    assert built[3:] == [None] * 6


def test_descriptions_with_many_images_in_any_case_agree():
    paths = Paths(DEMO)
    document = next(d for d in paths.documents if type(d.data.get("description")) is str)
    for html in ("<p>x</p>" + "<IMG src='a.png'>" * 31, "<p>x</p>" + "<img src='a.png'>" * 30,
                 "<p>é</p>" + "<Img src='a.png'>" * 31, "<imgx>" * 40 + "<p>x</p>", "<p>" * 40 + "x"):
        data = copy.deepcopy(document.data)
        data["description"] = html
        assert_agree(paths, dataclasses.replace(document, data=data, _positions=None))
