"""Catalog keys for imported products: readable, unique, and independent of the order products come in.

    keys = assign_keys({"1729": ("Kemeja Batik Parang", ("BATIK-M",))}, taken=catalog.keys)
    keys == {"1729": "kemeja-batik-parang"}

A key is the title as a slug (ASCII, lower case, words joined by '-', cut at a word below
KEY_WORDS_LENGTH characters); when two products (or an existing key) want the same one, the
first seller SKU is added, then the product id. A product the engine once managed gets the key
its annotation names back, when that key is free.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

KEY_WORDS_LENGTH = 40  # a key is cut at a word boundary below this length


def slug(text: str, limit: int = KEY_WORDS_LENGTH) -> str:
    """'Kemeja Batik Pria — Motif Parang!' → 'kemeja-batik-pria-motif-parang' (cut at a word)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text.lower()) if w]
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    if not out and words:
        out = words[0][:limit]
    return out


def key_candidates(title: str, seller_skus: Iterable[str], product_id: str) -> tuple[str, ...]:
    """Keys to try for a product, most readable first: title, title + first SKU, title + id."""
    skus = sorted(s for s in seller_skus if s)
    sku = slug(skus[0], 40) if skus else ""
    base = slug(title) or sku or "product"
    return (base, f"{base}-{sku}" if sku and sku != base else f"{base}-{product_id}", f"{base}-{product_id}")


def assign_keys(products: Mapping[str, tuple[str, tuple[str, ...]]], taken: Iterable[str],
                preferred: Mapping[str, str] | None = None) -> dict[str, str]:
    """product id → a unique catalog key. `products`: id → (title, seller_skus); `preferred`:
    id → a key to use when free (the key its engine annotation names). The result does not
    depend on the order of `products`: a candidate two products share goes to neither."""
    used = set(taken)
    out: dict[str, str] = {}
    wanted = {pid: key for pid, key in (preferred or {}).items() if pid in products}
    counts: dict[str, int] = {}
    for key in wanted.values():
        counts[key] = counts.get(key, 0) + 1
    for pid, key in sorted(wanted.items()):
        if counts[key] == 1 and key not in used:
            out[pid] = key
    used.update(out.values())
    pending = sorted(pid for pid in products if pid not in out)
    for level in range(3):
        tries = {pid: key_candidates(*products[pid], pid)[level] for pid in pending}
        counts = {}
        for key in tries.values():
            counts[key] = counts.get(key, 0) + 1
        for pid, key in tries.items():
            if counts[key] == 1 and key not in used:
                out[pid] = key
        used.update(out[pid] for pid in pending if pid in out)
        pending = [pid for pid in pending if pid not in out]
    for pid in pending:  # the product id is unique in the shop; only an existing key can clash
        number, key = 2, f"{key_candidates(*products[pid], pid)[2]}"
        while key in used:
            key, number = f"{key_candidates(*products[pid], pid)[2]}-{number}", number + 1
        out[pid] = key
        used.add(key)
    return out
