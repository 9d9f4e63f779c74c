"""Two tesseract readings of one page merged word by word.

Each preparation of a page loses different words (near-white thickens black
print, a stretched gray image keeps it thin); where the two readings saw the
same word the more confident one is kept, and a confident word only the second
reading saw is added to the line it sits on (or a line of its own, in reading
order by its height on the page). Words are matched by their boxes.
"""

from __future__ import annotations

from service.pipeline.words import PageText, Word

# Boxes sharing this much of the smaller one's area are the same print.
SAME_PRINT = 0.3
# Boxes this alike (intersection over union) are the same word, read two ways.
SAME_WORD = 0.5


def merge(first: PageText, second: PageText, confident: float) -> PageText:
    """`first` with the words `second` read better or read alone (entropy <= 1 - confident).

    Words whose boxes overlap form a group (`_groups`); where the second reading's
    words of a group span about the first's (SAME_WORD) and even its least sure
    word is surer than the first reading's surest there, they replace the first's
    ("0,0520" read whole for "0," and "0520" read unsure); a group the first
    reading has no word in is added when its words are confident."""
    lines = [list(line) for line in first.lines()]
    home_of = {id(w): k for k, line in enumerate(lines) for w in line}
    extra: dict[int, list[Word]] = {}
    for ours, theirs in _groups(first.words, second.words):
        if not ours:
            for word in theirs:
                if word.entropy <= 1 - confident:
                    extra.setdefault(word.line, []).append(word)
            continue
        homes = {home_of[id(w)] for w in ours}
        if len(homes) > 1 or _iou(_span(ours), _span(theirs)) < SAME_WORD:
            continue
        if max(w.entropy for w in theirs) < min(w.entropy for w in ours):
            line = lines[homes.pop()]
            line[:] = [w for w in line if all(w is not o for o in ours)] + theirs
    for group in extra.values():
        home = _line_of(lines, group)
        if home is None:
            lines.insert(_line_before(lines, group), list(group))
        else:
            lines[home].extend(group)
    words = [
        Word(w.text, w.x1, w.y1, w.x2, w.y2, w.entropy, n)
        for n, line in enumerate(ln for ln in lines if ln)
        for w in sorted(line, key=lambda w: w.x1)
    ]
    return PageText(first.width, first.height, words)


def _groups(first: list[Word], second: list[Word]) -> list[tuple[list[Word], list[Word]]]:
    """The second reading's words joined with every word of either reading that
    shares print with them (SAME_PRINT), transitively: (first's, second's) each."""
    parent = list(range(len(first) + len(second)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for j, b in enumerate(second):
        for i, a in enumerate(first):
            if _share(a, b) >= SAME_PRINT:
                parent[root(i)] = root(len(first) + j)
    groups: dict[int, tuple[list[Word], list[Word]]] = {}
    for j, b in enumerate(second):
        groups.setdefault(root(len(first) + j), ([], []))[1].append(b)
    for i, a in enumerate(first):
        key = root(i)
        if key in groups:
            groups[key][0].append(a)
    return list(groups.values())


def _span(words: list[Word]) -> Word:
    return Word("", min(w.x1 for w in words), min(w.y1 for w in words),
                max(w.x2 for w in words), max(w.y2 for w in words), 0.0, 0)


def _area(a: Word) -> int:
    return max(0, a.x2 - a.x1) * max(0, a.y2 - a.y1)


def _intersection(a: Word, b: Word) -> int:
    return max(0, min(a.x2, b.x2) - max(a.x1, b.x1)) * max(0, min(a.y2, b.y2) - max(a.y1, b.y1))


def _share(a: Word, b: Word) -> float:
    return _intersection(a, b) / max(1, min(_area(a), _area(b)))


def _iou(a: Word, b: Word) -> float:
    both = _intersection(a, b)
    return both / max(1, _area(a) + _area(b) - both)


def _line_of(lines: list[list[Word]], group: list[Word]) -> int | None:
    """The line the group of words sits on: most of its height shared with a word of
    the line, that word the nearest across."""
    y1, y2 = min(w.y1 for w in group), max(w.y2 for w in group)
    x1, x2 = min(w.x1 for w in group), max(w.x2 for w in group)
    best, distance = None, float("inf")
    for k, line in enumerate(lines):
        for w in line:
            shared = min(y2, w.y2) - max(y1, w.y1)
            if shared < 0.5 * min(y2 - y1, w.y2 - w.y1):
                continue
            gap = max(0, w.x1 - x2, x1 - w.x2)
            if gap < distance:
                best, distance = k, gap
    # a word far across the page on the same height is another column's line
    return best if distance <= 4 * (y2 - y1) else None


def _line_before(lines: list[list[Word]], group: list[Word]) -> int:
    """Where a new line goes: after the last line that starts above it."""
    top = min(w.y1 for w in group)
    at = 0
    for k, line in enumerate(lines):
        if line and min(w.y1 for w in line) <= top:
            at = k + 1
    return at
