"""FOLIO_MAX_DECOMPRESSED_BYTES: PDF streams and pages are counted, never inflated whole."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest

from service.errors import ProcessingError, TooLarge
from service.pipeline.decompression import check_decompressed, lzw_length, run_length_length
from service.pipeline.detect import check_limits
from tests.helpers import ROOT
from tests.pipeline.conftest import INVOICE, _content

MIB = 1024 * 1024
# qpdf would otherwise re-encode LZW streams (and inflate everything to do it)
AS_IS = pikepdf.StreamDecodeLevel.none


def _pdf_with_content(path: Path, content_size: int) -> Path:
    """One A4 page whose (Flate) content stream is the invoice followed by blanks."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    text = _content(INVOICE[:3], 841.89) + b"\n"
    packer = zlib.compressobj(9)
    body = [packer.compress(text)]
    remaining = content_size - len(text)
    block = b" " * MIB
    while remaining > 0:
        body.append(packer.compress(block[:min(MIB, remaining)]))
        remaining -= MIB
    body.append(packer.flush())
    stream = pikepdf.Stream(pdf, b"".join(body))
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.276, 841.89],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_indirect(stream))))
    pdf.save(path, stream_decode_level=AS_IS)
    return path


def _image(pdf: pikepdf.Pdf, width: int, height: int) -> pikepdf.Stream:
    """A DCT image that declares width x height RGB; its data is never decoded here."""
    image = pikepdf.Stream(pdf, b"\xff\xd8\xff\xd9")
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Name.DCTDecode
    return pdf.make_indirect(image)


def _pdf_with_images(path: Path, images: list[tuple[int, int]], *,
                     in_form: bool = False) -> Path:
    pdf = pikepdf.new()
    xobjects = {f"/Im{n}": _image(pdf, w, h) for n, (w, h) in enumerate(images)}
    draw = b" ".join(b"q 100 0 0 100 0 0 cm /Im%d Do Q" % n for n in range(len(images)))
    if in_form:
        form = pikepdf.Stream(pdf, draw)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox = [0, 0, 595, 842]
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(xobjects))
        xobjects = {"/Fm0": pdf.make_indirect(form)}
        draw = b"/Fm0 Do"
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.276, 841.89],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(xobjects)),
        Contents=pdf.make_stream(draw))))
    pdf.save(path, stream_decode_level=AS_IS)
    return path


def test_ordinary_pdf_passes_the_default_bound(invoice_pdf: Path) -> None:
    check_decompressed(invoice_pdf, 256 * MIB)
    assert check_limits(invoice_pdf, "pdf", 10, 100.0) == 1


def test_content_stream_bomb_is_refused(tmp_path: Path) -> None:
    # 64 MiB of content in ~64 KB of Flate; the bound set to 16 MiB keeps the test quick
    path = _pdf_with_content(tmp_path / "bomb.pdf", 64 * MIB)
    assert path.stat().st_size < MIB
    with pytest.raises(TooLarge) as caught:
        check_limits(path, "pdf", 10, 100.0, max_decompressed_bytes=16 * MIB)
    assert caught.value.detail == ("a stream of the PDF decompresses to more than the "
                                   "limit of 16 MiB")


def test_content_just_under_the_bound_passes(tmp_path: Path) -> None:
    path = _pdf_with_content(tmp_path / "big.pdf", 15 * MIB)
    assert check_limits(path, "pdf", 10, 100.0, max_decompressed_bytes=16 * MIB) == 1


def test_image_declaring_more_than_the_bound_is_refused(tmp_path: Path) -> None:
    # 5000 x 5000 RGB = 71.5 MiB once decoded, from a 4-byte stream
    path = _pdf_with_images(tmp_path / "image.pdf", [(5000, 5000)])
    with pytest.raises(TooLarge, match="a stream of the PDF decompresses to more than the limit"):
        check_decompressed(path, 64 * MIB)
    check_decompressed(path, 72 * MIB)


def test_page_drawing_images_past_the_bound_is_refused(tmp_path: Path) -> None:
    # three images of 22.9 MiB each: every stream is under 64 MiB, the page is not
    path = _pdf_with_images(tmp_path / "images.pdf", [(4000, 2000)] * 3)
    with pytest.raises(TooLarge) as caught:
        check_decompressed(path, 64 * MIB)
    assert caught.value.detail == ("page 1 of the PDF decompresses to more than the limit of "
                                   "64 MiB")
    check_decompressed(path, 72 * MIB)


def test_images_inside_a_form_count_for_the_page(tmp_path: Path) -> None:
    path = _pdf_with_images(tmp_path / "form.pdf", [(4000, 2000)] * 3, in_form=True)
    with pytest.raises(TooLarge, match="page 1 of the PDF"):
        check_decompressed(path, 64 * MIB)


def test_images_in_annotation_appearances_count_for_the_page(tmp_path: Path) -> None:
    path = _pdf_with_images(tmp_path / "plain.pdf", [(4000, 2000)])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for _ in range(2):  # two stamps, each drawing its own image
            stamp = pikepdf.Stream(pdf, b"q 100 0 0 100 0 0 cm /Im0 Do Q")
            stamp.Type, stamp.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
            stamp.BBox = [0, 0, 100, 100]
            stamp.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(
                Im0=_image(pdf, 4000, 2000)))
            pdf.pages[0].obj.Annots = pdf.pages[0].obj.get("/Annots", pikepdf.Array())
            pdf.pages[0].obj.Annots.append(pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp, Rect=[0, 0, 100, 100],
                AP=pikepdf.Dictionary(N=pdf.make_indirect(stamp)))))
        pdf.save(path, stream_decode_level=AS_IS)
    with pytest.raises(TooLarge, match="page 1 of the PDF"):
        check_decompressed(path, 64 * MIB)


def test_unreadable_for_qpdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(ProcessingError, match="the PDF is damaged or truncated"):
        check_decompressed(path, 64 * MIB)


PEAK_SCRIPT = """
import resource, sys
from service.pipeline.detect import check_limits
from service.errors import TooLarge
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_limits(sys.argv[1], "pdf", 10, 100.0, max_decompressed_bytes=int(sys.argv[2]))
    print("accepted")
except TooLarge as exc:
    print("refused")
print(baseline // 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_peak_memory_of_the_check_stays_near_the_input(tmp_path: Path) -> None:
    # 1 GiB of content in ~1 MB: inflating it whole (as qpdf or PDFium would) is +1 GiB
    path = _pdf_with_content(tmp_path / "bomb.pdf", 1024 * MIB)
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path), str(256 * MIB)],
                          capture_output=True, text=True, cwd=ROOT, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    verdict, peaks = done.stdout.splitlines()
    baseline_mib, peak_mib = (int(n) for n in peaks.split())
    assert verdict == "refused"
    # the import baseline, plus a MiB chunk and the raw stream: far below the bound
    assert peak_mib - baseline_mib < 64, (baseline_mib, peak_mib)


def _lzw_encode(data: bytes) -> bytes:
    """A plain LZW encoder (PDF flavour: MSB first, EarlyChange 1), for the counter's test."""
    table = {bytes([i]): i for i in range(256)}
    codes = [256]
    word = b""
    for byte in data:
        grown = word + bytes([byte])
        if grown in table:
            word = grown
            continue
        codes.append(table[word])
        table[grown] = len(table) + 2
        word = bytes([byte])
        if len(table) + 2 >= 4000:
            codes.append(table[word])
            codes.append(256)
            table = {bytes([i]): i for i in range(256)}
            word = b""
    if word:
        codes.append(table[word])
    codes.append(257)
    # widths as the decoder sees them: it adds an entry per code but the first after a clear
    bits, held, out = 0, 0, bytearray()
    entries, width, first = 258, 9, True
    for code in codes:
        bits, held = (bits << width) | code, held + width
        while held >= 8:
            held -= 8
            out.append((bits >> held) & 0xFF)
        bits &= (1 << held) - 1
        if code == 256:
            entries, width, first = 258, 9, True
            continue
        if not first:
            entries += 1
        first = False
        following = entries + 1
        width = 12 if following >= 2048 else 11 if following >= 1024 else (
            10 if following >= 512 else 9)
    if held:
        out.append((bits << (8 - held)) & 0xFF)
    return bytes(out)


def _qpdf_decoded(data: bytes, name: str) -> bytes:
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Name(name)
    return stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized)


def test_lzw_length_matches_a_real_decoder() -> None:
    text = b"".join(b"line %d of a repetitive content stream BT ET q Q\n" % (n % 97)
                    for n in range(3000)) + bytes(range(256)) * 20
    encoded = _lzw_encode(text)
    assert _qpdf_decoded(encoded, "/LZWDecode") == text  # the encoder is right
    assert lzw_length(encoded, 10 * MIB) == len(text)
    assert lzw_length(encoded, 1000) > 1000  # stops early past the bound


def test_run_length_length_matches_a_real_decoder() -> None:
    encoded = (b"\x81A" * 5000) + b"\x02xyz" + b"\x80"  # 5000 runs of 128, a literal
    assert len(_qpdf_decoded(encoded, "/RunLengthDecode")) == 5000 * 128 + 3
    assert run_length_length(encoded, 10 * MIB) == 5000 * 128 + 3


def test_lzw_bomb_is_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, _lzw_encode(b" " * MIB))
    stream.Filter = pikepdf.Name.LZWDecode
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=pdf.make_indirect(stream))))
    path = tmp_path / "lzw.pdf"
    pdf.save(path, stream_decode_level=AS_IS)
    with pytest.raises(TooLarge, match=r"decompresses to more than the limit of 0\.5 MiB"):
        check_decompressed(path, MIB // 2)
    check_decompressed(path, MIB)


def test_flate_bomb_under_ascii_hex_is_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    packed = zlib.compress(b" " * (8 * MIB), 9)
    stream = pikepdf.Stream(pdf, packed.hex().encode() + b">")
    stream.Filter = pikepdf.Array([pikepdf.Name.ASCIIHexDecode, pikepdf.Name.FlateDecode])
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=pdf.make_indirect(stream))))
    path = tmp_path / "hex.pdf"
    pdf.save(path, stream_decode_level=AS_IS)
    with pytest.raises(TooLarge, match="a stream of the PDF decompresses to more than the limit"):
        check_decompressed(path, 4 * MIB)
    check_decompressed(path, 9 * MIB)
