"""The Python API for tests and benchmarks (SandboxStore), image headers and upload limits."""

from __future__ import annotations

import pytest
from rawclient import batik, jpeg, png, webp

from engine.sandbox.codes import PlatformError
from engine.sandbox.images import image_size
from engine.sandbox.store import SandboxStore, reset_database


def test_seed_products_statuses_and_platforms(tmp_path):
    with SandboxStore(tmp_path / "shop.db") as store:
        reviewed = store.seed_products([batik("u", prefix="OK"),
                                        batik("u", prefix="BAD", title="Kemeja Batik Replika Lengan Panjang Murah")])
        hidden = store.seed_products([batik("u", prefix="HID")], status="SELLER_DEACTIVATED",
                                     platforms=["TIKTOK_SHOP", "TOKOPEDIA"])
        records = {r["id"]: r for r in store.products()}
        assert records[reviewed[0]]["platforms"] == {"TIKTOK_SHOP": "ACTIVATE"}
        assert records[reviewed[1]]["platforms"] == {"TIKTOK_SHOP": "FAILED"}
        assert records[reviewed[1]]["audit_failed_reasons"][0]["position"] == "title"
        assert records[hidden[0]]["platforms"] == {"TIKTOK_SHOP": "SELLER_DEACTIVATED",
                                                   "TOKOPEDIA": "SELLER_DEACTIVATED"}
        assert all(len(pid) == 19 and pid.isdigit() for pid in reviewed + hidden)
        assert reviewed == sorted(reviewed) and hidden[0] > reviewed[-1]
        assert store.counts() == {"products": 3, "skus": 6, "images": 1, "TIKTOK_SHOP:ACTIVATE": 1,
                                  "TIKTOK_SHOP:FAILED": 1, "TIKTOK_SHOP:SELLER_DEACTIVATED": 1,
                                  "TOKOPEDIA:SELLER_DEACTIVATED": 1}


def test_seed_products_refuses_invalid_bodies(tmp_path):
    with SandboxStore(tmp_path / "shop.db") as store:
        with pytest.raises(ValueError, match="seed body 1: title must be 25–255"):
            store.seed_products([batik("u"), batik("u", title="short")])
        with pytest.raises(ValueError, match="external_product_id 'x' is used twice"):
            store.seed_products([batik("u", external_product_id="x"), batik("u", external_product_id="x")])
        with pytest.raises(ValueError, match="status must be one of"):
            store.seed_products([batik("u")], status="LIVE")
        assert store.counts()["products"] == 0


def test_seeding_many_products_in_one_transaction(tmp_path):
    bodies = [batik("tos-alisg-i-seed-sandbox/1", prefix=f"S{i}") for i in range(2000)]
    with SandboxStore(tmp_path / "shop.db") as store:
        ids = store.seed_products(bodies, status="ACTIVATE")
        assert len(set(ids)) == 2000 and store.counts()["skus"] == 4000


def test_set_status_and_outside_edit(tmp_path):
    with SandboxStore(tmp_path / "shop.db") as store:
        [product_id] = store.seed_products([batik("u")], status="ACTIVATE")
        before = store.product(product_id)["update_time"]
        store.set_status(product_id, "TOKOPEDIA", "PLATFORM_DEACTIVATED")
        record = store.product(product_id)
        assert record["platforms"] == {"TIKTOK_SHOP": "ACTIVATE", "TOKOPEDIA": "PLATFORM_DEACTIVATED"}
        assert record["update_time"] > before
        edited = store.outside_edit(product_id, description="<p>baru</p>",
                                    stock={"BATIK-M": {"7400000000000000001": 3}})
        assert edited["content"]["description"] == "<p>baru</p>"
        assert edited["update_time"] > record["update_time"]
        with pytest.raises(ValueError, match="cannot set 'color'"):
            store.outside_edit(product_id, color="red")
        with pytest.raises(KeyError):
            store.set_status("1729000000000000000", "TOKOPEDIA", "FREEZE")


def test_reset_database(tmp_path):
    with SandboxStore(tmp_path / "shop.db") as store:
        first = store.seed_products([batik("u")], status="ACTIVATE")
    reset_database(tmp_path / "shop.db")
    with SandboxStore(tmp_path / "shop.db") as store:
        assert store.counts() == {"products": 0, "skus": 0, "images": 0}
        again = store.seed_products([batik("u")], status="ACTIVATE")
        assert again[0] > first[0]  # ids never come back


@pytest.mark.parametrize("data, expected", [
    (png(640, 480), ("png", 640, 480)),
    (jpeg(1200, 900), ("jpeg", 1200, 900)),
    (webp(300, 400), ("webp", 300, 400)),
    (b"BM" + b"\0" * 16 + (500).to_bytes(4, "little") + (-700).to_bytes(4, "little", signed=True), ("bmp", 500, 700)),
])
def test_image_size_from_headers(data, expected):
    assert image_size(data) == expected


def test_unknown_image_formats():
    with pytest.raises(PlatformError, match="not an image"):
        image_size(b"GIF89a....")
    with pytest.raises(PlatformError, match="HEIC"):
        image_size(b"\0\0\0\x18ftypheic" + b"\0" * 20)


@pytest.mark.parametrize("data, use_case, outcome", [
    (png(800, 800), "MAIN_IMAGE", (800, 800)),
    (png(200, 200), "MAIN_IMAGE", 12052910),  # MAIN_IMAGE 300–4000 px
    (png(5000, 4000), "MAIN_IMAGE", 12052910),
    (png(200, 200), "DESCRIPTION_IMAGE", (200, 200)),
    (png(99, 500), "DESCRIPTION_IMAGE", 12052910),
    (png(1600, 800), "MAIN_IMAGE", (1600, 1600)),  # outside 3:4–4:3 → converted to 1:1
    (png(1600, 800), "DESCRIPTION_IMAGE", (1600, 800)),
    (png(1000, 1200), "SIZE_CHART_IMAGE", 12052910),  # short side ≥ 1024
    (jpeg(1100, 1300), "SIZE_CHART_IMAGE", (1100, 1300)),
    (webp(800, 1000), "ATTRIBUTE_IMAGE", (800, 1000)),
    (png(800, 800), "COVER", 36009004),
    (b"not an image", "MAIN_IMAGE", 12052910),
])
def test_upload_limits(sandbox, data, use_case, outcome):
    response = sandbox.client().upload(data, use_case=use_case)
    if isinstance(outcome, int):
        assert response.code == outcome
    else:
        assert response.code == 0, response.json
        assert (response.data["width"], response.data["height"]) == outcome
        assert response.data["use_case"] == use_case
        assert response.data["uri"].startswith("tos-alisg-i-") and response.data["url"].startswith("https://")


def test_upload_is_content_addressed_and_needs_data(sandbox):
    client = sandbox.client()
    first, second = client.upload(png(800, 800)), client.upload(png(800, 800))
    assert first.data["uri"] == second.data["uri"]
    assert client.upload(png(801, 800)).data["uri"] != first.data["uri"]
    with sandbox.off_contract():
        empty = client.call("POST", "/product/202309/images/upload", cipher=False,
                            raw_body=b"--b\r\nContent-Disposition: form-data; name=\"use_case\"\r\n\r\n"
                                     b"MAIN_IMAGE\r\n--b--\r\n",
                            content_type="multipart/form-data; boundary=b")
    assert empty.code == 36009004 and "data" in empty.json["message"]
    with sandbox.off_contract():
        broken = client.call("POST", "/product/202309/images/upload", cipher=False, raw_body=b"garbage",
                             content_type="multipart/form-data")
    assert broken.code == 36009004 and "malformed" in broken.json["message"]


def test_metadata_endpoints(sandbox):
    client = sandbox.client()
    toko = client.call("GET", "/product/202309/categories", query={"listing_platform": "TOKOPEDIA"}).data
    statuses = {c["id"]: c["permission_statuses"] for c in toko["categories"]}
    assert statuses["600030"] == ["INVITE_ONLY"] and statuses["600021"] == ["AVAILABLE"]
    tts = client.call("GET", "/product/202309/categories").data
    assert "600021" not in {c["id"] for c in tts["categories"]}  # prohibited: only on request
    with_prohibited = client.call("GET", "/product/202309/categories",
                                  query={"include_prohibited_categories": "true", "keyword": "bekas"}).data
    assert with_prohibited["categories"] == [{"id": "600021", "parent_id": "600002", "local_name": "Ponsel Bekas",
                                              "is_leaf": True, "permission_statuses": ["PROHIBITED"]}]
    attributes = client.call("GET", "/product/202309/categories/600010/attributes").data["attributes"]
    assert any(a["is_requried"] for a in attributes)
    assert client.call("GET", "/product/202309/categories/600001/attributes").code == 12052024
    rules = client.call("GET", "/product/202309/categories/600050/rules").data
    assert rules["allowed_special_product_types"] == ["PRE_ORDER"]
    assert "allowed_special_product_types" not in client.call("GET", "/product/202309/categories/600010/rules").data
    first = client.call("GET", "/product/202309/brands", query={"page_size": "4"}).data
    rest = client.call("GET", "/product/202309/brands",
                       query={"page_size": "4", "page_token": first["next_page_token"]}).data
    total = len(rest["brands"]) + len(first["brands"])
    assert first["total_count"] == 11 and len(first["brands"]) == 4 and rest["next_page_token"]  # 11 brands
    while rest["next_page_token"]:
        rest = client.call("GET", "/product/202309/brands",
                           query={"page_size": "4", "page_token": rest["next_page_token"]}).data
        total += len(rest["brands"])
    assert total == 11
    authorized = client.call("GET", "/product/202309/brands", query={"page_size": "10", "is_authorized": "1"}).data
    assert {b["authorized_status"] for b in authorized["brands"]} == {"AUTHORIZED"}
    assert client.call("GET", "/product/202309/brands", query={"page_size": "10", "brand_name": "kop"}).data[
        "brands"][0]["name"] == "Kopi Kapal Api"


def test_discovery_data_is_rich_enough_for_catalog_discovery_commands(sandbox):
    """Categories per platform with every permission status, leaf and non-leaf on three levels,
    keyword search; attributes required / optional, single / multiple, with value lists (or none:
    free text); brands per category."""
    client = sandbox.client()

    def tree(platform: str, **query: str) -> dict:
        found = client.call("GET", "/product/202309/categories",
                            query={"listing_platform": platform, "include_prohibited_categories": "true", **query})
        return {c["id"]: c for c in found.data["categories"]}

    shop, toko = tree("TIKTOK_SHOP"), tree("TOKOPEDIA")
    statuses = {s for t in (shop, toko) for c in t.values() if c["is_leaf"] for s in c["permission_statuses"]}
    assert statuses == {"AVAILABLE", "INVITE_ONLY", "PROHIBITED", "NON_MAIN_CATEGORY"}
    assert shop["600031"]["permission_statuses"] == ["NON_MAIN_CATEGORY"]
    assert toko["600031"]["permission_statuses"] == ["AVAILABLE"]
    assert shop["600060"]["permission_statuses"] == ["INVITE_ONLY", "NON_MAIN_CATEGORY"]
    assert toko["600060"]["permission_statuses"] == ["PROHIBITED"]
    chain = [shop["600120"]["parent_id"], shop[shop["600120"]["parent_id"]]["parent_id"]]
    assert chain == ["600012", "600001"] and not shop["600012"]["is_leaf"] and shop["600001"]["parent_id"] == "0"
    assert set(tree("TOKOPEDIA", keyword="celana")) == {"600012", "600120", "600121"}
    hidden = client.call("GET", "/product/202309/categories", query={"listing_platform": "TOKOPEDIA"}).data
    assert "600060" not in {c["id"] for c in hidden["categories"]}  # prohibited: only when asked for
    attributes = {a["name"]: a for a in client.call("GET", "/product/202309/categories/600221/attributes")
                  .data["attributes"]}
    assert attributes["Jenis Konektor"]["is_requried"] and attributes["Jenis Konektor"]["is_multiple_selection"]
    assert not attributes["Garansi"]["is_requried"] and [v["name"] for v in attributes["Daya Output"]["values"]] == [
        "15W", "25W", "45W"]
    bpom = client.call("GET", "/product/202309/categories/600060/attributes").data["attributes"][1]
    assert bpom["name"] == "Nomor BPOM" and bpom["is_requried"] and bpom["is_customizable"] and bpom["values"] == []

    def brands(category: str) -> list[str]:
        found = client.call("GET", "/product/202309/brands", query={"page_size": "100", "category_id": category})
        return [b["name"] for b in found.data["brands"]]

    assert brands("600120") == ["Batik Keris", "Levi's", "Robbyn"]
    assert brands("600221") == ["Samsung", "Apple", "Xiaomi", "Robbyn"]
    assert client.call("GET", "/product/202309/brands", query={"page_size": "5", "category_id": "600012"}).code \
        == 12052024  # not a leaf
