"""The workflows folio runs: each an id, a name, the results it produces and its steps.

A deployment adds its own with `register()` (see README, "Your own workflows").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.pipeline import steps

COMMON = ("ocr", "hocr", "language", "page-images", "thumbnail", "pdf")


@dataclass(frozen=True, slots=True)
class Workflow:
    workflow_id: str
    name: str
    description: str
    results: tuple[str, ...]
    steps: Sequence[Callable[..., Any]] = field(default=())
    long_description: str = ""  # the listing falls back to `description`
    visibility: str = "public"  # as the vendor's list says of its prebuilt workflows

    def __post_init__(self) -> None:
        # the pipeline types the words of every extraction (pipeline.steps.ner)
        if "extractions" in self.results and "ner" not in self.results:
            object.__setattr__(self, "results", (*self.results, "ner"))

    def listing(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "category": "prebuilt",
            "name": self.name,
            "description": self.description,
            "long_description": self.long_description or self.description,
            "visibility": self.visibility,
            "permissions": ["process", "read"],
            "retrievable_results": list(self.results),
        }


REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    REGISTRY[workflow.workflow_id] = workflow
    return workflow


register(Workflow(
    "ocr", "OCR", "Page images, text (PDF text layer or OCR), hOCR and a searchable PDF.",
    COMMON, steps.COMMON_STEPS,
    long_description="Renders every page at 220 DPI, takes the words from the PDF's own text "
    "layer where it has one and from tesseract otherwise, and answers them as OCR JSON and "
    "hOCR, with the document's language, page images at any size, a thumbnail and a "
    "searchable PDF."))
register(Workflow(
    "invoice_extraction", "Invoice extraction",
    "OCR plus invoice fields with confidences and word references.",
    (*COMMON, "extractions", "ner"), (*steps.COMMON_STEPS, steps.invoice_fields),
    long_description="Everything the OCR workflow answers, plus the invoice fields of the "
    "published Invoice schema (number, dates, amounts, parties, bank details, tax lines, line "
    "items), each with a confidence and the OCR words it was read from, and the NER result: "
    "every OCR word typed by the field that points at it."))
register(Workflow(
    "generic_splitting", "Generic document splitting",
    "OCR plus the split of a bundle into sub-documents and sub-PDFs.",
    (*COMMON, "document-splitting", "sub-pdfs"), (*steps.COMMON_STEPS, steps.splitting),
    long_description="Everything the OCR workflow answers, plus where a scanned bundle splits "
    "into separate documents, with a confidence for every page boundary, and one PDF per "
    "sub-document."))


def get(workflow_id: str) -> Workflow | None:
    return REGISTRY.get(workflow_id)


def load_plugins(modules: Sequence[str]) -> None:
    """Import each module named in FOLIO_PLUGINS; importing one registers its workflows."""
    for name in modules:
        importlib.import_module(name)
