"""A saved plan cannot be edited into something else (issue 15, saved plans).

The demo catalog is applied to an empty in-process sandbox shop, then changed (a price, a title,
a product hidden, a product dropped from the catalog: unmanaged now) and planned with `--out`.
Each case edits the saved plan as an attacker would — the JSON by hand, or (the strongest
attacker, who runs the engine) a recorded live state forged and the plan made from it so that
re-deriving agrees — and `catalog apply plan.json --catalog DIR` must end with exit 1, a clear
message naming what is wrong, no traceback, no secret in the output and not one write reaching
the shop (counted on the shop's side).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import demo_applied, run_cli

from engine.catalog.load import load_catalog
from engine.plan.planner import make_plan
from engine.plan.saved import load_plan, save_plan
from engine.sandbox.store import SandboxStore
from engine.shop.client import ENDPOINTS

WRITES = tuple(ENDPOINTS[name].api for name in ("create", "edit", "partial_edit", "update_price", "update_inventory",
                                                "activate", "deactivate", "delete", "recover", "upload_image"))
SECRETS = {"TTS_APP_SECRET": "fake-app-secret-77aa01", "GITHUB_TOKEN": "ghp_fakeGithubToken77aa01"}
SANDBOX_SECRETS = ("sandbox-app-secret", "sandbox-access-token", "sandbox-refresh-token", "ROW_SANDBOX_ID")
KAOS, KOPI, PARANG = "kaos-polos-katun", "kopi-kapal-api-special", "batik-parang"


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> Path:
    """The demo catalog applied once to an empty sandbox shop (copied per test)."""
    return demo_applied(tmp_path_factory.mktemp("applied") / "demo")


@pytest.fixture
def saved(applied, tmp_path, monkeypatch, capsys) -> tuple[Path, Path]:
    """(catalog, plan.json): a price, a title and a status changed, seiko dropped (unmanaged)."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "demo"
    shutil.copytree(applied, root)
    change(root / "products" / "kaos.yaml", "price: 37500", "price: 36000")
    change(root / "products" / "kopi.yaml", "Kopi Kapal Api Special Bubuk", "Kopi Kapal Api Spesial Bubuk")
    change(root / "products" / "batik.yaml", "key: batik-parang\n", "key: batik-parang\nstatus: inactive\n")
    (root / "products" / "jam.yaml").unlink()
    path = tmp_path / "plan.json"
    code, out, err = run_cli(monkeypatch, capsys, "plan", root, "--out", path)
    assert code == 0, out + err
    plan = load_plan(path)
    assert {p.key: p.kinds() for p in plan.products if p.has_changes} == {
        KAOS: ("update_price",), KOPI: ("partial_edit",), PARANG: ("deactivate",)}
    assert [u.title for u in plan.unmanaged] and plan.batches
    return root, path


def change(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def store(root: Path) -> SandboxStore:
    return SandboxStore(root / ".sandbox" / "shop.db")


def writes(root: Path) -> dict[str, int]:
    calls = store(root).calls()
    return {api: calls[api] for api in WRITES if calls.get(api)}


def refused(monkeypatch, capsys, root: Path, path: Path, phrase: str) -> str:
    """`apply plan.json`: exit 1, `phrase` in the message, nothing written, no traceback or secret."""
    store(root).reset_calls()
    code, out, err = run_cli(monkeypatch, capsys, "apply", path, "--catalog", root)
    assert code == 1, out + err
    assert phrase in err, err
    assert "Traceback" not in out + err and 'File "' not in out + err
    for secret in (*SECRETS.values(), *SANDBOX_SECRETS):
        assert secret not in out + err
    assert writes(root) == {}
    return err


def edit_json(path: Path, change_data: Callable[[dict], object]) -> None:
    data = json.loads(path.read_text())
    change_data(data)
    path.write_text(json.dumps(data))


def product(data: dict, key: str) -> dict:
    return next(p for p in data["products"] if p["key"] == key)


def live_id(data: dict, key: str) -> str:
    return product(data, key)["product_id"]


def _price_to_one(data: dict) -> None:
    product(data, KAOS)["actions"][0]["prices"][0]["price"] = "1"


def _other_product(data: dict) -> None:
    product(data, KAOS)["product_id"] = live_id(data, KOPI)


def _unread_product(data: dict) -> None:
    product(data, KAOS)["product_id"] = "7499999999999999999"  # a product the plan's live state does not hold


def _unknown_kind(data: dict) -> None:
    product(data, KAOS)["actions"][0]["kind"] = "wipe_everything"


def _other_kind(data: dict) -> None:
    product(data, KAOS)["actions"][0]["kind"] = "delete"


def _added_action(data: dict) -> None:
    actions = product(data, KAOS)["actions"]
    actions.append(dict(actions[0], kind="deactivate", prices=[]))


def _removed_action(data: dict) -> None:
    data["products"] = [p for p in data["products"] if p["key"] != KOPI]


def _added_batch_member(data: dict) -> None:
    batch = data["batches"][0]
    batch["product_ids"].append(live_id(data, KOPI))
    batch["keys"].append(KOPI)


def _edited_live_price(data: dict) -> None:
    recorded = next(p for p in data["live"]["products"] if p["product_id"] == live_id(data, KAOS))
    for sku in recorded["spec"]["skus"]:
        sku["price"] = "1"


PLAN_EDITS = [
    ("price", _price_to_one, "prices[0].price is '1' in the saved plan, planning gives '36000'"),
    ("product-id-of-another-product", _other_product, "product_id is"),
    ("product-id-the-plan-did-not-read", _unread_product, "which the plan did not read"),
    ("unknown-kind", _unknown_kind, "has an unknown kind 'wipe_everything'"),
    ("other-kind", _other_kind, "actions[0].kind is 'delete' in the saved plan, planning gives 'update_price'"),
    ("added-action", _added_action, "its actions are update_price, deactivate in the saved plan, planning gives "
                                    "update_price"),
    ("removed-action", _removed_action, f"planning gives changes for product {KOPI}, the saved plan has none"),
    ("added-batch-member", _added_batch_member, "batches[0].product_ids"),
    ("other-shop", lambda d: d.update(shop_name="Toko Lain"), "this plan is for shop 'Toko Lain'"),
    ("other-digest", lambda d: d.update(catalog_digest="0" * 64), "changed since this plan was made"),
    ("no-digest", lambda d: d.update(catalog_digest=""), "changed since this plan was made"),
    ("other-targets", lambda d: d.update(targets=[KAOS]), "is in the saved plan, planning gives nothing to do for it"),
    ("other-daily-limit", lambda d: d.update(daily_listing_limit=5), "daily_listing_limit is 5 in the saved plan"),
    ("no-live-state", lambda d: d.update(live=None), "records no live state"),
    ("older-engine", lambda d: d.update(format_version=1), "made by an older catalog-engine"),
    ("edited-live-price", _edited_live_price, "'old': '1', 'new': '36000'"),
]


@pytest.mark.parametrize("tamper, phrase", [pytest.param(t, p, id=i) for i, t, p in PLAN_EDITS])
def test_an_edited_saved_plan_is_refused_before_anything_is_written(monkeypatch, capsys, saved, tamper, phrase):
    root, path = saved
    edit_json(path, tamper)
    refused(monkeypatch, capsys, root, path, phrase)


# --------------------------------------------------------------------------- forged live states
def forge(root: Path, path: Path, change_live: Callable) -> None:
    """What an attacker running the engine does: edit the recorded live state, plan from it (so
    re-deriving agrees) and save — the plan file is then self-consistent, only the shop disagrees."""
    plan = load_plan(path)
    live = change_live(plan.live, {p.key: p.product_id for p in plan.products if p.product_id},
                       {u.product_id for u in plan.unmanaged})
    forged = make_plan(load_catalog(root), live)
    save_plan(forged, path)


def _onto_unmanaged(root: Path):
    """kaos's recorded product renamed to the unmanaged product's id (its real update_time, so it
    is not merely stale): the plan would re-price the product the catalog does not describe."""
    def change_live(live, ids, unmanaged):
        [other] = unmanaged
        update_time = store(root).product(other)["update_time"]
        products = tuple(dataclasses.replace(p, product_id=other, update_time=update_time)
                         if p.product_id == ids[KAOS] else p for p in live.products if p.product_id != other)
        claims = tuple((k, (other,) if k == KAOS else v) for k, v in live.claims)
        return dataclasses.replace(live, products=products, claims=claims, unmanaged=())
    return change_live


def _renamed_sku(root: Path):
    def change_live(live, ids, unmanaged):
        def renamed(p):
            if p.product_id != ids[KAOS]:
                return p
            sku_ids = tuple(sorted((s + "-X" if i == 0 else s, sid) for i, (s, sid) in enumerate(p.sku_ids)))
            return dataclasses.replace(p, sku_ids=sku_ids)
        return dataclasses.replace(live, products=tuple(map(renamed, live.products)))
    return change_live


def _swapped(root: Path):
    """kaos and kopi claim each other's live product: each would be written with the other's content."""
    def change_live(live, ids, unmanaged):
        swap = {KAOS: (ids[KOPI],), KOPI: (ids[KAOS],)}
        return dataclasses.replace(live, claims=tuple((k, swap.get(k, v)) for k, v in live.claims))
    return change_live


FORGED = [
    ("onto-an-unmanaged-product", _onto_unmanaged, "the shop lists"),
    ("seller-skus-changed", _renamed_sku, "the saved plan's live state was edited"),
    ("products-swapped", _swapped, "holds none of"),
]


@pytest.mark.parametrize("forgery, phrase", [pytest.param(f, p, id=i) for i, f, p in FORGED])
def test_a_forged_recorded_live_state_is_refused_against_the_shop(monkeypatch, capsys, saved, forgery, phrase):
    root, path = saved
    forge(root, path, forgery(root))
    refused(monkeypatch, capsys, root, path, phrase)


def test_the_untouched_plan_is_applied(monkeypatch, capsys, saved):
    root, path = saved
    store(root).reset_calls()
    code, out, err = run_cli(monkeypatch, capsys, "apply", path, "--catalog", root)
    assert code == 0, out + err
    assert writes(root) == {ENDPOINTS["update_price"].api: 1, ENDPOINTS["partial_edit"].api: 1,
                            ENDPOINTS["deactivate"].api: 1}


def test_an_edited_reviewed_plan_is_not_applied_the_merge_applies_a_fresh_plan(monkeypatch, capsys, saved, tmp_path):
    root, path = saved
    edit_json(path, _price_to_one)
    store(root).reset_calls()
    report = tmp_path / "report.json"
    code, out, err = run_cli(monkeypatch, capsys, "apply", root, "--auto-approve", "--reviewed", path,
                             "--report", report)
    assert code == 0, out + err
    assert "the reviewed plan was refused" in err and "prices[0].price is '1'" in err
    review = json.loads(report.read_text())["plan_review"]
    assert review["reviewed"] is False and len(review["not_reviewed"]) == 3
    prices = {sku["price"]["amount"] for p in store(root).products() for sku in p["skus"].values()}
    assert "1" not in prices and "36000" in prices


def test_a_tripped_guard_marked_acknowledged_in_the_file_is_refused(applied, tmp_path, monkeypatch, capsys):
    """The one edit that would let apply through a guard: the trip's `acknowledged` filled in by hand
    (the catalog holds no acknowledgement). Re-deriving gives the trip unacknowledged."""
    root = tmp_path / "demo"
    shutil.copytree(applied, root)
    change(root / "products" / "kaos.yaml", "price: 37500", "price: 375")  # −99 %
    path = tmp_path / "plan.json"
    code, out, err = run_cli(monkeypatch, capsys, "plan", root, "--out", path)
    assert code == 1 and "guard tripped" in out + err, out + err
    code, out, err = run_cli(monkeypatch, capsys, "apply", path, "--catalog", root)
    assert code == 1 and "apply refused" in err, out + err  # untampered: the guard refuses it

    def acknowledge(data: dict) -> None:
        (trip,) = data["guards"]
        trip["acknowledged"] = "products/kaos.yaml:1:1"
    edit_json(path, acknowledge)
    refused(monkeypatch, capsys, root, path, "guards[0].acknowledged is 'products/kaos.yaml:1:1' in the saved plan")
