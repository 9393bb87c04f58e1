"""Grouping positioned words into lines, the unit the layout reader works on."""

from invoices.extraction.words import Word


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
