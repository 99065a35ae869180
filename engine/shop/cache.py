"""On-disk cache of normalised Get Product results, keyed by (product_id, update_time).

One JSON file per product under the cache directory (the catalog's git-ignored
`.catalog-cache/`). An entry is used only when its `update_time`, title and seller SKUs
still match what Search Products reports and it was written by the same normaliser
version; anything else — a moved `update_time`, a corrupt or foreign file, an older
format — is a miss, and the fresh result overwrites it. Writes are atomic (temp file +
rename), so an interrupted run never leaves half a file. A cache that cannot be written
(read-only disk) degrades to no cache with a warning; it never fails a read.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import re
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

import orjson

from engine.codec import to_plain
from engine.plan.live import LiveProduct

log = logging.getLogger("engine.shop")

# Bump when engine/shop/normalize.py changes what it produces: old entries become misses.
CACHE_FORMAT = 1
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ProductCache:
    """Normalised products by (product_id, update_time); a no-op when `directory` is None."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._writable = self.directory is not None

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _path(self, product_id: str) -> Path | None:
        if self.directory is None or not _SAFE_ID.match(product_id):
            return None
        return self.directory / f"{product_id}.json"

    def get(self, product_id: str, update_time: int, *, title: str | None = None,
            seller_skus: tuple[str, ...] | None = None) -> LiveProduct | None:
        path = self._path(product_id)
        if path is None:
            return None
        product = self._load(path, product_id, update_time)
        if product is not None and title is not None and product.title != title:
            product = None
        if product is not None and seller_skus is not None and tuple(sorted(product.seller_skus)) != tuple(
                sorted(seller_skus)):
            product = None
        if product is None:
            self.misses += 1
        else:
            self.hits += 1
        return product

    def _load(self, path: Path, product_id: str, update_time: int) -> LiveProduct | None:
        try:
            entry = orjson.loads(path.read_bytes())
            if (entry.get("format") != CACHE_FORMAT or entry.get("product_id") != product_id
                    or entry.get("update_time") != update_time):
                return None
            product = _decoder(LiveProduct)(entry["product"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:  # orjson.JSONDecodeError is a ValueError
            log.info("ignoring unreadable cache entry %s (%s)", path.name, type(exc).__name__)
            return None
        if product.product_id != product_id or product.update_time != update_time or product.spec is None:
            return None
        return product

    def put(self, product: LiveProduct) -> None:
        path = self._path(product.product_id)
        if path is None or not self._writable or product.spec is None:
            return
        entry = {"format": CACHE_FORMAT, "product_id": product.product_id,
                 "update_time": product.update_time, "product": to_plain(product)}
        # json.dumps, not json.dump: only the one-shot form uses the C encoder (~10x faster)
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            self._writable = False
            log.warning("read cache disabled: cannot write under %s (%s)", self.directory, type(exc).__name__)
            return
        self.writes += 1

    def prune(self, keep: set[str]) -> int:
        """Remove entries of products that no longer exist in the shop."""
        if self.directory is None or not self.directory.is_dir() or not self._writable:
            return 0
        removed = 0
        for path in self.directory.glob("*.json"):
            if path.stem not in keep:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed


# --------------------------------------------------------------------------- fast decoding
# engine.codec.from_plain re-inspects type hints on every value; a warm read decodes
# thousands of cached products, so the same decoding is compiled once per type here (same
# rules as from_plain; tests/test_shop_normalize.py holds the two to the same result).
@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return lambda data: data
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"cache decoding does not support {tp}")
        inner = _decoder(args[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple([item(v) for v in _list(data)])
        parts = [_decoder(a) for a in args]
        return lambda data: tuple([part(v) for part, v in zip(parts, _list(data, len(parts)), strict=True)])
    if origin is frozenset:
        item = _decoder(typing.get_args(tp)[0])
        return lambda data: frozenset([item(v) for v in _list(data)])
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(tp) if not f.name.startswith("_")]

        positional = len(fields) == len(dataclasses.fields(tp))  # no private field in between

        def build(data: Any) -> Any:
            if not isinstance(data, dict):
                raise TypeError(f"expected an object for {tp.__name__}")
            if positional and len(data) == len(fields):  # every field written (what put() writes)
                try:
                    return tp(*[decode(data[name]) for name, decode in fields])
                except KeyError:
                    pass  # another field set of the same size: by name below
            return tp(**{name: decode(data[name]) for name, decode in fields if name in data})
        return build
    if tp in (str, int, float, bool):
        def check(data: Any) -> Any:
            if type(data) is not tp and not (tp is float and type(data) is int):
                raise TypeError(f"expected {tp.__name__}, got {data!r}")
            return float(data) if tp is float else data
        return check
    return lambda data: data


def _list(data: Any, length: int | None = None) -> list:
    if not isinstance(data, list) or (length is not None and len(data) != length):
        raise TypeError("expected a list" + (f" of {length}" if length is not None else ""))
    return data
