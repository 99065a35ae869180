import json

from engine.catalog.spec import (
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    canonical_decimal,
    external_product_id,
    fingerprint,
    parse_external_product_id,
)
from engine.plan.live import (
    AuditFailure,
    CategoryInfo,
    LiveProduct,
    LiveSnapshot,
    ShopMetadata,
    snapshot_from_dict,
    snapshot_to_dict,
)


def _spec(**kw):
    base = dict(key="batik-m", title="Kemeja Batik Parang Lengan Panjang", brand=Ref(name="Batik Keris"),
                main_images=(ImageRef(uri="tos-alisg-i-123"), ImageRef(path="images/a.jpg", sha256="ab")),
                product_attributes=(ProductAttribute("100100", "Bahan", (Ref("1001001", "Katun"),)),),
                package_dimensions=(30, 20, 5), package_weight="0.5",
                skus=(SkuSpec("BATIK-M", "150000", (("7400000000000000001", 10),),
                              (SalesAttribute("Ukuran", "M"),), 7, ("EAN", "8991234567890")),),
                declared=frozenset({"title", "skus"}))
    base.update(kw)
    return ProductSpec(**base)


def test_snapshot_json_round_trip_is_exact():
    snapshot = LiveSnapshot(
        shop_name="demo",
        products=(LiveProduct(product_id="1729", update_time=1700000000,
                              platform_statuses=(("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "FAILED")),
                              audit_failures=(AuditFailure("TOKOPEDIA", ("banned",), ("fix",)),),
                              last_applied=("batik-m", "abc"), sku_ids=(("BATIK-M", "99"),),
                              spec=_spec(), extra=(("video", {"id": "v1"}),)),),
        claims=(("batik-m", ("1729",)),), unmanaged=("42",),
        metadata=ShopMetadata(categories=(CategoryInfo("600030", "Jam", (("TOKOPEDIA", ("INVITE_ONLY",)),)),)),
    )
    again = snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot))))
    assert again == snapshot
    assert again.product("1729").status_on("TOKOPEDIA") == "FAILED"


def test_canonical_decimal():
    assert canonical_decimal("150000.00") == "150000"
    assert canonical_decimal(150000) == "150000"
    assert canonical_decimal("0.500") == "0.5"
    assert canonical_decimal("2E+2") == "200"
    for bad in ("abc", "nan", True):
        try:
            canonical_decimal(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_fingerprint_covers_declared_fields_only():
    spec = _spec()
    assert fingerprint(spec) == fingerprint(_spec(description="not declared, not managed"))
    assert fingerprint(spec) != fingerprint(_spec(title="Kemeja Batik Kawung Lengan Panjang"))
    ext = external_product_id(spec.key, fingerprint(spec))
    assert parse_external_product_id(ext) == ("batik-m", fingerprint(spec))
    assert parse_external_product_id("SELLER-OWN-ID") is None


def test_api_error_text_lists_only_what_is_known():
    from engine.errors import ApiError

    assert str(ApiError("boom", path="/product/202309/products")) == "boom (/product/202309/products)"
    assert str(ApiError("boom")) == "boom"
    assert str(ApiError("boom", code=36009003, request_id="r1", http_status=500, path="/p")) == (
        "boom (code 36009003, HTTP 500, request_id r1, /p)")


def test_from_plain_rules_hold_for_the_compiled_decoders():
    """One decoder per type, built once: fields left out keep their defaults, unknown keys are
    ignored, a union tries its members in order, int is not bool, float takes int."""
    from dataclasses import dataclass

    from engine.codec import from_plain

    @dataclass(frozen=True)
    class Box:
        name: str
        size: int = 1
        weight: float = 0.0
        tags: frozenset[str] = frozenset()
        pair: tuple[str, int] | None = None
        either: int | str | None = None
        extra: dict[str, int] | None = None

    assert from_plain(Box, {"name": "a"}) == Box("a")
    assert from_plain(Box, {"name": "a", "size": 2, "weight": 3, "tags": ["y", "x"], "pair": ["p", 4],
                            "either": "text", "extra": {"k": 5}}) == Box("a", 2, 3.0, frozenset({"x", "y"}),
                                                                          ("p", 4), "text", {"k": 5})
    assert from_plain(Box, {"name": "a", "unknown": 1, "size": 2, "weight": 0.5, "tags": [], "pair": None,
                            "either": 7}) == Box("a", 2, 0.5, either=7)  # 7 keys, one unknown: by name
    for bad in ({"name": "a", "size": True}, {"name": 1}, {"name": "a", "pair": ["p"]}, ["not", "an object"],
                {"name": "a", "either": 1.5}, {"name": "a", "pair": ["p", True]}, {"name": "a", "pair": [1, 2]},
                {"name": "a", "tags": ["x", 3]}):
        try:
            from_plain(Box, bad)
        except (TypeError, ValueError):
            continue
        raise AssertionError(bad)
    assert type(from_plain(Box, {"name": "a", "weight": 2}).weight) is float
