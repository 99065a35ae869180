"""Engine behaviour the stricter sandbox exposes (issue 20): each test is what the engine should do
(a new finding goes in as xfail(strict=True) until the engine side fixes it; an XPASS then says to
drop the marker). engine/sandbox/RULES.md has the sources of the rules."""

from __future__ import annotations

from clirun import demo_copy, run_clean

from engine.sandbox.store import SandboxStore

KOPI = "products/kopi.yaml"


def edit(root, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_new_sku_with_stock_0_is_refused_by_the_plan_at_file_line(monkeypatch, capsys, tmp_path):
    root = demo_copy(tmp_path / "demo")
    edit(root, KOPI, "inventory: {Gudang Jakarta: 100, Gudang Surabaya: 80}",
         "inventory: {Gudang Jakarta: 0, Gudang Surabaya: 80}")
    code, output = run_clean(monkeypatch, capsys, "plan", root)
    assert code == 1 and "kopi.yaml:23:" in output


def test_a_price_change_of_a_product_hidden_on_one_platform_is_applied(monkeypatch, capsys, tmp_path):
    root = demo_copy(tmp_path / "demo")
    assert run_clean(monkeypatch, capsys, "apply", root, "--auto-approve")[0] == 3  # the watch: Tokopedia refuses
    edit(root, KOPI, 'package_weight: 0.55\n', 'package_weight: 0.55\nlisting_platforms: [TIKTOK_SHOP]\n')
    assert run_clean(monkeypatch, capsys, "apply", root, "--auto-approve", "--target", "kopi-*")[0] == 0
    edit(root, KOPI, "price: 27500", "price: 28500")
    code, output = run_clean(monkeypatch, capsys, "apply", root, "--auto-approve", "--target", "kopi-*")
    with SandboxStore(root / ".sandbox" / "shop.db") as store:
        [kopi] = [r for r in store.products() if r["content"]["title"].startswith("Kopi Kapal Api")]
    assert kopi["platforms"] == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "SELLER_DEACTIVATED"}
    assert code == 0, output
    assert sorted(s["price"]["amount"] for s in kopi["skus"].values()) == ["28500", "52000"]
