"""Positioned words grouped into lines, and lines split into cells: the units both engines read.

`group_lines` puts words that share a baseline band on one line. `split_at_gaps` cuts a line where
the gap between two words is wider than a multiple of the line's type size, because invoices and
statements set labels, values and amounts in columns ("Invoice Date      11/03/2017").
"""

from statistics import median

from reading.words import Word


class WordRun:
    """Words side by side on one line, left to right: a cell, a segment, a printed amount.

    A base for dataclasses that hold `words`; it adds no field of its own."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1


def group_lines(words: list[Word], *, tolerance: float = 0.5) -> list[list[Word]]:
    """Words that share a baseline band, top to bottom, each line sorted left to right.

    Two words are on one line when their vertical centres are closer than `tolerance` times the
    smaller word height, so slightly uneven OCR boxes still line up.
    """
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.page, w.centre_y, w.x0)):
        if lines:
            last = lines[-1]
            reference = last[-1]
            limit = tolerance * max(1.0, min(word.height, reference.height))
            if word.page == reference.page and abs(word.centre_y - reference.centre_y) <= limit:
                last.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def line_height(words: list[Word]) -> float:
    """The median word height of a line, at least 1 point: its type size, near enough."""
    return max(1.0, median(word.height for word in words))


def split_at_gaps(words: list[Word], *, gap: float) -> list[list[Word]]:
    """A line's words (left to right) cut where two words are more than `gap` line heights apart."""
    limit = gap * line_height(words)
    cells = [[words[0]]]
    for word in words[1:]:
        if word.x0 - cells[-1][-1].x1 > limit:
            cells.append([word])
        else:
            cells[-1].append(word)
    return cells
