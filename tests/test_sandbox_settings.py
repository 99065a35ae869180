"""The shop's settings stored in its database (review time, daily listing limit), its clock, and what
they do: the daily listing quota (12052093, reset at midnight in Jakarta) and asynchronous review
seen through Get Product and Search (PENDING, then the outcome per platform)."""

from __future__ import annotations

import pytest
from clirun import demo_copy, run_clean
from rawclient import RawClient, batik, png

from engine.sandbox.app import create_app
from engine.sandbox.store import SandboxStore

CREATE = ("POST", "/product/202309/products")
BOTH = ["TIKTOK_SHOP", "TOKOPEDIA"]


@pytest.fixture
def shop(sandbox):
    client = sandbox.client()
    client.uri = client.upload(png(800, 800)).data["uri"]
    return client


def create(client, n: int, **extra):
    return client.call(*CREATE, body=batik(client.uri, prefix=f"Q{n}", **extra))


def statuses(view: dict) -> dict:
    found = {"TIKTOK_SHOP": view["status"]} if "status" in view else {}
    found.update({p["platform"]: p["status"] for p in view.get("integrated_platform_statuses", [])})
    return found


# ----------------------------------------------------------------------------- quota
def test_daily_listing_limit_refuses_the_sixth_create_until_the_next_day(sandbox, shop):
    sandbox.store.configure(daily_listing_limit=5)  # the in-process app follows it from its next request
    assert [create(shop, n).code for n in range(5)] == [0] * 5
    refused = create(shop, 5)
    assert refused.code == 12052093 and "5 listings per day" in refused.json["message"]
    assert sandbox.store.counts()["products"] == 5  # nothing half-written
    assert sandbox.store.settings()["listings_today"] == 5
    sandbox.store.next_day()
    assert sandbox.store.settings()["listings_today"] == 0
    assert create(shop, 5).code == 0


def test_relisting_counts_and_price_or_stock_do_not(sandbox, shop):
    sandbox.store.configure(daily_listing_limit=2)
    product_id = create(shop, 0).data["product_id"]
    live = shop.call("GET", f"/product/202309/products/{product_id}").data
    path = f"/product/202509/products/{product_id}/partial_edit"
    assert shop.call("POST", path, body={"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"}).code == 0
    assert shop.call("POST", path, body={"title": "Kemeja Batik Pria Lengan Panjang Motif Parang"}).code == 12052093
    sku_id = live["skus"][0]["id"]
    assert shop.call("POST", f"/product/202309/products/{product_id}/prices/update",
                     body={"skus": [{"id": sku_id, "price": {"amount": "1000", "currency": "IDR"}}]}).code == 0
    assert create(shop, 1).code == 12052093


def test_draft_creates_do_not_count(sandbox, shop):
    sandbox.store.configure(daily_listing_limit=1)
    assert create(shop, 0, save_mode="AS_DRAFT").code == 0
    assert create(shop, 1).code == 0
    assert create(shop, 2).code == 12052093


def test_the_day_turns_at_midnight_in_jakarta(tmp_path):
    with SandboxStore(tmp_path / "shop.db", clock=lambda: 1_767_200_000.0) as store:  # 2025-12-31 23:53:20 WIB
        assert store.settings()["day"] == "2025-12-31"
        store.advance_clock(399)
        assert store.settings()["day"] == "2025-12-31"
        store.advance_clock(1)
        assert store.settings()["day"] == "2026-01-01"
        now = store.next_day()
        assert store.settings()["day"] == "2026-01-02" and now == store.now()
        with pytest.raises(ValueError, match="only moves forward"):
            store.advance_clock(-1)


# ----------------------------------------------------------------------------- settings
def test_settings_are_stored_and_explicit_arguments_win(tmp_path):
    db = tmp_path / "shop.db"
    with SandboxStore(db) as store:
        assert store.settings()["review_seconds"] == 0 and store.settings()["daily_listing_limit"] == 1000
        store.configure(review_seconds=30, daily_listing_limit=7)
        with pytest.raises(ValueError):
            store.configure(daily_listing_limit=-1)
        assert create_app(db).state.shop.settings.review_seconds == 30
        assert create_app(db, review_seconds=5).state.shop.settings.review_seconds == 5
        assert create_app(db).state.shop.settings.daily_listing_limit == 7
        store.configure(defaults=True)
        assert store.settings()["review_seconds"] == 0 and create_app(db).state.shop.settings.review_seconds == 0


@pytest.mark.sandbox(review_seconds=0)
def test_an_app_given_its_own_review_time_ignores_the_stored_one(sandbox, shop):
    sandbox.store.configure(review_seconds=600)
    product_id = create(shop, 0).data["product_id"]
    assert shop.call("GET", f"/product/202309/products/{product_id}").data["status"] == "ACTIVATE"


def test_sandbox_config_and_clock_commands(monkeypatch, capsys, tmp_path):
    db = tmp_path / "shop.db"
    code, out = run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db)
    assert code == 0 and "review_seconds: 0  (decided by the next request)" in out
    assert "daily_listing_limit: 1000  (0 used on" in out and "WIB" in out
    code, out = run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--review-seconds", "30",
                          "--daily-listing-limit", "5")
    assert code == 0 and "review_seconds: 30\n" in out and "daily_listing_limit: 5  (0 used" in out
    with SandboxStore(db) as store:
        assert (store.settings()["review_seconds"], store.settings()["daily_listing_limit"]) == (30, 5)
    day = store_day(db)
    code, out = run_clean(monkeypatch, capsys, "sandbox", "clock", "--db", db, "--next-day")
    assert code == 0 and "00:00:01 WIB  (moved +" in out and store_day(db) > day
    code, out = run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--daily-listing-limit", "-1")
    assert code == 1 and "'--daily-listing-limit': -1 is not in the range" in out
    code, out = run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--defaults")
    assert code == 0 and "daily_listing_limit: 1000" in out


def store_day(db) -> str:
    with SandboxStore(db) as store:
        return store.settings()["day"]


# ----------------------------------------------------------------------------- asynchronous review
def test_review_configured_in_the_database_runs_per_platform(sandbox, shop):
    sandbox.store.configure(review_seconds=30)
    product_id = create(shop, 0, listing_platforms=BOTH,
                        description="<p>Batik tulis. Cod gratis ongkir se-Indonesia.</p>").data["product_id"]
    search = {"status": "PENDING", "listing_platforms": ["TOKOPEDIA"]}
    pending = shop.call("POST", "/product/202502/products/search", body=search, query={"page_size": "10"})
    assert [(p["id"], statuses(p)) for p in pending.data["products"]] == [
        (product_id, {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"})]
    sandbox.clock.advance(29)
    assert statuses(shop.call("GET", f"/product/202309/products/{product_id}").data)["TOKOPEDIA"] == "PENDING"
    sandbox.store.advance_clock(2)  # the clock stored in the database moves the app's clock too
    page = shop.call("POST", "/product/202502/products/search", body={}, query={"page_size": "10"}).data
    assert statuses(page["products"][0]) == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "FAILED"}
    view = shop.call("GET", f"/product/202309/products/{product_id}").data
    assert [r["listing_platform"] for r in view["audit_failed_reasons"]] == ["TOKOPEDIA"]


def test_an_edit_under_review_replaces_the_version_under_review(sandbox, shop):
    product_id = create(shop, 0).data["product_id"]
    shop.call("GET", f"/product/202309/products/{product_id}")
    sandbox.store.configure(review_seconds=60)
    path = f"/product/202509/products/{product_id}/partial_edit"
    assert shop.call("POST", path, body={"title": "Kemeja Batik Pria Lengan Panjang Motif Kawung"}).code == 0
    sandbox.clock.advance(45)
    second = shop.call("POST", path, body={"description": "<p>Batik tulis Kawung dari Yogyakarta.</p>"})
    assert second.code == 0 and second.data["audit"] == {"status": "AUDITING"}
    live = shop.call("GET", f"/product/202309/products/{product_id}").data
    assert live["title"] == batik("x")["title"] and live["status"] == "PENDING"  # v1 stays live
    review = shop.call("GET", f"/product/202309/products/{product_id}",
                       query={"return_under_review_version": "true"}).data
    assert review["title"].endswith("Kawung") and "Yogyakarta" in review["description"]  # both edits
    sandbox.clock.advance(30)  # 75 s after the first edit, 30 after the second: the review restarted
    assert shop.call("GET", f"/product/202309/products/{product_id}").data["status"] == "PENDING"
    sandbox.clock.advance(31)
    after = shop.call("GET", f"/product/202309/products/{product_id}").data
    assert after["status"] == "ACTIVATE" and after["title"].endswith("Kawung")


def test_a_draft_save_is_refused_while_under_review(sandbox, shop):
    sandbox.store.configure(review_seconds=60)
    product_id = create(shop, 0).data["product_id"]
    body = batik(shop.uri, save_mode="AS_DRAFT")
    assert shop.call("PUT", f"/product/202509/products/{product_id}", body=body).code == 12052910


def test_a_served_sandbox_follows_settings_changed_while_it_runs(sandbox_http):
    client = RawClient(sandbox_http.base_url)
    uri = client.upload(png(800, 800)).data["uri"]
    sandbox_http.store.configure(daily_listing_limit=1)
    assert client.call(*CREATE, body=batik(uri, prefix="A")).code == 0
    assert client.call(*CREATE, body=batik(uri, prefix="B")).code == 12052093
    sandbox_http.store.configure(daily_listing_limit=2)
    assert client.call(*CREATE, body=batik(uri, prefix="B")).code == 0


# ----------------------------------------------------------------------------- through the CLI (target: sandbox)
def shop_states(db) -> dict[str, dict]:
    with SandboxStore(db) as store:
        return {r["content"]["title"]: r["platforms"] for r in store.products()}  # due reviews decided


def test_the_cli_follows_a_daily_limit_configured_in_the_database(monkeypatch, capsys, tmp_path):
    root = demo_copy(tmp_path / "demo")
    db = root / ".sandbox" / "shop.db"
    assert run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--daily-listing-limit", "5")[0] == 0
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 3 and "12052093" in output
    with SandboxStore(db) as store:
        listed = [r for r in store.products() if "DRAFT" not in r["platforms"].values()]
        assert len(listed) == 5 and store.settings()["listings_today"] == 5
        store.next_day()
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 3 and "12052093" not in output  # the rest is created (3: Tokopedia refuses the watch)
    assert len(shop_states(db)) == 10


def test_the_cli_sees_a_review_configured_in_the_database(monkeypatch, capsys, tmp_path):
    """`catalog sandbox config --review-seconds 30`, then apply: every product waits in review
    (PENDING per platform) and nothing is sent again by the next plan; after 30 s the outcome."""
    root = demo_copy(tmp_path / "demo")
    db = root / ".sandbox" / "shop.db"
    run_clean(monkeypatch, capsys, "sandbox", "config", "--db", db, "--review-seconds", "30")
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")
    assert code == 3 and output.count("now under review") == 16  # 9 products; the inactive one is a draft
    waiting = shop_states(db)
    pandan = "Tas Pandan Anyaman Tasikmalaya Serbaguna Warna Alami"
    assert waiting[pandan] == {"TIKTOK_SHOP": "PENDING", "TOKOPEDIA": "PENDING"}
    assert sum(1 for p in waiting.values() if set(p.values()) == {"PENDING"}) == 9
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0 and "review failed" not in output
    with SandboxStore(db) as store:
        store.advance_clock(31)
    assert shop_states(db)[pandan] == {"TIKTOK_SHOP": "FAILED", "TOKOPEDIA": "ACTIVATE"}
    code, output = run_clean(monkeypatch, capsys, "plan", root, "--detailed-exitcode")
    assert code == 0 and "review failed on Shop | Tokopedia: Misleading claim" in output
