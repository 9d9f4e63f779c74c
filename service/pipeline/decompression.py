"""How many bytes a PDF's streams decompress to, counted without holding them.

A few MB of Flate can inflate to GBs, and PDFium inflates a page's content and
images whole before it draws them. So before PDFium renders anything, every
stream is decoded here chunk by chunk and only counted, stopping as soon as it
passes the bound; the bytes themselves are thrown away. Two bounds:

- one stream (content, image, font, attachment) decompresses to at most `limit`;
- one page (its content streams plus the XObjects and annotation appearances it
  draws, forms recursively, each image at its decoded size: width * height *
  components * bits) too.

Images in DCT/JPX/JBIG2/CCITT are counted at the size their dictionary declares,
which is what PDFium decodes them to. Filters that only shrink (ASCIIHex,
ASCII85) are decoded by qpdf; LZW and RunLength are counted by a length-only
decoder when their worst-case expansion could pass the bound.

Known gap: qpdf itself decodes cross-reference and object streams when it opens
the file, before anything here runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import pikepdf

from service.errors import ProcessingError, TooLarge

DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
FLATE = frozenset({"/FlateDecode", "/Fl"})
LZW = frozenset({"/LZWDecode", "/LZW"})
RUN_LENGTH = frozenset({"/RunLengthDecode", "/RL"})
SHRINKING = frozenset({"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"})
IMAGE_CODECS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode",
                          "/CCITTFaxDecode", "/CCF"})
# Worst-case output per input byte: a 12-bit LZW code stands for up to 4,096 bytes;
# a RunLength pair (2 bytes) for 128.
LZW_RATIO = 2731
RUN_LENGTH_RATIO = 64
COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/Indexed": 1, "/Separation": 1,
              "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3, "/DeviceCMYK": 4}


def check_decompressed(path: str | Path, limit: int) -> None:
    """Raise TooLarge when a stream or a page of the PDF decompresses past `limit` bytes."""
    try:
        with pikepdf.open(path) as pdf:
            sizes: dict[tuple[int, int], int] = {}
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    size = stream_size(obj, limit)
                    if size > limit:
                        raise TooLarge(f"a stream of the PDF decompresses to more than "
                                       f"the limit of {_mib(limit)}")
                    sizes[obj.objgen] = size
            for number, page in enumerate(pdf.pages, 1):
                if page_size(page, sizes) > limit:
                    raise TooLarge(f"page {number} of the PDF decompresses to more than "
                                   f"the limit of {_mib(limit)}")
    except pikepdf.PasswordError:
        raise ProcessingError("the PDF is encrypted") from None
    except (pikepdf.PdfError, RecursionError):
        # Unreadable for qpdf means unchecked: refuse rather than hand it to PDFium.
        raise ProcessingError("the PDF is damaged or truncated") from None


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB"


def stream_size(stream: pikepdf.Stream, limit: int) -> int:
    """Bytes the stream decodes to, or some number above `limit` once it passes it."""
    filters = _names(stream.get("/Filter"))
    raw = stream.read_raw_bytes()
    data: bytes | None = raw
    size = len(raw)
    for index, name in enumerate(filters):
        assert data is not None
        more = index < len(filters) - 1  # another filter needs this one's output
        if name in IMAGE_CODECS:
            break
        if name in FLATE:
            data, size = _inflate(data, limit, keep=more)
        elif name in LZW:
            size = len(data) * LZW_RATIO
            if size > limit:
                size = lzw_length(data, limit, _early_change(stream, index))
            data = _qpdf_decode(data, name) if more and size <= limit else None
        elif name in RUN_LENGTH:
            size = len(data) * RUN_LENGTH_RATIO
            if size > limit:
                size = run_length_length(data, limit)
            data = _qpdf_decode(data, name) if more and size <= limit else None
        elif name in SHRINKING:
            data = _qpdf_decode(data, name)
            size = len(data) if data is not None else size
        else:
            break  # a filter PDFium does not know either: it will fail, not inflate
        if size > limit or data is None:
            break
    if stream.get("/Subtype") == pikepdf.Name.Image:
        size = max(size, image_size(stream))
    return size


def _names(value: object) -> list[str]:
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value if isinstance(v, pikepdf.Name)]
    return []


def _early_change(stream: pikepdf.Stream, index: int) -> int:
    parms = stream.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        parms = parms[index] if index < len(parms) else None
    if isinstance(parms, pikepdf.Dictionary):
        value = parms.get("/EarlyChange", 1)
        if isinstance(value, int) and value in (0, 1):
            return value
    return 1


def _inflate(data: bytes, limit: int, keep: bool) -> tuple[bytes | None, int]:
    """Inflate `data` a chunk at a time; keep the output only if asked (it is ≤ limit)."""
    inflater = zlib.decompressobj()
    kept: list[bytes] = []
    size = 0
    pending = data
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            if size > limit:
                return None, size
            if keep:
                kept.append(chunk)
            if not pending and len(chunk) < CHUNK:
                break
    except zlib.error:
        pass  # PDFium stops at the damage too: what came out so far is what it gets
    return (b"".join(kept) if keep else None), size


def _qpdf_decode(data: bytes, name: str) -> bytes | None:
    scratch = pikepdf.new()
    stream = pikepdf.Stream(scratch, data)
    stream.Filter = pikepdf.Name(name)
    try:
        # RunLength is one of qpdf's "specialized" filters
        return stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError:
        return None


def lzw_length(data: bytes, limit: int, early_change: int = 1) -> int:
    """The length of LZW-decoded `data`, computed from code lengths only."""
    lengths = [1] * 258
    previous = 0  # length of the previous code's string, 0 right after a clear
    width = 9
    bits = 0
    held = 0
    size = 0
    for byte in data:
        bits = (bits << 8) | byte
        held += 8
        while held >= width:
            held -= width
            code = (bits >> held) & ((1 << width) - 1)
            bits &= (1 << held) - 1
            if code == 256:
                del lengths[258:]
                previous, width = 0, 9
                continue
            if code == 257:
                return size
            if code < len(lengths):
                length = lengths[code]
            elif code == len(lengths) and previous:
                length = previous + 1
            else:
                return size  # damaged: decoders stop here
            if previous and len(lengths) < 4096:
                lengths.append(previous + 1)
            size += length
            if size > limit:
                return size
            previous = length
            following = len(lengths) + early_change
            width = 12 if following >= 2048 else 11 if following >= 1024 else (
                10 if following >= 512 else 9)
    return size


def run_length_length(data: bytes, limit: int) -> int:
    size = 0
    index = 0
    end = len(data)
    while index < end:
        code = data[index]
        if code == 128:
            break
        if code < 128:
            size += code + 1
            index += code + 2
        else:
            size += 257 - code
            index += 2
        if size > limit:
            break
    return size


def image_size(image: pikepdf.Stream) -> int:
    """Bytes of the decoded image: rows of width * components * bits, times height."""
    width, height = image.get("/Width", 0), image.get("/Height", 0)
    if not isinstance(width, int) or not isinstance(height, int):
        return 0
    components, bits = 1, 1  # an image mask
    if not bool(image.get("/ImageMask", False)):
        components = _components(image.get("/ColorSpace"))
        declared = image.get("/BitsPerComponent", 8)
        bits = declared if isinstance(declared, int) and 1 <= declared <= 16 else 8
    return max(0, (width * components * bits + 7) // 8) * max(0, height)


def _components(space: object) -> int:
    if isinstance(space, pikepdf.Name):
        return COMPONENTS.get(str(space), 3)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased" and len(space) > 1:
            n = space[1].get("/N", 3) if isinstance(space[1], pikepdf.Stream) else 3
            return n if isinstance(n, int) and 1 <= n <= 4 else 3
        if family == "/DeviceN" and len(space) > 1 and isinstance(space[1], pikepdf.Array):
            return max(1, len(space[1]))
        return COMPONENTS.get(family, 3)
    return 3  # unknown or from the JPX data itself: assume colour


def page_size(page: pikepdf.Page, sizes: dict[tuple[int, int], int]) -> int:
    """The page's content streams plus every XObject and annotation appearance it can
    draw (rendering draws annotations), each counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for stream in _streams(page.obj.get("/Contents")):
        total += _form_size(stream, sizes, seen, recurse=False)
    try:
        resources = page.resources
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        resources = None
    total += _xobjects_size(resources, sizes, seen)
    annotations = page.obj.get("/Annots")
    for annotation in annotations if isinstance(annotations, pikepdf.Array) else ():
        appearance = (annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary)
                      else None)
        normal = appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
        states = normal.values() if isinstance(normal, pikepdf.Dictionary) else [normal]
        for state in states:
            if isinstance(state, pikepdf.Stream):
                total += _form_size(state, sizes, seen, recurse=True)
    return total


def _streams(value: object) -> Iterator[pikepdf.Stream]:
    if isinstance(value, pikepdf.Stream):
        yield value
    elif isinstance(value, pikepdf.Array):
        yield from (v for v in value if isinstance(v, pikepdf.Stream))


def _form_size(stream: pikepdf.Stream, sizes: dict[tuple[int, int], int],
               seen: set[tuple[int, int]], recurse: bool) -> int:
    if stream.objgen in seen:
        return 0
    seen.add(stream.objgen)  # also what stops a form that draws itself
    total = sizes.get(stream.objgen, 0)
    if recurse:
        total += _xobjects_size(stream.get("/Resources"), sizes, seen)
    return total


def _xobjects_size(resources: object, sizes: dict[tuple[int, int], int],
                   seen: set[tuple[int, int]]) -> int:
    if not isinstance(resources, pikepdf.Dictionary):
        return 0
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return 0
    return sum(_form_size(x, sizes, seen, recurse=x.get("/Subtype") == pikepdf.Name.Form)
               for x in xobjects.values() if isinstance(x, pikepdf.Stream))
