"""Optional product objects: video, size chart, shipping template, certifications.

Stored when well-formed (RuleError 12052910 / 12052722 otherwise); fields that belong to
other markets (EU compliance ids, bundles, global replication, US subscriptions) are ignored
with a warning, like the platform resets invalid optional values.
"""

from __future__ import annotations

from typing import Any, Callable

from engine.sandbox import codes
from engine.sandbox.codes import RuleError

ImageLookup = Callable[[Any], "dict[str, Any] | None"]
# Fields of other markets (EU compliance, GWP, bundles): ignored with a warning.
NOT_IN_INDONESIA = ("manufacturer_ids", "responsible_person_ids", "primary_combined_product_id",
                    "replicated_products", "subscribe_info_edit")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def extras(body: dict[str, Any], image: ImageLookup, warnings: list[str]) -> dict[str, Any]:
    """Video, size chart, shipping template and certifications: stored when well-formed."""
    out: dict[str, Any] = {}
    video = body.get("video")
    if video not in (None, {}):
        if not isinstance(video, dict) or not _is_id(video.get("id")):
            raise RuleError(codes.INVALID_PARAMS, "video must be {id} from Upload Product File")
        out["video"] = {"id": video["id"]}
    chart = body.get("size_chart")
    if chart not in (None, {}):
        picture = chart.get("image") if isinstance(chart, dict) else None
        template = chart.get("template") if isinstance(chart, dict) else None
        if isinstance(picture, dict) and image(picture.get("uri")):
            out["size_chart"] = {"image": image(picture["uri"])}
        elif isinstance(template, dict) and _is_id(template.get("id")):
            out["size_chart"] = {"template": {"id": template["id"]}}
        else:
            raise RuleError(codes.INVALID_PARAMS, "size_chart needs image.uri (uploaded) or template.id")
    if body.get("shipping_template_id") is not None:
        if not _is_id(body["shipping_template_id"]):
            raise RuleError(codes.INVALID_PARAMS, "shipping_template_id must be a string")
        out["shipping_template_id"] = body["shipping_template_id"]
    certifications = body.get("certifications")
    if certifications not in (None, []):
        out["certifications"] = _certifications(certifications, image)
    for key in NOT_IN_INDONESIA:
        if body.get(key) not in (None, [], {}, ""):
            warnings.append(f"{key} does not apply to Indonesian shops; it was ignored")
    return out


def _certifications(value: Any, image: ImageLookup) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 10:
        raise RuleError(codes.INVALID_PARAMS, "certifications must be a list of at most 10")
    result = []
    for item in value:
        if not isinstance(item, dict) or not _is_id(item.get("id")):
            raise RuleError(codes.INVALID_PARAMS, "each certification needs an id")
        images = item.get("images") or []
        if not isinstance(images, list) or any(not isinstance(i, dict) or not image(i.get("uri"))
                                               for i in images):
            raise RuleError(codes.IMAGE_NOT_FOUND, "certification images must be uploaded to this shop")
        entry: dict[str, Any] = {"id": item["id"], "images": [image(i["uri"]) for i in images]}
        expiry = item.get("expiration_date")
        if expiry is not None:
            if isinstance(expiry, bool) or not isinstance(expiry, int):
                raise RuleError(codes.INVALID_PARAMS, "certification expiration_date must be Unix seconds")
            entry["expiration_date"] = expiry
        result.append(entry)
    return result
