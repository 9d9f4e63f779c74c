"""PDFs made to the /pdf options, from a real PDF, its stored page image and real OCR."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
import pyvips

from service.pipeline.ocrjson import ocr_json
from service.pipeline.pdf_options import PdfOptions
from service.pipeline.pdf_variant import VariantJob, build_pdf_variant, page_texts
from service.pipeline.words import PageText, Word
from tests.pipeline.conftest import A4, A4_AT_220
from tests.pipeline.pdfa_check import PDFA1_ONLY, as_part_one, pdfa2_findings, preflight

CREATED = 1_764_390_000.0


def pdftotext(path: Path) -> list[str]:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8").split()


@pytest.fixture
def job(invoice_pdf: Path, invoice_page_jpg: Path, invoice_ocr: PageText) -> VariantJob:
    return VariantJob(source=invoice_pdf, kind="pdf", page_numbers=(1,),
                      stored_jpgs=(invoice_page_jpg,), stored_sizes=(A4_AT_220,),
                      texts=(invoice_ocr,), options=PdfOptions(), base_dpi=220,
                      base_quality=90, max_megapixels=100.0, created=CREATED)


def build(job: VariantJob, tmp_path: Path, **options: object) -> Path:
    out = tmp_path / "variant.pdf"
    out.write_bytes(build_pdf_variant(replace(job, options=PdfOptions(**options))))  # type: ignore[arg-type]
    return out


def embedded(path: Path) -> tuple[int, int, bytes]:
    with pikepdf.open(path) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        return int(image.Width), int(image.Height), image.read_raw_bytes()


def media_box(path: Path) -> list[float]:
    with pikepdf.open(path) as pdf:
        return [float(v) for v in pdf.pages[0].MediaBox]


def test_no_options_embed_the_stored_jpeg(job: VariantJob, tmp_path: Path,
                                          invoice_page_jpg: Path,
                                          invoice_ocr: PageText) -> None:
    out = build(job, tmp_path)
    assert embedded(out) == (*A4_AT_220, invoice_page_jpg.read_bytes())
    assert pdftotext(out) == [w.text for w in invoice_ocr.words]


def test_dpi_renders_the_source_again(job: VariantJob, tmp_path: Path,
                                      invoice_ocr: PageText) -> None:
    out = build(job, tmp_path, dpi=110)
    width, height, _ = embedded(out)
    assert (width, height) == pytest.approx((910, 1286), abs=1)
    assert media_box(out)[2:] == pytest.approx(A4, abs=0.5)  # the page keeps its size
    assert pdftotext(out) == [w.text for w in invoice_ocr.words]


def test_dpi_600_is_sharper_than_the_stored_page(job: VariantJob, tmp_path: Path) -> None:
    width, height, _ = embedded(build(job, tmp_path, dpi=600))
    assert (width, height) == pytest.approx((4961, 7016), abs=1)


def test_jpeg_quality_reencodes(job: VariantJob, tmp_path: Path,
                                invoice_page_jpg: Path) -> None:
    width, height, data = embedded(build(job, tmp_path, jpeg_quality=20))
    assert (width, height) == A4_AT_220
    assert len(data) < len(invoice_page_jpg.read_bytes()) * 0.7


def test_image_width_is_the_short_side(job: VariantJob, tmp_path: Path) -> None:
    out = build(job, tmp_path, image_width=600)
    assert embedded(out)[:2] == (600, 849)
    assert media_box(out)[2:] == pytest.approx(A4, abs=0.5)


def test_image_width_and_height_exact(job: VariantJob, tmp_path: Path) -> None:
    assert embedded(build(job, tmp_path, image_width=500, image_height=600))[:2] == (500, 600)


def test_page_size_in_mm_centres_the_page(job: VariantJob, tmp_path: Path,
                                          invoice_ocr: PageText) -> None:
    out = build(job, tmp_path, page_width=100, page_height=200)
    assert media_box(out) == pytest.approx([0, 0, 283.46, 566.93], abs=0.01)
    with pikepdf.open(out) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
    # fitted by width: 283.46 pt wide, 400.95 pt high, centred vertically
    assert content.startswith(b"q 283.4646 0 0 400.9644 0.0000 82.9823 cm /Im0 Do Q")
    assert pdftotext(out) == [w.text for w in invoice_ocr.words]


def test_image_upload_dpi_resamples_the_page(job: VariantJob, tmp_path: Path) -> None:
    image_job = replace(job, kind="png", options=PdfOptions(dpi=110))
    out = tmp_path / "image.pdf"
    out.write_bytes(build_pdf_variant(image_job))
    assert embedded(out)[:2] == (910, 1286)


def test_same_input_same_bytes(job: VariantJob) -> None:
    for options in (PdfOptions(jpeg_quality=50), PdfOptions(pdfa_compliant=True)):
        first = build_pdf_variant(replace(job, options=options))
        assert build_pdf_variant(replace(job, options=options)) == first


def test_pdfa_passes_preflight_and_the_part_2_rules(job: VariantJob, tmp_path: Path) -> None:
    out = build(job, tmp_path, pdfa_compliant=True, dpi=100, jpeg_quality=60)
    assert pdfa2_findings(out) == []
    assert set(preflight(as_part_one(out, tmp_path / "part1.pdf"))) <= PDFA1_ONLY


def test_without_pdfa_the_validators_object(job: VariantJob, tmp_path: Path) -> None:
    # the checks can fail: a plain variant has no output intent and no XMP
    out = build(job, tmp_path, jpeg_quality=60)
    assert "not exactly one output profile" in pdfa2_findings(out)
    assert not set(preflight(out)) <= PDFA1_ONLY


def test_pdfa_with_unicode_words_keeps_them(job: VariantJob, tmp_path: Path) -> None:
    words = ["Łódź", "Přílišžluťoučký", "Ελληνικά", "Привет", "東京都"]
    page = PageText(*A4_AT_220, [Word(w, 100, 100 + 150 * i, 100 + 60 * len(w), 150 + 150 * i,
                                      0.1, i) for i, w in enumerate(words)])
    out = tmp_path / "u.pdf"
    out.write_bytes(build_pdf_variant(replace(job, texts=(page,),
                                              options=PdfOptions(pdfa_compliant=True))))
    assert pdftotext(out) == words
    assert set(preflight(as_part_one(out, tmp_path / "part1.pdf"))) <= PDFA1_ONLY


def test_gray_page_images_are_allowed_in_pdfa(job: VariantJob, tmp_path: Path) -> None:
    gray = tmp_path / "gray.jpg"
    (pyvips.Image.black(*A4_AT_220) + 255).cast("uchar").jpegsave(str(gray))
    out = tmp_path / "gray.pdf"
    out.write_bytes(build_pdf_variant(replace(job, stored_jpgs=(gray,), kind="jpeg",
                                              options=PdfOptions(pdfa_compliant=True))))
    assert set(preflight(as_part_one(out, tmp_path / "part1.pdf"))) <= PDFA1_ONLY


def test_page_texts_read_back_the_ocr_json(invoice_ocr: PageText) -> None:
    (back,) = page_texts(ocr_json([invoice_ocr]))
    assert (back.width, back.height) == (invoice_ocr.width, invoice_ocr.height)
    assert [(w.text, w.x1, w.y1, w.x2, w.y2, w.line) for w in back.words] == [
        (w.text, w.x1, w.y1, w.x2, w.y2, w.line) for w in invoice_ocr.words]
