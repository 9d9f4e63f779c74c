from cache import MemoryCache


def test_evicts_least_recently_used_until_under_max_bytes() -> None:
    cache = MemoryCache(max_bytes=10)
    cache.set_nowait("a", b"aaaa")
    cache.set_nowait("b", b"bbbb")
    cache.set_nowait("c", b"cccc")
    assert cache.get_nowait("a") is None
    assert cache.get_nowait("b") == b"bbbb"
    assert cache.get_nowait("c") == b"cccc"
    assert cache.size_bytes == 8
    assert len(cache) == 2


def test_one_large_entry_evicts_several_small_ones() -> None:
    cache = MemoryCache(max_bytes=10)
    for name in "abcde":
        cache.set_nowait(name, b"xx")
    cache.set_nowait("big", b"y" * 9)
    assert len(cache) == 1
    assert cache.size_bytes == 9


def test_get_makes_entry_most_recently_used() -> None:
    cache = MemoryCache(max_bytes=10)
    cache.set_nowait("a", b"aaaa")
    cache.set_nowait("b", b"bbbb")
    cache.get_nowait("a")
    cache.set_nowait("c", b"cccc")
    assert cache.get_nowait("a") == b"aaaa"
    assert cache.get_nowait("b") is None


def test_entry_of_exactly_max_bytes_is_stored() -> None:
    cache = MemoryCache(max_bytes=4)
    cache.set_nowait("a", b"aaaa")
    assert cache.get_nowait("a") == b"aaaa"


def test_oversize_entry_is_not_stored_and_evicts_nothing() -> None:
    cache = MemoryCache(max_bytes=4)
    cache.set_nowait("small", b"ss")
    cache.set_nowait("big", b"bbbbb")
    assert cache.get_nowait("big") is None
    assert cache.get_nowait("small") == b"ss"
    assert cache.size_bytes == 2


def test_oversize_set_drops_the_previous_value_for_that_key() -> None:
    cache = MemoryCache(max_bytes=4)
    cache.set_nowait("a", b"old")
    cache.set_nowait("a", b"too big")
    assert cache.get_nowait("a") is None
    assert cache.size_bytes == 0


def test_oversize_add_reports_not_stored() -> None:
    cache = MemoryCache(max_bytes=4)
    assert cache.add_nowait("a", b"too big") is False


def test_size_bytes_follows_overwrite_and_delete() -> None:
    cache = MemoryCache(max_bytes=100)
    cache.set_nowait("a", b"12345")
    cache.set_nowait("a", b"12")
    assert cache.size_bytes == 2
    cache.delete_nowait("a")
    assert cache.size_bytes == 0
    assert len(cache) == 0


def test_expired_entry_is_removed_when_read() -> None:
    cache = MemoryCache(max_bytes=100)
    cache.set_nowait("a", b"12345", ttl=-1)
    assert cache.get_nowait("a") is None
    assert cache.size_bytes == 0
    assert len(cache) == 0


def test_delete_prefix_removes_only_the_keys_under_it() -> None:
    cache = MemoryCache(max_bytes=1 << 20)
    for n in range(5):
        cache.set_nowait(f"a:{n}", b"v")
    cache.set_nowait("b:0", b"kept")
    assert cache.delete_prefix_nowait("a:") == 5
    assert len(cache) == 1 and cache.size_bytes == 4
