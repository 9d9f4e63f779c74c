"""The stored file behind each artifact URL of a finished record."""

from __future__ import annotations

from dataclasses import dataclass

from service.artifacts.catalogue import FULL_BODY, KINDS, sub_pdf_file
from service.artifacts.record import Record
from service.wire.etags import etag_for
from service.wire.media import JSON, PDF

# the endpoints (`urls.TABLE`) whose answer is one stored file
STORED = frozenset({"result", "sub-pdf", *(k.name for k in KINDS.values() if k.file)})


@dataclass(frozen=True, slots=True)
class Artifact:
    name: str  # catalogue name, "result" for the full body, "sub-pdf" for one sub-PDF
    file: str
    media_type: str
    compressed: bool
    etag: str  # of the identity representation
    filename: str | None


def artifact_of(record: Record, endpoint: str, index: str | None) -> Artifact | None:
    """The stored file behind an artifact URL; None when the handler must answer (404s)."""
    if endpoint == "sub-pdf":
        if index is None or not index.isascii() or not index.isdigit() or len(index) > 9:
            return None
        i = int(index)
        if "sub-pdfs" not in record.results or i >= len(record.sub_pdfs):
            return None
        return Artifact("sub-pdf", sub_pdf_file(i), PDF, False,
                        etag_for(record.version, "sub-pdf", i), record.sub_pdfs[i])
    if endpoint == "result":
        return Artifact("result", FULL_BODY, JSON, True, etag_for(record.version, "result"),
                        None)
    kind = KINDS.get(endpoint)
    if kind is None or kind.file is None or endpoint not in record.results:
        return None
    return Artifact(endpoint, kind.file, kind.media_type, kind.compressed,
                    etag_for(record.version, endpoint), None)
