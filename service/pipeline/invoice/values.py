"""Extractions as the API publishes them, and the candidates they are chosen from."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from service.pipeline.invoice.layout import Row, Tok

Extraction = dict[str, Any]

@dataclass(slots=True)
class Candidate:
    value: Any
    toks: list[Tok]
    confidence: float
    row: Row
    rank: int = 0  # which of the field's labels found it (0 = the most specific)


def ex(
    value: Any, confidence: float, toks: list[Tok], problem: bool = False, note: str = ""
) -> Extraction:
    if toks:
        confidence *= 1 - 0.5 * statistics.fmean(t.entropy for t in toks)
    seen: set[tuple[int, int]] = set()
    refs = []
    for tok in toks:
        if (tok.page, tok.bbox_id) not in seen:
            seen.add((tok.page, tok.bbox_id))
            refs.append(tok.ref)
    return {
        "value": value,
        "confidence": round(max(0.0, min(1.0, confidence)), 3),
        "bbox_refs": refs,
        "validation_problem": problem,
        "note": note,
    }


def cand_ex(c: Candidate | None, **kw: Any) -> Extraction | None:
    return None if c is None else ex(c.value, c.confidence, c.toks, **kw)



def seg_value(toks: list[Tok]) -> str:
    return " ".join(t.text for t in toks).strip(" ,·|")
