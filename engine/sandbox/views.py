"""Wire views of a stored product: Get Product, Search items (per version), write responses.

Field sets follow the official spec per endpoint and version (nothing undeclared):
- `status` / `product_status` / `audit` only when the product is listed on TIKTOK_SHOP;
  `integrated_platform_statuses` only when it is listed on TOKOPEDIA (API.md §6.2);
- Search 202309 has no audit / integrated statuses; 202312 adds them; 202502 adds
  `has_draft`, SKU `pre_sale`, `status_info` and inventory backorders. No description, images, attributes or
  external ids in search results.
"""

from __future__ import annotations

from typing import Any

from engine.sandbox import model
from engine.sandbox.seed import Seed

INVENTORY_202502 = ("warehouse_id", "quantity", "backorder_quantity", "handling_time")
LOGISTICS = ("shipping_insurance_requirement", "is_pre_owned", "minimum_order_quantity", "is_cod_allowed",
             "shipping_template_id", "video")


def image_view(image: dict[str, Any]) -> dict[str, Any]:
    url = image.get("url", "")
    view: dict[str, Any] = {"uri": image["uri"], "urls": [url] if url else [],
                            "thumb_urls": [url + "~thumb"] if url else []}
    for key in ("width", "height"):
        if image.get(key):
            view[key] = image[key]
    return view


def price_view(price: dict[str, Any] | None) -> dict[str, str]:
    if not price:
        return {}
    # Local Indonesian seller: the display price is both sale_price and tax_exclusive_price.
    return {"currency": price["currency"], "sale_price": price["amount"], "tax_exclusive_price": price["amount"]}


def statuses(record: dict[str, Any], *, integrated: bool = True, audit: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {}
    tiktok = record["platforms"].get("TIKTOK_SHOP")
    if tiktok is not None:
        view["status"] = tiktok
        if audit:
            view["audit"] = {"status": record["audit"]}
    tokopedia = record["platforms"].get("TOKOPEDIA")
    if integrated and tokopedia is not None:
        view["integrated_platform_statuses"] = [{"platform": "TOKOPEDIA", "status": tokopedia}]
    return view


def lifecycle_status(record: dict[str, Any]) -> str:
    """`product_status`: lifecycle only (no audit states)."""
    status = record["platforms"].get("TIKTOK_SHOP")
    if status in ("PENDING", "FAILED"):
        prior = (record.get("prior") or {}).get("TIKTOK_SHOP")
        return "ACTIVATE" if prior == "ACTIVATE" else "INITIAL"
    return status or "INITIAL"


def sku_view(sku: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"id": sku["id"], "seller_sku": sku["seller_sku"],
                            "price": price_view(state.get("price")),
                            "inventory": [dict(i) for i in state.get("inventory", [])],
                            "sales_attributes": [_sales_attribute(a) for a in sku.get("sales_attributes", [])],
                            "status_info": {"status": "NORMAL"}}
    for key in ("external_sku_id", "identifier_code", "pre_sale", "sku_unit_count", "external_urls",
                "extra_identifier_codes", "fees", "list_price"):
        if sku.get(key) is not None:
            view[key] = sku[key]
    return view


def _sales_attribute(attr: dict[str, Any]) -> dict[str, Any]:
    view = {k: attr[k] for k in ("id", "name", "value_id", "value_name")}
    if attr.get("sku_img"):
        view["sku_img"] = image_view(attr["sku_img"])
    return view


def product_view(record: dict[str, Any], seed: Seed, *, under_review: bool = False) -> dict[str, Any]:
    """Get Product `data`: the live version, or v2 with return_under_review_version=true."""
    content = model.latest(record) if under_review else record["content"]
    view: dict[str, Any] = {"id": record["id"], "title": content["title"], "description": content["description"],
                            "create_time": record["create_time"], "update_time": record["update_time"]}
    view.update(statuses(record))
    if "status" in view:
        view["product_status"] = lifecycle_status(record)
    if record["audit_failed_reasons"]:
        view["audit_failed_reasons"] = [dict(r) for r in record["audit_failed_reasons"]]
    if record.get("external_product_id"):
        view["external_product_id"] = record["external_product_id"]
    view["has_draft"] = False
    view["category_chains"] = [{"id": c["id"], "parent_id": c["parent_id"], "local_name": c["local_name"],
                                "is_leaf": c["is_leaf"]} for c in seed.category_chain(content["category_id"])]
    if content.get("brand_id"):
        brand = seed.brand(content["brand_id"]) or {"name": ""}
        view["brand"] = {"id": content["brand_id"], "name": brand["name"]}
    view["main_images"] = [image_view(i) for i in content["main_images"]]
    view["product_attributes"] = [{"id": a["id"], "name": a["name"], "values": [dict(v) for v in a["values"]]}
                                  for a in content.get("product_attributes", [])]
    view["package_weight"] = dict(content["package_weight"])
    if content.get("package_dimensions"):
        view["package_dimensions"] = dict(content["package_dimensions"])
    options = seed.delivery_options
    chosen = content.get("delivery_option_ids") or sorted(options)
    view["delivery_options"] = [{"id": o, "name": options[o], "is_available": True} for o in chosen]
    for key in LOGISTICS:
        if content.get(key) is not None:
            view[key] = content[key]
    if content.get("size_chart"):
        chart = content["size_chart"]
        view["size_chart"] = {"image": image_view(chart["image"])} if "image" in chart else dict(chart)
    if content.get("certifications"):
        view["certifications"] = [{**{k: v for k, v in c.items() if k != "images"},
                                   "images": [image_view(i) for i in c["images"]]} for c in content["certifications"]]
    view["is_not_for_sale"] = bool(content.get("is_not_for_sale", False))
    view["skus"] = [sku_view(s, record["skus"].get(s["id"], {})) for s in content["skus"]]
    return view


def search_view(record: dict[str, Any], version: str) -> dict[str, Any]:
    content = record["content"]
    view: dict[str, Any] = {"id": record["id"], "title": content["title"], "create_time": record["create_time"],
                            "update_time": record["update_time"], "sales_regions": ["ID"]}
    newer = version in ("202312", "202502")
    view.update(statuses(record, integrated=newer, audit=newer))
    if newer:
        view["is_not_for_sale"] = bool(content.get("is_not_for_sale", False))
    if version == "202502":
        view["has_draft"] = False
    view["skus"] = [_search_sku(s, record["skus"].get(s["id"], {}), version) for s in content["skus"]]
    return view


def _search_sku(sku: dict[str, Any], state: dict[str, Any], version: str) -> dict[str, Any]:
    kept = INVENTORY_202502 if version == "202502" else ("warehouse_id", "quantity")  # backorders from 202502
    view: dict[str, Any] = {"id": sku["id"], "seller_sku": sku["seller_sku"], "price": price_view(state.get("price")),
                            "inventory": [{k: i[k] for k in kept if k in i} for i in state.get("inventory", [])]}
    if version == "202502":
        if sku.get("pre_sale"):
            view["pre_sale"] = sku["pre_sale"]
        view["status_info"] = {"status": "NORMAL"}
    return view


def sku_response(content: dict[str, Any]) -> list[dict[str, Any]]:
    """`data.skus[]` of create / edit / partial edit responses."""
    result = []
    for sku in content["skus"]:
        item: dict[str, Any] = {"id": sku["id"], "seller_sku": sku["seller_sku"],
                                "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]}
                                                     for a in sku.get("sales_attributes", [])]}
        if sku.get("external_sku_id"):
            item["external_sku_id"] = sku["external_sku_id"]
        result.append(item)
    return result
