"""Malformed input through the CLI: every case ends with a clear message, exit 1, no traceback.

The corpus covers what a seller (or a CI job) can get wrong: YAML syntax, wrong types,
unknown keys, limits, duplicate SKUs and keys, templates, missing files, catalog-level
mistakes, saved plans that are truncated / from another version / for another shop, command
line misuse (shop access — credentials, an unreachable API — is in test_malformed_api.py).
Each case names the phrase that makes its message clear; the output never holds a traceback.

Most cases run the real entry point in-process (engine.cli.main, as `catalog` does); a few
run `python -m engine` in a subprocess to prove nothing reaches stderr but the message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

from engine.cli import main
from engine.sandbox.store import SandboxStore

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"
KOPI = "products/kopi.yaml"
KAOS = "products/kaos.yaml"
BATIK = "products/batik.yaml"
SHOP = "shop.yaml"
TEMPLATE = "templates/batik.html.j2"


def run(monkeypatch, capsys, *args: object) -> tuple[int, str]:
    """`catalog ARGS` in-process: (exit code, stdout + stderr)."""
    code, out, err = run_cli(monkeypatch, capsys, *args)
    return code, out + err


def assert_clean_failure(code: int, output: str, phrase: str) -> None:
    assert code == 1, output
    assert phrase in output, output
    assert "Traceback" not in output and 'File "' not in output, output


@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    return root


def replace(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def kopi_with_skus(count: int) -> str:
    text = (DEMO / KOPI).read_text()
    sku = "  - seller_sku: KOPI-{i}\n    sales_attributes: {{Berat: g{i}}}\n    price: 27500\n" \
          "    inventory: {{Gudang Jakarta: 1}}\n"
    return text[:text.index("skus:")] + "skus:\n" + "".join(sku.format(i=i) for i in range(count))


LEVELS = "abcdefghi"
BOMB = "key: bomb\na: &a [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip(LEVELS, LEVELS[1:], strict=False))  # billion laughs

# (id, edits, phrase): edits are (file, old, new) replacements or (file, None, whole new text)
CATALOG_CASES = [
    # YAML syntax
    ("yaml-unclosed-flow", [(KOPI, "brand: Kopi Kapal Api", "brand: [Kopi Kapal Api")], "YAML syntax error"),
    ("yaml-tab-indent", [(KOPI, "  Jenis Kopi: Robusta", "\tJenis Kopi: Robusta")],
     "character '\\t' that cannot start any token"),
    ("yaml-duplicate-key", [(KOPI, "brand: Kopi Kapal Api", "brand: Kopi Kapal Api\nbrand: Kopi")],
     "duplicate key 'brand'"),
    ("yaml-list-for-mapping", [(KOPI, "key: kopi-kapal-api-special", "- key: kopi-kapal-api-special")],
     "YAML syntax error"),
    ("yaml-alias-bomb", [("products/bomb.yaml", None, BOMB)], "YAML syntax error"),
    ("yaml-deep-nesting", [("products/deep.yaml", None, "key: deep\ntitle: " + "[" * 600 + "]" * 600 + "\n")],
     "recursion limit exceeded"),
    ("yaml-nesting-5000-levels",
     [("products/deep.yaml", None, "key: deep\ntitle: " + "[" * 5000 + "]" * 5000 + "\n")],
     "products/deep.yaml:2:263: error: YAML syntax error: recursion limit exceeded: [ ] / { } nested too deeply "
     "(limit 255 levels)"),
    ("not-utf8", [(KOPI, "Robusta Kemasan", "Robusta \udcff Kemasan")], "file is not UTF-8 text"),
    ("nul-byte", [(BATIK, "key: batik-kawung", "\x00key: batik-kawung")], "file contains a NUL character"),
    ("product-not-mapping", [("products/s.yaml", None, "just a string\n")], "a product must be a mapping"),
    ("shop-not-mapping", [(SHOP, None, "- name: x\n")], "shop.yaml must be a mapping"),
    # wrong types
    ("price-text", [(KOPI, "price: 27500", "price: dua puluh ribu")], "price must be a plain number of rupiah"),
    ("price-bool", [(KOPI, "price: 27500", "price: true")], "expected a number, got true/false"),
    ("moq-text", [(KAOS, "minimum_order_quantity: 3 ", "minimum_order_quantity: tiga ")], "expected a whole number"),
    ("dimension-fraction", [("bases/kemeja-batik.yaml", "height: 3}", "height: 2.5}")], "expected a whole number"),
    ("skus-missing", [(KOPI, None, kopi_with_skus(0))], "missing required field 'skus'"),
    # unknown keys and enum values
    ("unknown-key", [(KOPI, "brand: Kopi Kapal Api", "brnad: Kopi Kapal Api")],
     "unknown field 'brnad' (did you mean 'brand'?)"),
    ("unknown-sku-key", [(KOPI, "    price: 27500", "    prize: 27500")],
     "unknown field 'prize' (did you mean 'price'?)"),
    ("unknown-platform", [(SHOP, "listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]",
                           "listing_platforms: [TIKTOK_SHOP, SHOPEE]")], "'SHOPEE' is not allowed"),
    ("unknown-status", [(SHOP, "status: active", "status: aktif")], "'aktif' is not allowed"),
    ("unknown-target", [(SHOP, "target: sandbox ", "target: production ")], "'production' is not allowed"),
    ("credential-in-shop-yaml", [(SHOP, "market: ID", "market: ID\napp_secret: rahasia-sekali")],
     "set the environment variable TTS_APP_SECRET instead"),
    ("api-url-not-url", [(SHOP, "target: sandbox ", "target: api\nbase_url: not a url\n#")],
     "base_url must be an http(s) address"),
    # limits
    ("title-short", [(KOPI, "title: Kopi Kapal Api Special Bubuk Robusta Kemasan Hemat", "title: Kopi Enak")],
     "title must be 25-255 characters"),
    ("title-long", [(KOPI, "title: Kopi Kapal Api Special Bubuk Robusta Kemasan Hemat",
                     "title: " + "Kopi Enak Sekali " * 17)], "title must be 25-255 characters"),
    ("title-emoji", [(KOPI, "Kemasan Hemat", "Kemasan Hemat \U0001F600")], "title must not contain emoji"),
    ("too-many-skus", [(KOPI, None, kopi_with_skus(101))], "at most 100 SKUs per product"),
    ("too-many-images", [(KOPI, "main_images: [images/kopi-kapal-api-1.png]",
                          "main_images: [" + ", ".join(["images/kopi-kapal-api-1.png"] * 10) + "]")],
     "at most 9 main images"),
    ("stock-over-limit", [(KOPI, "Gudang Jakarta: 100, ", "Gudang Jakarta: 1000000, ")], "stock must be 0-99999"),
    ("price-negative", [(KOPI, "price: 27500", "price: -5")], "price must be more than 0"),
    ("price-thousands-dot", [(KOPI, "price: 27500", "price: 27.500")], "IDR prices have at most 2 decimals"),
    ("moq-over-limit", [(KAOS, "minimum_order_quantity: 3 ", "minimum_order_quantity: 25 ")],
     "minimum_order_quantity must be 1-20"),
    ("weight-zero", [(KOPI, "package_weight: 0.55", "package_weight: 0")], "package_weight must be more than 0"),
    ("pre-order-days", [(KOPI, "    price: 52000", "    price: 52000\n    pre_sale: {type: PRE_ORDER, "
                                                   "handling_duration_days: 45}")], "must be 3-30 calendar days"),
    ("description-too-long", [(KOPI, "<p>Kopi bubuk", "<p>" + "k" * 10001 + " Kopi bubuk")],
     "description must be at most 10000 characters"),
    ("pre-owned-both-platforms", [(KOPI, "package_weight: 0.55", "package_weight: 0.55\nis_pre_owned: true")],
     "is_pre_owned is allowed only when TOKOPEDIA is the sole listing platform"),
    ("barcode-check-digit", [(KOPI, '"8998812000177"', '"8998812000178"')], "has a wrong check digit"),
    # identity: duplicate SKUs and keys, bad keys
    ("duplicate-sku-in-product", [(KOPI, "seller_sku: KOPI-KAPAL-API-500G", "seller_sku: KOPI-KAPAL-API-250G")],
     "is already used by another SKU of this product"),
    ("duplicate-sku-in-shop", [(KOPI, "seller_sku: KOPI-KAPAL-API-500G", "seller_sku: KAOS-POLOS-HITAM-M")],
     "is already used by product 'kaos-polos-katun'"),
    ("seller-sku-space", [(KOPI, "seller_sku: KOPI-KAPAL-API-500G", "seller_sku: KOPI KAPAL 500G")],
     "must not contain spaces"),
    ("duplicate-key", [(KOPI, "key: kopi-kapal-api-special", "key: kaos-polos-katun")],
     "key 'kaos-polos-katun' is already used"),
    ("key-bad-characters", [(KOPI, "key: kopi-kapal-api-special", "key: Kopi Kapal/Api")],
     "key must be 1-100 letters"),
    ("sales-attributes-same", [(KOPI, "sales_attributes: {Berat: 500g}", "sales_attributes: {Berat: 250g}")],
     "every SKU needs a different combination"),
    ("unknown-warehouse", [(KOPI, "inventory: {Gudang Jakarta: 100, Gudang Surabaya: 80}",
                            "inventory: {Gudang Jakrta: 100}")], "did you mean 'Gudang Jakarta'?"),
    # templates
    ("template-undefined", [(TEMPLATE, "{{ makna }}", "{{ arti }}")], "undefined variable: 'arti' is undefined"),
    ("template-syntax", [(TEMPLATE, "{% endfor %}", "{% endfro %}")], "template syntax error"),
    ("template-missing", [(BATIK, "template: batik.html.j2         #", "template: batik2.html.j2 #")],
     "template 'batik2.html.j2' not found"),
    ("template-recursion", [(TEMPLATE, "{% endfor %}</ul>", "{% endfor %}</ul>{% include 'batik.html.j2' %}")],
     "RecursionError"),
    ("template-division-by-zero", [(TEMPLATE, "{{ makna }}", "{{ 1 / 0 }}")], "ZeroDivisionError"),
    ("template-unsafe-attribute", [(TEMPLATE, "{{ makna }}", "{{ ''.__class__.__mro__ }}")],
     "not allowed in a template"),
    ("template-huge-range", [(TEMPLATE, "{{ makna }}", "{% for i in range(10**9) %}x{% endfor %}")],
     "Range too big"),
    ("template-power-bomb", [(TEMPLATE, "{{ makna }}", "{{ 10 ** 100000000 }}")],
     "exponent 100000000 is too large"),
    ("template-repeat-bomb", [(TEMPLATE, "{{ makna }}", "{{ 'x' * 1000000000 }}")],
     "repetition would make 1000000000 items"),
    # missing files and references
    ("image-missing", [(KOPI, "images/kopi-kapal-api-1.png", "images/kopi-tidak-ada.png")], "image file not found"),
    ("image-outside-catalog", [(KOPI, "images/kopi-kapal-api-1.png", "../../../etc/passwd")],
     "is outside the catalog directory"),
    ("image-not-an-image", [("images/kopi-kapal-api-1.png", None, "not a png at all")], "is not a readable PNG file"),
    ("base-unknown", [(BATIK, "extends: kemeja-batik\ntitle: Kemeja Batik Pria Motif Parang",
                       "extends: kemeja-btik\ntitle: Kemeja Batik Pria Motif Parang")], "unknown base 'kemeja-btik'"),
    ("base-cycle", [("bases/a.yaml", None, "extends: b\n"), ("bases/b.yaml", None, "extends: a\n"),
                    (KOPI, "key: kopi-kapal-api-special", "key: kopi-kapal-api-special\nextends: a")],
     "goes round in a circle"),
    ("base-invalid", [("bases/kemeja-batik.yaml", "brand: Batik Keris", "brnd: Batik Keris")],
     "products/batik.yaml:4:10: error: extends: base 'kemeja-batik' is invalid (see the errors in "),
    ("daily-listing-limit-zero", [(SHOP, "market: ID", "market: ID\ndaily_listing_limit: 0")],
     "shop.yaml:7:22: error: daily_listing_limit: daily_listing_limit must be a whole number of listings a day, 1 to"),
    ("daily-listing-limit-text", [(SHOP, "market: ID", "market: ID\ndaily_listing_limit: banyak")],
     "daily_listing_limit: expected a whole number"),
    ("priority-out-of-range", [(KOPI, "key: kopi-kapal-api-special", "key: kopi-kapal-api-special\npriority: 5000")],
     "products/kopi.yaml:3:11: error: priority: priority must be a whole number from -1000 to 1000"),
    ("priority-in-a-base", [("bases/kemeja-batik.yaml", "brand: Batik Keris", "brand: Batik Keris\npriority: 1")],
     "unknown field 'priority'"),
    ("shop-yaml-missing", [(SHOP, None, None)], "shop.yaml not found"),
    ("shop-yaml-no-name", [(SHOP, None, "market: ID\ntarget: sandbox\nwarehouses: {Gudang Jakarta: '1'}\n")],
     "missing required field 'name'"),
]


def products_in_shop(root: Path) -> int:
    """Products in the catalog's sandbox shop (0 when it was never created)."""
    db = root / ".sandbox" / "shop.db"
    if not db.exists():
        return 0
    with SandboxStore(db) as store:
        return store.counts()["products"]


def apply_edits(root: Path, edits) -> None:
    for relative, old, new in edits:
        if old is None and new is None:
            (root / relative).unlink()
        elif old is None:
            write(root, relative, new)
        else:
            replace(root, relative, old, new)


@pytest.mark.parametrize("edits, phrase", [pytest.param(e, p, id=i) for i, e, p in CATALOG_CASES])
def test_a_broken_catalog_is_refused_with_a_clear_message(monkeypatch, capsys, demo, edits, phrase):
    apply_edits(demo, edits)
    assert_clean_failure(*run(monkeypatch, capsys, "validate", demo), phrase)


@pytest.mark.parametrize("case", ["yaml-unclosed-flow", "price-text", "template-undefined", "duplicate-sku-in-shop"])
def test_plan_on_a_broken_catalog_writes_no_plan_file(monkeypatch, capsys, demo, tmp_path, case):
    edits, phrase = next((e, p) for i, e, p in CATALOG_CASES if i == case)
    apply_edits(demo, edits)
    out = tmp_path / "plan.json"
    assert_clean_failure(*run(monkeypatch, capsys, "plan", demo, "--out", out), phrase)
    assert not out.exists() and not (demo / ".sandbox").exists()


# --------------------------------------------------------------------------- saved plans
@pytest.fixture(scope="module")
def saved_plan(tmp_path_factory) -> tuple[Path, str]:
    """A real saved plan of the demo (on an empty in-process sandbox) and its text."""
    root = tmp_path_factory.mktemp("saved") / "shop"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    out = root.parent / "plan.json"
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(sys, "argv", ["catalog", "plan", str(root), "--out", str(out)])
        with pytest.raises(SystemExit):
            main()
    finally:
        mp.undo()
    return root, out.read_text()


def edited_plan(text: str, **changes) -> str:
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data)


PLAN_CASES = [
    ("truncated", lambda t: t[: len(t) // 2], "saved plan is not valid JSON"),
    ("empty-file", lambda t: "", "saved plan is not valid JSON"),
    ("other-format-version", lambda t: edited_plan(t, format_version=99), "saved plan has format_version 99"),
    ("json-list", lambda t: "[1, 2]", "not a saved plan: expected a JSON object"),
    ("binary", lambda t: "\udc89PNG\x00\x01", "cannot read saved plan"),
    ("products-not-a-list", lambda t: edited_plan(t, products="many"), "saved plan"),
]


@pytest.mark.parametrize("damage, phrase", [pytest.param(d, p, id=i) for i, d, p in PLAN_CASES])
@pytest.mark.parametrize("command", ["show", "apply"])
def test_a_damaged_saved_plan_is_refused(monkeypatch, capsys, saved_plan, tmp_path, command, damage, phrase):
    root, text = saved_plan
    path = tmp_path / "plan.json"
    path.write_bytes(damage(text).encode("utf-8", "surrogateescape"))
    args = ("show", path) if command == "show" else ("apply", path, "--catalog", root, "--auto-approve")
    assert_clean_failure(*run(monkeypatch, capsys, *args), phrase)
    assert products_in_shop(root) == 0  # apply wrote nothing


def test_a_plan_for_another_shop_is_refused(monkeypatch, capsys, saved_plan, tmp_path):
    root, text = saved_plan
    path = tmp_path / "plan.json"
    path.write_text(edited_plan(text, shop_name="Toko Lain"))
    code, output = run(monkeypatch, capsys, "apply", path, "--catalog", root, "--auto-approve")
    assert_clean_failure(code, output, "this plan is for shop 'Toko Lain'")
    assert products_in_shop(root) == 0


def test_a_plan_of_other_catalog_content_is_refused(monkeypatch, capsys, saved_plan, tmp_path, demo):
    _, text = saved_plan
    path = tmp_path / "plan.json"
    path.write_text(text)
    replace(demo, KOPI, "price: 27500", "price: 28000")
    code, output = run(monkeypatch, capsys, "apply", path, "--catalog", demo, "--auto-approve")
    assert_clean_failure(code, output, "changed since this plan was made")
    assert products_in_shop(demo) == 0


def test_a_missing_plan_file_is_refused(monkeypatch, capsys, tmp_path):
    assert_clean_failure(*run(monkeypatch, capsys, "show", tmp_path / "none.json"), "no saved plan at")


# --------------------------------------------------------------------------- command line misuse
def test_command_line_misuse(monkeypatch, capsys, demo, saved_plan, tmp_path):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(saved_plan[1])
    (tmp_path / "empty").mkdir()
    cases = [
        (("validate", tmp_path / "nothere"), "does not exist"),
        (("validate", tmp_path / "empty"), "shop.yaml not found"),
        (("plan", demo, "--format", "yaml"), "'yaml' is not one of"),
        (("plan", demo, "--target", "nope-*"), "--target matches no catalog product: nope-*"),
        (("apply", demo, "--concurrency", "0"), "0 is not in the range 1<=x<=64"),
        (("apply", plan_path, "--auto-approve"), "a saved plan needs the catalog it was made from"),
        (("apply", plan_path, "--catalog", demo, "--target", "kopi-*"), "a saved plan is applied as it is"),
        (("apply", demo, "--catalog", demo), "--catalog goes with a saved plan"),
        (("sandbox", "serve", "--faults", "boom=1"), "unknown fault 'boom=1'"),
        (("sandbox", "reset", "--db", tmp_path), "is a directory"),
        (("schema", "--out", "/proc/no-such-dir"), "cannot write schemas to /proc/no-such-dir"),
    ]
    for args, phrase in cases:
        code, output = run(monkeypatch, capsys, *args)
        assert_clean_failure(code, output, phrase)
    assert products_in_shop(demo) == 0


def test_apply_without_a_terminal_or_auto_approve_changes_nothing(monkeypatch, capsys, demo):
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))
    code, output = run(monkeypatch, capsys, "apply", demo)
    assert_clean_failure(code, output, "refusing to apply without confirmation")
    assert products_in_shop(demo) == 0


@pytest.mark.parametrize("out", ["missing-dir/plan.json", "/proc/plan.json"])
def test_an_unwritable_plan_out_is_a_clear_error(monkeypatch, capsys, demo, tmp_path, out):
    target = tmp_path / out if not out.startswith("/") else Path(out)
    assert_clean_failure(*run(monkeypatch, capsys, "plan", demo, "--out", target), f"cannot write {target}")
    assert not target.exists()


def test_an_unusable_sandbox_database_is_a_clear_error(monkeypatch, capsys, demo):
    (demo / ".sandbox" / "shop.db").mkdir(parents=True)
    assert_clean_failure(*run(monkeypatch, capsys, "plan", demo), "cannot be used")


def test_apply_refuses_a_report_path_it_cannot_write_before_writing_anything(monkeypatch, capsys, demo, tmp_path):
    report = tmp_path / "missing-dir" / "report.json"
    code, output = run(monkeypatch, capsys, "apply", demo, "--auto-approve", "--report", report)
    assert_clean_failure(code, output, f"the directory {report.parent} does not exist")
    assert products_in_shop(demo) == 0 and not report.exists()


# --------------------------------------------------------------------------- as a seller runs it
@pytest.mark.parametrize("case", ["yaml-unclosed-flow", "truncated-plan", "missing-credentials"])
def test_in_a_subprocess_stderr_holds_the_message_and_nothing_else(demo, saved_plan, tmp_path, case):
    """`python -m engine ...` as a shell runs it: exit 1, only `Error:` / diagnostic lines on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTS_")}
    if case == "yaml-unclosed-flow":
        apply_edits(demo, next(e for i, e, _ in CATALOG_CASES if i == case))
        args, phrase = ("validate", demo), "YAML syntax error"
    elif case == "truncated-plan":
        path = tmp_path / "plan.json"
        path.write_text(saved_plan[1][:500])
        args, phrase = ("show", path), "saved plan is not valid JSON"
    else:
        replace(demo, SHOP, "target: sandbox ", "target: api\n#")
        args, phrase = ("plan", demo), "missing environment variable(s) for target api: TTS_APP_KEY"
    done = subprocess.run([sys.executable, "-m", "engine", *map(str, args)], cwd=DEMO.parent.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == "", done
    assert phrase in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert all(line.startswith(("Error: ", str(demo))) for line in done.stderr.splitlines()), done.stderr
