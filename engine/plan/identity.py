"""Which live product is each catalog product? (and which identities conflict)

A catalog product matches the live products that hold any of its seller_skus
(`LiveSnapshot.claims`, filled by the reader) or, when none does (every SKU renamed), the live
product whose engine fingerprint names its key.
Deleted live products only count when nothing alive matches (they can be recovered).
Conflicts are errors naming every product id involved, and the affected catalog products get
no actions: a key spread over several live products, one live product claimed by several
catalog products, a seller_sku held by several live products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.catalog.spec import ProductSpec
from engine.plan.live import LiveProduct, LiveSnapshot
from engine.plan.model import PlanIssue

CONFLICT = "identity_conflict"
FIX = "merge them or delete the duplicate in Seller Center, then plan again"


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids[:-1]) + f" and {ids[-1]}" if len(ids) > 1 else "".join(ids)


def _alive(snapshot: LiveSnapshot, ids: Sequence[str]) -> list[str]:
    return sorted(i for i in ids if not ((live := snapshot.product(i)) is not None and live.is_deleted))


def _by_last_applied(snapshot: LiveSnapshot) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for product in snapshot.products:
        if product.last_applied:
            index[product.last_applied[0]].append(product.product_id)
    return index


def _pick(snapshot: LiveSnapshot, spec: ProductSpec, ids: set[str]) -> tuple[LiveProduct | None, PlanIssue | None]:
    if len(ids) < 2:  # the common case: one live product (deleted or not) or none
        return (snapshot.product(next(iter(ids))) if ids else None), None
    key = spec.key
    found = {i: live for i in ids if (live := snapshot.product(i)) is not None}
    alive = _alive(snapshot, sorted(found))
    if len(alive) > 1:
        return None, PlanIssue("error", key, CONFLICT, _spread(snapshot, spec, alive), tuple(alive))
    if alive:
        return found[alive[0]], None
    if found:  # only deleted ones: the most recent can be recovered
        return max(found.values(), key=lambda live: (live.update_time, live.product_id)), None
    return None, None


def match_products(desired: Sequence[ProductSpec], snapshot: LiveSnapshot
                   ) -> tuple[dict[str, LiveProduct | None], list[PlanIssue]]:
    """key → matched live product (None = not in the shop); conflicting keys are left out."""
    by_fingerprint: dict[str, list[str]] | None = None  # built when first needed
    claims = dict(snapshot.claims)  # once: LiveSnapshot.claimed_by rebuilds it on every call
    matched: dict[str, LiveProduct | None] = {}
    issues: list[PlanIssue] = []
    for spec in desired:
        # by seller_sku; the engine fingerprint's key only when no SKU matches (all renamed)
        ids = claims.get(spec.key)
        if ids is not None and len(ids) == 1:  # the common case: one live product holds its SKUs
            matched[spec.key] = snapshot.product(ids[0])
            continue
        if not ids:
            by_fingerprint = _by_last_applied(snapshot) if by_fingerprint is None else by_fingerprint
            ids = tuple(by_fingerprint.get(spec.key, ()))
        live, issue = _pick(snapshot, spec, set(ids))
        if issue:
            issues.append(issue)
        else:
            matched[spec.key] = live
    issues += _shared_products(matched)
    failed = {i.key for i in issues}
    issues += [i for i in _sku_conflicts(desired, snapshot) if i.key not in failed or not i.key]
    for issue in issues:
        if issue.severity == "error":
            matched.pop(issue.key, None)
    return matched, issues


def _spread(snapshot: LiveSnapshot, spec: ProductSpec, alive: list[str]) -> str:
    """Why a catalog product matches several live products: a seller SKU both hold (a duplicate
    listing), or its SKUs split between them (named per product)."""
    mine = set(spec.seller_skus)
    shared = sorted(c.seller_sku for c in snapshot.conflicts
                    if c.seller_sku in mine and len(set(c.product_ids) & set(alive)) > 1)
    if shared:
        what = "seller SKU" if len(shared) == 1 else "seller SKUs"
        return f"{spec.key}: {what} {_ids(shared)} {'is' if len(shared) == 1 else 'are'} in live products " \
               f"{_ids(alive)}; {FIX}"
    held = {pid: set(live.seller_skus if (live := snapshot.product(pid)) is not None else ()) for pid in alive}
    where = "; ".join(f"{pid} has {', '.join(sorted(mine & held[pid]))}" for pid in alive)
    return f"{spec.key}: its seller SKUs are spread over live products {_ids(alive)} ({where}); {FIX}"


def _shared_products(matched: dict[str, LiveProduct | None]) -> list[PlanIssue]:
    ids = [live.product_id for live in matched.values() if live is not None]
    if len(set(ids)) == len(ids):
        return []  # the common case: every live product matched once
    owners: dict[str, list[str]] = defaultdict(list)
    for key, live in matched.items():
        if live is not None:
            owners[live.product_id].append(key)
    issues = []
    for product_id, keys in owners.items():
        if len(keys) < 2:
            continue
        for key in sorted(keys):
            others = _ids(sorted(k for k in keys if k != key))
            message = (f"{key}: live product {product_id} also matches catalog product {others}; give each "
                       f"catalog product its own seller SKUs, or {FIX}")
            issues.append(PlanIssue("error", key, CONFLICT, message, (product_id,)))
    return issues


def _sku_conflicts(desired: Sequence[ProductSpec], snapshot: LiveSnapshot) -> list[PlanIssue]:
    if not snapshot.conflicts:
        return []
    owners = {sku.seller_sku: spec.key for spec in desired for sku in spec.skus}
    issues = []
    for conflict in snapshot.conflicts:
        alive = _alive(snapshot, conflict.product_ids)
        if len(alive) < 2:
            continue
        key = owners.get(conflict.seller_sku)
        where = f"seller SKU {conflict.seller_sku} is in live products {_ids(alive)}"
        if key is None:
            issues.append(PlanIssue("warning", "", CONFLICT, f"{where} (no catalog product uses it)", tuple(alive)))
        else:
            issues.append(PlanIssue("error", key, CONFLICT, f"{key}: {where}; {FIX}", tuple(alive)))
    return issues
