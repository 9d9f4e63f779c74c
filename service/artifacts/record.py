"""The record kept for every processing: its state and what it produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
STATES = (PENDING, RUNNING, SUCCEEDED, FAILED)


class CorruptRecord(Exception):
    """A record exists but cannot be read back; the processing answers 500."""


@dataclass(slots=True)
class Record:
    processing_id: str
    tenant: str
    workflow: str
    status: str = PENDING
    created_at: float = 0.0
    updated_at: float = 0.0
    completed_at: float | None = None
    error: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    source_kind: str | None = None
    # pixel size of every stored page image, page 1 first
    pages: list[tuple[int, int]] = field(default_factory=list)
    # hyphenated names of the results this processing produced
    results: list[str] = field(default_factory=list)
    # file names of the sub-PDFs, index 0 first
    sub_pdfs: list[str] = field(default_factory=list)
    # changes whenever artifacts are (re)written; part of every ETag
    version: str = ""
    attempts: int = 0

    @property
    def done(self) -> bool:
        return self.status in (SUCCEEDED, FAILED)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pages"] = [list(p) for p in self.pages]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Record:
        try:
            record = cls(**data)
            record.pages = [(int(w), int(h)) for w, h in record.pages]
        except (TypeError, ValueError) as exc:
            raise CorruptRecord(f"malformed record: {exc}") from exc
        if record.status not in STATES or not isinstance(record.processing_id, str):
            raise CorruptRecord("malformed record: bad status or id")
        return record
