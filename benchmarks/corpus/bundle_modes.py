"""How the bundle benchmark groups corpus PDFs into bundles, beyond members of different producers.

- producer_of: the producing tool or vendor of a corpus PDF, from its path; in a flattened
  corpus ("documentation__xRechnung__x.pdf") the flattened folders, in a folder of loose
  files (a held-out set) each file is its own producer;
- same_sender_bundles: members from ONE producer, consecutive in the corpus's order (samples
  of one vendor's software, often one letterhead), never two with the same text;
- strip_titles: every member without its title lines ("Rechnung Nr. 42", "INVOICE",
  "Facture FA-1") in the top part of its pages, taken out of the text layer the splitter
  reads. The lines are found by a fixed pattern of this module (not the splitter's own), so
  a run before and after a change of the splitter strips the same words.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from service.pipeline.words import PageText


@dataclass
class Bundle:
    size: int
    members: list[str]  # corpus-relative paths, in bundle order
    truth: set[int]  # 1-based pages where a document (other than the first) starts
    found: set[int] = field(default_factory=set)
    seconds: float = 0.0


def producer_of(path: Path, root: Path) -> str:
    """The producing tool or vendor, from the corpus layout (ZUGFeRDv2/correct/intarsys/...)."""
    parts = path.relative_to(root).parts[:-1]
    if len(parts) >= 3 and parts[1] in ("correct", "fail"):
        return parts[2].lower()
    if parts:
        return "/".join(parts[:2]).lower()
    if "__" in path.name:  # a flattened checkout: the folders are in the name
        return path.name.rsplit("__", 1)[0].lower()
    return path.stem.lower()  # loose files: each its own producer


def make_bundle(size: int, members: list[Path], docs: dict[Path, int], root: Path) -> Bundle:
    truth, page = set(), 1
    for k, member in enumerate(members):
        if k:
            truth.add(page)
        page += docs[member]
    return Bundle(size, [str(m.relative_to(root)) for m in members], truth)


def text_fingerprint(path: Path) -> str:
    """A hash of the PDF's whole text layer: two files printing the same text are one document."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        text = "\f".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def same_sender_bundles(docs: dict[Path, int], root: Path, sizes: tuple[int, ...],
                        per_size: int, seed: int) -> list[Bundle]:
    """Bundles of consecutive, textually different PDFs of one producer (each run once)."""
    by_producer: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(docs):
        by_producer[producer_of(path, root)].append(path)
    distinct: dict[str, list[Path]] = {}
    for producer, paths in by_producer.items():
        seen: set[str] = set()
        distinct[producer] = []
        for path in paths:
            if (key := text_fingerprint(path)) not in seen:
                seen.add(key)
                distinct[producer].append(path)
    rng = random.Random(seed)
    bundles = []
    for size in sizes:
        # every run of `size` consecutive PDFs of a producer at most once
        windows = [(producer, start) for producer, paths in sorted(distinct.items())
                   for start in range(len(paths) - size + 1)]
        for producer, start in rng.sample(windows, min(per_size, len(windows))):
            members = distinct[producer][start:start + size]
            bundles.append(make_bundle(size, members, docs, root))
    return bundles


_TITLE_WORD = (
    r"(?:[a-zäöüß]+-?)?(?:rechnung|gutschrift|rechnungskorrektur)|(?:tax\s+|commercial\s+)?invoice|"
    r"credit\s+note|facture|avoir|factuur|creditnota|fattura|factura"
)
# a title line: an invoice's document type first ("Rechnung Nr. 42", "INVOICE",
# "HANDELSRECHNUNG (380) Nr. 471102 vom 05.03.2018"); labels with a colon ("Invoice No: 7",
# "Rechnung an:"), "Rechnungsnummer", "Invoice date" and "Invoice to" stay. Order titles stay
# too: an Order-X page repeats its title inside a running header no whole line takes off.
_TITLE_LINE = re.compile(
    rf"^(?:{_TITLE_WORD})\b(?!\s*(?:date|datum|to|an|für|for|address|adresse)\b)[^:]{{0,60}}$",
    re.IGNORECASE,
)


def strip_title(page: PageText, zone: float = 0.6) -> PageText:
    """The page without its title lines in the top `zone` of its height."""
    keep = []
    lines = page.lines()
    for line in lines:
        text = " ".join(w.text for w in line)
        if line[0].y1 < page.height * zone and _TITLE_LINE.match(" ".join(text.split())):
            continue
        keep.extend(line)
    return replace(page, words=keep)


def strip_titles(texts: tuple[PageText, ...]) -> tuple[PageText, ...]:
    """Every page without its title lines: a document printed without a title shows none on
    its later pages either (a running header stripped from the first page only would look
    like a new title on the second)."""
    return tuple(strip_title(t) for t in texts)
