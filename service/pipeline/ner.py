"""The NER result: every OCR word typed by the extraction that points at it.

One entry per word of the OCR, in page and word order. A word referenced by an
extraction's `bbox_refs` takes that field's type (see invoice_fields.type_name);
every other word is VOID. A word several fields point at (a total that is also the
amount due) takes the most confident one, and `type_probs` shares the probability
between them, VOID getting what is left. Groupings collect the words of each line
item and of each party.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from service.pipeline.invoice_fields import VOID, type_name

Ref = tuple[int, int]  # (page_num, bbox_id), both 1-based
GROUPS = ("line_item", "vendor", "customer")


def is_extraction(value: Any) -> bool:
    return isinstance(value, dict) and "bbox_refs" in value and "confidence" in value


def extraction_leaves(
    value: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every Extraction in the result with its field path (list indices left out)."""
    if is_extraction(value):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from extraction_leaves(child, (*path, key))
    elif isinstance(value, list):
        for child in value:
            yield from extraction_leaves(child, path)


def _refs(value: Any, word_counts: Sequence[int]) -> list[Ref]:
    """The valid word references under `value`, sorted and without repeats."""
    found: set[Ref] = set()
    for _, leaf in extraction_leaves(value):
        for ref in leaf.get("bbox_refs") or ():
            key = _ref(ref, word_counts)
            if key is not None:
                found.add(key)
    return sorted(found)


def _ref(ref: Any, word_counts: Sequence[int]) -> Ref | None:
    if not isinstance(ref, dict):
        return None
    page, bbox = ref.get("page_num"), ref.get("bbox_id")
    if not isinstance(page, int) or not isinstance(bbox, int):
        return None
    if not 1 <= page <= len(word_counts) or not 1 <= bbox <= word_counts[page - 1]:
        return None  # a reference outside the OCR would point at nothing
    return page, bbox


def _probs(candidates: dict[str, float]) -> list[dict[str, Any]]:
    total = sum(candidates.values())
    scale = 1 / total if total > 1 else 1.0
    probs = [(name, round(conf * scale, 3)) for name, conf in candidates.items()]
    void = round(max(0.0, 1 - total * scale), 3)
    if void > 0:
        probs.append((VOID, void))
    probs.sort(key=lambda p: -p[1])
    return [{"type": name, "prob": prob} for name, prob in probs]


def _reference(ref: Ref) -> dict[str, int]:
    return {"page_num": ref[0], "bbox_id": ref[1]}


def build_ner(word_counts: Sequence[int], extractions: dict[str, Any]) -> dict[str, Any]:
    """NER JSON for pages with `word_counts[i]` OCR words on page i + 1."""
    # word → type → best confidence; dicts keep the first field seen first on ties
    typed: dict[Ref, dict[str, float]] = {}
    for path, leaf in extraction_leaves(extractions):
        name = type_name(path)
        confidence = leaf.get("confidence")
        conf = float(confidence) if isinstance(confidence, int | float) else 0.0
        conf = min(1.0, max(0.0, conf))
        for ref in leaf.get("bbox_refs") or ():
            key = _ref(ref, word_counts)
            if key is None:
                continue
            candidates = typed.setdefault(key, {})
            candidates[name] = max(conf, candidates.get(name, 0.0))
    types = []
    for page, count in enumerate(word_counts, 1):
        for bbox in range(1, count + 1):
            found = typed.get((page, bbox))
            if not found:
                types.append({"reference": _reference((page, bbox)), "type": VOID,
                              "type_probs": [{"type": VOID, "prob": 1.0}]})
                continue
            best = max(found, key=lambda n: found[n])  # the first field seen wins a tie
            types.append({"reference": _reference((page, bbox)), "type": best,
                          "type_probs": _probs(found)})
    groupings: dict[str, list[dict[str, Any]]] = {}
    for group in GROUPS:
        value = extractions.get(group)
        members = value if isinstance(value, list) else [value] if value else []
        groupings[group] = [
            {"references": [_reference(r) for r in refs]}
            for refs in (_refs(m, word_counts) for m in members) if refs
        ]
    return {"types": types, "groupings": groupings}
