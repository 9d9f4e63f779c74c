"""The catalogue of results: every name a processing can produce, the file it is
stored in, its content type, whether a gzip twin is stored, and how the full
result body is assembled. The pipeline stores by it, the routes and the fast
path serve by it, the tests build processings by it.

    name                file(s)                   type   gzip  in the full body
    ocr                 ocr.json                  JSON   yes   inline object
    hocr                hocr.html                 HTML   yes   URL
    extractions         extractions.json          JSON   yes   inline object
    language            language.json             JSON   no    inline object
    page-images         pages/{n}.jpg, n from 1   JPEG   no    list of URLs
    thumbnail           (page 1, scaled on GET)   JPEG   -     URL
    document-splitting  document-splitting.json   JSON   yes   inline object
    sub-pdfs            sub-pdfs/{i}.pdf, i from 0 PDF   no    list of URLs
    pdf                 searchable.pdf            PDF    no    URL
    (full body)         result.json               JSON   yes   -
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from service.artifacts.packed import Packed, join
from service.artifacts.record import Record
from service.artifacts.store import FileStore
from service.wire.media import HTML, JPEG, JSON, PDF


@dataclass(frozen=True, slots=True)
class ResultKind:
    name: str  # hyphenated, as in `include` and `available_results`
    file: str | None  # stored file for single-file results
    media_type: str
    inline: bool  # inline object in the full body, else URL(s)
    compressed: bool = False  # a `<file>.gz` twin is stored beside the file

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")


KINDS: dict[str, ResultKind] = {
    k.name: k
    for k in (
        ResultKind("ocr", "ocr.json", JSON, True, compressed=True),
        ResultKind("hocr", "hocr.html", HTML, False, compressed=True),
        ResultKind("extractions", "extractions.json", JSON, True, compressed=True),
        ResultKind("language", "language.json", JSON, True),
        ResultKind("ner", "ner.json", JSON, True, compressed=True),
        ResultKind("page-images", None, JPEG, False),
        # no stored file: the endpoint scales page 1 into the FOLIO_THUMBNAIL_SIZE box
        ResultKind("thumbnail", None, JPEG, False),
        ResultKind("document-splitting", "document-splitting.json", JSON, True,
                   compressed=True),
        ResultKind("sub-pdfs", None, PDF, False),
        ResultKind("pdf", "searchable.pdf", PDF, False),
    )
}
RESULT_NAMES = tuple(KINDS)
FULL_BODY = "result.json"
BY_FILE = {k.file: k for k in KINDS.values() if k.file is not None}
_SUB_PDF = re.compile(r"sub-pdfs/(\d+)\.pdf")


def file_of(name: str) -> str:
    """The stored file of a single-file result."""
    file = KINDS[name].file
    if file is None:
        raise KeyError(f"{name!r} is not stored as one file")
    return file


def compressed(file: str) -> bool:
    """Whether `file` is stored with a gzip twin."""
    if file == FULL_BODY:
        return True
    kind = BY_FILE.get(file)
    return kind is not None and kind.compressed


def page_file(page_num: int) -> str:
    return f"pages/{page_num}.jpg"


def sub_pdf_file(index: int) -> str:
    return f"sub-pdfs/{index}.pdf"


def sub_pdf_index(file: str) -> int | None:
    match = _SUB_PDF.fullmatch(file)
    return int(match.group(1)) if match else None


def sub_pdf_name(index: int) -> str:
    """The download name of a sub-PDF (Content-Disposition)."""
    return f"sub_document_{index}.pdf"


def produced(files: list[str], pages: int, wanted: tuple[str, ...]) -> list[str]:
    """The results stored `files` and `pages` page images amount to: the workflow's
    own order (`wanted`) first, anything else a step stored after it."""
    results = [BY_FILE[f].name for f in files if f in BY_FILE]
    if pages:
        results.append("page-images")
        if "thumbnail" in wanted:
            results.append("thumbnail")
    if any(sub_pdf_index(f) is not None for f in files):
        results.append("sub-pdfs")
    ordered = [r for r in wanted if r in results]
    return ordered + [r for r in results if r not in ordered]


def result_url(processing_id: str, name: str) -> str:
    return f"/processing/results/{processing_id}/{name}"


def url_value(record: Record, name: str) -> Any:
    base = result_url(record.processing_id, name)
    if name == "page-images":
        return [f"{base}/{n}" for n in range(1, len(record.pages) + 1)]
    if name == "sub-pdfs":
        return [f"{base}/{i}" for i in range(len(record.sub_pdfs))]
    return base


def full_body(
    store: FileStore, record: Record, workflow_name: str, include: tuple[str, ...] | None,
    spliced: Mapping[str, Packed] | None = None,
) -> dict[str, Any]:
    """The flat result body; results left out by `include` are absent, not null.

    An inline result whose file is in `spliced` is a mark for write_full_body."""
    body: dict[str, Any] = {
        "processing_id": record.processing_id,
        "workflow_id": record.workflow,
        "workflow_name": workflow_name,
        "available_results": list(record.results),
    }
    for name in record.results:
        if include is not None and name not in include:
            continue
        kind = KINDS[name]
        if kind.inline and kind.file and spliced and kind.file in spliced:
            body[kind.key] = orjson.Fragment(_mark(kind.file))
        elif kind.inline and kind.file:
            body[kind.key] = orjson.loads(
                store.artifact(record.processing_id, kind.file).read_bytes()
            )
        else:
            body[kind.key] = url_value(record, name)
    return body


def write_full_body(store: FileStore, record: Record, workflow_name: str,
                    packed: Mapping[str, Packed] | None = None,
                    unsynced: list[Path] | None = None) -> None:
    """Store the complete body once, plain and gzip, so GET streams a file.

    Inline results given in `packed` (file → its bytes and deflated pieces) go in
    as those bytes, unparsed, and their pieces make their share of the gzip twin,
    so that they are neither parsed again nor compressed twice."""
    packed = packed or {}
    body = full_body(store, record, workflow_name, None, spliced=packed)
    data = orjson.dumps(body)
    # a NUL byte is never in orjson's own output: the marks are unambiguous
    marks = sorted((data.find(_mark(file)), file) for file in packed if _mark(file) in data)
    parts: list[Packed | bytes] = []
    start = 0
    for at, file in marks:
        parts += [data[start:at], packed[file]]
        start = at + len(_mark(file))
    parts.append(data[start:])
    store.write_artifact(record.processing_id, FULL_BODY, join(parts), compress=True,
                         unsynced=unsynced)


def _mark(file: str) -> bytes:
    return b"\x00" + file.encode() + b"\x00"
