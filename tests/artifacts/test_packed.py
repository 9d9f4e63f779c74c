"""Pieces deflated apart and joined are one gzip member of the joined bytes."""

from __future__ import annotations

import gzip
import random
import subprocess
from pathlib import Path

from service.artifacts.packed import Packed, gzip_member, join, pack


def _text(rng: random.Random, n: int) -> bytes:
    return "".join(rng.choice("abcäöü <&>\n\"{}") for _ in range(n)).encode()


def test_joined_pieces_gunzip_to_the_joined_bytes(tmp_path: Path) -> None:
    rng = random.Random(5)
    pieces = [_text(rng, n) for n in (0, 1, 70_000, 3, 200_000, 0)]
    # every other piece deflated apart (in a page process), the rest here
    packed = join([pack(p) if i % 2 else p for i, p in enumerate(pieces)])
    member = gzip_member(packed)
    assert packed.plain == b"".join(pieces)
    assert gzip.decompress(member) == b"".join(pieces)
    # the gzip tool checks the CRC and length of the member too
    (tmp_path / "joined.gz").write_bytes(member)
    done = subprocess.run(["gzip", "-dc", str(tmp_path / "joined.gz")], capture_output=True,
                          check=True)
    assert done.stdout == b"".join(pieces)


def test_compresses_about_as_well_as_one_stream() -> None:
    rng = random.Random(6)
    pages = [_text(rng, 40_000) for _ in range(10)]
    whole = gzip.compress(b"".join(pages), 6, mtime=0)
    member = gzip_member(join([pack(p) for p in pages]))
    assert len(member) < 1.1 * len(whole)


def test_nothing_at_all() -> None:
    assert gzip.decompress(gzip_member(join([]))) == b""
    assert gzip.decompress(gzip_member(Packed(b"", b""))) == b""
