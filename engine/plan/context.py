"""What the routing of every product in one plan shares: the plan's context (uploaded images,
shop metadata, where the catalog is), the desired fingerprint worked out on demand, and the
category permissions a listing needs.
"""

from __future__ import annotations

import copy
from collections import ChainMap

from engine.catalog.spec import PLATFORM_LABELS, ProductSpec, SourceRef, fingerprint
from engine.plan import model as m
from engine.plan.images import ImageIndex, ImageUris
from engine.plan.live import ShopMetadata
from engine.plan.model import PlanIssue
from engine.plan.payload import Known

NOT_PERMITTED = tuple(m.PERMISSION_TEXT)  # category permission statuses that block a listing


class Context:
    """What every product's routing shares: uploaded images and shop metadata."""

    def __init__(self, image_uris: ImageUris, metadata: ShopMetadata | None, root: object = None) -> None:
        self.image_uris = dict(image_uris)
        self.images = ImageIndex(self.image_uris)
        self.metadata = metadata
        self.known = Known(metadata)
        self.prefix = str(root).rstrip("/") + "/" if root else ""

    def with_images(self, own: ImageUris) -> "Context":
        """This context for one product whose annotation names its own uploaded images."""
        if not own or all(self.image_uris.get(k) == v for k, v in own.items()):
            return self
        clone = copy.copy(self)
        clone.image_uris = ChainMap(dict(own), self.image_uris)  # type: ignore[assignment]
        clone.images = self.images.with_own(own)
        return clone

    def source(self, spec: ProductSpec) -> SourceRef:
        """Where the product is declared, relative to the catalog (plans do not depend on
        where the repository is checked out)."""
        ref = spec.source
        if self.prefix and ref.file.startswith(self.prefix):
            return SourceRef(ref.file[len(self.prefix):], ref.line)
        return ref


class Fingerprint:
    """fingerprint(desired), computed at most once and only when a decision needs it."""

    def __init__(self, spec: ProductSpec) -> None:
        self.spec = spec
        self._value: str | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = fingerprint(self.spec)
        return self._value


def permission_problem(known: Known, category_id: str | None, platform: str) -> str | None:
    """The blocking permission status of a category on a platform, or None when allowed/unknown."""
    info = known.category(category_id)
    if info is None:
        return None
    statuses = dict(info.permissions).get(platform, ())
    if "AVAILABLE" in statuses:
        return None
    return next((s for s in NOT_PERMITTED if s in statuses), None)


def permission_warning(key: str, known: Known, category_id: str | None, platform: str) -> PlanIssue | None:
    status = permission_problem(known, category_id, platform)
    if status is None:
        return None
    info = known.category(category_id)
    name = f"{category_id} ({info.name})" if info and info.name else str(category_id)
    message = (f"{key}: category {name} is {m.PERMISSION_TEXT[status]} on {PLATFORM_LABELS[platform]}; "
               "the platform may refuse the listing there")
    return PlanIssue("warning", key, "category_permission", message)
