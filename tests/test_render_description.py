"""A description's lines (fmt.description_lines: what a create shows and a description diff
compares) are the text split after block-closing tags and at line breaks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.render import fmt

BREAKS = ["a", "b", " ", "\n", "\r", "\r\n", "\x0b", "\u2028", "\x85", "</p>", "</li>", "</ul>", "</ol>",
          "</div>", "<br>", "<br/>", "<br />", "</h1>", "</h7>", "<p>", "\t", "<b", "</", "é", "x" * 120,
          "\x1c", "\x0c", "\u2029", "<br  >"]


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


