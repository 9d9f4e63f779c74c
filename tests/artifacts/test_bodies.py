"""The artifact memory tier's bounds: total bytes, largest body, least recently used out."""

from __future__ import annotations

from pathlib import Path

from service.artifacts.bodies import Bodies, Body, read_small


def _body(size: int) -> Body:
    return Body(b"x" * size, [(b"content-length", str(size).encode())])


def test_total_bytes_stay_within_the_bound_and_the_oldest_goes_first() -> None:
    bodies = Bodies(max_bytes=100, max_body_bytes=60)
    bodies.put(("a", "ocr.json", False), _body(40))
    bodies.put(("b", "ocr.json", False), _body(40))
    assert bodies.get(("a", "ocr.json", False)) is not None  # a is now the newest
    bodies.put(("c", "ocr.json", False), _body(40))
    assert bodies.size_bytes == 80
    assert bodies.get(("b", "ocr.json", False)) is None
    assert bodies.get(("a", "ocr.json", False)) is not None
    assert bodies.get(("c", "ocr.json", False)) is not None


def test_a_body_above_the_largest_allowed_is_not_kept() -> None:
    bodies = Bodies(max_bytes=100, max_body_bytes=60)
    bodies.put(("a", "searchable.pdf", False), _body(61))
    assert len(bodies) == 0 and bodies.size_bytes == 0


def test_plain_and_gzip_are_separate_entries() -> None:
    bodies = Bodies(max_bytes=100, max_body_bytes=60)
    bodies.put(("a", "ocr.json", False), _body(30))
    bodies.put(("a", "ocr.json", True), _body(10))
    assert len(bodies) == 2 and bodies.size_bytes == 40
    gz = bodies.get(("a", "ocr.json", True))
    assert gz is not None and len(gz.data) == 10


def test_zero_bytes_turns_the_tier_off() -> None:
    assert not Bodies(max_bytes=0, max_body_bytes=4096).enabled
    assert Bodies(max_bytes=1, max_body_bytes=4096).enabled


def test_skipped_keys_are_remembered() -> None:
    bodies = Bodies(max_bytes=100, max_body_bytes=60)
    bodies.skip(("a", "searchable.pdf", False))
    assert bodies.skipped(("a", "searchable.pdf", False))
    assert not bodies.skipped(("a", "searchable.pdf", True))


def test_read_small_reads_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "ocr.json"
    path.write_bytes(b"0123456789")
    read = read_small(path, 10)
    assert read is not None
    data, stat = read
    assert data == b"0123456789" and stat.st_size == 10
    assert read_small(path, 9) is None
    assert read_small(tmp_path / "missing.json", 10) is None
