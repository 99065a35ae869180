"""A create's lines straight from its spec (render/created.py) are exactly the lines of its
field changes (project.created_changes through fmt.change_lines); the changes themselves are
worked out only when something reads them (model.CreatedChanges)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog.spec import ProductAttribute, Ref
from engine.plan import model as m
from engine.plan.planner import make_plan
from engine.plan.project import created_changes
from engine.plan.saved import dumps, loads
from engine.render import fmt
from engine.render.created import created_lines
from engine.render.markdown import render_markdown
from engine.render.text import render_text
from test_plan_builders import WH1, WH2, catalog, snapshot
from test_plan_builders import spec as builders_spec
from test_plan_properties import products

NAMES = fmt.Names(((WH1, "Gudang Jakarta"), (WH2, "Gudang Surabaya"), ("600010", "Batik")))
BREAKS = ["a", "b", " ", "\n", "\r", "\r\n", "\x0b", "\u2028", "\x85", "</p>", "</li>", "</ul>", "</ol>",
          "</div>", "<br>", "<br/>", "<br />", "</h1>", "</h7>", "<p>", "\t", "<b", "</", "é", "x" * 120,
          "\x1c", "\x0c", "\u2029", "<br  >"]


def _changed_lines(spec, names):
    return [line for change in created_changes(spec) for line in fmt.change_lines(change, names)]


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(varied(), min_size=1, max_size=4))
def test_created_lines_are_the_lines_of_the_created_changes(specs):
    names = fmt.Names(NAMES._names.items())  # one render: values met before come from its memo
    for spec in specs:
        assert created_lines(spec, names) == _changed_lines(spec, fmt.Names(NAMES._names.items()))


def _lines_by_replace(text):
    """The reference: a line break after each closing block tag, <br> and </hN>, then splitlines."""
    import re

    for end in ("</p>", "</li>", "</ul>", "</ol>", "</div>"):
        text = text.replace(end, end + "\n")
    text = re.sub(r"(<br\s*/?>|</h[1-6]>)", r"\1\n", text)
    return [line.strip() for line in text.splitlines() if line.strip()]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BREAKS), max_size=14).map("".join))
def test_description_lines_are_split_as_by_tags_and_line_breaks(text):
    assert fmt.description_lines(text) == _lines_by_replace(text)
    assert fmt.description_first_line(text) == (_lines_by_replace(text) or [None])[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(varied(), min_size=1, max_size=3, unique_by=lambda s: s.key))
def test_a_plan_of_creates_shows_and_saves_what_eager_changes_would(specs):
    plan = make_plan(catalog(*specs), snapshot())
    creates = [a for p in plan.products for a in p.actions if a.kind == m.CREATE]
    assert creates and all(type(a.changes) is m.CreatedChanges for a in creates)
    text, markdown = render_text(plan), render_markdown(plan)
    assert all(a.changes._items is None for a in creates)  # printing did not build the changes
    eager = replace(plan, products=tuple(
        replace(p, actions=tuple(replace(a, changes=created_changes(a.changes.spec)) if a.kind == m.CREATE else a
                                 for a in p.actions)) for p in plan.products))
    assert render_text(eager) == text and render_markdown(eager) == markdown
    assert dumps(plan) == dumps(eager)
    loaded = loads(dumps(plan))
    assert loaded == plan and plan == loaded
    assert all(type(a.changes) is tuple for p in loaded.products for a in p.actions)


def test_created_changes_behave_as_their_tuple():
    spec = builders_spec("batik-a")
    lazy, eager = m.CreatedChanges(spec), created_changes(spec)
    assert lazy._items is None
    assert len(lazy) == len(eager) and lazy[0] == eager[0] and lazy[-1] == eager[-1] and list(lazy) == list(eager)
    assert lazy == eager and eager == lazy and lazy == m.CreatedChanges(spec)
    assert lazy != eager[:-1] and bool(lazy) and repr(lazy) == repr(eager)


def test_created_lines_write_every_field_a_create_shows_in_order():
    from engine.catalog.spec import MANAGED_FIELDS
    from engine.plan.project import content_fields
    from engine.render.created import ORDER

    # a field added to MANAGED_FIELDS must be added to created_lines too (else creates would hide it)
    assert ORDER == content_fields(replace(builders_spec("batik-a"), declared=frozenset(MANAGED_FIELDS)))
