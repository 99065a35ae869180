"""Local main images: found under the catalog, checked like the platform checks them, hashed.

A main image written as a path (`images/batik-1.png`) must be a file inside the catalog, in
a format the platform accepts (JPG, JPEG, PNG, WEBP, HEIC, BMP), at most 10 MB and, for a
main image, 300-4000 px on each side (read from the file header, so no image library is
needed). Its sha256 identifies the content: the engine uploads it once per content.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

from engine.catalog.files import CatalogFiles, FileProblem
from engine.catalog.spec import ImageRef

FORMATS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".bmp")
MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 300, 4000


class ImageProblem(Exception):
    pass


class ImageChecker:
    """Checks and hashes each distinct image file once per load (read through files.CatalogFiles)."""

    def __init__(self, root: Path, files: CatalogFiles | None = None) -> None:
        self.root = root
        self.files = files or CatalogFiles(root)
        self._cache: dict[str, ImageRef | ImageProblem] = {}

    def check(self, written: str) -> ImageRef:
        """ImageRef(path, sha256) for a path as written in YAML; raises ImageProblem."""
        if written not in self._cache:
            try:
                self._cache[written] = self._check(written)
            except ImageProblem as problem:
                self._cache[written] = problem
        result = self._cache[written]
        if isinstance(result, ImageProblem):
            raise result
        return result

    def _check(self, written: str) -> ImageRef:
        if not written.strip():
            raise ImageProblem("image path is empty")
        if "://" in written:
            raise ImageProblem(f"{written!r} is a web address: the platform accepts only uploaded images; "
                               "use a file under the catalog, or {uri: ...} of an image already uploaded")
        relative = Path(written)
        if relative.is_absolute():
            raise ImageProblem(f"image path {written!r} must be relative to the catalog directory")
        path = (self.root / relative)
        try:
            rel = self.files.check(path).relative_to(self.files.real_root).as_posix()
        except FileProblem as problem:
            if problem.link is not None:
                raise ImageProblem(f"image {problem}") from None
            raise ImageProblem(f"image {written!r} is outside the catalog directory") from None
        if path.suffix.lower() not in FORMATS:
            raise ImageProblem(f"image {written!r} must be one of {', '.join(f[1:].upper() for f in FORMATS)}")
        try:
            data = self.files.read(path, MAX_BYTES)
        except FileNotFoundError:
            raise ImageProblem(f"image file not found: {written} (relative to the catalog directory)") from None
        except FileProblem as problem:
            raise ImageProblem(f"image {problem}") from None
        except OSError as exc:
            raise ImageProblem(f"cannot read image {written}: {exc.strerror or exc}") from None
        size = image_size(data)
        if size is None and path.suffix.lower() != ".heic":
            raise ImageProblem(f"image {written} is not a readable {path.suffix[1:].upper()} file")
        if size is not None:
            width, height = size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise ImageProblem(f"main image {written} is {width}x{height} px; each side must be "
                                   f"{MIN_SIDE}-{MAX_SIDE} px")
        return ImageRef(path=rel, sha256=hashlib.sha256(data).hexdigest())


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG, WEBP or BMP header; None when unreadable."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(width), abs(height)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        length = struct.unpack(">H", data[offset + 2:offset + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5:offset + 9])
            return width, height
        offset += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None
