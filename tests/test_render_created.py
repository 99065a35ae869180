"""A description's lines (fmt.description_lines, what a create shows and a description diff
compares), and `varied`: generated products with every field a create shows varied."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from test_plan_builders import WH1, WH2
from test_plan_properties import products

from engine.catalog.spec import ProductAttribute, Ref
from engine.render import fmt

BREAKS = ["a", "b", " ", "\n", "\r", "\r\n", "\x0b", "\u2028", "\x85", "</p>", "</li>", "</ul>", "</ol>",
          "</div>", "<br>", "<br/>", "<br />", "</h1>", "</h7>", "<p>", "\t", "<b", "</", "é", "x" * 120,
          "\x1c", "\x0c", "\u2029", "<br  >"]


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


