"""Printed 'Label: value' pairs that no field of the schema took.

'Projekt: Alpha', 'Kostenstelle: 4711', 'Ansprechpartner: Frau X', 'Your ref: ...': a key
is a short label ending in ':' at the start of a phrase, its value the rest of the phrase
or, when that is empty, the next phrase on the row. Pairs are read outside item tables,
and one is left out when its value's words are already a field's (the invoice number
after 'Rechnungsnr.:'), when its key is a field's label, or when it names what the
schema has a field for (phone, IBAN, VAT ID, ...) that the parties did not take.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

from service.pipeline.invoice.labels import LABELS
from service.pipeline.invoice.layout import Layout, Row, Tok
from service.pipeline.invoice.table import Table
from service.pipeline.invoice.values import Extraction, ex

# pairs kept per document: a page prints a handful of extras (project, cost centre,
# contact); past that the colons are running text or a form, and each pair is also two
# NER entities in the words' types
MAX_PAIRS = 20
MAX_KEY_CHARS = 32
MAX_VALUE_CHARS = 80

# 1-4 words opening with a letter ('.', '-', '/', '&' and one digit inside), then the colon
_KEY = re.compile(r"[^\W\d_][\w.\-/&()]*(?:\s[\w.\-/&()]+){0,3}:")
# labels of fields the schema has, which key_value_pairs does not repeat: a key opening
# with one of these, or naming a VAT ID anywhere ('Customer VAT ID')
_FIELD_KEYS = re.compile(
    r"(?:t[ée]l(?:[ée]phone|efon|\.)?|phone|fon|mobil(?:e)?|fax|telefax|e-?mail|mail|web|www|"
    r"internet|homepage|url|iban|bic|swift(?:-?code)?|bank(?:verbindung)?|kreditinstitut|"
    r"blz|konto(?:nummer|-?nr\.?)?|ust\.?-?id\.?(?:-?nr\.?)?|ust-?idnr\.?|vat(?:\s+(?:id|no\.?|"
    r"number))?|st(?:euer)?\.?-?nr\.?|steuernummer|tax\s+(?:id|number)|eori(?:-nr\.?)?|hrb|hra|"
    r"handelsreg(?:ister)?\.?(?:-?nummer|-?nr\.?)?|registergericht|amtsgericht|register|"
    r"gtin|ean|seite|page|summe|total|betrag|gesamt(?:betrag)?|netto|brutto|mwst\.?|ust\.?|"
    r"(?:invoice|rechnungs?)[\s-]?id|anschrift|adresse|address|stra(?:ß|ss)e|street|plz|"
    r"postleitzahl|zip(?:\s+code)?|city|country|land)(?:nummer|nr\.?)?\.?(?![\w-])",
    re.I,
)
# an amount under a price or discount label: an item's or an allowance's detail
# ('Bruttopreis: 1,5000 €', 'Rabattbetrag: 0,10'), which the schema's amounts are about
_MONEY_KEY = re.compile(r"preis|betrag|rabatt|price|amount|discount|wert|summe|total", re.I)
_MONEY = re.compile(r"[-+]?\s?(?:€|EUR|USD|\$|£)?\s?\d[\d.,' ]*[.,]\d{2,4}\s?(?:€|EUR|USD|\$|£)?"
                    r"(?:\s?/\s?\w+\.?)?")
_ANYWHERE = re.compile(r"\b(?:vat|ust)[\s.-]*id|\bvat\s+(?:no|number)|\b(?:iban|bic|swift)\b",
                       re.I)


def key_value_pairs(layout: Layout, skip: set[int], tables: Sequence[Table],
                    result: dict[str, Any]) -> list[dict[str, Extraction]]:
    taken = set(_refs(result))
    values = {_compact(v) for v in _values(result)}
    out: list[dict[str, Extraction]] = []
    seen: set[tuple[str, str]] = set()
    spans = _table_spans(tables)
    for row in layout.rows:
        if id(row) in skip or any(p == row.page and a <= row.y1 and row.y2 <= b
                                  for p, a, b in spans):
            continue
        for key, value in _pairs(row):
            key_text = _key_text(key)
            value_text = " ".join(t.text for t in value).strip(" ,;·|")
            if (not value_text or len(value_text) > MAX_VALUE_CHARS
                    or any((t.page, t.bbox_id) in taken for t in [*key, *value])
                    or _compact(value_text) in values or _is_field_label(key_text)
                    or (_MONEY_KEY.search(key_text) and _MONEY.fullmatch(value_text))
                    or (key_text.casefold(), value_text) in seen):
                continue
            seen.add((key_text.casefold(), value_text))
            out.append({"key": ex(key_text, 0.7, key), "value": ex(value_text, 0.7, value)})
            if len(out) == MAX_PAIRS:
                return out
    return out


def _table_spans(tables: Sequence[Table]) -> list[tuple[int, float, float]]:
    """Each item table's page and height: its item rows and the detail lines between them
    ('Rabattbetrag: 0,10', 'Verpackung: Karton') are the items', not the invoice's."""
    spans = []
    for table in tables:
        for page in {r.page for r in table.rows}:
            rows = [r for r in table.rows if r.page == page]
            spans.append((page, min(r.y1 for r in rows), max(r.y2 for r in rows)))
    return spans


def _pairs(row: Row) -> Iterator[tuple[list[Tok], list[Tok]]]:
    """Each phrase opening with a label: the label's words and the value's. A phrase may
    hold several ('Projekt: Alpha, Kostenstelle: 4711'): a later label starts after the
    value's comma, or is the one word before its colon."""
    phrases = _phrases(row)
    for s, toks in enumerate(phrases):
        colons = [i for i, t in enumerate(toks) if (i > 0 and t.text == ":")
                  or (len(t.text) > 1 and t.text.endswith(":"))]
        if not colons or colons[0] > 3:
            continue
        starts = [0] + [_key_start(toks, prev, end) for prev, end in pairwise(colons)]
        for n, end in enumerate(colons):
            key = toks[starts[n]:end + 1]
            stop = starts[n + 1] if n + 1 < len(colons) else len(toks)
            value = toks[end + 1:stop]
            if not value and stop == len(toks) and s + 1 < len(phrases):
                following = phrases[s + 1]
                if not any(t.text.endswith(":") for t in following):
                    value = list(following)
            if value and _label_like(_key_text(key) + ":"):
                yield key, value


def _key_start(toks: list[Tok], prev: int, end: int) -> int:
    """Where the label ending at `end` starts, the previous one ending at `prev`."""
    word = end - 1 if toks[end].text == ":" else end
    for i in range(word - 1, max(prev, word - 4), -1):
        if toks[i].text.endswith((",", ";")):
            return i + 1
    return word


def _phrases(row: Row) -> list[list[Tok]]:
    """The row's phrases: a colon printed apart ('Abteilung' ':' '8211') joined to the
    label before it, and phrases a word space apart (text set with wide spaces) joined."""
    out: list[list[Tok]] = []
    for seg in row.segments:
        if out and seg.toks[0].text == ":":
            out[-1] = [*out[-1], seg.toks[0]]
            if len(seg.toks) > 1:
                out.append(seg.toks[1:])
        elif out and seg.toks[0].x1 - out[-1][-1].x2 <= 1.5 * max(
                seg.toks[0].height, out[-1][-1].height) and out[-1][-1].text != ":":
            out[-1] = [*out[-1], *seg.toks]
        else:
            out.append(list(seg.toks))
    return out


def _key_text(key: list[Tok]) -> str:
    return re.sub(r"\s*:$", "", " ".join(t.text for t in key))


def _label_like(text: str) -> bool:
    """A short label opening with a capital ('class:' or 'items. Estimated delivery:' are
    the end of a sentence or of a wrapped line, not a label)."""
    return (len(text) <= MAX_KEY_CHARS + 1 and sum(c.isdigit() for c in text) <= 1
            and text[0].isupper() and _KEY.fullmatch(text) is not None
            and _SENTENCE_END.search(text) is None)


_SENTENCE_END = re.compile(r"(?<!\S)[^\W\d_A-Z]*[a-zäöüß]{2}\.\s")


def _is_field_label(key: str) -> bool:
    if _FIELD_KEYS.match(key) or _ANYWHERE.search(key):
        return True
    return any(re.fullmatch(f"(?:{pattern})\\.?", key, re.I)
               for labels in LABELS.values() for pattern, _ in labels)


def _compact(text: Any) -> str:
    return re.sub(r"[\W_]+", "", str(text)).casefold()


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of the extraction, at any depth."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _dicts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dicts(item)


def _refs(result: dict[str, Any]) -> Iterator[tuple[int, int]]:
    for node in _dicts(result):
        for ref in node.get("bbox_refs") or ():
            if isinstance(ref, dict):
                yield ref["page_num"], ref["bbox_id"]


def _values(result: dict[str, Any]) -> Iterator[str]:
    """The text of every string value the extraction holds (numbers are left out: '4711'
    the cost centre is not '4711.0' the amount)."""
    for node in _dicts(result):
        if "bbox_refs" in node and isinstance(node.get("value"), str):
            yield node["value"]
