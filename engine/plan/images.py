"""Main images as the planner compares them: a local file (path + sha256) is the same as a live
image once it was uploaded as that image's uri.

Where the uri of an upload comes from: the plan's shared map (`ImageIndex`, uploads of this
run and the local image mapping) and the live product's own annotation (`annotated_images`:
each position's token binds the file's sha256 to the uri there, so a fresh clone knows it),
layered on the shared map per product (`ImageIndex.with_own`). The views show live images by
`ImageIndex.live_labels`.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping

from engine.catalog.spec import ImageRef, ProductSpec, image_token, parse_annotation
from engine.plan.live import LiveProduct

ImageUris = Mapping[tuple[str, str], str]


def image_label(image: ImageRef) -> str:
    if image.path is not None:
        return image.path
    return image.uri or ""


class ImageIndex:
    """Uploaded images: (path, sha256) → uri, and back (built once per plan)."""

    def __init__(self, image_uris: ImageUris) -> None:
        self.uris = dict(image_uris)
        self.paths = {uri: path for (path, _), uri in sorted(self.uris.items())}

    def with_own(self, own: ImageUris) -> "ImageIndex":
        """This index with one product's own uploads layered on top (no copy of the shared map)."""
        clone = ImageIndex({})
        clone.uris = ChainMap(dict(own), self.uris)  # type: ignore[assignment]
        clone.paths = ChainMap({uri: path for (path, _), uri in sorted(own.items())}, self.paths)  # type: ignore[assignment]
        return clone

    def live_labels(self, live: tuple[ImageRef, ...], wanted: tuple[ImageRef, ...]) -> list[str]:
        """Live images named as the catalog names them (a local file once uploaded shows its path)."""
        written = {i.uri for i in wanted if i.path is None}
        mine = {}
        for image in wanted:
            if image.path is not None:
                uri = self.uris.get((image.path, image.sha256 or ""))
                if uri is not None:
                    mine[uri] = image.path
        out = []
        for image in live:
            uri = image.uri or ""
            out.append(mine.get(uri) or (uri if uri in written else self.paths.get(uri, uri)))
        return out


def annotated_images(desired: ProductSpec, live: LiveProduct) -> dict[tuple[str, str], str]:
    """(path, sha256) → live uri for each desired local image that the live product's
    annotation says was uploaded as the image at some position (the token of that position
    binds the file's sha256 to the uri there): no local state needed, a fresh clone knows it."""
    if "main_images" not in desired.declared or live.spec is None:
        return {}
    annotation = parse_annotation(live.external_product_id)
    if annotation is None or not annotation.images:
        return {}
    tokens = annotation.images
    main = desired.main_images
    out: dict[tuple[str, str], str] = {}  # each file: the first position whose token is its
    for token, image in zip(tokens, live.spec.main_images, strict=False):  # a token per image sent
        uri = image.uri
        if token and uri:
            for wanted in main:
                path, sha256 = wanted.path, wanted.sha256
                if path and sha256 and (path, sha256) not in out and image_token(sha256, uri) == token:
                    out[path, sha256] = uri
    return out
