"""What each result is called, where it is stored, and the full result body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from service.artifacts.record import Record
from service.artifacts.store import FileStore


@dataclass(frozen=True, slots=True)
class ResultKind:
    name: str  # hyphenated, as in `include` and `available_results`
    file: str | None  # stored file for single-file results
    media_type: str
    inline: bool  # inline object in the full body, else URL(s)

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")


JSON = "application/json"
HTML = "text/html; charset=utf-8"
JPEG = "image/jpeg"
PDF = "application/pdf"

KINDS: dict[str, ResultKind] = {
    k.name: k
    for k in (
        ResultKind("ocr", "ocr.json", JSON, True),
        ResultKind("hocr", "hocr.html", HTML, False),
        ResultKind("extractions", "extractions.json", JSON, True),
        ResultKind("language", "language.json", JSON, True),
        ResultKind("page-images", None, JPEG, False),
        ResultKind("thumbnail", "thumbnail.jpg", JPEG, False),
        ResultKind("document-splitting", "document-splitting.json", JSON, True),
        ResultKind("sub-pdfs", None, PDF, False),
        ResultKind("pdf", "searchable.pdf", PDF, False),
    )
}
RESULT_NAMES = tuple(KINDS)
FULL_BODY = "result.json"
COMPRESSED = frozenset({"ocr.json", "hocr.html", "extractions.json",
                        "document-splitting.json", FULL_BODY})


def page_file(page_num: int) -> str:
    return f"pages/{page_num}.jpg"


def sub_pdf_file(index: int) -> str:
    return f"sub-pdfs/{index}.pdf"


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
    store: FileStore, record: Record, workflow_name: str, include: tuple[str, ...] | None
) -> dict[str, Any]:
    """The flat result body; results left out by `include` are absent, not null."""
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
        if kind.inline and kind.file:
            body[kind.key] = orjson.loads(
                store.artifact(record.processing_id, kind.file).read_bytes()
            )
        else:
            body[kind.key] = url_value(record, name)
    return body


def write_full_body(store: FileStore, record: Record, workflow_name: str) -> None:
    """Store the complete body once, plain and gzip, so GET streams a file."""
    body = full_body(store, record, workflow_name, None)
    store.write_artifact(record.processing_id, FULL_BODY, orjson.dumps(body), compress=True)
