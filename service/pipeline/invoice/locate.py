"""Where a known value is printed: the page words that show it, for bbox_refs.

Values read from e-invoice XML are found again on the page by kind: amounts by
their number in any print format ('1.234,50', '1,234.50 EUR', '-5,00'), dates
in any form the date parser reads, text by its letters with spaces and
punctuation ignored, across up to a dozen consecutive words.
"""

from __future__ import annotations

import re
from collections import defaultdict

from service.pipeline.invoice.amounts import parse_amount
from service.pipeline.invoice.dates import parse_date
from service.pipeline.words import PageText

Ref = dict[str, int]
_PUNCT = re.compile(r"[\s.,;:()\[\]/\\'\"|·•_-]")
_RUN = 12  # words a printed value may span


def compact(text: str) -> str:
    return _PUNCT.sub("", text).lower()


class Locator:
    def __init__(self, pages: list[PageText]) -> None:
        self.words: list[tuple[int, int, str]] = [
            (p, i, w.text) for p, page in enumerate(pages, 1) for i, w in enumerate(page.words, 1)
        ]
        self.keys = [compact(t) for _, _, t in self.words]
        self._amounts: dict[float, list[Ref]] | None = None
        self._dates: dict[str, list[Ref]] | None = None

    def _ref(self, k: int) -> Ref:
        page, bbox, _ = self.words[k]
        return {"page_num": page, "bbox_id": bbox}

    def _runs(self, width: int) -> list[tuple[int, int, str]]:
        """Runs of 1..width consecutive words on one page: (first, last + 1, joined text)."""
        out = []
        n = len(self.words)
        for k in range(n):
            text = self.words[k][2]
            out.append((k, k + 1, text))
            for j in range(k + 1, min(n, k + width)):
                if self.words[j][0] != self.words[k][0]:
                    break
                text += " " + self.words[j][2]
                out.append((k, j + 1, text))
        return out

    def amount(self, value: float) -> list[Ref]:
        if self._amounts is None:
            self._amounts = defaultdict(list)
            for a, b, text in self._runs(2):
                cleaned = re.sub(r"[€$£%]|EUR|USD|GBP|CHF", "", text).strip(" :*")
                if not re.search(r"\d", cleaned) or len(cleaned) > 20:
                    continue
                if b - a > 1 and not re.fullmatch(r"[-\u2212+]?\s?[\d.,' ]+-?", cleaned):
                    continue  # '1 234,56' or '- 5,00', never a label and its number
                number = parse_amount(cleaned)
                if number is not None:
                    key = round(abs(number), 2)
                    if key not in self._amounts:
                        self._amounts[key] = [self._ref(k) for k in range(a, b)]
        if not value:
            return []
        return list(self._amounts.get(round(abs(value), 2), []))

    def date(self, iso: str) -> list[Ref]:
        if self._dates is None:
            self._dates = defaultdict(list)
            for a, b, text in self._runs(3):
                if not re.search(r"\d", text):
                    continue
                words = text.split(" ")
                for language in ("de", "en"):
                    day = parse_date(text, language)
                    if day is None or day.isoformat() in self._dates:
                        continue
                    # the shortest run that shows the date, without a label before or after
                    if b - a > 1 and (
                        parse_date(" ".join(words[1:]), language) == day
                        or parse_date(" ".join(words[:-1]), language) == day
                    ):
                        continue
                    self._dates[day.isoformat()] = [self._ref(k) for k in range(a, b)]
        return list(self._dates.get(iso, []))

    def text(self, value: str) -> list[Ref]:
        target = compact(value)
        if len(target) < 2:
            return []
        for k, key in enumerate(self.keys):
            if not key:
                continue
            if target.startswith(key):
                joined, j = key, k
                while joined != target and j + 1 < len(self.keys) and j - k < _RUN:
                    j += 1
                    if self.words[j][0] != self.words[k][0]:
                        break
                    joined += self.keys[j]
                    if not target.startswith(joined):
                        break
                if joined == target:
                    return [self._ref(i) for i in range(k, j + 1)]
            elif len(target) >= 4 and target in key:
                return [self._ref(k)]
        return []

    def address(self, value: str) -> list[Ref]:
        refs = self.text(value)
        if refs:
            return refs
        # printed on separate lines that reading order does not keep together
        for part in value.split(", "):
            refs += [r for r in self.text(part) if r not in refs]
        return refs
