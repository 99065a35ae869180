"""Write the golden cases' inputs: tests/cases/<name>/catalog/ and live.json.

    python3 tests/cases/make_cases.py            # rewrites every case's catalog and live.json
    UPDATE_GOLDEN=1 python3 -m pytest tests/test_plan_golden.py   # then refresh expected.txt

Each case is a catalog (YAML, as a seller writes it) and a live shop. The live shop is built
from a second catalog — what the shop holds — normalised the way the shop reader does
(ids and names on every reference, SKU ids, uploaded images), then given a state: platform
statuses, review results, the fingerprint of the version last applied. Review every diff of
live.json and expected.txt before committing.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from test_plan_builders import METADATA, _live_spec  # noqa: E402

from engine.catalog.load import load_catalog  # noqa: E402
from engine.catalog.spec import fingerprint  # noqa: E402
from engine.plan.live import AuditFailure, LiveProduct, LiveSnapshot, ShopMetadata, snapshot_to_dict  # noqa: E402

SHOP = """\
name: Toko Nusantara (sandbox)
warehouses:
  Gudang Jakarta: "7400000000000000001"
  Gudang Surabaya: "7400000000000000002"
defaults:
  listing_platforms: [TIKTOK_SHOP, TOKOPEDIA]
  status: active
"""

BATIK = """\
key: batik-parang
title: Kemeja Batik Parang Lengan Panjang Katun
description: <p>Kemeja batik tulis motif Parang dari Solo.</p><p>Bahan katun adem, jahitan rapi.</p>
category_id: "600010"
brand: Batik Keris
main_images: [{uri: tos-id-i-batik-parang-1}, {uri: tos-id-i-batik-parang-2}]
product_attributes:
  Bahan: Katun
  Motif: Parang
package_weight: 0.3
package_dimensions: {length: 30, width: 20, height: 3}
minimum_order_quantity: 1
shipping_insurance_requirement: OPTIONAL
skus:
  - seller_sku: BATIK-PARANG-M
    price: 150000
    inventory: {Gudang Jakarta: 10}
    sales_attributes: {Ukuran: M}
  - seller_sku: BATIK-PARANG-L
    price: 150000
    inventory: {Gudang Jakarta: 5}
    sales_attributes: {Ukuran: L}
"""

KOPI = """\
key: kopi-gayo
title: Kopi Arabika Gayo Bubuk Premium Aceh
description: <p>Kopi arabika Gayo, disangrai medium.</p>
category_id: "600050"
brand: Kopi Kapal Api
main_images: [{uri: tos-id-i-kopi-gayo-1}]
product_attributes:
  Jenis Kopi: Arabika
package_weight: 0.25
shipping_insurance_requirement: OPTIONAL
skus:
  - seller_sku: KOPI-GAYO-250
    price: 45000
    inventory: {Gudang Jakarta: 40, Gudang Surabaya: 12}
    sales_attributes: {Berat: 250g}
"""

KAOS = """\
key: kaos-polos
title: Kaos Polos Katun Combed 30s Hitam
description: <p>Kaos polos katun combed 30s.</p>
category_id: "600011"
main_images: [{uri: tos-id-i-kaos-1}]
product_attributes:
  Bahan: Katun
package_weight: 0.2
skus:
  - seller_sku: KAOS-POLOS-M
    price: 59000
    inventory: {Gudang Jakarta: 30}
    sales_attributes: {Ukuran: M}
"""

JAM = """\
key: jam-seiko
title: Jam Tangan Seiko 5 Sports Otomatis Original
description: <p>Seiko 5 Sports, mesin otomatis.</p>
category_id: "600030"
brand: Seiko
main_images: [{uri: tos-id-i-jam-1}]
product_attributes:
  Mesin: Otomatis
package_weight: 0.4
package_dimensions: {length: 12, width: 10, height: 8}
is_cod_allowed: false
skus:
  - seller_sku: JAM-SEIKO-5
    price: 3500000
    inventory: {Gudang Jakarta: 3}
"""

ACTIVE_BOTH = (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "ACTIVATE"))


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def load(files: dict[str, str]):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_catalog(root, files)
        return {p.key: p for p in load_catalog(root).products}


def write_catalog(root: Path, files: dict[str, str], shop: str = SHOP) -> None:
    (root / "products").mkdir(parents=True, exist_ok=True)
    (root / "shop.yaml").write_text(shop)
    for name, text in files.items():
        (root / "products" / f"{name}.yaml").write_text(text)


def live(spec, product_id: str, *, statuses=ACTIVE_BOTH, applied=None, with_spec=True, **kw) -> LiveProduct:
    """The reader's view of a product created from `spec`; `applied` = spec last applied."""
    live_spec = replace(_live_spec(spec), key=spec.key)
    fields = dict(
        product_id=product_id, update_time=1_763_000_000 + int(product_id[-3:]), title=spec.title or "",
        status=dict(statuses).get("TIKTOK_SHOP"), platform_statuses=tuple(sorted(statuses)),
        audit_status="APPROVED", last_applied=(spec.key, fingerprint(applied)) if applied else None,
        sku_ids=tuple(sorted((s.seller_sku, f"{product_id}{i + 1:03d}") for i, s in enumerate(spec.skus))),
        spec=live_spec if with_spec else None)
    if applied:
        from engine.catalog.spec import external_product_id

        fields["external_product_id"] = external_product_id(spec.key, fingerprint(applied))
    fields.update(kw)
    return LiveProduct(**fields)


def metadata(*category_ids: str) -> ShopMetadata:
    return ShopMetadata(categories=tuple(c for c in METADATA.categories if c.id in category_ids),
                        brands=METADATA.brands,
                        attributes=tuple(a for a in METADATA.attributes if a[0] in category_ids),
                        warehouses=METADATA.warehouses)


ONLY: set[str] = set()  # case names given on the command line: rewrite only those


def case(name: str, desired: dict[str, str], products=(), *, unmanaged=(), conflicts=(), claims=None,
         categories=("600010",), image_uris=(), images=(), shop: str = SHOP) -> None:
    if ONLY and name not in ONLY:
        return
    root = HERE / name
    shutil.rmtree(root, ignore_errors=True)
    write_catalog(root / "catalog", desired, shop)
    for image in images:
        png(root / "catalog" / image)
    specs = {p.key: p for p in load_catalog(root / "catalog").products}
    if claims is None:
        claims = {}
        for key, spec in specs.items():
            ids = sorted({p.product_id for p in products for s in p.seller_skus if s in spec.seller_skus})
            if ids:
                claims[key] = tuple(ids)
    snapshot = LiveSnapshot(shop_name="Toko Nusantara (sandbox)", products=tuple(products) + tuple(unmanaged),
                            claims=tuple(sorted(claims.items())), unmanaged=tuple(p.product_id for p in unmanaged),
                            conflicts=tuple(conflicts), metadata=metadata(*categories))
    (root / "live.json").write_text(json.dumps(snapshot_to_dict(snapshot), indent=1, ensure_ascii=False) + "\n")
    if image_uris:
        (root / "image_uris.json").write_text(json.dumps([list(t) for t in image_uris]) + "\n")


def png(path: Path, size: int = 320) -> None:
    """A small real PNG (solid colour) for cases with local images."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((176, 58, 46)) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
                     + chunk(b"IEND", b""))


def build_all() -> None:
    base = load({"batik": BATIK, "kopi": KOPI, "kaos": KAOS, "jam": JAM})
    batik, kopi = base["batik-parang"], base["kopi-gayo"]

    case("create-both-platforms", {"batik": BATIK, "kopi": KOPI}, categories=("600010", "600050"))

    cheaper = edit(BATIK, ("price: 150000\n    inventory: {Gudang Jakarta: 10}", "price: 135000\n    inventory: {Gudang Jakarta: 10}"))
    case("price-only", {"batik": cheaper}, [live(batik, "7491000000000000101", applied=batik)])
    # the last apply's price change was held by a promotion (noted by apply in the read cache)
    case("price-held", {"batik": cheaper}, [live(batik, "7491000000000000118", applied=batik, price_hold=(
        "price locked by a running promotion: the price of SKU 7491000000000000118001 cannot be modified during "
        "the promotion (Flash Sale 12.12) (apply of 2026-12-05 05:10 UTC)"))])
    # every seller_sku renamed: no live product holds one; the engine annotation names the key
    renamed = BATIK.replace("BATIK-PARANG-", "BATIK-PRG-")
    case("renamed-skus", {"batik": renamed}, [live(batik, "7491000000000000119", applied=batik)])

    restock = edit(KOPI, ("Gudang Jakarta: 40", "Gudang Jakarta: 100"))
    git_owns_stock = SHOP + "manage: {stock: always}\n"
    case("stock-only", {"kopi": restock}, [live(kopi, "7491000000000000102", applied=kopi)], categories=("600050",),
         shop=git_owns_stock)
    case("stock-shop-owned", {"kopi": restock}, [live(kopi, "7491000000000000117", applied=kopi)],
         categories=("600050",))

    content = edit(BATIK, ("title: Kemeja Batik Parang Lengan Panjang Katun", "title: Kemeja Batik Parang Lengan Panjang Katun Premium"),
                   ("<p>Bahan katun adem, jahitan rapi.</p>", "<p>Bahan katun primisima, adem dan jahitan rapi.</p><p>Cocok untuk kantor.</p>"),
                   ("main_images: [{uri: tos-id-i-batik-parang-1}, {uri: tos-id-i-batik-parang-2}]",
                    "main_images: [images/batik-parang-depan.png, {uri: tos-id-i-batik-parang-2}]"))
    case("partial-edit-content", {"batik": content}, [live(batik, "7491000000000000103", applied=batik)],
         images=("images/batik-parang-depan.png",))

    moq = edit(BATIK, ("minimum_order_quantity: 1", "minimum_order_quantity: 2"))
    insured = edit(KOPI, ("shipping_insurance_requirement: OPTIONAL", "shipping_insurance_requirement: REQUIRED"))
    moved = edit(KAOS, ('category_id: "600011"', 'category_id: "600010"'))
    case("full-edit", {"batik": moq, "kopi": insured, "kaos": moved},
         [live(batik, "7491000000000000104", applied=batik), live(kopi, "7491000000000000105", applied=kopi),
          live(base["kaos-polos"], "7491000000000000106", applied=base["kaos-polos"])],
         categories=("600010", "600011", "600050"))

    added = BATIK + """  - seller_sku: BATIK-PARANG-XL
    price: 160000
    inventory: {Gudang Jakarta: 4, Gudang Surabaya: 2}
    sales_attributes: {Ukuran: XL}
"""
    case("sku-added", {"batik": added}, [live(batik, "7491000000000000107", applied=batik)])

    removed = BATIK[:BATIK.index("  - seller_sku: BATIK-PARANG-L")]
    case("sku-removed", {"batik": removed}, [live(batik, "7491000000000000108", applied=batik)])

    only_tts = edit(BATIK, ("shipping_insurance_requirement: OPTIONAL\n", "listing_platforms: [TIKTOK_SHOP]\n"))
    was = load({"batik": only_tts})["batik-parang"]
    case("platform-added", {"batik": BATIK},
         [live(batik, "7491000000000000109", applied=was, statuses=(("TIKTOK_SHOP", "ACTIVATE"),))])

    only_toko = edit(BATIK, ("minimum_order_quantity: 1\n", "minimum_order_quantity: 1\nlisting_platforms: [TOKOPEDIA]\n"))
    case("platform-removed", {"batik": only_toko}, [live(batik, "7491000000000000110", applied=batik)])

    inactive = BATIK.replace("key: batik-parang\n", "key: batik-parang\nstatus: inactive\n")
    was_inactive = load({"batik": inactive})["batik-parang"]
    off = (("TIKTOK_SHOP", "SELLER_DEACTIVATED"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))
    case("activate", {"batik": BATIK}, [live(batik, "7491000000000000111", applied=was_inactive, statuses=off)])

    case("deactivate", {"batik": inactive}, [live(batik, "7491000000000000112", applied=batik)])

    tombstone = "key: batik-parang\nstatus: deleted\nskus:\n" + BATIK[BATIK.index("  - seller_sku"):]
    case("tombstone-delete", {"batik": tombstone}, [live(batik, "7491000000000000113", applied=batik)])

    case("frozen", {"batik": cheaper},
         [live(batik, "7491000000000000114", applied=batik, with_spec=False,
               statuses=(("TIKTOK_SHOP", "FREEZE"), ("TOKOPEDIA", "ACTIVATE")))])

    retitled = edit(restock, ("title: Kopi Arabika Gayo Bubuk Premium Aceh", "title: Kopi Arabika Gayo Bubuk Premium Aceh Tengah"))
    case("under-review", {"kopi": retitled},
         [live(kopi, "7491000000000000115", applied=kopi, audit_status="AUDITING",
               statuses=(("TIKTOK_SHOP", "PENDING"), ("TOKOPEDIA", "PENDING")))], categories=("600050",))

    promise = edit(KOPI, ("<p>Kopi arabika Gayo, disangrai medium.</p>", "<p>Kopi arabika Gayo, disangrai medium. COD gratis ongkir!</p>"))
    failed_version = load({"kopi": promise})["kopi-gayo"]
    failure = AuditFailure("TOKOPEDIA", ("Shipping promises must use the platform's free-shipping programme.",),
                           ("Remove shipping promises from the description.",), "description")
    failed = dict(applied=failed_version, audit_status="FAILED", audit_failures=(failure,),
                  statuses=(("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "FAILED")))
    case("review-failed-unchanged", {"kopi": promise}, [live(kopi, "7491000000000000116", **failed)],
         categories=("600050",))
    fixed = edit(KOPI, ("<p>Kopi arabika Gayo, disangrai medium.</p>", "<p>Kopi arabika Gayo, disangrai medium. Dikirim dari Jakarta.</p>"))
    case("review-failed-changed", {"kopi": fixed}, [live(kopi, "7491000000000000117", **failed)],
         categories=("600050",))

    edited = load({"batik": edit(BATIK, ("title: Kemeja Batik Parang Lengan Panjang Katun", "title: Kemeja Batik Parang Diskon Akhir Tahun"),
                                 ("price: 150000\n    inventory: {Gudang Jakarta: 5}", "price: 99000\n    inventory: {Gudang Jakarta: 5}"))})["batik-parang"]
    drifted = live(edited, "7491000000000000118", applied=batik)
    case("drift", {"batik": BATIK}, [drifted])

    stranger = load({"tas": KAOS.replace("kaos-polos", "tas-rotan").replace("KAOS-POLOS-M", "TAS-ROTAN-S")
                     .replace("Kaos Polos Katun Combed 30s Hitam", "Tas Anyaman Rotan Lombok Bulat")})["tas-rotan"]
    former = live(stranger, "7491000000000000902", applied=stranger, title="Tas Anyaman Rotan Lombok Bulat", with_spec=False)
    manual = live(kopi, "7491000000000000901", with_spec=False, title="Kopi Robusta Lampung 1 kg (dibuat di Seller Center)")
    case("unmanaged", {"batik": BATIK}, [live(batik, "7491000000000000119", applied=batik)],
         unmanaged=(manual, replace(former, last_applied=("tas-rotan", "0123456789abcdef"))))

    from engine.plan.live import SkuConflict

    half_m = load({"batik": BATIK[:BATIK.index("  - seller_sku: BATIK-PARANG-L")]})["batik-parang"]
    half_l = replace(batik, skus=batik.skus[:1])
    conflict_products = [live(half_m, "7491000000000000120"), live(half_l, "7491000000000000121"),
                         live(kopi, "7491000000000000122", applied=kopi), live(kopi, "7491000000000000123")]
    case("identity-conflict", {"batik": BATIK, "kopi": KOPI}, conflict_products,
         conflicts=(SkuConflict("KOPI-GAYO-250", ("7491000000000000122", "7491000000000000123")),),
         claims={"batik-parang": ("7491000000000000120", "7491000000000000121"),
                 "kopi-gayo": ("7491000000000000122", "7491000000000000123")},
         categories=("600010", "600050"))

    lean = edit(BATIK, ("brand: Batik Keris\n", ""), ("package_dimensions: {length: 30, width: 20, height: 3}\n", ""),
                ("minimum_order_quantity: 1\n", ""))
    seller_center = replace(batik, brand=None, package_dimensions=(40, 30, 5), minimum_order_quantity=3,
                            is_cod_allowed=True, delivery_option_ids=("7300000000000000001",))
    case("undeclared-field-ignored", {"batik": lean},
         [live(seller_center, "7491000000000000124", applied=load({"batik": lean})["batik-parang"])])

    case("adopted", {"batik": cheaper}, [live(batik, "7491000000000000125")])

    case("category-invite-only", {"jam": JAM},
         [live(base["jam-seiko"], "7491000000000000126", applied=base["jam-seiko"], statuses=(("TIKTOK_SHOP", "ACTIVATE"),))],
         categories=("600030",))

    gone = (("TIKTOK_SHOP", "DELETED"), ("TOKOPEDIA", "DELETED"))
    case("recover", {"batik": BATIK}, [live(batik, "7491000000000000127", applied=batik, statuses=gone, with_spec=False)])

    build_adoption(base)
    build_guards(base)


def build_guards(base: dict) -> None:
    """Guards (issue 17): a price typo, a delete and a deactivation among routine changes, shown
    first; the same changes acknowledged; acknowledgements that allow nothing any more."""
    from engine.plan.guards import products_fingerprint

    batik, kopi, kaos, jam = base["batik-parang"], base["kopi-gayo"], base["kaos-polos"], base["jam-seiko"]
    m_price = "price: 150000\n    inventory: {Gudang Jakarta: 10}"
    cheaper = edit(BATIK, (m_price, "price: 135000\n    inventory: {Gudang Jakarta: 10}"))
    typo = edit(KAOS, ("price: 59000", "price: 590"))
    gone = "key: jam-seiko\nstatus: deleted\nskus:\n" + JAM[JAM.index("  - seller_sku"):]
    hidden = KOPI.replace("key: kopi-gayo\n", "key: kopi-gayo\nstatus: inactive\n")
    shop = [live(batik, "7491000000000000301", applied=batik), live(jam, "7491000000000000302", applied=jam),
            live(kaos, "7491000000000000303", applied=kaos), live(kopi, "7491000000000000304", applied=kopi)]
    four = ("600010", "600011", "600030", "600050")
    case("guard-attention-order", {"batik": cheaper, "jam": gone, "kaos": typo, "kopi": hidden}, shop,
         categories=four)
    acknowledged = typo + "acknowledge:\n  price_change:\n    KAOS-POLOS-M: {from: 59000, to: 590}\n"
    deleted = products_fingerprint(["jam-seiko"])
    allowed = SHOP + f'guards:\n  acknowledge:\n    delete: {{count: 1, products: "{deleted}"}}\n'
    case("guard-acknowledged", {"batik": cheaper, "jam": gone, "kaos": acknowledged, "kopi": hidden}, shop,
         categories=four, shop=allowed)
    m_typo = "price: 1500\n    inventory: {Gudang Jakarta: 10}"
    live_typo = load({"batik": edit(BATIK, (m_price, m_typo))})["batik-parang"]
    stale = edit(BATIK, (m_price, m_typo),
                 ("price: 150000\n    inventory: {Gudang Jakarta: 5}", "price: 1400\n    inventory: {Gudang Jakarta: 5}")) + (
        "acknowledge:\n  price_change:\n    BATIK-PARANG-M: {from: 150000, to: 1500}  # live now\n"
        "    BATIK-PARANG-L: {from: 150000, to: 1500}  # the catalog now says 1400\n")
    limits = SHOP + ("guards:\n  max_deactivate: {count: 3}\n  acknowledge:\n"
                     '    deactivate: {count: 2, products: "0123abcd"}  # nothing is deactivated\n')
    case("guard-acknowledgement-stale", {"batik": stale}, [live(live_typo, "7491000000000000305", applied=batik)],
         shop=limits)


def build_adoption(base: dict) -> None:
    """Adoption and identity conflicts (issue 8): products made in Seller Center or by another
    tool carry no engine fingerprint; the catalog finds them by seller_sku."""
    from engine.plan.live import SkuConflict

    batik, kopi, kaos = base["batik-parang"], base["kopi-gayo"], base["kaos-polos"]
    # the shop already holds exactly what the catalog says: adopted, nothing to write
    case("adopted-no-change", {"batik": BATIK, "kopi": KOPI},
         [live(batik, "7491000000000000201"), live(kopi, "7491000000000000202", applied=kopi)],
         categories=("600010", "600050"))
    # a content change on an adopted product: the partial edit records the fingerprint
    retitled = edit(BATIK, ("title: Kemeja Batik Parang Lengan Panjang Katun", "title: Kemeja Batik Parang Lengan Panjang Katun Premium"))
    case("adopted-content-edit", {"batik": retitled}, [live(batik, "7491000000000000203")])
    # a duplicate in Seller Center that was deleted does not count: the live one is adopted
    gone = (("TIKTOK_SHOP", "DELETED"), ("TOKOPEDIA", "DELETED"))
    case("adopted-deleted-duplicate", {"kopi": KOPI},
         [live(kopi, "7491000000000000204"), live(kopi, "7491000000000000205", statuses=gone, with_spec=False)],
         conflicts=(SkuConflict("KOPI-GAYO-250", ("7491000000000000204", "7491000000000000205")),),
         categories=("600050",))
    # a seller SKU held by two live products: an error naming the SKU and both products
    case("conflict-duplicate-sku", {"batik": BATIK},
         [live(batik, "7491000000000000206", applied=batik), live(batik, "7491000000000000207")],
         conflicts=(SkuConflict("BATIK-PARANG-L", ("7491000000000000206", "7491000000000000207")),
                    SkuConflict("BATIK-PARANG-M", ("7491000000000000206", "7491000000000000207"))))
    # one catalog product whose SKUs sit in two live products (a split listing)
    half_m = replace(batik, skus=batik.skus[1:])
    half_l = replace(batik, skus=batik.skus[:1])
    case("conflict-split-product", {"batik": BATIK},
         [live(half_m, "7491000000000000208"), live(half_l, "7491000000000000209")])
    # one live product holding the SKUs of two catalog products
    both = replace(kaos, skus=kaos.skus + kopi.skus)
    case("conflict-one-live-two-catalog", {"kaos": KAOS, "kopi": KOPI}, [live(both, "7491000000000000210")],
         categories=("600011", "600050"))
    # duplicates the catalog does not use are a warning; both stay unmanaged and untouched
    stranger = load({"tas": KAOS.replace("kaos-polos", "tas-rotan").replace("KAOS-POLOS-M", "TAS-ROTAN-S")
                     .replace("Kaos Polos Katun Combed 30s Hitam", "Tas Anyaman Rotan Lombok Bulat")})["tas-rotan"]
    case("conflict-unmanaged-duplicates", {"kaos": KAOS}, [live(kaos, "7491000000000000211", applied=kaos)],
         unmanaged=(live(stranger, "7491000000000000212", with_spec=False),
                    live(stranger, "7491000000000000213", with_spec=False)),
         conflicts=(SkuConflict("TAS-ROTAN-S", ("7491000000000000212", "7491000000000000213")),),
         categories=("600011",))


if __name__ == "__main__":
    ONLY.update(sys.argv[1:])
    build_all()
