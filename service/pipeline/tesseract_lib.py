"""Tesseract through its library (libtesseract's C API), its models loaded once.

The command line loads the language models at every call: ~0.14 CPU-s for
deu+eng, ~7% of reading a page. Here each thread of a process keeps one engine
per language string, so a page process loads them once. The engine is given the
8-bit gray pixels directly (no PNG in between) and asked the same thing as the
command line (`--psm 3`, the resolution, TSV): the same words, measured on the
benchmark scan's pages. One thread per engine (OpenMP limited to one, as
OMP_THREAD_LIMIT=1 does for the command line); a reading past its deadline is
cancelled by the engine's monitor (layout analysis before recognition is not
interruptible). `available()` is false where the library cannot be loaded;
tesseract.py then runs the command line.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import threading
import time

import pyvips

from service.errors import ProcessingError

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read by libgomp when it is loaded

_LIBRARY = "libtesseract.so.5"
_lib: ctypes.CDLL | None = None
_loaded = False
_engines = threading.local()
_load_lock = threading.Lock()
_PSM_AUTO = 3
_PSM_OSD_ONLY = 0


def _load() -> ctypes.CDLL | None:
    global _lib, _loaded
    with _load_lock:
        if _loaded:
            return _lib
        _loaded = True
        try:
            lib = ctypes.CDLL(_LIBRARY)
        except OSError:
            return None
        vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        lib.TessBaseAPICreate.restype = vp
        lib.TessBaseAPIInit3.argtypes = [vp, cp, cp]
        lib.TessBaseAPISetVariable.argtypes = [vp, cp, cp]
        lib.TessBaseAPISetPageSegMode.argtypes = [vp, i]
        lib.TessBaseAPISetImage.argtypes = [vp, cp, i, i, i, i]
        lib.TessBaseAPISetSourceResolution.argtypes = [vp, i]
        lib.TessBaseAPIRecognize.argtypes = [vp, vp]
        lib.TessBaseAPIGetTsvText.argtypes = [vp, i]
        lib.TessBaseAPIGetTsvText.restype = vp
        lib.TessBaseAPIClear.argtypes = [vp]
        lib.TessBaseAPIEnd.argtypes = [vp]
        lib.TessBaseAPIDelete.argtypes = [vp]
        lib.TessDeleteText.argtypes = [vp]
        lib.TessMonitorCreate.restype = vp
        lib.TessMonitorSetDeadlineMSecs.argtypes = [vp, i]
        lib.TessMonitorDelete.argtypes = [vp]
        lib.TessBaseAPIDetectOrientationScript.argtypes = [
            vp, ctypes.POINTER(i), ctypes.POINTER(ctypes.c_float), ctypes.POINTER(cp),
            ctypes.POINTER(ctypes.c_float)]
        lib.TessBaseAPIDetectOrientationScript.restype = i
        _lib = lib
        return lib


def available() -> bool:
    return _load() is not None


def _one_thread() -> None:
    """OpenMP in this thread to one thread, also where libgomp was loaded before
    OMP_THREAD_LIMIT was set."""
    name = ctypes.util.find_library("gomp")
    if name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).omp_set_num_threads(1)


def _engine(lib: ctypes.CDLL, lang: str, page: int) -> int:
    engines: dict[str, int] = getattr(_engines, "by_lang", None) or {}
    _engines.by_lang = engines
    if lang not in engines:
        _one_thread()
        api = lib.TessBaseAPICreate()
        # its messages (resolution estimates, warnings) are not folio's log
        lib.TessBaseAPISetVariable(api, b"debug_file", b"/dev/null")
        if lib.TessBaseAPIInit3(api, None, lang.encode()) != 0:
            lib.TessBaseAPIDelete(api)
            raise ProcessingError(
                f"tesseract failed on page {page}: the language {lang!r} could not be loaded")
        lib.TessBaseAPISetVariable(api, b"debug_file", b"/dev/null")
        engines[lang] = api
    return engines[lang]


def read_tsv(gray: pyvips.Image, lang: str, timeout: float, page: int, dpi: int | None) -> str:
    """Tesseract's TSV of a one-band 8-bit image (with the header row the command
    line writes); `dpi` None: the image's own resolution (tesseract estimates one
    where that is implausible, as the command line does)."""
    lib = _load()
    if lib is None:
        raise ProcessingError("tesseract could not be started")
    api = _engine(lib, lang, page)
    pixels = bytes(gray.write_to_memory())
    resolution = dpi or round(gray.xres * 25.4)
    monitor = lib.TessMonitorCreate()
    try:
        lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
        lib.TessBaseAPISetPageSegMode(api, _PSM_AUTO)
        lib.TessBaseAPISetImage(api, pixels, gray.width, gray.height, 1, gray.width)
        lib.TessBaseAPISetSourceResolution(api, resolution)
        deadline = time.monotonic() + timeout
        if lib.TessBaseAPIRecognize(api, monitor) != 0:
            if time.monotonic() >= deadline:
                raise ProcessingError(f"tesseract timed out on page {page}")
            raise ProcessingError(f"tesseract failed on page {page}")
        text = lib.TessBaseAPIGetTsvText(api, 0)
        if not text:
            raise ProcessingError(f"tesseract failed on page {page}")
        try:
            tsv = ctypes.string_at(text).decode("utf-8", "replace")
        finally:
            lib.TessDeleteText(text)
    finally:
        lib.TessBaseAPIClear(api)
        lib.TessMonitorDelete(monitor)
    return "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight" \
        "\tconf\ttext\n" + tsv


def detect_script(gray: pyvips.Image, dpi: int | None, page: int) -> str | None:
    """The script tesseract's orientation and script detection (the `osd` model) sees
    in a one-band 8-bit image ('Latin', 'Arabic', ...), None where it sees none."""
    lib = _load()
    if lib is None:
        raise ProcessingError("tesseract could not be started")
    api = _engine(lib, "osd", page)
    pixels = bytes(gray.write_to_memory())
    try:
        lib.TessBaseAPISetPageSegMode(api, _PSM_OSD_ONLY)
        lib.TessBaseAPISetImage(api, pixels, gray.width, gray.height, 1, gray.width)
        lib.TessBaseAPISetSourceResolution(api, dpi or round(gray.xres * 25.4))
        degrees, confidence = ctypes.c_int(), ctypes.c_float()
        script, script_confidence = ctypes.c_char_p(), ctypes.c_float()
        found = lib.TessBaseAPIDetectOrientationScript(
            api, ctypes.byref(degrees), ctypes.byref(confidence), ctypes.byref(script),
            ctypes.byref(script_confidence))
    finally:
        lib.TessBaseAPIClear(api)
    if not found or not script.value:
        return None
    return script.value.decode("ascii", "replace")
