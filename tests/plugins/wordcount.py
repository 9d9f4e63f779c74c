"""An example deployment plugin: a workflow with a custom step (used by the tests)."""

from __future__ import annotations

import orjson

from service.pipeline.document import Artifacts, Document
from service.pipeline.steps import COMMON_STEPS
from service.pipeline.workflows import COMMON, Workflow, register


def count_words(doc: Document) -> Artifacts:
    counts = {"word_count": sum(len(page.words) for page in doc.texts)}
    # served as the `extractions` result
    return {"extractions.json": orjson.dumps(counts)}


register(Workflow("word_count", "Word count", "OCR plus the number of words.",
                  (*COMMON, "extractions"), (*COMMON_STEPS, count_words)))
