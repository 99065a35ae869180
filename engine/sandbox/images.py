"""Upload Product Image (API.md §7.17): image size from the header bytes, no imaging library.

Accepts PNG, JPEG, WEBP and BMP (HEIC is documented by the platform but not decoded here:
it is refused with a clear message). Limits: ≤ 10 MB, 100×100–20000×20000 px; MAIN_IMAGE
300–4000 px per side; SIZE_CHART_IMAGE short side ≥ 1024 px. MAIN / ATTRIBUTE images outside
3:4–4:3 are converted to 1:1 (padded to the long side), as the platform does. The URI is
content-addressed (same bytes and use case → same URI), looks like a platform URI
(`tos-alisg-i-<hash>-sandbox`) and only the shop that uploaded it may use it in products.
"""

from __future__ import annotations

import hashlib
import struct

from engine.sandbox import codes
from engine.sandbox.codes import PlatformError
from engine.sandbox.shop import Shop

MAX_BYTES = 10 * 1024 * 1024
USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE")
URL_BASE = "https://images.sandbox.invalid/obj/"


def _png(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _bmp(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"BM" or len(data) < 26:
        return None
    width, height = struct.unpack("<ii", data[18:26])
    return abs(width), abs(height)


def image_size(data: bytes) -> tuple[str, int, int]:
    for kind, reader in (("png", _png), ("jpeg", _jpeg), ("webp", _webp), ("bmp", _bmp)):
        size = reader(data)
        if size:
            return kind, size[0], size[1]
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        raise PlatformError(codes.INVALID_PARAMS, "HEIC images are not supported by the sandbox; upload "
                            "PNG, JPEG, WEBP or BMP")
    raise PlatformError(codes.INVALID_PARAMS, "The file is not an image the platform accepts "
                        "(JPG, JPEG, PNG, WEBP, HEIC, BMP)")


def check_size(width: int, height: int, use_case: str) -> tuple[int, int]:
    if not (100 <= width <= 20000 and 100 <= height <= 20000):
        raise PlatformError(codes.INVALID_PARAMS, f"Image is {width}×{height} px; allowed 100×100–20000×20000")
    if use_case == "MAIN_IMAGE" and not (300 <= width <= 4000 and 300 <= height <= 4000):
        raise PlatformError(codes.INVALID_PARAMS, f"MAIN_IMAGE is {width}×{height} px; allowed 300–4000 px per side")
    if use_case == "SIZE_CHART_IMAGE" and min(width, height) < 1024:
        raise PlatformError(codes.INVALID_PARAMS, "SIZE_CHART_IMAGE needs a short side of at least 1024 px")
    if use_case in ("MAIN_IMAGE", "ATTRIBUTE_IMAGE") and not 0.75 <= width / height <= 4 / 3:
        side = max(width, height)
        return side, side
    return width, height


def upload(shop: Shop, data: bytes | None, use_case: str | None) -> dict[str, object]:
    if data is None:
        raise PlatformError(codes.INVALID_PARAM, "Invalid param: the multipart field `data` (the image file) "
                            "is required")
    use_case = use_case or "MAIN_IMAGE"
    if use_case not in USE_CASES:
        raise PlatformError(codes.INVALID_PARAM, f"Invalid param: use_case must be one of {', '.join(USE_CASES)}")
    if len(data) > MAX_BYTES:
        raise PlatformError(codes.INVALID_PARAMS, f"Image is larger than 10 MB ({len(data)} bytes)")
    kind, width, height = image_size(data)
    width, height = check_size(width, height, use_case)
    digest = hashlib.sha256(use_case.encode() + b"\0" + data).hexdigest()
    uri = f"tos-alisg-i-{digest[:10]}-sandbox/{digest[10:42]}"
    url = f"{URL_BASE}{uri}~tplv-origin.{kind}"
    with shop.db.write() as tx:
        tx.add_image(uri, url, width, height, use_case, shop.now())
    return {"uri": uri, "url": url, "width": width, "height": height, "use_case": use_case}
