"""Local images: the ce3 annotation maps unchanged files to live uris with no local state;
the upload cache (.catalog-cache/images.json) uploads a file once per machine.

Plan-level tests build values in code (test_plan_builders); the upload tests run the Writer
against the in-process sandbox and count calls with store.calls().
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_plan_builders import live_image, plan_for, spec

from engine.catalog.spec import (
    ImageRef,
    external_product_id,
    fingerprint,
    image_token,
    parse_annotation,
    parse_external_product_id,
)
from engine.plan import model as m
from engine.shop.client import ENDPOINTS, ShopClient
from engine.shop.settings import ShopCredentials
from engine.shop.uploads import ImageCache
from engine.shop.writer import Writer, annotation

UPLOAD = ENDPOINTS["upload_image"].api
CREATE = ENDPOINTS["create"].api
PNG = Path(__file__).resolve().parent.parent / "catalogs" / "demo" / "images" / "batik-parang-1.png"


# --------------------------------------------------------------------------- the annotation
def test_annotation_round_trips_and_other_forms_are_not_the_engines():
    images = (ImageRef("u-1", "images/a.png", "ab" * 32), ImageRef("u-2"), ImageRef(None, "images/b.png", "cd" * 32))
    value = external_product_id("batik-parang", "0123456789abcdef", images)
    parsed = parse_annotation(value)
    assert value == f"ce3:0123456789abcdef:{image_token('ab' * 32, 'u-1')}..:batik-parang"
    assert parsed.images == (image_token("ab" * 32, "u-1"), "", "") and str(parsed) == value
    assert parse_annotation(value.replace("ce3:", "ce2:", 1)) is None  # 0.1.0 development builds' forms
    assert parse_external_product_id(value) == ("batik-parang", "0123456789abcdef")
    assert parse_external_product_id("ce1:0123456789abcdef:batik-parang") is None
    assert parse_annotation("ce2:fp:t1.t2") is None and parse_annotation("ce3:fp:t1.t2") is None
    assert parse_annotation("seller-own-id") is None
    longest = external_product_id("k" * 100, "f" * 16, tuple(ImageRef(f"u{i}", f"p{i}", "a" * 64) for i in range(9)))
    assert len(longest) <= 999  # the API's limit for external_product_id


LOCAL = ImageRef(path="images/batik-1.jpg", sha256="aa11")


def _annotated(desired, uris: tuple[str, ...], tokens: tuple[str, ...] | None = None):
    """The live product as an apply left it: uploaded uris live, the annotation naming them."""
    live = live_image(desired)
    live = replace(live, spec=replace(live.spec, main_images=tuple(ImageRef(u) for u in uris)))
    images = tuple(ImageRef(u, i.path, i.sha256) for u, i in zip(uris, desired.main_images, strict=False))
    value = external_product_id(desired.key, fingerprint(desired), images)
    if tokens is not None:
        value = f"ce3:{fingerprint(desired)}:{'.'.join(tokens)}:{desired.key}"
    return replace(live, external_product_id=value)


def test_an_unchanged_local_image_is_known_from_the_annotation_alone():
    desired = spec(main_images=(LOCAL, ImageRef(uri="tos-id-i-batik2")))
    live = _annotated(desired, ("tos-uploaded-7", "tos-id-i-batik2"))
    plan = plan_for(desired, live, image_uris={})  # a fresh clone: no upload cache at all
    assert plan.products == () and not plan.has_changes


def test_without_the_annotation_the_same_live_image_needs_an_upload():
    desired = spec(main_images=(LOCAL, ImageRef(uri="tos-id-i-batik2")))
    live = replace(_annotated(desired, ("tos-uploaded-7", "tos-id-i-batik2")),
                   external_product_id=f"ce3:{fingerprint(desired)}::{desired.key}")  # no image tokens
    (action,) = plan_for(desired, live, image_uris={}).products[0].actions
    assert action.kind == m.PARTIAL_EDIT and action.fields == ("main_images", "external_product_id")
    assert action.uploads == (LOCAL,)


def test_an_image_replaced_in_seller_center_shows_as_a_change():
    desired = spec(main_images=(LOCAL, ImageRef(uri="tos-id-i-batik2")))
    live = _annotated(desired, ("tos-uploaded-7", "tos-id-i-batik2"))
    live = replace(live, spec=replace(live.spec, main_images=(ImageRef("tos-seller-center-9"),
                                                              ImageRef("tos-id-i-batik2"))))
    item = plan_for(desired, live, image_uris={}).products[0]
    (action,) = item.actions
    assert action.uploads == (LOCAL,) and item.drift  # the token no longer matches the live uri


def test_reordered_images_are_matched_by_token_not_position():
    other = ImageRef(path="images/batik-9.jpg", sha256="ee99")
    before = spec(main_images=(LOCAL, other))
    live = _annotated(before, ("tos-a", "tos-b"))
    after = spec(main_images=(other, LOCAL))
    (action,) = plan_for(after, live, image_uris={}).products[0].actions
    assert action.kind == m.PARTIAL_EDIT and action.uploads == ()  # both uris known: nothing to upload
    assert [i.uri for i in action.spec.main_images] == ["tos-b", "tos-a"]
    tokens = parse_annotation(action.external_product_id).images
    assert tokens == (image_token("ee99", "tos-b"), image_token("aa11", "tos-a"))


def test_the_writer_completes_the_annotation_with_the_uploaded_uris():
    planned = external_product_id("k", "f" * 16, (ImageRef(None, "images/a.png", "ab" * 32),))
    assert parse_annotation(planned).images == ()  # not uploaded yet: no token
    done = annotation(planned, (ImageRef("tos-new", "images/a.png", "ab" * 32),))
    assert parse_annotation(done).images == (image_token("ab" * 32, "tos-new"),)
    assert annotation("not-ours", ()) == "not-ours"


# --------------------------------------------------------------------------- uploads
def _client(sandbox) -> ShopClient:
    return ShopClient(ShopCredentials.sandbox(), base_url=sandbox.base_url, transport=sandbox.transport)


def _image(root: Path, name: str = "images/a.png") -> ImageRef:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG.read_bytes())
    return ImageRef(None, name, hashlib.sha256(path.read_bytes()).hexdigest())


def test_one_file_used_by_many_products_is_uploaded_once_per_run_and_once_per_machine(sandbox, tmp_path):
    image = _image(tmp_path)
    copy = replace(image, path="images/a.png")
    cache_file = tmp_path / ".catalog-cache" / "images.json"

    async def run() -> list[str]:
        async with _client(sandbox) as client:
            writer = Writer(client, root=tmp_path, images=ImageCache(cache_file, "scope-1"))
            uris = await asyncio.gather(*(writer.upload(i) for i in (image, copy, image, image)))
            writer.images.save()
            return list(uris)

    first = asyncio.run(run())
    assert len(set(first)) == 1 and sandbox.store.calls()[UPLOAD] == 1
    assert json.loads(cache_file.read_text())["shops"]["scope-1"] == {image.sha256: first[0]}
    again = asyncio.run(run())  # another run on this machine: the cache answers
    assert again == first and sandbox.store.calls()[UPLOAD] == 1


def test_a_cached_uri_the_shop_no_longer_knows_is_uploaded_again_and_the_create_sent_once_more(sandbox, tmp_path):
    image = _image(tmp_path)
    cache = ImageCache(tmp_path / "images.json", "scope-1")
    cache.put(image.sha256, "tos-from-a-reset-sandbox")
    desired = spec(main_images=(image,), skus=spec().skus[:1])
    from test_plan_builders import METADATA

    from engine.plan.payload import Known

    plan = plan_for(desired, image_uris={})
    (action,) = plan.products[0].actions

    async def run():
        async with _client(sandbox) as client:
            return await Writer(client, root=tmp_path, images=cache, known=Known(METADATA)).create(action)

    result = asyncio.run(run())
    assert result.ok, result
    calls = sandbox.store.calls()
    assert calls[UPLOAD] == 1 and calls[CREATE] == 2  # refused (12052722), then sent with the new uri
    assert cache.get(image.sha256) not in (None, "tos-from-a-reset-sandbox")


def test_a_file_changed_since_the_plan_is_not_sent(sandbox, tmp_path):
    from engine.shop.build import Unsendable

    image = _image(tmp_path)
    (tmp_path / image.path).write_bytes(b"\x89PNG changed")

    async def run():
        async with _client(sandbox) as client:
            return await Writer(client, root=tmp_path).upload(image)

    with pytest.raises(Unsendable, match="changed since the plan"):
        asyncio.run(run())
    assert UPLOAD not in sandbox.store.calls()


def test_an_unreadable_cache_is_ignored_and_rewritten(tmp_path):
    path = tmp_path / "images.json"
    path.write_text("{not json")
    cache = ImageCache(path, "scope-1")
    assert cache.get("ab") is None
    cache.put("ab", "tos-1")
    cache.save()
    assert json.loads(path.read_text()) == {"format_version": 1, "shops": {"scope-1": {"ab": "tos-1"}}}


def test_an_upload_is_on_disk_the_moment_it_succeeds(tmp_path):
    """A run killed right after an upload (no save at the end) leaves it recorded: the next run
    does not upload the file again. A journal line a crash cut short is ignored."""
    path = tmp_path / ".catalog-cache" / "images.json"
    cache = ImageCache(path, "scope-1")
    cache.put("ab12", "tos-id-i-first")
    journal = path.with_name("images.journal")
    with open(journal, "a", encoding="utf-8") as handle:
        handle.write("scope-1 cd34 tos-id-i-cut-sh")  # no newline: the process died mid-line
    again = ImageCache(path, "scope-1")  # the next run, without any save()
    assert again.get("ab12") == "tos-id-i-first" and again.get("cd34") is None
    assert not path.exists()
    again.put("ef56", "tos-id-i-second")
    again.save()  # folded into images.json, the journal gone
    assert json.loads(path.read_text())["shops"]["scope-1"] == {"ab12": "tos-id-i-first", "ef56": "tos-id-i-second"}
    assert not journal.exists() and ImageCache(path, "scope-1").get("ef56") == "tos-id-i-second"
