"""PDFium from many threads of one process: one call at a time, same answers as alone.

Without the lock the checks below answer "damaged" for good PDFs, and keep doing
so for every PDF afterwards (a damaged file's repair and a long page tree read at
once break PDFium's process-wide state); the renders crash the interpreter.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from service.errors import ProcessingError
from service.pipeline.detect import check_limits
from service.pipeline.pages import PageJob, run_pages
from service.pipeline.textlayer import pdf_text_layers
from tests.pipeline.conftest import INVOICE, TextLine, make_text_pdf

THREADS = 8
ROUNDS = 12


def _answer(check: Callable[[], object]) -> str:
    try:
        return f"ok {check()}"
    except ProcessingError as exc:
        return f"{type(exc).__name__}: {exc.detail}"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Good and bad PDFs whose check answers differ, so that a mix-up shows."""
    base = tmp_path_factory.mktemp("uploads")
    good = make_text_pdf(base / "good.pdf", [INVOICE])
    three = make_text_pdf(base / "three.pdf",
                          [INVOICE[:3], INVOICE[3:6], [TextLine(56, 70, 12, "Seite drei")]])
    long = make_text_pdf(base / "long.pdf", [INVOICE] * 200)
    # read by PDFium to its last page, refused there: no qpdf pass in between
    long_huge = make_text_pdf(base / "long-huge.pdf", [INVOICE] * 200)
    with pikepdf.open(long_huge, allow_overwriting_input=True) as pdf:
        pdf.add_blank_page(page_size=(5000, 5000))
        pdf.save(long_huge)
    huge = base / "huge.pdf"
    make_text_pdf(huge, [INVOICE[:2]], size=(5000, 5000))
    empty = base / "empty.pdf"
    pikepdf.new().save(empty)
    broken = base / "broken.pdf"
    broken.write_bytes(long.read_bytes()[: long.stat().st_size // 2])
    return {"good": good, "three": three, "long": long, "long-huge": long_huge, "huge": huge,
            "empty": empty, "broken": broken}


def test_concurrent_upload_checks_agree_with_serial_ones(uploads: dict[str, Path]) -> None:
    def check(name: str) -> str:
        return _answer(lambda: check_limits(uploads[name], "pdf", max_pages=500,
                                            max_megapixels=100))

    alone = {name: check(name) for name in uploads}
    assert alone["good"] == "ok 1"
    assert alone["three"] == "ok 3"
    assert alone["long"] == "ok 200"
    assert alone["long-huge"].startswith("TooLarge: page 201 is 233 megapixels")
    assert alone["huge"].startswith("TooLarge: page 1 is 233 megapixels")
    assert alone["empty"] == "ProcessingError: the PDF has no pages"
    assert alone["broken"] == "ProcessingError: the PDF is damaged or truncated"
    names = list(uploads) * THREADS * ROUNDS
    with ThreadPoolExecutor(THREADS) as pool:
        together = list(pool.map(check, names))
    wrong = [(name, got) for name, got in zip(names, together, strict=True)
             if got != alone[name]]
    assert wrong == []
    # and the process is still sound afterwards
    assert check("good") == "ok 1"


def test_two_concurrent_upload_checks_leave_later_checks_right(
        uploads: dict[str, Path]) -> None:
    # The web process' pattern: two uploads checked at once in to_thread, then more.
    # A long upload and a damaged one (PDFium repairs it), two at a time: answers
    # that PDFium alone gives, so that its calls overlap the most.
    def check(name: str) -> str:
        return _answer(lambda: check_limits(uploads[name], "pdf", 500, 100.0))

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(check, ["long-huge", "broken"] * 200))
    assert set(answers[0::2]) == {
        "TooLarge: page 201 is 233 megapixels, the limit is 100"}
    assert set(answers[1::2]) == {"ProcessingError: the PDF is damaged or truncated"}
    assert check_limits(uploads["good"], "pdf", 10, 100.0) == 1
    with pytest.raises(ProcessingError, match="page 1 is 233 megapixels"):
        check_limits(uploads["huge"], "pdf", 10, 100.0)


def test_concurrent_renders_and_text_layers_are_identical(
        uploads: dict[str, Path], tmp_path: Path) -> None:
    # arq's pattern: whole jobs in threads, each rendering pages and reading text.
    def job(n: int) -> tuple[list[tuple[int, int]], list[str], bytes]:
        out = tmp_path / f"job{n}"
        page_job = PageJob(source=uploads["three"], kind="pdf", out_dir=out, dpi=72,
                           quality=80, max_megapixels=100, language="deu",
                           tesseract_timeout=60)
        done = run_pages(page_job, [0, 1, 2])
        return ([size for size, _ in done], [text.fulltext() for _, text in done],
                (out / "1.jpg").read_bytes())

    alone = job(-1)
    assert alone[0] == [(596, 842)] * 3
    assert alone[1][2] == "Seite drei"
    with ThreadPoolExecutor(THREADS) as pool:
        together = list(pool.map(job, range(THREADS * 3)))
    assert all(result == alone for result in together)


def test_text_layers_alongside_checks(uploads: dict[str, Path]) -> None:
    from service.pipeline.pdfium_guard import PDFIUM

    def read(_: int) -> list[str | None]:
        with PDFIUM:  # textlayer itself does not take the lock: its callers do
            layers = pdf_text_layers(uploads["three"], [(596, 842)] * 3)
        return [layer.fulltext() if layer else None for layer in layers]

    def check(_: int) -> int:
        return check_limits(uploads["good"], "pdf", 10, 100.0)

    alone = read(0)
    with ThreadPoolExecutor(THREADS) as pool:
        reads = [pool.submit(read, n) for n in range(20)]
        checks = [pool.submit(check, n) for n in range(20)]
        assert all(f.result() == alone for f in reads)
        assert all(f.result() == 1 for f in checks)


def _open_fds() -> set[str]:
    return {os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}


def test_zero_page_checks_leak_no_file_descriptor(tmp_path: Path) -> None:
    empty = tmp_path / "template.pdf"
    pikepdf.new().save(empty)
    before = len(os.listdir("/proc/self/fd"))
    for n in range(100):
        # like an upload: its own file, deleted after the refusal
        upload = tmp_path / f"upload-{n}.pdf"
        upload.write_bytes(empty.read_bytes())
        with pytest.raises(ProcessingError, match="the PDF has no pages"):
            check_limits(upload, "pdf", 10, 100.0)
        upload.unlink()
    assert len(os.listdir("/proc/self/fd")) - before == 0
    assert [fd for fd in _open_fds() if "upload-" in fd] == []
