"""What the routing of every product in one plan shares: the plan's context (uploaded images,
shop metadata, where the catalog is), the desired fingerprint worked out on demand, and the
category permissions a listing needs.
"""

from __future__ import annotations

import copy
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.catalog.models import DEFAULT_OWNERS
from engine.catalog.spec import PLATFORM_LABELS, ProductSpec, SourceRef, fingerprint
from engine.plan import model as m
from engine.plan.images import ImageIndex, ImageUris
from engine.plan.live import LiveSnapshot, ShopMetadata
from engine.plan.model import PlanIssue
from engine.plan.payload import Known

NOT_PERMITTED = tuple(m.PERMISSION_TEXT)  # category permission statuses that block a listing
Locate = Callable[[str, tuple], tuple[str, int, int]]  # (key, path) -> (file, line, column)


class Context:
    """What every product's routing shares: uploaded images, shop metadata, and where the
    catalog wrote each value (`locate`: the loaded catalog's Catalog.locate, when there is one)."""

    def __init__(self, image_uris: ImageUris, metadata: ShopMetadata | None, root: object = None,
                 locate: Locate | None = None, warehouses: dict[str, str] | None = None,
                 ownership: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.image_uris = dict(image_uris)
        self.images = ImageIndex(self.image_uris)
        self.metadata = metadata
        self.known = Known(metadata)
        self.prefix = str(root).rstrip("/") + "/" if root else ""
        self.locate = locate
        self.warehouse_names = {ident: name for name, ident in (warehouses or {}).items()}  # id -> shop.yaml name
        self.ownership = dict(ownership or {})  # key -> (stock, price) where `manage:` is not the default

    def owners(self, key: str) -> tuple[str, str]:
        """Who owns product `key`'s (stock, price) once a SKU exists (engine.plan.ownership)."""
        return self.ownership.get(key, DEFAULT_OWNERS)

    def with_images(self, own: ImageUris) -> "Context":
        """This context for one product whose annotation names its own uploaded images."""
        if not own or all(self.image_uris.get(k) == v for k, v in own.items()):
            return self
        clone = copy.copy(self)
        clone.image_uris = ChainMap(dict(own), self.image_uris)  # type: ignore[assignment]
        clone.images = self.images.with_own(own)
        return clone

    def where(self, spec: ProductSpec, path: tuple = ()) -> str:
        """`file:line:column` of the value at `path` of a product (followed into the base or the
        shop.yaml defaults it is inherited from), relative to the catalog like `source`; the
        product's own line when the catalog cannot say."""
        if self.locate is not None:
            try:
                file, line, column = self.locate(spec.key, path)
            except (KeyError, LookupError):
                pass
            else:
                return f"{self._relative(file)}:{line}:{column}"
        ref = self.source(spec)
        return f"{ref.file}:{ref.line}" if ref.file else spec.key

    def _relative(self, file: str) -> str:
        return file[len(self.prefix):] if self.prefix and file.startswith(self.prefix) else file

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


def new_sku_stock_errors(spec: ProductSpec, seller_skus: Iterable[str], ctx: Context,
                         product_id: str = "") -> list[PlanIssue]:
    """A SKU the shop does not have yet is created with stock 1-99,999 in each of its
    warehouses (Create / Edit / Partial Edit answer 12052055 to a 0): one error per warehouse
    at 0, where the catalog writes it. 0 is for a SKU that exists (Update Inventory takes it)."""
    wanted = set(seller_skus)
    issues = []
    for sku in spec.skus:
        if sku.seller_sku not in wanted:
            continue
        if not sku.inventory:  # left out: allowed under manage.stock on_create, but only once the SKU exists
            where = ctx.where(spec, ("skus", sku.seller_sku))
            message = (f"{where}: {spec.key}: SKU {sku.seller_sku} is new and has no `inventory`: give the stock it is "
                       "created with (under `manage: {stock: on_create}` the shop owns the stock once the SKU exists)")
            issues.append(PlanIssue("error", spec.key, "new_sku_stock", message, (product_id,) if product_id else ()))
        for warehouse, quantity in sku.inventory:
            if quantity >= 1:
                continue
            name = ctx.warehouse_names.get(warehouse, warehouse)
            where = ctx.where(spec, ("skus", sku.seller_sku, "inventory", name))
            message = (f"{where}: {spec.key}: SKU {sku.seller_sku} is new and has stock 0 in {name}: the platform "
                       "creates a SKU with stock 1-99,999 in each of its warehouses (12052055). Give it stock there, "
                       "or leave the warehouse out if the SKU never sells from it (a warehouse cannot be added to a "
                       "SKU later, 12052533); 0 is for a SKU that exists")
            issues.append(PlanIssue("error", spec.key, "new_sku_stock", message, (product_id,) if product_id else ()))
    return issues


def context_for(catalog: Any, snapshot: LiveSnapshot, image_uris: Mapping[tuple[str, str], str] | None) -> Context:
    """The routing context of one plan: a loaded catalog also says where each value is written."""
    shop = getattr(catalog, "shop", None)
    return Context(dict(image_uris or {}), snapshot.metadata, getattr(catalog, "root", None),
                   getattr(catalog, "locate", None), getattr(shop, "warehouses", None),
                   dict(getattr(catalog, "ownership", ())))
