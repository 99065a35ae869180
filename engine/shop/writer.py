"""The Writer: the shop side of `catalog apply`, one method per kind of write.

    writer = Writer(client, root=catalog.root, images=ImageCache.for_catalog(root, scope))
    result = await writer.create(action)                    # WriteResult, per platform
    result = await writer.partial_edit(product_id, action)
    batch = await writer.batch("activate", ("TOKOPEDIA",), ids)

The executor (engine.apply) decides what to call and in which order; the Writer turns a
planned Action into the request (engine.shop.build) and sends it through the ShopClient.

Images: a local file the action needs is uploaded once per run (concurrent requests for the
same content share one upload) and once per machine (ImageCache), then its uri goes into the
body. Its content must still be what the plan saw (sha256), or the product is not sent. When
the shop answers that an image is unknown (12052722) and the uri came from the cache (a reset
sandbox, a cache copied from elsewhere), the uri is forgotten, the file uploaded again and
the write sent once more — the first one was refused, so nothing happens twice.

The last-applied annotation (`external_product_id`) is completed here with the image tokens
of the images actually sent (their uris are known only after the upload).
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.catalog.spec import ImageRef, ProductSpec, external_product_id, parse_annotation
from engine.errors import ApiError
from engine.plan.live import AuditFailure, LiveProduct
from engine.plan.model import Action
from engine.plan.payload import Known
from engine.shop.build import (
    Unsendable,
    create_body,
    edit_body,
    inventory_skus,
    listing_check_body,
    partial_edit_body,
    price_skus,
)
from engine.shop.client import SEARCH_PAGE_SIZE, ShopClient
from engine.shop.models import BatchResult, ListingCheck, WriteResult
from engine.shop.normalize import audit_failures, from_search
from engine.shop.uploads import ImageCache

IMAGE_UNKNOWN = 12052722  # "image URI not in TikTok Shop" (API.md §7.3)
MAIN_IMAGE = "MAIN_IMAGE"


@dataclass
class LiveIndex:
    """Every live product as Search lists it (the cheap staleness check of a saved plan)."""

    products: dict[str, LiveProduct] = field(default_factory=dict)
    owners: dict[str, set[str]] = field(default_factory=dict)  # seller_sku → product ids


@dataclass(frozen=True)
class ReviewRead:
    """A written product's state after the run: statuses per platform, review failures."""

    product: LiveProduct
    failures: tuple[AuditFailure, ...] = ()


class Writer:
    def __init__(self, client: ShopClient, *, root: Path | None = None, images: ImageCache | None = None,
                 known: Known | None = None) -> None:
        self.client = client
        self.root = Path(root) if root is not None else None
        self.images = images if images is not None else ImageCache(None, "memory")
        self.known = known
        self._uploads: dict[str, asyncio.Task[str]] = {}
        self.uploaded: set[str] = set()  # sha256 of the files uploaded during this run

    # ------------------------------------------------------------------ images
    async def upload(self, image: ImageRef) -> str:
        """The uri of a local image, uploading it unless this machine already did."""
        if not image.path or not image.sha256:
            raise Unsendable("an image has neither a uri nor a local file")
        cached = self.images.get(image.sha256)
        if cached:
            return cached
        task = self._uploads.get(image.sha256)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = asyncio.ensure_future(self._upload(image))
            self._uploads[image.sha256] = task
        return await task

    async def _upload(self, image: ImageRef) -> str:
        content = self._read_image(image)
        mime = mimetypes.guess_type(image.path or "")[0] or "application/octet-stream"
        result = await self.client.upload_image(content, filename=Path(image.path or "image").name,
                                                use_case=MAIN_IMAGE, mime_type=mime)
        if not result.uri:
            raise ApiError(f"the shop returned no uri for image {image.path}")
        self.images.put(image.sha256 or "", result.uri)
        self.uploaded.add(image.sha256 or "")
        return result.uri

    def _read_image(self, image: ImageRef) -> bytes:
        if self.root is None:
            raise Unsendable(f"image {image.path}: the catalog directory is unknown")
        path = self.root / (image.path or "")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise Unsendable(f"image {image.path} cannot be read ({exc.strerror or exc}); plan again") from None
        if hashlib.sha256(content).hexdigest() != image.sha256:
            raise Unsendable(f"image {image.path} changed since the plan was made; plan again")
        return content

    async def resolved(self, spec: ProductSpec) -> ProductSpec:
        """`spec` with every local main image replaced by its uploaded uri."""
        if all(i.uri for i in spec.main_images):
            return spec
        images = [ImageRef(await self.upload(i), i.path, i.sha256) if not i.uri else i for i in spec.main_images]
        return replace(spec, main_images=tuple(images))

    def _forget_cached(self, sent: ProductSpec) -> set[str]:
        """Forget the cached uris `sent` used that were not uploaded in this run; their sha256s."""
        stale = {i.sha256 for i in sent.main_images if i.sha256 and i.sha256 not in self.uploaded
                 and i.uri and self.images.get(i.sha256) == i.uri}
        for sha256 in stale:
            self.images.forget(sha256)
            self._uploads.pop(sha256, None)
        return stale

    async def _send(self, spec: ProductSpec, build: Callable[[ProductSpec], dict],
                    call: Callable[[dict], Awaitable[WriteResult]]) -> WriteResult:
        sent = await self.resolved(spec)
        result = await call(build(sent))
        if _image_unknown(result):
            forgotten = self._forget_cached(sent)
            if forgotten:  # refused, so nothing happened: upload again and send once more
                images = tuple(ImageRef(None, i.path, i.sha256) if i.sha256 in forgotten else i
                               for i in spec.main_images)
                sent = await self.resolved(replace(spec, main_images=images))
                result = await call(build(sent))
        return result

    # ------------------------------------------------------------------ writes
    async def create(self, action: Action) -> WriteResult:
        spec = _spec(action)

        def build(sent: ProductSpec) -> dict:
            return create_body(sent, platforms=action.platforms, save_mode=action.save_mode, known=self.known,
                               external_product_id=annotation(action.external_product_id, sent.main_images))

        return await self._send(spec, build, lambda body: self.client.create_product(
            body, idempotency_key=action.idempotency_key or None))

    async def edit(self, product_id: str, action: Action) -> WriteResult:
        spec = _spec(action)

        def build(sent: ProductSpec) -> dict:
            return edit_body(sent, sku_ids=action.sku_ids, extra=action.extra, present=action.platforms,
                             known=self.known, clear_pre_sale=cleared_pre_sale(action), save_mode=action.save_mode,
                             external_product_id=annotation(action.external_product_id, sent.main_images))

        return await self._send(spec, build, lambda body: self.client.edit_product(
            product_id, body, platforms=action.platforms))

    async def partial_edit(self, product_id: str, action: Action) -> WriteResult:
        spec = _spec(action)
        with_images = "main_images" in action.fields

        def build(sent: ProductSpec) -> dict:
            value = action.external_product_id
            if with_images:
                value = annotation(value, sent.main_images)
            return partial_edit_body(sent, action.fields, sku_ids=action.sku_ids, present=action.platforms,
                                     known=self.known, clear_pre_sale=cleared_pre_sale(action),
                                     save_mode=action.save_mode,
                                     external_product_id=value)

        return await self._send(spec, build, lambda body: self.client.partial_edit_product(
            product_id, body, platforms=action.platforms))

    async def update_price(self, product_id: str, action: Action) -> WriteResult:
        _known_skus(action.prices)
        return await self.client.update_price(product_id, price_skus(action.prices), platforms=action.platforms)

    async def update_inventory(self, product_id: str, action: Action) -> WriteResult:
        _known_skus(action.stock)
        return await self.client.update_inventory(product_id, inventory_skus(action.stock),
                                                  platforms=action.platforms)

    async def batch(self, kind: str, platforms: Iterable[str], product_ids: Iterable[str]) -> BatchResult:
        ids, platforms = list(product_ids), tuple(platforms)
        if kind == "activate":
            return await self.client.activate(ids, platforms)
        if kind == "deactivate":
            return await self.client.deactivate(ids, platforms)
        if kind == "delete":
            return await self.client.delete(ids)
        if kind == "recover":
            return await self.client.recover(ids)
        raise ValueError(f"not a batch kind: {kind}")

    async def listing_check(self, spec: ProductSpec) -> ListingCheck:
        sent = await self.resolved(spec)
        return await self.client.listing_check(listing_check_body(sent, known=self.known))

    # ------------------------------------------------------------------ reads
    async def live_index(self) -> LiveIndex:
        """Every live product from Search pages (⌈N/100⌉ calls, no Get)."""
        index = LiveIndex()
        async for page in self.client.iter_search(page_size=SEARCH_PAGE_SIZE):
            for item in page.products:
                product = from_search(item)
                previous = index.products.get(product.product_id)
                if previous is not None and previous.update_time > product.update_time:
                    continue
                index.products[product.product_id] = product
                for sku in product.seller_skus:
                    index.owners.setdefault(sku, set()).add(product.product_id)
        return index

    async def review_states(self, products: Mapping[str, str]) -> dict[str, ReviewRead]:
        """product_id → its state now, for products given as {product_id: one of its seller_skus}:
        Search pages filtered by those SKUs, plus Get Product only for review failures (reasons)."""
        skus = sorted(set(products.values()))
        found: dict[str, LiveProduct] = {}
        for start in range(0, len(skus), SEARCH_PAGE_SIZE):
            async for page in self.client.iter_search(seller_skus=skus[start:start + SEARCH_PAGE_SIZE]):
                for item in page.products:
                    product = from_search(item)
                    if product.product_id in products:
                        found[product.product_id] = product
        failed = sorted(pid for pid, p in found.items()
                        if p.audit_status == "FAILED" or any(s == "FAILED" for _, s in p.platform_statuses))
        details = await asyncio.gather(*(self.client.get_product(pid) for pid in failed))
        reasons = {pid: audit_failures(raw) for pid, raw in zip(failed, details, strict=True)}
        return {pid: ReviewRead(product, reasons.get(pid, ())) for pid, product in sorted(found.items())}


# --------------------------------------------------------------------------- helpers
def annotation(value: str, images: Iterable[ImageRef]) -> str:
    """The planned annotation with the image tokens of the images actually sent."""
    parsed = parse_annotation(value)
    if parsed is None:
        return value
    return external_product_id(parsed.key, parsed.fingerprint, tuple(images))


def cleared_pre_sale(action: Action) -> tuple[str, ...]:
    """SKUs the plan turns from pre-order back into regular items (sent as pre_sale type NONE)."""
    return tuple(sorted(c.path[1] for c in action.changes if len(c.path) == 3 and c.path[0] == "skus"
                        and c.path[2] == "pre_sale_days" and c.old is not None and c.new is None))


def _spec(action: Action) -> ProductSpec:
    if action.spec is None:
        raise Unsendable(f"the planned {action.kind} carries no product (damaged plan?)")
    return action.spec


def _known_skus(updates: Iterable[Any]) -> None:
    missing = [u.seller_sku for u in updates if not u.sku_id]
    if missing:
        raise Unsendable(f"SKU {', '.join(missing)} has no SKU id in the shop; plan again")


def _image_unknown(result: WriteResult) -> bool:
    return result.code == IMAGE_UNKNOWN or any(e.code == IMAGE_UNKNOWN for e in result.errors)
