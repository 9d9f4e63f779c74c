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

    def listing(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "category": "prebuilt",
            "name": self.name,
            "description": self.description,
            "permissions": ["process", "read"],
            "retrievable_results": list(self.results),
        }


REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    REGISTRY[workflow.workflow_id] = workflow
    return workflow


register(Workflow("ocr", "OCR", "Page images, text (PDF text layer or OCR), hOCR "
                  "and a searchable PDF.", COMMON, steps.COMMON_STEPS))
register(Workflow("invoice_extraction", "Invoice extraction",
                  "OCR plus invoice fields with confidences and word references.",
                  (*COMMON, "extractions"), (*steps.COMMON_STEPS, steps.invoice_fields)))
register(Workflow("generic_splitting", "Generic document splitting",
                  "OCR plus the split of a bundle into sub-documents and sub-PDFs.",
                  (*COMMON, "document-splitting", "sub-pdfs"),
                  (*steps.COMMON_STEPS, steps.splitting)))


def get(workflow_id: str) -> Workflow | None:
    return REGISTRY.get(workflow_id)


def load_plugins(modules: Sequence[str]) -> None:
    """Import each module named in FOLIO_PLUGINS; importing one registers its workflows."""
    for name in modules:
        importlib.import_module(name)
