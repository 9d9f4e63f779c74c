"""Who sent the invoice and to whom: address blocks, sender lines, letterheads."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from service.pipeline.invoice.labels import LABELS
from service.pipeline.invoice.layout import Layout, Row, Segment, Tok, norm
from service.pipeline.invoice.party_sections import SALUTATION

CITY_LINE = re.compile(
    # 10115 Berlin, CH-8001 Zürich, F-75001 Paris, 84340 Malaucène, 560001 Bengaluru
    r"^(?:(?:D|DE|A|AT|CH|F|FR|B|BE|L|LU|I|IT|E|ES)-)?\d{4,6}\s+[A-ZÄÖÜÉÈÀÂÎÔÛÇ][\w.\- ()']+$"
    r"|^(?:NL-)?\d{4}\s?[A-Z]{2}\s+[A-Z][\w.\- ']+$"  # 3012 CN Rotterdam
    r"|^[A-Z][A-Za-z' .\-]+\s+[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}$"  # Leeds LS1 4AP
    r"|^[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\s+[A-Z][A-Za-z' .\-]+$"  # M1 1AA Manchester
    r"|^[A-Z]\d{2}\s?[A-Z\d]{4}\s+[A-Z][A-Za-z' .\-]+$"  # D02 XA00 Dublin
    r"|^[A-Z][A-Za-z .'\-]+,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?$"  # Austin, TX 78701
    r"|^[A-Z][A-Za-z .'\-]+\s*[-\u2013]?\s*\d{6}$"  # Bengaluru 560001
)
CUSTOMER_LABEL = re.compile(
    r"^(bill(ed)? to|invoice to|sold to|to|customer|client|rechnungsempfänger|"
    r"rechnungsanschrift|rechnungsadresse|empfänger|kunde|an)\s*:?$"
)
VENDOR_LABEL = re.compile(r"^(from|von|absender|seller|supplier|verkäufer|lieferant)\s*:?$")
SHIP_LABEL = re.compile(
    r"^(ship to|deliver to|delivery address|shipping address|lieferanschrift|lieferadresse|"
    r"warenempfänger|adresse de livraison|livrer à|afleveradres|leveradres|"
    r"dirección de entrega|direccion de envio|indirizzo di consegna|destinazione merce)\s*:?$"
)
LEGAL_FORM = re.compile(
    r"\b(gmbh|ag|kg|ohg|e\.k\.|ug|gbr|mbh|ltd\.?|limited|plc|llp|llc|inc\.?|corp\.?|s\.a\.|"
    r"b\.v\.|bv|n\.v\.|nv|vof|s\.r\.l\.|srl|s\.p\.a\.|spa|sarl|sas|sasu|eurl|s\.l\.|sl|"
    r"s\.a\.s\.|pvt\.? ltd\.?|private limited|llp|co\.)(\s|$|\))",
    re.I,
)
TITLE_WORDS = re.compile(
    r"^(rechnung|invoice|tax invoice|gutschrift|credit note|rechnungskorrektur)$"
)
STREET_WORDS = re.compile(
    r"\b(street|st\.?|avenue|ave\.?|road|rd\.?|way|lane|ln\.?|drive|dr\.?|boulevard|blvd\.?|"
    r"court|place|square|broadway|straße|strasse|str\.|weg|platz|allee|gasse|ring|damm)$",
    re.I,
)


def is_city_line(text: str) -> bool:
    text = text.strip()
    return bool(CITY_LINE.match(text)) and not STREET_WORDS.search(text)


SEPARATORS = re.compile(r"\s+[·•●∙◦|]\s+|\s*[·•●∙◦|]\s*|,\s+")


@dataclass(slots=True)
class Block:
    """A stacked address: name lines, street, city, and what follows below."""

    page: int
    lines: list[Segment]  # top to bottom, without the label
    city_index: int
    label: str = ""
    extra: list[Segment] = field(default_factory=list)  # lines below the city line
    sender: list[Segment] = field(default_factory=list)  # lines above its 'Herrn' / 'Frau'

    @property
    def name(self) -> Segment:
        return self.lines[0]

    @property
    def street(self) -> Segment | None:
        return self.lines[self.city_index - 1] if self.city_index >= 1 else None

    @property
    def city(self) -> Segment:
        return self.lines[self.city_index]

    @property
    def y1(self) -> float:
        return self.lines[0].y1

    def toks(self) -> list[Tok]:
        return [t for seg in self.lines + self.extra for t in seg.toks]


@dataclass(slots=True)
class InlineAddress:
    """'Name · Street · 10115 City' on one line, as in a sender line or a footer."""

    name: list[Tok] | None
    street: list[Tok]
    city: list[Tok]
    row: Row


def _aligned(a: Segment, b: Segment, slack: float) -> bool:
    return abs(a.x1 - b.x1) < slack or abs(a.x2 - b.x2) < slack


def _overlaps(a: Segment, b: Segment) -> bool:
    return min(a.x2, b.x2) > max(a.x1, b.x1)


def find_blocks(layout: Layout, page: int) -> list[Block]:
    rows = layout.page_rows(page)
    blocks = []
    for r, row in enumerate(rows):
        for seg in row.segments:
            if not is_city_line(seg.text):
                continue
            slack = seg.height * 1.5
            lines, label = [seg], ""
            above, last = r - 1, seg
            while above >= 0 and len(lines) < 6:
                prev = rows[above]
                # a speck OCR read as a letter ('j') is no line of the address
                segments = [s for s in prev.segments
                            if len(s.text) > 2 or s.height >= 0.5 * last.height]
                if not segments:
                    above -= 1
                    continue
                gap = (last.y1 - prev.y2) / max(last.height, prev.height)
                if gap > 3.5:
                    break
                match = [s for s in segments if _aligned(s, last, slack)]
                if not match and not any(_overlaps(s, last) for s in segments):
                    above -= 1  # a row of the column beside the address
                    continue
                if gap > 2.0 and not any(abs(s.x1 - last.x1) < 0.3 * last.height for s in match):
                    break  # lines far apart belong together only when exactly aligned
                if not match:
                    break
                text = norm(match[0].text)
                if CUSTOMER_LABEL.match(text) or VENDOR_LABEL.match(text) or SHIP_LABEL.match(text):
                    label = text.rstrip(":").strip()
                    break
                if match[0].height < last.height * 0.8 and len(lines) >= 2:
                    break  # the small sender line above an address window
                lines.insert(0, match[0])
                last = match[0]
                above -= 1
            # 'Herrn' / 'Frau' opens the addressee: the lines above it are someone else's
            # (the insurer's name printed right above the address window)
            opened = [k for k, line in enumerate(lines[:-2]) if SALUTATION.match(norm(line.text))]
            sender: list[Segment] = []
            if opened and opened[-1] > 0:
                sender, lines = lines[: opened[-1]], lines[opened[-1] :]
            if len(lines) < 2:
                continue
            block = Block(page, lines, len(lines) - 1, label, sender=sender)
            below, last = r + 1, seg
            while below < len(rows) and len(block.extra) < 3:
                nxt = rows[below]
                if nxt.y1 - last.y2 > last.height * 1.6:
                    break
                match = [s for s in nxt.segments if _aligned(s, last, slack)]
                if not match and not any(_overlaps(s, last) for s in nxt.segments):
                    below += 1
                    continue
                if not match:
                    break
                block.extra.append(match[0])
                last = match[0]
                below += 1
            blocks.append(block)
    return blocks


def _joined(row: Row) -> list[Segment]:
    """The row's phrases, with phrases set apart only by a lone separator ('Bei Spiel GmbH'
    '●' 'Ecke 12' '●' '12345 Stadthausen') read as one; a bullet that OCR read as a letter
    ('e', 'o') between two phrases counts as one."""
    out: list[Segment] = []
    glue = False
    segs = row.segments
    for k, seg in enumerate(segs):
        text = seg.text.strip()
        lone = bool(re.fullmatch(r"[·•●∙◦|]", text))
        if not lone and re.fullmatch(r"[eo*»°]", text) and 0 < k < len(segs) - 1:
            lone = True
            seg = Segment([dataclasses.replace(seg.toks[0], text="•")])
        if out and (lone or glue):
            out[-1] = Segment(out[-1].toks + seg.toks)
        else:
            out.append(seg)
        glue = lone
    return out


def find_inline_addresses(layout: Layout) -> list[InlineAddress]:
    found = []
    for row in layout.rows:
        for seg in _joined(row):
            text = seg.text
            parts: list[tuple[int, int]] = []
            start = 0
            for m in SEPARATORS.finditer(text):
                parts.append((start, m.start()))
                start = m.end()
            parts.append((start, len(text)))
            if len(parts) < 2:
                continue
            # rejoin 'Austin, TX 78701' that the comma split apart
            for i, (a, b) in enumerate(parts):
                city_text = text[a:b].strip()
                if i and not is_city_line(city_text):
                    joined = text[parts[i - 1][0] : b].strip()
                    if re.search(r",\s*[A-Z]{2}\s+\d{5}$", joined) and is_city_line(joined):
                        parts[i - 1 : i + 1] = [(parts[i - 1][0], b)]
                        break
            for i, (a, b) in enumerate(parts):
                if i == 0 or not is_city_line(text[a:b]):
                    continue
                # the street: the first part with a number, with maybe 'Suite 100',
                # 'Building A' between it and the city
                street = next((k for k in range(max(int(i >= 2), i - 3), i)
                               if re.search(r"\d", text[slice(*parts[k])])), None)
                if street is None:
                    continue
                name = seg.span(*parts[street - 1]) if street >= 1 else None
                found.append(InlineAddress(name, seg.span(*parts[street]), seg.span(a, b), row))
                break
    return found


def customer_score(block: Block, layout: Layout) -> float:
    width, height = layout.page_sizes[block.page]
    score = 0.0
    if CUSTOMER_LABEL.match(block.label):
        score += 3
    if VENDOR_LABEL.match(block.label):
        score -= 5
    if SHIP_LABEL.match(block.label):
        score -= 3
    if 0.08 * height < block.y1 < 0.45 * height:
        score += 1
    if block.y1 > 0.8 * height:
        score -= 3
    if block.name.x1 < width * 0.5:
        score += 0.5
    if block.page == 1:
        score += 1
    if SALUTATION.match(norm(block.name.text)):
        score += 1  # 'Herrn', 'Frau', 'Firma' above the addressee
    rows = layout.page_rows(block.page)
    above = [r for r in rows if r.y2 <= block.y1 and block.y1 - r.y2 < block.name.height * 2.5]
    if above and any(SEPARATORS.search(s.text) for s in above[-1].segments):
        score += 2  # sender line right above the window
    return score


# a field's label printed without its colon ('Belegnummer  90005178') is no letterhead
_FIELD_LABEL = re.compile("|".join(f"(?:{pattern})" for patterns in LABELS.values()
                                   for pattern, _ in patterns))


def letterhead_names(layout: Layout) -> list[tuple[float, list[Tok]]]:
    """Company-looking lines in the top part of page 1, biggest print first."""
    _width, height = layout.page_sizes[1]
    out = []
    for row in layout.page_rows(1):
        if row.y1 > 0.2 * height:
            break
        for seg in row.segments:
            text = norm(seg.text)
            if TITLE_WORDS.match(text) or not re.search(r"[a-zäöü]{2}", text) or text.endswith(":"):
                continue  # a title, a number, a label ('Invoice Number:')
            if is_city_line(seg.text) or "@" in text or re.search(r"\d{3}", text):
                continue
            if _FIELD_LABEL.fullmatch(text):
                continue
            score = seg.height + (seg.height * 0.5 if LEGAL_FORM.search(seg.text) else 0)
            out.append((score, list(seg.toks)))
    out.sort(key=lambda s: -s[0])
    return out
