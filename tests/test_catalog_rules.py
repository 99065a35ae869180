"""Every validation rule, one broken copy of the demo catalog each, through `catalog validate`.

Each case edits the demo shop, runs the CLI in-process, and asserts exit 1 and a diagnostic
`file:line:column: error: path: message` at the exact line where the seller must fix it
(the line is found by the text the case wrote, so the fixture files can evolve).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from clirun import run_cli

DEMO = Path(__file__).resolve().parent.parent / "catalogs" / "demo"
PATH = r'[A-Za-z_][\w-]*(?:\[\d+\]|\.[A-Za-z_][\w-]*|\["(?:[^"\\]|\\.)*"\])*'
DIAGNOSTIC = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                        rf"(?:(?P<path>{PATH}): )?(?P<message>.*)$")


run = run_cli  # tests/clirun.py


def demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".sandbox", ".catalog-cache"))
    return target


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text()
    assert text.count(old) >= count, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count))


def line_of(root: Path, rel: str, marker: str, nth: int = 1) -> int:
    lines = (root / rel).read_text().splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if marker in line]
    assert len(hits) >= nth, f"{marker!r} not found in {rel}"
    return hits[nth - 1]


def diagnostics(err: str) -> list[dict]:
    found = []
    for line in err.splitlines():
        match = DIAGNOSTIC.match(line)
        if match:
            found.append(match.groupdict())
        else:
            assert line.startswith("Error: catalog is invalid"), f"unexpected output line: {line!r}"
    return found


@dataclass
class Case:
    name: str
    edits: list[tuple[str, str, str]]
    file: str  # where the diagnostic must point
    marker: str  # text on that line (after the edits)
    message: str  # substring of the message
    path: str = ""  # expected field path ("" = do not check)
    nth: int = 1
    extra: dict = field(default_factory=dict)


K = "products/kaos.yaml"
J = "products/jam.yaml"
E = "products/elektronik.yaml"
B = "products/batik.yaml"
T = "products/kerajinan.yaml"
KOPI = "products/kopi.yaml"
LONG_SKU = "X" * 51

CASES = [
    Case("title too short", [(K, "title: Kaos Polos Katun Combed 30s Pria Wanita Grosir Isi 3", "title: Kaos Polos")],
         K, "title: Kaos Polos", "title must be 25-255 characters in Indonesia (it has 10)", "title"),
    Case("title too long", [(K, "title: Kaos Polos Katun", "title: " + "Kaos " * 52 + "Katun")],
         K, "title: Kaos Kaos", "title must be 25-255 characters in Indonesia (it has 301)", "title"),
    Case("title repeats a character", [(K, "Grosir Isi 3", "Grosir Isi 3 !!!!!!!!!!!!")],
         K, "title:", "more than 9 times in a row", "title"),
    Case("more than 9 images", [(J, "main_images: [images/seiko-presage-1.png]",
                                 "main_images: [" + ", ".join("images/seiko-presage-1.png" for _ in range(10)) + "]")],
         J, "main_images:", "at most 9 main images (there are 10)", "main_images[9]"),
    Case("more than 100 SKUs", [(T, "  - seller_sku: TAS-PANDAN-TSM\n    price: 89000\n"
                                    "    inventory: {Gudang Jakarta: 25, Gudang Surabaya: 25}\n",
                                 "".join(f"  - seller_sku: TAS-PANDAN-{n}\n    sales_attributes: {{Ukuran Tas: U{n}}}\n"
                                         f"    price: 89000\n    inventory: {{Gudang Jakarta: 1}}\n"
                                         for n in range(101)))],
         T, "seller_sku: TAS-PANDAN-100", "at most 100 SKUs per product (there are 101)", "skus[100]"),
    Case("seller_sku with a space", [(T, "seller_sku: TAS-PANDAN-TSM", "seller_sku: TAS PANDAN TSM")],
         T, "seller_sku: TAS PANDAN TSM", "seller_sku must not contain spaces", "skus[0].seller_sku"),
    Case("seller_sku too long", [(T, "seller_sku: TAS-PANDAN-TSM", f"seller_sku: {LONG_SKU}")],
         T, LONG_SKU, "seller_sku must be 1-50 characters (it has 51)", "skus[0].seller_sku"),
    Case("seller_sku used by another product", [(KOPI, "seller_sku: KOPI-KAPAL-API-500G",
                                                  "seller_sku: BATIK-KAWUNG-M")],
         KOPI, "seller_sku: BATIK-KAWUNG-M", "seller_sku 'BATIK-KAWUNG-M' is already used by product 'batik-kawung'",
         "skus[1].seller_sku"),
    Case("seller_sku twice in one product", [(KOPI, "seller_sku: KOPI-KAPAL-API-500G",
                                               "seller_sku: KOPI-KAPAL-API-250G")],
         KOPI, "seller_sku: KOPI-KAPAL-API-250G", "already used by another SKU of this product",
         "skus[1].seller_sku", 2),
    Case("seller_sku written as a number", [(T, "seller_sku: TAS-PANDAN-TSM", "seller_sku: 12345")],
         T, "seller_sku: 12345", "expected text, got a number (put it in quotes", "skus[0].seller_sku"),
    Case("sales attribute names differ", [(K, "sales_attributes: {Warna: Hitam, Ukuran: L}",
                                         "sales_attributes: {Warna: Hitam}")],
         K, "sales_attributes: {Warna: Hitam}", "sales attributes must have the same names on every SKU",
         "skus[2].sales_attributes"),
    Case("same sales attributes twice", [(K, "sales_attributes: {Warna: Hitam, Ukuran: L}",
                                          "sales_attributes: {Warna: Hitam, Ukuran: M}")],
         K, "sales_attributes: {Warna: Hitam, Ukuran: M}", "has the same sales attributes (Ukuran: M, Warna: Hitam)",
         "skus[2].sales_attributes", 2),
    Case("several SKUs without sales attributes", [(KOPI, "    sales_attributes: {Berat: 500g}\n", "")],
         KOPI, "seller_sku: KOPI-KAPAL-API-500G", "needs sales_attributes", "skus[1]"),
    Case("price zero", [(T, "price: 89000", "price: 0")], T, "price: 0", "price must be more than 0", "skus[0].price"),
    Case("price with 3 decimals", [(T, "price: 89000", 'price: "89000.125"')],
         T, "price: \"89000.125\"", "IDR prices have at most 2 decimals", "skus[0].price"),
    Case("price as text", [(T, "price: 89000", 'price: "Rp 89.000"')],
         T, "Rp 89.000", "price must be a plain number of rupiah", "skus[0].price"),
    Case("price with a thousands separator", [(T, "price: 89000", "price: 89.000")],
         T, "price: 89.000", "read as 89 rupiah", "price"),
    Case("price with grouped thousands as text", [(T, "price: 89000", 'price: "1.250.000"')],
         T, "1.250.000", "leave out the thousands separators: 1250000", "skus[0].price"),
    Case("unknown warehouse", [(T, "inventory: {Gudang Jakarta: 25, Gudang Surabaya: 25}",
                                "inventory: {Gudang Jakarta: 25, Gudang Surbaya: 25}")],
         T, "Gudang Surbaya", "unknown warehouse 'Gudang Surbaya' (did you mean 'Gudang Surabaya'?)",
         'skus[0].inventory["Gudang Surbaya"]'),
    Case("stock out of range", [(T, "inventory: {Gudang Jakarta: 25,", "inventory: {Gudang Jakarta: 100000,")],
         T, "Gudang Jakarta: 100000", "stock must be 0-99999", 'skus[0].inventory["Gudang Jakarta"]'),
    Case("weight in grams", [(T, "package_weight: 0.4", "package_weight: {value: 400, unit: GRAM}")],
         T, "package_weight: {value: 400", "write the weight in KILOGRAM", "package_weight.unit"),
    Case("weight zero", [(T, "package_weight: 0.4", "package_weight: 0")],
         T, "package_weight: 0", "package_weight must be more than 0 kg", "package_weight", 2),
    Case("weight with 4 decimals", [(T, "package_weight: 0.4", "package_weight: 0.4125")],
         T, "package_weight: 0.4125", "at most 3 decimals", "package_weight"),
    Case("dimensions not whole centimetres", [(J, "{length: 12, width: 10", "{length: 12.5, width: 10")],
         J, "length: 12.5", "expected a whole number, got 12.5", "package_dimensions.length"),
    Case("dimensions in inches", [(J, "height: 8}", "height: 8, unit: INCH}")],
         J, "unit: INCH", "use CENTIMETER", "package_dimensions.unit"),
    Case("minimum order quantity above 20", [(K, "minimum_order_quantity: 3", "minimum_order_quantity: 25")],
         K, "minimum_order_quantity: 25", "minimum_order_quantity must be 1-20 (got 25)", "minimum_order_quantity"),
    Case("minimum order quantity zero", [(K, "minimum_order_quantity: 3", "minimum_order_quantity: 0")],
         K, "minimum_order_quantity: 0", "minimum_order_quantity must be 1-20 (got 0)", "minimum_order_quantity"),
    Case("pre-order too short", [(T, "handling_duration_days: 7}", "handling_duration_days: 2}")],
         T, "handling_duration_days: 2", "must be 3-30 calendar days (got 2)",
         "skus[0].pre_sale.handling_duration_days"),
    Case("pre-order too long", [(T, "handling_duration_days: 14}", "handling_duration_days: 31}")],
         T, "handling_duration_days: 31", "must be 3-30 calendar days (got 31)",
         "skus[1].pre_sale.handling_duration_days"),
    Case("pre-sale type misspelt", [(T, "{type: PRE_ORDER, handling_duration_days: 7}",
                                     "{type: PRE_ORDR, handling_duration_days: 7}")],
         T, "PRE_ORDR", "'PRE_ORDR' is not allowed (did you mean 'PRE_ORDER'?)", "skus[0].pre_sale.type"),
    Case("only some SKUs pre-order", [(T, "    pre_sale: {type: PRE_ORDER, handling_duration_days: 14}\n", "")],
         T, "seller_sku: TAS-ROTAN-BULAT-BESAR", "all SKUs of a product must share the same pre-sale type", "skus[1]"),
    Case("insurance without Tokopedia", [(J, "shipping_insurance_requirement: REQUIRED",
                                          "shipping_insurance_requirement: REQUIRED\n"
                                          "listing_platforms: [TIKTOK_SHOP]")],
         J, "shipping_insurance_requirement: REQUIRED", "applies only to products listed on TOKOPEDIA",
         "shipping_insurance_requirement"),
    Case("insurance inherited from a base without Tokopedia",
         [(E, "key: samsung-galaxy-a55\n", "key: samsung-galaxy-a55\nlisting_platforms: [TIKTOK_SHOP]\n")],
         "bases/elektronik.yaml", "shipping_insurance_requirement: REQUIRED",
         "applies only to products listed on TOKOPEDIA", "shipping_insurance_requirement",
         extra={"inherited": "(inherited by product 'samsung-galaxy-a55')"}),
    Case("pre-owned on both platforms", [(E, "listing_platforms: [TOKOPEDIA]",
                                        "listing_platforms: [TOKOPEDIA, TIKTOK_SHOP]")],
         E, "is_pre_owned: true", "allowed only when TOKOPEDIA is the sole listing platform", "is_pre_owned"),
    Case("listing platform misspelt", [(E, "listing_platforms: [TOKOPEDIA]", "listing_platforms: [TOKOPEDA]")],
         E, "listing_platforms: [TOKOPEDA]", "'TOKOPEDA' is not allowed (did you mean 'TOKOPEDIA'?)",
         "listing_platforms[0]"),
    Case("same key twice", [(KOPI, "key: kopi-kapal-api-special", "key: kaos-polos-katun")],
         KOPI, "key: kaos-polos-katun", "key 'kaos-polos-katun' is already used by the product at", "key"),
    Case("key with spaces", [(KOPI, "key: kopi-kapal-api-special", "key: kopi kapal api")],
         KOPI, "key: kopi kapal api", "key must be 1-100 letters, digits", "key"),
    Case("missing image file", [(KOPI, "images/kopi-kapal-api-1.png", "images/kopi-kapal-api-9.png")],
         KOPI, "images/kopi-kapal-api-9.png", "image file not found: images/kopi-kapal-api-9.png", "main_images[0]"),
    Case("image outside the catalog", [(KOPI, "images/kopi-kapal-api-1.png", "../../etc/passwd.png")],
         KOPI, "../../etc/passwd.png", "outside the catalog directory", "main_images[0]"),
    Case("image from the web", [(KOPI, "images/kopi-kapal-api-1.png", "https://example.com/kopi.png")],
         KOPI, "https://example.com/kopi.png", "web address", "main_images[0]"),
    Case("template variable undefined", [("templates/batik.html.j2", "{{ makna }}", "{{ arti }}")],
         "templates/batik.html.j2", "{{ arti }}", "undefined variable: 'arti' is undefined", "description",
         extra={"inherited": "(rendering the description of products 'batik-kawung', 'batik-parang')"}),
    Case("template variable undefined in an include", [("templates/_pengiriman.html.j2", "{{ kota_pengiriman }}",
                                                        "{{ kota }}")],
         "templates/_pengiriman.html.j2", "{{ kota }}", "'kota' is undefined", "description"),
    Case("template syntax error", [("templates/batik.html.j2", "{% endfor %}", "{% endfo %}")],
         "templates/batik.html.j2", "{% endfo %}", "template syntax error", "description"),
    Case("template not found", [(B, "template: batik.html.j2         #", "template: batk.html.j2         #")],
         B, "template: batk.html.j2", "template 'batk.html.j2' not found in", "description.template",
         extra={"hint": "(did you mean 'batik.html.j2'?)"}),
    Case("YAML syntax error", [(KOPI, "brand: Kopi Kapal Api", "brand: [Kopi Kapal Api")],
         KOPI, "main_images:", "(while parsing a flow sequence that starts at line 7)"),
    Case("duplicate YAML key", [(J, "  Bahan Tali: Kulit", "  Bahan Tali: Kulit\n  Mesin: Quartz")],
         J, "Mesin: Quartz", "duplicate key 'Mesin'"),
    Case("unknown field", [(KOPI, "brand: Kopi Kapal Api", "brnad: Kopi Kapal Api")],
         KOPI, "brnad: Kopi Kapal Api", "unknown field 'brnad' (did you mean 'brand'?)", "brnad"),
    Case("unknown SKU field", [(KOPI, "    price: 27500", "    prise: 27500")],
         KOPI, "prise: 27500", "unknown field 'prise' (did you mean 'price'?)", "skus[0].prise"),
    Case("status misspelt", [(B, "status: inactive", "status: inactiv")],
         B, "status: inactiv", "'inactiv' is not allowed (did you mean 'inactive'?)", "status"),
    Case("unknown base", [(B, "extends: kemeja-batik\ntitle: Kemeja Batik Pria Motif Kawung",
                           "extends: kemeja-batk\ntitle: Kemeja Batik Pria Motif Kawung")],
         B, "extends: kemeja-batk", "unknown base 'kemeja-batk' (did you mean 'kemeja-batik'?)", "extends"),
    Case("circular extends",
         [("bases/elektronik.yaml", "package_weight: 0.45", "extends: elektronik\npackage_weight: 0.45")],
         "bases/elektronik.yaml", "extends: elektronik", "goes round in a circle: elektronik -> elektronik", "extends"),
    Case("missing required field", [(KOPI, "title: Kopi Kapal Api Special Bubuk Robusta Kemasan Hemat\n", "")],
         KOPI, "key: kopi-kapal-api-special", "missing required field 'title'", "title"),
    Case("barcode check digit", [(KOPI, '"8998812000177"', '"8998812000178"')],
         KOPI, "8998812000178", "has a wrong check digit (expected 7 at the end)", "skus[0].identifier_code.code"),
    Case("category id not digits", [(KOPI, 'category_id: "600050"', "category_id: Kopi")],
         KOPI, "category_id: Kopi", "category_id must be the digits of a leaf category", "category_id"),
    Case("credential in shop.yaml", [("shop.yaml", "market: ID", "market: ID\napp_secret: s3cr3t-value")],
         "shop.yaml", "app_secret:", "set the environment variable TTS_APP_SECRET instead", "app_secret"),
    Case("credentials in the API address", [("shop.yaml", "target: sandbox ",
                                             "base_url: https://user:pw@open-api.example.com\ntarget: sandbox ")],
         "shop.yaml", "base_url:", "must not contain a user name or password", "base_url"),
    Case("invalid shop default", [("shop.yaml", "  is_cod_allowed: true", "  is_cod_allowed: yes")],
         "shop.yaml", "is_cod_allowed: yes", "expected true or false", "defaults.is_cod_allowed"),
    Case("shop default breaks a rule in a product",
         [("shop.yaml", "  status: active", "  status: active\n  minimum_order_quantity: 30")],
         "shop.yaml", "minimum_order_quantity: 30", "minimum_order_quantity must be 1-20",
         "defaults.minimum_order_quantity"),
    Case("main image too small", [(KOPI, "images/kopi-kapal-api-1.png", "images/kecil.png")],
         KOPI, "images/kecil.png", "is 120x120 px; each side must be 300-4000 px", "main_images[0]",
         extra={"small_image": "images/kecil.png"}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case, tmp_path, monkeypatch, capsys):
    root = demo_copy(tmp_path)
    for rel, old, new in case.edits:
        edit(root, rel, old, new)
    if "small_image" in case.extra:
        from bench.gen_catalog import write_png

        write_png(root / case.extra["small_image"], 120, 120, (10, 10, 10))
    code, out, err = run(monkeypatch, capsys, "validate", root)
    assert code == 1, out + err
    assert "Traceback" not in err
    line = line_of(root, case.file, case.marker, case.nth)
    found = [d for d in diagnostics(err) if d["severity"] == "error" and case.message in d["message"]]
    assert found, f"no error containing {case.message!r} in:\n{err}"
    where = [(d["file"], int(d["line"])) for d in found]
    assert (f"{root.as_posix()}/{case.file}", line) in where, f"expected {case.file}:{line}, got {where}\n{err}"
    if case.path:
        assert case.path in {d["path"] for d in found}, err
    for text in case.extra.values():
        if not text.startswith("images/"):
            assert text in err
    assert err.rstrip().splitlines()[-1].startswith("Error: catalog is invalid:")


def test_the_demo_catalog_is_valid(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "validate", DEMO)
    assert code == 0, err
    assert err == ""  # no warnings either
    assert "valid: 10 products, 19 SKUs" in out and "Tokopedia & Shop" in out


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch, capsys):
    root = demo_copy(tmp_path)
    for case in (CASES[0], CASES[7], CASES[18], CASES[37], CASES[40]):
        for rel, old, new in case.edits:
            edit(root, rel, old, new)
    code, _, err = run(monkeypatch, capsys, "validate", root)
    assert code == 1
    messages = "\n".join(d["message"] for d in diagnostics(err))
    for case in (CASES[0], CASES[7], CASES[18], CASES[37], CASES[40]):
        assert case.message in messages
    assert "Error: catalog is invalid: 5 error(s)" in err


def test_a_credential_value_never_appears_in_output(tmp_path, monkeypatch, capsys):
    root = demo_copy(tmp_path)
    edit(root, "shop.yaml", "market: ID", "market: ID\naccess_token: TTP_very-secret-token\n"
                                          "defaults_x: {refresh_token: TTP_other-secret}")
    edit(root, "products/kopi.yaml", "brand: Kopi Kapal Api", "brand: Kopi Kapal Api\napp_secret: \"TTP_third\"")
    code, out, err = run(monkeypatch, capsys, "validate", root)
    assert code == 1
    assert "TTP_" not in out + err
    assert "TTS_ACCESS_TOKEN" in err and "TTS_REFRESH_TOKEN" in err and "TTS_APP_SECRET" in err


def test_a_syntax_error_hides_no_other_document(tmp_path, monkeypatch, capsys):
    """A broken document is reported; the other documents of the same file are still checked."""
    root = demo_copy(tmp_path)
    edit(root, B, "key: batik-kawung", "key: batik-kawung\n  bad: [indent")
    edit(root, B, "seller_sku: BATIK-MEGA-MENDUNG-L", "seller_sku: BATIK MEGA MENDUNG L")
    code, _, err = run(monkeypatch, capsys, "validate", root)
    assert code == 1
    found = diagnostics(err)
    assert any("YAML syntax error" in d["message"] and int(d["line"]) in range(34, 40) for d in found), err
    assert any(d["path"] == "skus[0].seller_sku" and int(d["line"]) == line_of(root, B, "BATIK MEGA MENDUNG L")
               for d in found), err


def test_a_missing_directory_or_shop_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    code, _, err = run(monkeypatch, capsys, "validate", tmp_path / "nope")
    assert code == 1 and "does not exist" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(monkeypatch, capsys, "validate", tmp_path / "empty")
    assert code == 1 and "shop.yaml not found" in err


def test_validation_writes_nothing(tmp_path, monkeypatch, capsys):
    root = demo_copy(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    run(monkeypatch, capsys, "validate", root)
    edit(root, KOPI, "price: 27500", "price: -1")
    run(monkeypatch, capsys, "validate", root)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


# ---------------------------------------------------------------- the digest of a file's bytes
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "\r\n", "\n", "\r", "key: x", "\ufeff"]), max_size=12), st.booleans())
def test_the_file_digest_from_bytes_is_the_digest_of_the_text(parts, bom):
    """read_file hashes the bytes when they hold no CR: the same value as the text with LF line ends."""
    import hashlib

    from engine.catalog.source import text_digest
    raw = (b"\xef\xbb\xbf" if bom else b"") + "".join(parts).encode()
    text = raw.decode("utf-8-sig")
    digest = hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()
    assert text_digest(text, raw) == text_digest(text) == digest
