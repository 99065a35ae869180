"""Local main images: header sizes of every accepted format, the platform's limits, hashing once."""

from __future__ import annotations

import hashlib
import struct

import pytest

from bench.gen_catalog import write_png
from engine.catalog.images import ImageChecker, ImageProblem, image_size
from engine.catalog.spec import ImageRef


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x00" * 9
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + (width - 1).to_bytes(3, "little") \
        + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def bmp(width: int, height: int) -> bytes:
    return b"BM" + b"\x00" * 16 + struct.pack("<ii", width, -height) + b"\x00" * 28


@pytest.mark.parametrize("data, size", [(jpeg(640, 480), (640, 480)), (webp(800, 1200), (800, 1200)),
                                        (bmp(300, 301), (300, 301)), (b"not an image", None)])
def test_header_sizes(data, size):
    assert image_size(data) == size


def test_png_size_and_hash(tmp_path):
    write_png(tmp_path / "images" / "a.png", 320, 400, (1, 2, 3))
    ref = ImageChecker(tmp_path).check("images/a.png")
    data = (tmp_path / "images" / "a.png").read_bytes()
    assert image_size(data) == (320, 400)
    assert ref == ImageRef(path="images/a.png", sha256=hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("name, data, message", [
    ("big.jpg", jpeg(4001, 500), "is 4001x500 px; each side must be 300-4000 px"),
    ("small.webp", webp(299, 800), "is 299x800 px"),
    ("broken.png", b"\x89PNG garbage", "is not a readable PNG file"),
    ("photo.gif", b"GIF89a", "must be one of JPG, JPEG, PNG, WEBP, HEIC, BMP"),
])
def test_limits(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImageProblem, match=message.replace("(", r"\(")):
        ImageChecker(tmp_path).check(name)


def test_each_file_is_read_once(tmp_path):
    write_png(tmp_path / "a.png", 300, 300, (9, 9, 9))
    checker = ImageChecker(tmp_path)
    first = checker.check("a.png")
    (tmp_path / "a.png").unlink()
    assert checker.check("a.png") is first


def test_paths_stay_inside_the_catalog(tmp_path):
    (tmp_path / "cat").mkdir()
    write_png(tmp_path / "outside.png", 300, 300, (9, 9, 9))
    checker = ImageChecker(tmp_path / "cat")
    for written in ("../outside.png", str(tmp_path / "outside.png")):
        with pytest.raises(ImageProblem):
            checker.check(written)
