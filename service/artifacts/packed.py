"""Bytes deflated in pieces, possibly in other processes, and joined into one gzip member.

A piece is deflated on its own and ended with a sync flush (byte-aligned, no
back-reference into another piece), so the raw deflate streams of pieces can be
concatenated and closed with one final empty block: the gzip member then holds
the concatenated bytes (pigz builds its parallel output the same way). Each page
process packs its pages' OCR JSON and hOCR; the job only joins them, so the
compression of a document's text runs in parallel with the rest of its pages.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

GZIP_LEVEL = 6
# gzip.compress(data, 6, mtime=0)'s header: deflate, no flags, mtime 0, no extra
# flags, OS 3 (Unix)
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_FINAL = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # empty last block


@dataclass(frozen=True, slots=True)
class Packed:
    """Bytes and their raw deflate stream, sync-flushed so that streams can be joined."""

    plain: bytes
    deflated: bytes


def pack(data: bytes, level: int = GZIP_LEVEL) -> Packed:
    # the same window and memory level as gzip.compress
    deflater = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
    return Packed(data, deflater.compress(data) + deflater.flush(zlib.Z_SYNC_FLUSH))


def join(parts: Sequence[Packed | bytes]) -> Packed:
    """The parts one after another; plain bytes among them are packed here."""
    packed = [part if isinstance(part, Packed) else pack(part) for part in parts]
    return Packed(b"".join(p.plain for p in packed), b"".join(p.deflated for p in packed))


def gzip_member(packed: Packed) -> bytes:
    """The gzip file of `packed.plain` (decompresses like gzip.compress's)."""
    trailer = struct.pack("<II", zlib.crc32(packed.plain), len(packed.plain) & 0xFFFFFFFF)
    return _HEADER + packed.deflated + _FINAL + trailer

