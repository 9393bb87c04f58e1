"""Where each extracted field's value is printed: the boxes the review page draws over the document.

`locate_fields` looks, line by line, for the words that spell each value: an amount or a date is
compared by its value however it is printed (1,234.50 / 1.234,50 / 1 234,50; 05/03/2026 or
5 March 2026), a text (number, supplier, tax id) by its letters and digits alone, across neighbouring
words. Where a value is printed more than once (a total repeated in a footer, an invoice number in
the page header), the one next to its label wins: a label on the same line before it, else just above
it. Boxes are fractions of the page's size (x from the left, y from the top), with a 1-based page
number, so they scale with any rendering of the page.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from invoices.extraction.labels import match_label
from invoices.extraction.result import ExtractionResult
from reading.amounts import find_amounts
from reading.dates import find_dates
from reading.lines import group_lines
from reading.words import Page, Word, WordDocument


class FieldBox(TypedDict):
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float


AMOUNT_FIELDS = ("subtotal", "tax_amount", "total")
DATE_FIELDS = ("invoice_date", "due_date")
TEXT_FIELDS = ("invoice_number", "supplier_name", "supplier_tax_id")
# Amounts are read at the bottom of a page and the rest at its top: between equal candidates the
# first one in that direction is taken.
FROM_THE_BOTTOM = frozenset({*AMOUNT_FIELDS, "tax_rate"})
# A label counts for a value below it within this many line heights.
LABEL_ABOVE_LINES = 3.0
# OCR sometimes boxes a column of lines as one word: a box this many times taller than the page's
# typical word would point at a block, not a value, and is not drawn.
MAX_HEIGHT_RATIO = 2.5
_PERCENT = re.compile(r"(?<![\w.,])(\d{1,2}(?:[.,]\d{1,4})?)\s?%")
_COMPACT = re.compile(r"[\W_]+")


@dataclass
class _Line:
    page: Page
    words: list[Word]
    text: str
    spans: list[tuple[int, int]]  # each word's place in `text`

    def words_in(self, start: int, end: int) -> list[Word]:
        return [word for word, (s, e) in zip(self.words, self.spans, strict=True) if s < end and e > start]


@dataclass
class _Candidate:
    line_index: int
    words: list[Word]
    score: float


def values_of(result: ExtractionResult) -> dict[str, object]:
    """The values `locate_fields` looks for, from an extraction result."""
    return {
        "supplier_name": result.supplier.name,
        "supplier_tax_id": result.supplier.tax_id,
        "invoice_number": result.invoice_number,
        "invoice_date": result.invoice_date,
        "due_date": result.due_date,
        "subtotal": result.subtotal,
        "tax_rate": result.tax_rate,
        "tax_amount": result.tax_amount,
        "total": result.total,
    }


def locate_fields(document: WordDocument, values: Mapping[str, object]) -> dict[str, FieldBox]:
    """`{field: box}` for each value in `values` found printed in `document`; a value not found has no box."""
    lines = _lines(document)
    boxes: dict[str, FieldBox] = {}
    for field, value in values.items():
        if value is None or value == "":
            continue
        candidates = _candidates(lines, field, value)
        if not candidates:
            continue
        bottom = field in FROM_THE_BOTTOM
        best = max(
            candidates,
            key=lambda c: (c.score, c.line_index if bottom else -c.line_index),
        )
        page = lines[best.line_index].page
        boxes[field] = _box(page, best.words)
    return boxes


def _lines(document: WordDocument) -> list[_Line]:
    lines = []
    for page in document.pages:
        if page.width <= 0 or page.height <= 0:
            continue
        for words in group_lines(page.words):
            text, spans = "", []
            for word in words:
                if text:
                    text += " "
                spans.append((len(text), len(text) + len(word.text)))
                text += word.text
            lines.append(_Line(page, words, text, spans))
    return lines


def _candidates(lines: list[_Line], field: str, value: object) -> list[_Candidate]:
    found = []
    typical = _typical_heights(lines)
    for index, line in enumerate(lines):
        for start, end in _spans(line.text, field, value):
            words = _same_row(line.words_in(start, end))
            tallest = max((w.height for w in words), default=0.0)
            if words and tallest <= MAX_HEIGHT_RATIO * typical[line.page.number]:
                found.append(_Candidate(index, words, _label_score(lines, index, start, words, field)))
    return found


def _same_row(words: list[Word]) -> list[Word]:
    """The words on the row of the longest one: OCR's lines can mix rows, and a currency code from the
    row above must not stretch the box of an amount."""
    if len(words) < 2:
        return words
    anchor = max(words, key=lambda w: len(w.text))
    return [w for w in words if anchor.y0 <= w.centre_y <= anchor.y1]


def _typical_heights(lines: list[_Line]) -> dict[int, float]:
    """Each page's median word height."""
    heights: dict[int, list[float]] = {}
    for line in lines:
        heights.setdefault(line.page.number, []).extend(w.height for w in line.words)
    return {page: sorted(values)[len(values) // 2] for page, values in heights.items()}


def _spans(text: str, field: str, value: object) -> list[tuple[int, int]]:
    """Where `value` is printed in a line's `text`."""
    if field in AMOUNT_FIELDS and isinstance(value, Decimal):
        matches = find_amounts(text)
        return [m.span for m in matches if m.value == value or -m.value == value]
    if field in DATE_FIELDS and isinstance(value, date):
        spans: set[tuple[int, int]] = set()
        for day_first in (True, False):
            spans.update(m.span for m in find_dates(text, day_first=day_first) if m.value == value)
        return sorted(spans)
    if field == "tax_rate" and isinstance(value, Decimal):
        return [m.span() for m in _PERCENT.finditer(text) if _decimal(m.group(1)) == value]
    if field in TEXT_FIELDS and isinstance(value, str):
        return _text_spans(text, value)
    return []


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _text_spans(text: str, value: str) -> list[tuple[int, int]]:
    """Where `value`'s letters and digits follow each other in `text`, whatever spacing or punctuation between."""
    wanted = _COMPACT.sub("", value).casefold()
    if len(wanted) < 2:
        return []
    # Compact the line, remembering where each kept character came from.
    kept = [(i, c.casefold()) for i, c in enumerate(text) if not _COMPACT.fullmatch(c)]
    compact = "".join(c for _i, c in kept)
    spans = []
    start = compact.find(wanted)
    while start != -1:
        end = start + len(wanted) - 1
        spans.append((kept[start][0], kept[end][0] + 1))
        start = compact.find(wanted, start + 1)
    return spans


def _label_score(lines: list[_Line], index: int, start: int, words: list[Word], field: str) -> float:
    """How surely a label names this printed value as `field`: on its line before it, else just above it."""
    line = lines[index]
    before = line.text[:start]
    same_line = [m.strength for m in match_label(before) if m.field == field]
    if same_line:
        return 2.0 + max(same_line)
    if field in ("supplier_name",):
        return 0.0
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    top = min(w.y0 for w in words)
    height = max(w.height for w in words) or 1.0
    for above in reversed(lines[max(0, index - 4) : index]):
        if above.page is not line.page or top - above.words[0].y1 > LABEL_ABOVE_LINES * height:
            break
        for label in match_label(above.text):
            if label.field != field:
                continue
            label_words = above.words_in(*label.span)
            if (
                label_words
                and min(w.x0 for w in label_words) < x1 + height
                and max(w.x1 for w in label_words) > x0 - height
            ):
                return 1.0 + label.strength
    return 0.0


def _box(page: Page, words: list[Word]) -> FieldBox:
    def fraction(value: float, size: float) -> float:
        return round(min(1.0, max(0.0, value / size)), 4)

    return {
        "page": page.number + 1,
        "x0": fraction(min(w.x0 for w in words), page.width),
        "y0": fraction(min(w.y0 for w in words), page.height),
        "x1": fraction(max(w.x1 for w in words), page.width),
        "y1": fraction(max(w.y1 for w in words), page.height),
    }
