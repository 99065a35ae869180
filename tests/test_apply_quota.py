"""The shop's daily listing limit (issue 20): shop.yaml `daily_listing_limit` defers what a plan
cannot list today, `priority:` orders listings, and apply stops listing at the shop's first
refusal (12052093), reporting the rest `deferred` (exit 3) — through the CLI against the sandbox."""

from __future__ import annotations

import json

from clirun import run_clean

from bench.gen_catalog import generate_catalog
from engine.sandbox.store import SandboxStore

CREATE = "POST /product/202309/products"


def catalog(tmp_path, products: int = 10, limit: int | None = None, sandbox_limit: int = 5):
    root = tmp_path / "shop"
    generate_catalog(root, products=products, per_file=50, seed=3)
    if limit is not None:
        shop = root / "shop.yaml"
        shop.write_text(shop.read_text() + f"daily_listing_limit: {limit}\n")
    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        store.configure(daily_listing_limit=sandbox_limit)
    return root


def set_priority(root, key: str, priority: int) -> None:
    path = root / "products" / "produk-0001.yaml"
    text = path.read_text()
    assert f"key: {key}\n" in text
    path.write_text(text.replace(f"key: {key}\n", f"key: {key}\npriority: {priority}\n"))


def apply(monkeypatch, capsys, root, *args) -> tuple[int, str, dict]:
    report = root / "report.json"
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve", "--report", report, *args)
    return code, output, json.loads(report.read_text())


def calls(report: dict, endpoint: str = CREATE) -> int:
    return dict(map(tuple, report["calls"])).get(endpoint, 0)


def created(root) -> list[str]:
    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        return sorted(r["external_product_id"].rsplit(":", 1)[1] for r in store.products())


def outcomes(report: dict) -> dict[str, str]:
    return {p["key"]: p["outcome"] for p in report["products"]}


def test_a_limit_of_5_with_10_creates_lists_5_today_and_the_rest_the_next_day(monkeypatch, capsys, tmp_path):
    root = catalog(tmp_path, limit=5)
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 2 and "Plan: 5 to create" in output and "5 deferred to a later day" in output, output
    assert output.count("» deferred on Shop | Tokopedia, Tokopedia") == 5
    assert "Daily listing limit 5 (shop.yaml): 5 product(s) deferred" in output

    code, output, report = apply(monkeypatch, capsys, root)
    assert code == 3, output  # deferred is not failed, but the run is not complete
    assert calls(report) == 5  # no refused call: the plan sent what the limit allows
    first = [key for key, outcome in outcomes(report).items() if outcome == "applied"]
    assert first == sorted(outcomes(report))[:5] and created(root) == first  # in key order
    assert sorted(k for k, o in outcomes(report).items() if o == "deferred") == sorted(outcomes(report))[5:]
    assert "5 deferred to a later day: the shop's daily listing limit is used up" in output

    # the same day again: the plan counts the whole limit (it cannot know today's listings), the
    # shop refuses the first create and nothing else is sent
    code, output, report = apply(monkeypatch, capsys, root)
    assert code == 3 and calls(report) == 1, output
    assert set(outcomes(report).values()) == {"deferred"} and len(created(root)) == 5
    assert "12052093" in output

    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        store.next_day()
    code, output, report = apply(monkeypatch, capsys, root)
    assert code == 0 and calls(report) == 5, output
    assert len(created(root)) == 10
    assert run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")[0] == 0


def test_without_a_limit_in_shop_yaml_the_shops_refusal_stops_the_listings(monkeypatch, capsys, tmp_path):
    """One at a time: exactly the first 5 in listing order, and one refused call."""
    root = catalog(tmp_path)
    code, output, report = apply(monkeypatch, capsys, root, "--concurrency", "1")
    assert code == 3, output
    assert calls(report) == 6  # 5 created, 1 refused, none sent after the refusal
    keys = sorted(outcomes(report))
    assert created(root) == keys[:5] and [outcomes(report)[k] for k in keys[5:]] == ["deferred"] * 5


def test_concurrent_listings_are_refused_at_most_once_per_write_in_flight(monkeypatch, capsys, tmp_path):
    root = catalog(tmp_path, products=20)
    code, output, report = apply(monkeypatch, capsys, root, "--concurrency", "4")
    assert code == 3, output
    assert len(created(root)) == 5 and 5 + 1 <= calls(report) <= 5 + 4
    assert list(outcomes(report).values()).count("deferred") == 15


def test_priority_lists_first_and_ties_go_by_key(monkeypatch, capsys, tmp_path):
    root = catalog(tmp_path, products=4, limit=2)
    keys = sorted(outcomes_keys(root))
    set_priority(root, keys[3], 10)
    set_priority(root, keys[0], -1)
    code, output = run_clean(monkeypatch, capsys, "plan", root)
    assert code == 0, output
    listed = [line.split()[1] for line in output.splitlines() if line.startswith("+ ")]
    assert listed == [keys[1], keys[3]]  # 10 first, then 0 by key; -1 and the later 0 wait
    assert sorted(line.split()[1] for line in output.splitlines() if line.startswith("» ")) == [keys[0], keys[2]]


def outcomes_keys(root) -> list[str]:
    text = (root / "products" / "produk-0001.yaml").read_text()
    return [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("key: ")]


def test_edits_that_go_back_to_review_count_and_their_price_changes_still_go_out(monkeypatch, capsys, tmp_path):
    root = catalog(tmp_path, products=3, sandbox_limit=100)
    assert apply(monkeypatch, capsys, root)[0] == 0
    shop = root / "shop.yaml"
    shop.write_text(shop.read_text() + "daily_listing_limit: 2\n")
    path = root / "products" / "produk-0001.yaml"
    text = path.read_text()
    text = text.replace("title: ", "title: Baru ")  # every title changes: 3 edits back to review
    path.write_text(text)
    keys = sorted(outcomes_keys(root))
    # and a price change on the last one: Update Price needs no review and is not a listing
    documents = path.read_text().split("\n---\n")
    last = next(i for i, d in enumerate(documents) if f"key: {keys[2]}\n" in d)
    price = documents[last].split("price: ", 1)[1].split("\n", 1)[0]
    documents[last] = documents[last].replace(f"price: {price}\n", "price: 123456\n", 1)
    path.write_text("\n---\n".join(documents))
    code, output = run_clean(monkeypatch, capsys, "plan", root)
    assert "2 to edit (2 go back to review), 1 price" in output and "1 deferred to a later day" in output, output
    code, output, report = apply(monkeypatch, capsys, root)
    assert code == 3, output
    assert outcomes(report) == {keys[0]: "applied", keys[1]: "applied", keys[2]: "deferred"}
    [third] = [p for p in report["products"] if p["key"] == keys[2]]
    assert [(s["kind"], s["outcome"]) for s in third["steps"]] == [("update_price", "applied"),
                                                                    ("deferred", "deferred")]
