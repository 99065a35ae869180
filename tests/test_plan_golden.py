"""Golden plan cases: tests/cases/<name>/ = a catalog, a live snapshot, the expected text plan.

    tests/cases/<name>/catalog/        shop.yaml, products/*.yaml (loaded with load_catalog)
    tests/cases/<name>/live.json       the live shop (engine.plan.live.snapshot_to_dict)
    tests/cases/<name>/image_uris.json optional: [[path, sha256, uri], ...] already uploaded
    tests/cases/<name>/expected.txt    `catalog plan` text output (no colour)
    tests/cases/<name>/expected.md     `--format markdown` output (for the cases in MARKDOWN)

`UPDATE_GOLDEN=1 python3 -m pytest tests/test_plan_golden.py` rewrites expected.txt; review
every change as a diff before committing. The catalog digest is blanked before rendering so
the loader's digest recipe can evolve without touching every case.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from engine.catalog.load import load_catalog
from engine.plan.live import snapshot_from_dict
from engine.plan.planner import make_plan
from engine.plan.saved import dumps, loads
from engine.render.markdown import render_markdown
from engine.render.text import render_text

CASES = Path(__file__).resolve().parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "live.json").exists())
TIKTOK = re.compile(r"tiktok(?!_shop)", re.IGNORECASE)
MARKDOWN = ("full-edit", "guard-acknowledged", "guard-attention-order", "identity-conflict", "price-held",
            "review-failed-unchanged", "stock-only", "under-review", "unmanaged")


def plan_case(name: str):
    case = CASES / name
    catalog = load_catalog(case / "catalog")
    snapshot = snapshot_from_dict(json.loads((case / "live.json").read_text()))
    uris_file = case / "image_uris.json"
    uris = {(p, s): u for p, s, u in json.loads(uris_file.read_text())} if uris_file.exists() else {}
    return replace(make_plan(catalog, snapshot, image_uris=uris), catalog_digest="")


def test_the_acceptance_list_has_a_case_each():
    required = {"create-both-platforms", "price-only", "stock-only", "partial-edit-content", "full-edit",
                "sku-added", "sku-removed", "platform-added", "platform-removed", "activate", "deactivate",
                "tombstone-delete", "frozen", "under-review", "review-failed-unchanged", "review-failed-changed",
                "drift", "unmanaged", "identity-conflict", "undeclared-field-ignored"}
    assert required <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_golden_plan(name):
    plan = plan_case(name)
    text = render_text(plan)
    expected = CASES / name / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_text(text)
    assert text == expected.read_text()
    assert loads(dumps(plan)) == plan
    markdown = render_markdown(plan)
    assert not TIKTOK.search(text) and not TIKTOK.search(markdown)
    if name in MARKDOWN:
        expected_md = CASES / name / "expected.md"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            expected_md.write_text(markdown)
        assert markdown == expected_md.read_text()
