"""Pages of one document spread over processes give what one process gives."""

from __future__ import annotations

from pathlib import Path

from service.pipeline.pages import PageJob, _chunks, process_pages
from tests.pipeline.conftest import INVOICE, TextLine, make_text_pdf


def job(source: Path, out: Path) -> PageJob:
    out.mkdir(parents=True)
    return PageJob(source=source, kind="pdf", out_dir=out, dpi=100, quality=80,
                   max_megapixels=100, language="de", tesseract_timeout=60)


def test_chunks_cover_every_page_once_in_order() -> None:
    assert _chunks(5, 4) == [[0], [1], [2, 3], [4]]
    assert _chunks(2, 8) == [[0], [1]]
    assert [i for part in _chunks(23, 4) for i in part] == list(range(23))


def test_parallel_pages_equal_serial_pages(tmp_path: Path) -> None:
    pages = [[*INVOICE[:3], TextLine(56, 500, 12, f"Seite {n}")] for n in range(1, 6)]
    pdf = make_text_pdf(tmp_path / "five.pdf", pages)
    serial = process_pages(job(pdf, tmp_path / "a"), 5, workers=1)
    parallel = process_pages(job(pdf, tmp_path / "b"), 5, workers=2)
    assert serial == parallel
    assert [t.words[-1].text for t in parallel[1]] == ["1", "2", "3", "4", "5"]
    for n in range(1, 6):
        assert (tmp_path / "b" / f"{n}.jpg").stat().st_size > 0


def test_searchable_parts_merge_into_the_whole_document(tmp_path: Path) -> None:
    import subprocess
    from dataclasses import replace

    from service.pipeline.pages import parts
    from service.pipeline.searchable_pdf import merge_pdfs

    pages = [[TextLine(56, 100, 14, f"Seite{n}")] for n in range(1, 6)]
    pdf = make_text_pdf(tmp_path / "five.pdf", pages)
    page_job = replace(job(pdf, tmp_path / "p"), searchable=True)
    process_pages(page_job, 5, workers=2)
    merge_pdfs(parts(page_job), tmp_path / "all.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "all.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.split() == ["Seite1", "Seite2", "Seite3", "Seite4", "Seite5"]


def test_multi_page_tiff_pages_are_written_and_read(tmp_path: Path) -> None:
    import pyvips

    from tests.pipeline.conftest import text_image

    # gray, as most scans are: read as it is, stored as sRGB
    frames = [text_image(f"Rechnung Seite {n}", 700, 160).colourspace("b-w")
              for n in (1, 2, 3)]
    joined = pyvips.Image.arrayjoin(frames, across=1).copy()
    joined.set_type(pyvips.GValue.gint_type, "page-height", 160)
    joined.tiffsave(str(tmp_path / "scan.tif"), compression="deflate")
    image_job = PageJob(source=tmp_path / "scan.tif", kind="tiff", out_dir=tmp_path / "pages",
                        dpi=220, quality=80, max_megapixels=100, language="de",
                        tesseract_timeout=60)
    sizes, texts, _ = process_pages(image_job, 3, workers=2)
    assert sizes == [(700, 160)] * 3
    assert [[w.text for w in t.words] for t in texts] == [
        ["Rechnung", "Seite", str(n)] for n in (1, 2, 3)]
    for n in (1, 2, 3):
        page = pyvips.Image.new_from_file(str(tmp_path / "pages" / f"{n}.jpg"))
        assert (page.width, page.height, page.bands) == (700, 160, 3)


def test_sixteen_bit_gray_upload_is_read_as_stored(tmp_path: Path) -> None:
    import pyvips

    from tests.pipeline.conftest import text_image

    # not 8-bit: read from its stored 8-bit sRGB form
    page = text_image("Rechnung Nummer 4711", 700, 160).colourspace("grey16")
    page.pngsave(str(tmp_path / "deep.png"))
    assert pyvips.Image.new_from_file(str(tmp_path / "deep.png")).format == "ushort"
    image_job = PageJob(source=tmp_path / "deep.png", kind="png", out_dir=tmp_path / "pages",
                        dpi=220, quality=80, max_megapixels=100, language="de",
                        tesseract_timeout=60)
    sizes, texts, _ = process_pages(image_job, 1, workers=1)
    assert sizes == [(700, 160)]
    assert [w.text for w in texts[0].words] == ["Rechnung", "Nummer", "4711"]
