"""The vendor's bank accounts: IBANs as printed, as OCR misread them, or only labelled."""

from __future__ import annotations

import re
from typing import Any

from service.pipeline.invoice.layout import Layout, Segment
from service.pipeline.invoice.misreads import Repaired, repair_iban
from service.pipeline.invoice.parsers import find_labeled, parse_bic
from service.pipeline.invoice.validators import IBAN_LENGTHS, normalize_iban
from service.pipeline.invoice.values import Candidate, cand_ex


def bank_accounts(layout: Layout, skip: set[int], customer_toks: set[int]) -> list[dict[str, Any]]:
    ibans: list[Candidate] = []
    # phrase by phrase, then whole rows: an IBAN printed in groups may span a wide gap
    phrases = [*layout.segments(), *((row, Segment(list(row.toks))) for row in layout.rows)]
    for row, seg in phrases:
        text = seg.text
        for m in re.finditer(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,32}", text):
            compact = ""
            positions = []
            for k, ch in enumerate(m.group(0)):
                if not ch.isspace():
                    compact += ch
                    positions.append(m.start() + k)
            for length in range(min(34, len(compact)), 14, -1):
                iban = normalize_iban(compact[:length])
                if iban is not None:
                    toks = seg.span(m.start(), positions[length - 1] + 1)
                    if not any(id(t) in customer_toks for t in toks) and all(
                        c.value != iban for c in ibans
                    ):
                        ibans.append(Candidate(iban, toks, 0.95, row))
                    break
    repaired = _repaired_ibans(layout, customer_toks, {c.value for c in ibans})
    unchecked: list[Candidate] = []
    if not ibans and not repaired:
        unchecked = _labelled_ibans(layout, customer_toks)
    bics: list[Candidate] = []
    for c in find_labeled(layout, "bic", parse_bic, skip, same_row=True):
        if all(b.value != c.value for b in bics):
            bics.append(c)
    out = []
    for i, account in enumerate(ibans):
        bic = bics[i] if i < len(bics) else None
        out.append({"iban": cand_ex(account), "bic": cand_ex(bic)})
    for account, fixed in repaired:
        i = len(out)
        bic = bics[i] if i < len(bics) else None
        out.append({"iban": cand_ex(account, note=fixed.note), "bic": cand_ex(bic)})
    for i, account in enumerate(unchecked):
        bic = bics[i] if i < len(bics) else None
        note = "labelled IBAN with a wrong check digit or length"
        out.append({"iban": cand_ex(account, problem=True, note=note), "bic": cand_ex(bic)})
    return out


def _repaired_ibans(
    layout: Layout, customer_toks: set[int], found: set[str]
) -> list[tuple[Candidate, Repaired]]:
    """IBANs OCR read with look-alike characters (DEO8 for DE08), repaired where the
    checksum then holds: each starting a word, right after a label's colon, or stuck to
    the label itself ('IBANDE08...', 'lBAN:DE08...')."""
    out: list[tuple[Candidate, Repaired]] = []
    for row in layout.rows:
        seg = Segment(list(row.toks))
        text = seg.text
        for start in range(len(text)):
            if not text[start].isalnum() or not (
                start == 0 or text[start - 1] in " :" or _LABEL_BEFORE.search(text, 0, start)
            ):
                continue
            fixed = repair_iban(text, start)
            if fixed is None or fixed.value in found:
                continue
            toks = seg.span(start, fixed.end)
            if not any(id(t) in customer_toks for t in toks):
                found.add(fixed.value)
                out.append((Candidate(fixed.value, toks, 0.8, row), fixed))
    return out


# an 'IBAN' label as OCR reads it (l, 1 or | for the I), right before the number
_LABEL_BEFORE = re.compile(r"(?<![A-Za-z])[I1l|]BAN(?:-?Nr\.?)?$")


_LABELLED = re.compile(r"(?<![A-Za-z])[I1l|]BAN\s*:?\s*([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{1,4}){3,8})\b")


def _labelled_ibans(layout: Layout, customer_toks: set[int]) -> list[Candidate]:
    """IBANs printed after an 'IBAN' label that fail the checksum: kept, and flagged."""
    out: list[Candidate] = []
    for row in layout.rows:
        seg = Segment(list(row.toks))  # label and number may be printed far apart
        m = _LABELLED.search(seg.text)
        if m is None:
            continue
        value = re.sub(r"\s", "", m.group(1))
        end = m.end(1)
        length = IBAN_LENGTHS.get(value[:2])
        if length and len(value) > length:
            # 'IBAN: GB99NWBK60161312345678 VAT Reg. No.': the country's length ends it
            value = value[:length]
            end = m.start(1) + _span_of(m.group(1), length)
        toks = seg.span(m.start(1), end)
        if (
            15 <= len(value) <= 34
            and not any(id(t) in customer_toks for t in toks)
            and all(c.value != value for c in out)
        ):
            out.append(Candidate(value, toks, 0.6, row))
    return out


def _span_of(text: str, characters: int) -> int:
    """How far into `text` its first `characters` non-space characters reach."""
    seen = 0
    for k, ch in enumerate(text):
        if not ch.isspace():
            seen += 1
            if seen == characters:
                return k + 1
    return len(text)
