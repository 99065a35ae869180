"""`catalog plan --check`: Check Product Listing (a dry run on the shop) for each create and
edit, attached to the plan per product (PASS / FAILED with the reasons, per platform).

The check takes the Create body shape, so it needs uploaded image uris: local images that
are not uploaded yet are uploaded first (once — the next apply reuses them, see
engine.shop.uploads). Nothing else is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from engine.apply.hints import seller_text
from engine.errors import ApiError, AuthError, RateLimitedError, TransientApiError
from engine.plan.live import LiveSnapshot
from engine.plan.model import ListingCheck, Plan, with_checks
from engine.plan.payload import Known
from engine.plan.planner import listing_check_specs
from engine.shop.build import Unsendable
from engine.shop.connect import client_for, run_sync
from engine.shop.models import ListingCheck as WireCheck
from engine.shop.settings import ShopCredentials
from engine.shop.uploads import ImageCache, image_scope
from engine.shop.writer import Writer

CONCURRENCY = 8


def listing_check(result: WireCheck, market: str = "ID") -> ListingCheck:
    reasons = [f"{code} {message}".strip() for code, message in result.fail_reasons]
    reasons += [f"{short} ({item})" if item else short for item, short in result.pre_check if short]
    return ListingCheck("PASS" if result.passed else "FAILED",
                        tuple(seller_text(r, market) for r in dict.fromkeys(reasons)),
                        tuple(seller_text(w, market) for w in result.warnings if w))


async def check_async(plan: Plan, catalog: Any, snapshot: LiveSnapshot, *, app: Any = None) -> Plan:
    shop = catalog.shop
    credentials = ShopCredentials.for_target(shop.target)
    images = ImageCache.for_catalog(catalog.root, image_scope(shop, credentials.app_key))
    specs = listing_check_specs(plan, catalog, snapshot)
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with client_for(shop, app=app, credentials=credentials) as client:
        writer = Writer(client, root=catalog.root, images=images, known=Known(snapshot.metadata))

        async def one(key: str, spec) -> tuple[str, ListingCheck]:
            async with semaphore:
                try:
                    return key, listing_check(await writer.listing_check(spec), shop.market)
                except Unsendable as exc:
                    return key, ListingCheck("FAILED", (str(exc),))
                except ApiError as exc:
                    if not exc.code or isinstance(exc, (AuthError, RateLimitedError, TransientApiError)):
                        raise  # the shop is unreachable or refuses us: the check itself failed
                    return key, ListingCheck("FAILED", (seller_text(str(exc), shop.market),))

        try:
            results: Mapping[str, ListingCheck] = dict(await asyncio.gather(*(one(k, s) for k, s in specs.items())))
        finally:
            images.save()
    return with_checks(plan, dict(results))


def run_check(plan: Plan, catalog: Any, snapshot: LiveSnapshot, **options: Any) -> Plan:
    return run_sync(check_async(plan, catalog, snapshot, **options))
