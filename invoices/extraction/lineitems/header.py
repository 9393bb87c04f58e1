"""The header of a line-item table: its columns, their x extents and what each one names.

A header is a line naming at least two line columns (description, quantity, unit, unit price,
amount, tax rate) in any of our languages, with the header rows printed tight above or below it
folded in ("Unit Price Excl." over "VAT", "Positions-" over "betrag" over "ohne USt."). Every
header piece is a column; pieces that name nothing (Pos, Art-Nr, Date) are columns too, so that
their values are kept out of the description.
"""

import re
from dataclasses import dataclass

from invoices.extraction.labels import match_label
from invoices.extraction.layout import Line
from reading.words import Word

# What a column header can name. "tax_amount" is among them because "VAT", "USt." and "BTW" head rate columns.
COLUMN_FIELDS = frozenset({"description", "quantity", "unit", "unit_price", "amount", "tax_rate", "tax_amount"})
NUMERIC_FIELDS = frozenset({"quantity", "unit_price", "amount"})
TOTAL_FIELDS = frozenset({"subtotal", "tax_amount", "total"})
MAX_HEADER_WORDS = 16
# Stacked header rows sit closer than this (in line heights) to each other; at most this many each side.
HEADER_STACK_GAP = 0.6
HEADER_STACK_LINES = 4
_HYPHENATED = re.compile(r"(\w)-\s+(?=[a-zäöüß])")


@dataclass
class Column:
    x0: float
    x1: float
    texts: list[tuple[float, str]]  # (top, header text) for each header row that printed part of it
    fields: frozenset[str]  # what the header names (see COLUMN_FIELDS); empty for Pos, Art-Nr, Date, ...

    @property
    def text(self) -> str:
        return _HYPHENATED.sub(r"\1", " ".join(text for _, text in sorted(self.texts)))


@dataclass
class Table:
    columns: list[Column]  # left to right, the description column left out
    description_x: float  # where the description column's header starts
    start: float  # the description zone: words starting in [start, end) are description
    end: float
    height: float  # the header's line height
    page: int
    amount_columns: frozenset[int]  # the columns named as the amount, else the rightmost one
    # On which line of a row the description is printed: 1 under a header that names another field on its
    # first row and the description on its second ("Art-Nr-Lieferant" over "Artikelbezeichnung").
    description_row: int = 0


def word_spans(words: list[Word]) -> tuple[str, list[tuple[int, int]]]:
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word.text)))
        position += len(word.text) + 1
    return " ".join(word.text for word in words), spans


def words_in(span: tuple[int, int], words: list[Word], spans: list[tuple[int, int]]) -> list[Word]:
    return [word for word, (start, end) in zip(words, spans, strict=True) if start < span[1] and end > span[0]]


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _pieces(line: Line) -> list[Column]:
    """The header pieces of a line: one per column label (running on to the next label), one per unlabelled segment."""
    pieces: list[Column] = []
    for segment in line.segments:
        text, spans = word_spans(segment.words)
        meanings: dict[tuple[int, int], set[str]] = {}
        for match in match_label(text):
            meanings.setdefault(match.span, set()).add(match.field)
        labelled = sorted((span, fields & COLUMN_FIELDS) for span, fields in meanings.items() if fields & COLUMN_FIELDS)
        if not labelled:
            pieces.append(Column(segment.x0, segment.x1, [(line.y0, segment.text)], frozenset()))
            continue
        for position, (span, fields) in enumerate(labelled):
            end = labelled[position + 1][0][0] if position + 1 < len(labelled) else len(text)
            words = words_in((span[0], end), segment.words, spans)
            piece_text = " ".join(word.text for word in words)
            pieces.append(Column(words[0].x0, words[-1].x1, [(line.y0, piece_text)], frozenset(fields)))
    return pieces


def _is_header(line: Line, pieces: list[Column]) -> bool:
    named = set().union(*(piece.fields for piece in pieces)) - {"tax_amount"}
    if len(named) < 2 or not named & NUMERIC_FIELDS:
        return False
    words = line.words
    if len(words) > MAX_HEADER_WORDS or sum(any(c.isdigit() for c in word.text) for word in words) > 1:
        return False
    # Mostly labels: "Menge und Preis wie vereinbart" names two columns but is a sentence.
    letters = sum(len(word.text) for word in words)
    spans = {(index, m.span) for index, segment in enumerate(line.segments) for m in match_label(segment.text)}
    labelled = sum(end - start for _, (start, end) in spans)
    return labelled >= 0.5 * letters


def _header_like(line: Line, header: Line) -> bool:
    """Whether `line` can be another row of `header` (short, no numbers, the same size)."""
    return (
        line.page == header.page
        and line.height <= 1.25 * header.height
        and len(line.words) <= 10
        and not any(c.isdigit() for word in line.words for c in word.text)
    )


def _continues_header(line: Line, pieces: list[Column]) -> bool:
    """Whether a line tight under the header is another header row: it names a column ("VAT" under "Unit Price
    Excl."), or holds single words ("betrag", "(Art)"), not a description's first line set close to the header."""
    return any(piece.fields for piece in pieces) or all(len(segment.words) == 1 for segment in line.segments)


def _merge(columns: list[Column], pieces: list[Column]) -> None:
    for piece in pieces:
        best = max(columns, key=lambda column: overlap(column.x0, column.x1, piece.x0, piece.x1), default=None)
        if best is None or overlap(best.x0, best.x1, piece.x0, piece.x1) <= 0:
            columns.append(piece)
            continue
        best.x0, best.x1 = min(best.x0, piece.x0), max(best.x1, piece.x1)
        best.texts.extend(piece.texts)
        # Relabel from the whole stacked text: "VAT" under "Unit Price Excl." is the unit price column.
        for match in sorted(match_label(best.text), key=lambda m: m.span[0]):
            if match.field in COLUMN_FIELDS:
                best.fields = frozenset(m.field for m in match_label(best.text) if m.span == match.span) & COLUMN_FIELDS
                break


def table_at(lines: list[Line], index: int) -> tuple[Table, int] | None:
    """The table whose header line is `lines[index]`, and the index of its last header row."""
    line = lines[index]
    if len(line.words) > MAX_HEADER_WORDS:
        return None
    columns = _pieces(line)
    if not _is_header(line, columns):
        return None
    last = index
    for step in (-1, 1):
        position = index
        for _ in range(HEADER_STACK_LINES):
            following = position + step
            if not 0 <= following < len(lines) or not _header_like(lines[following], line):
                break
            upper, lower = sorted((lines[position], lines[following]), key=lambda other: other.y0)
            if lower.y0 - upper.y1 > HEADER_STACK_GAP * line.height:
                break
            pieces = _pieces(lines[following])
            if step > 0 and not _continues_header(lines[following], pieces):
                break
            _merge(columns, pieces)
            position = following
        if step > 0:
            last = position
    return _build_table(columns, line), last


def _build_table(columns: list[Column], line: Line) -> Table:
    columns.sort(key=lambda column: column.x0)
    numeric_x = min((c.x0 for c in columns if c.fields & {"unit_price", "amount"}), default=float("inf"))
    described = [c for c in columns if "description" in c.fields]
    # "Artikel | Omschrijving", "Item | Description": the description is the last one before the prices.
    before = [c for c in described if c.x0 < numeric_x]
    description = before[-1] if before else (described[0] if described else None)
    for column in described:
        if column is not description:
            column.fields -= {"description"}
    # Descriptions may start a little left of their header ("Beschreibung" centred over a wider cell).
    tolerance = 1.2 * line.height
    if description is not None:
        columns.remove(description)
        start = description.x0
        # With no column left of it, the description takes the margin too: its header is often centred over it.
        zone = start - tolerance if any(c.x0 < start for c in columns) else 0.0
    else:
        # No description label: the text between the last unnamed column and the first price.
        left = [c.x1 for c in columns if c.x1 < numeric_x and not c.fields]
        start = max(left) + tolerance if left else 0.0
        zone = max(left) if left else 0.0
    end = min((c.x0 for c in columns if c.x0 > start + 1), default=float("inf"))
    named = [i for i, c in enumerate(columns) if "amount" in c.fields]
    amounts = frozenset(named if named else [len(columns) - 1])
    row = _description_row(description, columns, line) if description is not None else 0
    return Table(columns, start, zone, end, line.height, line.page, amounts, row)


def _description_row(description: Column, columns: list[Column], line: Line) -> int:
    """How many header rows below the main header line (the one that names the numbers) the description is named,
    when the description column's header names something else on the main line; else 0."""
    near = 0.5 * line.height
    # A full description label ("Artikelbezeichnung", "Description"), not a code named after a product ("Product code").
    labelled = [
        top
        for top, text in description.texts
        if any(m.field == "description" and m.strength == 1.0 for m in match_label(text))
    ]
    if not labelled or min(labelled) <= line.y0 + near:
        return 0
    if not any(abs(top - line.y0) <= near for top, _ in description.texts):
        return 0  # nothing printed above the description label on the main line: it is one row, set lower
    tops = {round(top) for column in [description, *columns] for top, _ in column.texts}
    return sum(line.y0 + near < top <= min(labelled) + near for top in tops)
