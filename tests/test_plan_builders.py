"""Builders for planner tests: desired specs, their normalised live image, snapshots.

`live_image(desired)` is what the shop reader would produce for a product that was created
from `desired` and never touched since: references carry ids and names (from the sandbox seed
data), SKUs get ids, local images have been uploaded. Planning a catalog against its own live
image must be empty — the tests at the bottom hold the builders to that.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from engine.catalog.spec import (
    MANAGED_FIELDS,
    ImageRef,
    ProductAttribute,
    ProductSpec,
    Ref,
    SalesAttribute,
    SkuSpec,
    SourceRef,
    fingerprint,
)
from engine.plan.live import AttributeDef, CategoryInfo, LiveProduct, LiveSnapshot, ShopMetadata
from engine.plan.planner import make_plan

SEED = json.loads((Path(__file__).resolve().parent.parent / "engine/sandbox/seed/shop.json").read_text())
WH1, WH2 = "7400000000000000001", "7400000000000000002"
BOTH = ("TIKTOK_SHOP", "TOKOPEDIA")
LIVE_BOTH = (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "ACTIVATE"))
IMAGE_URIS = {("images/batik-1.jpg", "aa11"): "tos-id-i-batik1", ("images/batik-2.jpg", "bb22"): "tos-id-i-batik2"}


def _metadata() -> ShopMetadata:
    """The sandbox seed's reference data as the reader gives it (leaf and non-leaf categories)."""
    perms = SEED["category_permissions"]
    categories = tuple(
        CategoryInfo(c["id"], c["local_name"],
                     tuple((p, tuple(perms.get(c["id"], {}).get(p, ["AVAILABLE"]))) for p in BOTH),
                     is_leaf=c["is_leaf"], leaves=() if c["is_leaf"] else tuple(
                         Ref(leaf["id"], leaf["local_name"]) for leaf in SEED["categories"]
                         if leaf["parent_id"] == c["id"] and leaf["is_leaf"]))
        for c in SEED["categories"])
    attributes = tuple(
        (cid, tuple(AttributeDef(a["id"], a["name"], tuple(Ref(v["id"], v["name"]) for v in a["values"]),
                                 a["type"], a["is_requried"], a["is_multiple_selection"], a["is_customizable"])
                    for a in attrs))
        for cid, attrs in SEED["attributes"].items() if not cid.startswith("_"))
    return ShopMetadata(categories=categories,
                        brands=tuple(Ref(b["id"], b["name"]) for b in SEED["brands"]),
                        attributes=attributes,
                        warehouses=tuple(Ref(w["id"], w["name"]) for w in SEED["warehouses"]))


METADATA = _metadata()


def sku(seller_sku: str, price: str = "150000", stock: int = 10, size: str | None = None,
        inventory: tuple[tuple[str, int], ...] | None = None) -> SkuSpec:
    sales = (SalesAttribute("Ukuran", size),) if size else ()
    return SkuSpec(seller_sku, price, inventory if inventory is not None else ((WH1, stock),), sales)


def spec(key: str = "batik-parang", declared=None, **changes) -> ProductSpec:
    """A desired Kemeja Batik declaring every managed field, by name, like a seller writes it."""
    values = dict(
        title="Kemeja Batik Parang Lengan Panjang", description="<p>Batik tulis asli.</p><p>Bahan katun.</p>",
        category_id="600010", brand=Ref(name="Batik Keris"),
        main_images=(ImageRef(path="images/batik-1.jpg", sha256="aa11"), ImageRef(uri="tos-id-i-batik2")),
        product_attributes=(ProductAttribute(None, "Bahan", (Ref(name="Katun"),)),),
        package_weight="0.3", package_dimensions=(30, 20, 3), listing_platforms=BOTH, status="active",
        shipping_insurance_requirement="OPTIONAL", minimum_order_quantity=1, is_cod_allowed=True,
        skus=(sku(f"{key.upper()}-L", "150000", 5, "L"), sku(f"{key.upper()}-M", "150000", 10, "M")),
    )
    values.update(changes)
    return ProductSpec(key=key, declared=frozenset(declared or (set(MANAGED_FIELDS) - {"is_pre_owned",
                                                                                      "delivery_option_ids"})),
                       source=SourceRef(f"products/{key}.yaml", 1), **values)


def _ids(ref: Ref | None, known) -> Ref | None:
    if ref is None:
        return None
    for k in known:
        if k.name == ref.name or (ref.id and k.id == ref.id):
            return Ref(k.id, k.name)
    return Ref(ref.id or f"id-{ref.name}", ref.name or f"name-{ref.id}")


def _live_spec(desired: ProductSpec) -> ProductSpec:
    attrs_known = dict(METADATA.attributes).get(desired.category_id, ())
    attrs = []
    for attr in desired.product_attributes:
        head = _ids(Ref(attr.id, attr.name), [Ref(a.id, a.name) for a in attrs_known])
        known = next((a.values for a in attrs_known if a.id == head.id), ())
        attrs.append(ProductAttribute(head.id, head.name, tuple(_ids(v, known) for v in attr.values)))
    skus = tuple(replace(s, sales_attributes=tuple(
        SalesAttribute(a.name, a.value, "100900", f"v-{a.value}") for a in s.sales_attributes)) for s in desired.skus)
    images = tuple(ImageRef(uri=IMAGE_URIS.get((i.path, i.sha256), i.uri)) for i in desired.main_images)
    return replace(desired, brand=_ids(desired.brand, METADATA.brands), product_attributes=tuple(attrs),
                   skus=skus, main_images=images, declared=frozenset(MANAGED_FIELDS), source=SourceRef())


def live_image(desired: ProductSpec, product_id: str = "1729", statuses=LIVE_BOTH, applied: bool = True,
               live_spec: ProductSpec | None = None, **changes) -> LiveProduct:
    """The live product `desired` became, as the reader normalises it."""
    live = live_spec or _live_spec(desired)
    fields = dict(product_id=product_id, update_time=1_700_000_000, title=live.title or "",
                  status=dict(statuses).get("TIKTOK_SHOP"), platform_statuses=tuple(sorted(statuses)),
                  audit_status="APPROVED",
                  last_applied=(desired.key, fingerprint(desired)) if applied else None,
                  sku_ids=tuple((s.seller_sku, f"{product_id}{i:02d}") for i, s in enumerate(live.skus)),
                  spec=live, extra=(("video", {"id": "v-1"}),))
    fields.update(changes)
    return LiveProduct(**fields)


def snapshot(*products: LiveProduct, unmanaged: tuple[LiveProduct, ...] = (), conflicts=(),
             desired: tuple[ProductSpec, ...] = ()) -> LiveSnapshot:
    """Claims are derived from seller_skus, the way the reader derives them."""
    claims = {}
    for want in desired:
        ids = sorted({p.product_id for p in products for s in p.seller_skus if s in want.seller_skus})
        if ids:
            claims[want.key] = tuple(ids)
    return LiveSnapshot(shop_name="Toko Nusantara (sandbox)", products=tuple(products) + tuple(unmanaged),
                        claims=tuple(sorted(claims.items())), unmanaged=tuple(p.product_id for p in unmanaged),
                        conflicts=tuple(conflicts), metadata=METADATA)


def catalog(*products: ProductSpec, name: str = "Toko Nusantara (sandbox)", market: str = "ID",
            owners: tuple[str, str] | None = None):
    """A loaded catalog's stand-in; `owners` = (stock, price) `manage:` of every product (default: the
    engine's, stock on_create and price always)."""
    shop = SimpleNamespace(name=name, market=market, warehouses={w["name"]: w["id"] for w in SEED["warehouses"]})
    ownership = tuple((p.key, owners) for p in products) if owners else ()
    return SimpleNamespace(shop=shop, products=tuple(products), digest="d1g35t0fc4ta10g", ownership=ownership)


def plan_for(desired: ProductSpec | tuple[ProductSpec, ...], *live: LiveProduct, **kw):
    """make_plan for these desired products against these live ones (claims by seller_sku)."""
    wanted = desired if isinstance(desired, tuple) else (desired,)
    unmanaged = kw.pop("unmanaged", ())
    conflicts = kw.pop("conflicts", ())
    snap = snapshot(*live, unmanaged=unmanaged, conflicts=conflicts, desired=wanted)
    shop = catalog(*wanted, owners=kw.pop("owners", None))
    return make_plan(shop, snap, image_uris=kw.pop("image_uris", IMAGE_URIS), **kw)


# --------------------------------------------------------------------------- the builders hold
def test_a_catalog_against_its_own_live_image_plans_nothing():
    desired = spec()
    plan = plan_for(desired, live_image(desired))
    assert plan.products == () and not plan.has_changes and plan.issues == ()


def test_the_live_image_carries_ids_the_catalog_did_not_write():
    live = live_image(spec())
    assert live.spec.brand == Ref("700001", "Batik Keris")
    assert live.spec.product_attributes[0].values == (Ref("1001001", "Katun"),)
    assert live.spec.main_images[0] == ImageRef(uri="tos-id-i-batik1")


def showcase_plan():
    """One plan with every action kind, a warning, an error and an unmanaged product."""
    from engine.plan.live import AuditFailure, SkuConflict

    s = spec
    desired = (
        s("a-create"),
        s("b-moq", minimum_order_quantity=3),
        s("c-title", title="Kemeja Batik Parang Premium", description="<p>Batik tulis asli.</p><p>Bahan sutra.</p>"),
        s("d-price", skus=(sku("D-PRICE-L", "135000", 5, "L"), sku("D-PRICE-M", "1500000", 10, "M"))),
        s("e-stock", skus=(sku("E-STOCK-L", "150000", 25, "L"), sku("E-STOCK-M", "150000", 10, "M"))),
        s("f-activate"),
        s("g-inactive", status="inactive"),
        s("h-tombstone", status="deleted"),
        s("i-frozen"),
        s("j-failed", title="Kemeja Batik replika"),
        s("k-conflict"),
        s("l-prohibited", category_id="600021",
          product_attributes=(ProductAttribute(None, "Kondisi", (Ref(name="Bekas Baik"),)),)),
    )
    by_key = {d.key: d for d in desired}
    deactivated = (("TIKTOK_SHOP", "ACTIVATE"), ("TOKOPEDIA", "SELLER_DEACTIVATED"))
    failed = by_key["j-failed"]
    live = (
        live_image(s("b-moq"), "2001"), live_image(s("c-title"), "2002"), live_image(s("d-price"), "2003"),
        live_image(s("e-stock"), "2004"), live_image(by_key["f-activate"], "2005", statuses=deactivated),
        live_image(s("g-inactive"), "2006"), live_image(s("h-tombstone"), "2007"),
        live_image(by_key["i-frozen"], "2008", statuses=(("TIKTOK_SHOP", "FREEZE"),), spec=None),
        live_image(failed, "2009", statuses=(("TIKTOK_SHOP", "FAILED"), ("TOKOPEDIA", "FAILED")),
                   audit_status="FAILED", audit_failures=(
                       AuditFailure("TIKTOK_SHOP", ("Counterfeit or replica goods are not allowed.",),
                                    ("Remove the word 'replika' and list only original goods.",)),
                       AuditFailure("TOKOPEDIA", ("Counterfeit or replica goods are not allowed.",)))),
        live_image(by_key["k-conflict"], "2010"),
    )
    stranger = live_image(spec("stranger", title="Tas Anyaman Rotan Lombok Besar"), "3001", applied=False)
    conflicts = (SkuConflict("K-CONFLICT-M", ("2010", "2011")),)
    snap = snapshot(*live, unmanaged=(stranger,), conflicts=conflicts, desired=desired)
    shop = catalog(*desired)
    shop.ownership = (("e-stock", ("always", "always")),)  # `manage: {stock: always}`: its stock is git's
    return make_plan(shop, snap, image_uris=IMAGE_URIS)
