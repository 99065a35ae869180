"""The packed read cache (engine/shop/cache.py): one SQLite file per shop, keyed by
(product_id, update_time, title, seller SKUs), with the shop's identity, the last listing's
create times and the shop metadata. Foreign, old or broken caches are ignored with a note;
a cache that cannot be written is no cache, never an error."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3

import pytest
from test_shop_normalize import GET

from engine.catalog.spec import Ref
from engine.plan.live import CategoryInfo, ShopMetadata
from engine.shop.cache import BATCH, CACHE_FORMAT, FILENAME, METADATA_MAX_AGE, ReadCache
from engine.shop.normalize import from_get

SHOP = "a" * 64  # a shop identity (a hash)
OTHER = "b" * 64


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def product(number: int = 0, **changes):
    base = from_get({**GET, "id": f"17290000000000{number:05d}"})
    return dataclasses.replace(base, **changes)


def fresh(cache: ReadCache, item) -> bool:
    return cache.is_fresh(item.product_id, item.update_time, item.title, item.seller_skus)


def test_entries_match_update_time_title_and_skus_and_survive_the_process(tmp_path):
    cache = ReadCache.open(tmp_path, SHOP)
    item = product()
    cache.put(item)
    cache.close()
    again = ReadCache.open(tmp_path, SHOP)
    assert fresh(again, item) and again.load([item.product_id]) == {item.product_id: item}
    pid, skus = item.product_id, item.seller_skus
    assert not again.is_fresh(pid, item.update_time + 1, item.title, skus)  # update_time moved
    assert not again.is_fresh(pid, item.update_time, "another title", skus)
    assert not again.is_fresh(pid, item.update_time, item.title, skus[:1])  # a SKU went
    assert again.load(["1729000000000099999"]) == {}
    assert [p.name for p in tmp_path.iterdir()] == [FILENAME]  # one file, no journal left behind


def test_only_the_products_asked_for_are_decoded(tmp_path, monkeypatch):
    cache = ReadCache.open(tmp_path, SHOP)
    for number in range(5):
        cache.put(product(number))
    cache.close()
    decoded = []
    real = ReadCache._decode
    monkeypatch.setattr(ReadCache, "_decode", lambda self, pid, *args: decoded.append(pid) or real(self, pid, *args))
    again = ReadCache.open(tmp_path, SHOP)
    assert list(again.load([product(1).product_id, product(3).product_id])) == [product(1).product_id,
                                                                                product(3).product_id]
    assert decoded == [product(1).product_id, product(3).product_id]


def test_fetched_products_are_committed_in_batches(tmp_path):
    """A read stopped half way (no close) keeps every whole batch it fetched."""
    cache = ReadCache.open(tmp_path, SHOP)
    for number in range(BATCH + 3):
        cache.put(product(number))
    with sqlite3.connect(tmp_path / FILENAME) as other:  # another process looking now
        assert other.execute("SELECT COUNT(*) FROM products").fetchone() == (BATCH,)
    cache.close()
    assert len(ReadCache.open(tmp_path, SHOP).load(product(n).product_id for n in range(BATCH + 3))) == BATCH + 3


def test_a_complete_listing_replaces_the_create_times_and_drops_vanished_products(tmp_path):
    cache = ReadCache.open(tmp_path, SHOP)
    kept, gone = product(1), product(2)
    cache.put(kept)
    cache.put(gone)
    cache.close(listed={kept.product_id: 1700000300, "1729000000000000777": 1700000100})
    again = ReadCache.open(tmp_path, SHOP)
    assert again.create_times() == [1700000100, 1700000300]
    assert fresh(again, kept) and not fresh(again, gone)


def test_another_shop_or_format_is_ignored_with_a_note(tmp_path, caplog):
    cache = ReadCache.open(tmp_path, SHOP)
    cache.put(product())
    cache.close(listed={product().product_id: 1})
    with caplog.at_level(logging.WARNING, logger="engine.shop"):
        other = ReadCache.open(tmp_path, OTHER)
    assert "belongs to another shop" in caplog.text
    assert not fresh(other, product()) and other.create_times() == []
    other.put(product(7))
    other.close()
    with sqlite3.connect(tmp_path / FILENAME) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(CACHE_FORMAT - 1),))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="engine.shop"):
        newer = ReadCache.open(tmp_path, OTHER)
    assert f"this engine writes {CACHE_FORMAT}" in caplog.text and not fresh(newer, product(7))


def test_a_file_that_is_not_a_cache_is_replaced(tmp_path, caplog):
    (tmp_path / FILENAME).write_bytes(b"\x00garbage, not SQLite" * 100)
    with caplog.at_level(logging.WARNING, logger="engine.shop"):
        cache = ReadCache.open(tmp_path, SHOP)
    assert "unreadable" in caplog.text and cache.enabled
    cache.put(product())
    cache.close()
    assert fresh(ReadCache.open(tmp_path, SHOP), product())


def test_the_per_file_cache_of_earlier_versions_is_removed(tmp_path):
    legacy = tmp_path / "products"
    legacy.mkdir()
    (legacy / "1729000000000000001.json").write_text("{}")
    ReadCache.open(tmp_path, SHOP).close()
    assert not legacy.exists()


def test_an_unusable_place_is_no_cache_with_a_warning(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="engine.shop"):
        cache = ReadCache.open(blocker / "sub", SHOP)  # cannot be created: a file is in the way
    assert "read cache disabled" in caplog.text and not cache.enabled
    cache.put(product())  # all no-ops
    assert not fresh(cache, product()) and cache.load([product().product_id]) == {} and cache.create_times() == []
    cache.close(listed={})


def test_a_cache_that_cannot_be_written_turns_itself_off(tmp_path, caplog):
    """A read-only disk: the writes fail, the read goes on without the cache."""
    cache = ReadCache.open(tmp_path, SHOP)
    cache._conn.execute("PRAGMA query_only = ON")  # what a read-only file system answers to every write
    with caplog.at_level(logging.WARNING, logger="engine.shop"):
        for number in range(BATCH):
            cache.put(product(number))
    assert "read cache disabled" in caplog.text and not cache.enabled
    cache.close(listed={})
    assert not fresh(ReadCache.open(tmp_path, SHOP), product())


def test_no_secret_is_stored_only_the_identity_hash(tmp_path):
    cache = ReadCache.open(tmp_path, SHOP)
    cache.put(product())
    cache.close()
    with sqlite3.connect(tmp_path / FILENAME) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta")) == {"format": str(CACHE_FORMAT), "identity": SHOP}


# --------------------------------------------------------------------------- metadata
METADATA = ShopMetadata(categories=(CategoryInfo("600010", "Kemeja Batik", (("TOKOPEDIA", ("AVAILABLE",)),)),),
                        brands=(Ref("700001", "Batik Keris"),), warehouses=(Ref("7400000000000000001", "Jakarta"),))


def test_metadata_is_reused_while_recent_and_covering_the_categories(tmp_path):
    clock = Clock()
    cache = ReadCache.open(tmp_path, SHOP, clock=clock)
    cache.close(metadata=METADATA, categories={"600010", "600020"})
    again = ReadCache.open(tmp_path, SHOP, clock=clock)
    assert again.metadata({"600010"}) == METADATA == again.metadata(set())
    assert again.metadata({"600010", "600030"}) is None  # a category it was not read for
    clock.now += METADATA_MAX_AGE + 1
    assert again.metadata({"600010"}) is None  # too old
    clock.now -= 2 * METADATA_MAX_AGE
    assert again.metadata({"600010"}) is None  # from the future: the clock moved, not trusted


@pytest.mark.parametrize("garbage", [b"{}", b"not json", b'{"categories": 7}'])
def test_metadata_that_does_not_decode_is_read_again(tmp_path, garbage):
    cache = ReadCache.open(tmp_path, SHOP)
    cache.close(metadata=METADATA, categories={"600010"})
    with sqlite3.connect(tmp_path / FILENAME) as conn:
        conn.execute("UPDATE metadata SET body = ?", (garbage,))
    assert ReadCache.open(tmp_path, SHOP).metadata({"600010"}) in (None, ShopMetadata())


def test_repeated_values_are_decoded_once_and_shared(tmp_path):
    cache = ReadCache.open(tmp_path, SHOP)
    for number in range(4):
        cache.put(product(number, extra=(("video", {"id": f"v{number}"}),)))  # `extra`: per product, unhashable
    cache.close()
    seen: list = []
    loaded = ReadCache.open(tmp_path, SHOP).load([product(n).product_id for n in range(4)],
                                                 share=lambda value: seen.append(value) or value)
    first, *others = loaded.values()
    assert len(loaded) == 4 and dict(first.extra)["video"] == {"id": "v0"}
    for other in others:
        assert other.spec.brand is first.spec.brand and other.spec.declared is first.spec.declared
        assert other.platform_statuses is first.platform_statuses
        assert other.spec.skus[0].sales_attributes is first.spec.skus[0].sales_attributes
    assert len(seen) == len({repr(v) for v in seen})  # each distinct value handed to `share` once


def test_equal_values_of_other_types_are_not_mixed_up(tmp_path):
    """True == 1 in Python: a shop whose minimum order quantity is 1 and COD is allowed keeps both."""
    from engine.shop.shared import Shared as _Shared

    cache = ReadCache.open(tmp_path, SHOP)
    item = product(0)
    item = dataclasses.replace(item, spec=dataclasses.replace(item.spec, minimum_order_quantity=1, is_cod_allowed=True))
    cache.put(item)
    cache.close()
    [loaded] = ReadCache.open(tmp_path, SHOP).load([item.product_id], share=_Shared()).values()
    assert loaded == item and loaded.spec.is_cod_allowed is True and type(loaded.spec.minimum_order_quantity) is int
