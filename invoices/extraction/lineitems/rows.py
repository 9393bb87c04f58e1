"""The rows of a line-item table: numbers read as cells and placed in columns, descriptions gathered.

A percentage is a tax rate, a unit word after a number ("3 m²", "27,5 Std") makes it a quantity
with that unit. A cell inside the description column is part of the description ("2 Nächte",
"12 x 1,0l PET"); any other belongs to the column it overlaps, else the nearest one. A row starts at
a line with at least two cells in named columns; a cell printed on the next line in a column the row
left empty (an amount set a line lower) joins it. The description is the row's text in the
description column plus the lines just below that continue it. A table ends at a totals label, a
heading, a section title, another table's header, or a header row of a table we do not read.
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise

from invoices.extraction.labels import match_label
from invoices.extraction.layout import SEGMENT_GAP, Line
from invoices.extraction.lineitems.header import NUMERIC_FIELDS, Table, overlap, table_at, word_spans, words_in
from invoices.extraction.units import unit_code
from reading.amounts import find_amounts
from reading.words import Word

TOTAL_FIELDS = frozenset({"subtotal", "tax_amount", "total"})
MAX_ROWS = 200
# A description continues on a line at most this far below the previous one (baseline to baseline, in line
# heights); an amount printed a line lower may sit a little further.
CONTINUATION_PITCH = 1.35
FRAGMENT_PITCH = 1.6
# Lines over a row's figures start its description when the gap above them is this much wider than their pitch.
LEADING_GAP = 1.2
# Text more than this taller than the header is a heading, not a table row.
HEADING_RATIO = 1.3

_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,3})?)\s?%")
# "Bruttopreis : 5,49", "Preisbasismenge:", "Liefer-Datum: 01.09.2013": an attribute printed under a row.
_NOTE = re.compile(r"^[^:]{1,40}?:\s*(?:$|[-+=]|\S{0,3}\s?\d)")
_POSITION = re.compile(r"\d{1,3}\.?")


@dataclass
class Cell:
    value: Decimal
    x0: float
    x1: float
    percent: bool
    unit: str | None  # rec. 20 code of a unit word printed with the number
    words: list[Word]  # the number's words, and the unit's
    # Where the number ends: "6,5 Std" belongs under "Menge", not under the "Einheit" its unit reaches into.
    number_x1: float


@dataclass
class Row:
    cells: dict[int, Cell]  # column index -> the first number read in that column
    words: list[Word]  # the description, in reading order
    align: float  # where a continuation line's description must start
    unit: str | None = None  # a unit printed in a unit column of its own
    open: bool = True  # whether a following line may still continue the description
    # Lines still to pass before the description's own line, under a header that prints it a row lower.
    skip: int = 0
    # A description and an amount only, in a table that prints quantities and prices: a discount or a fee,
    # kept only when the amounts need it to add up to a total printed below the table (`roles.items_of`).
    partial: bool = False


def _split_glued(word: Word, at: float) -> list[Word]:
    """`word` cut where it crosses x = `at`, when a text layer glued two cells into one word ("0815Windschutzscheibe").

    The cut is placed at a change of character class (digit to letter, lower to upper case) within two
    characters of where `at` falls, estimating the characters as equally wide; without one it stays whole.
    """
    width = (word.x1 - word.x0) / max(1, len(word.text))
    if not word.x0 + 2 * width < at < word.x1 - 2 * width:
        return [word]
    estimate = round((at - word.x0) / width)
    for cut in sorted(range(max(1, estimate - 2), min(len(word.text), estimate + 3)), key=lambda k: abs(k - estimate)):
        before, after = word.text[cut - 1], word.text[cut]
        if (before.isdigit() != after.isdigit()) or (before.islower() and after.isupper()):
            middle = word.x0 + cut * width
            return [
                replace(word, text=word.text[:cut], x1=middle),
                replace(word, text=word.text[cut:], x0=middle),
            ]
    return [word]


def _segments(line: Line, table: Table) -> list[list[Word]]:
    """The line's segments, a word glued across the description's left edge split in two."""
    return [
        [part for word in segment.words for part in _split_glued(word, table.description_x)]
        for segment in line.segments
    ]


def _cells(segments: list[list[Word]], decimal: str | None) -> list[Cell]:
    cells: list[Cell] = []
    for segment in segments:
        text, spans = word_spans(segment)
        percents = list(_PERCENT.finditer(text))
        for match in percents:
            words = words_in(match.span(), segment, spans)
            value = Decimal(match[1].replace(",", "."))
            cells.append(Cell(value, words[0].x0, words[-1].x1, True, None, words, words[-1].x1))
        for found in find_amounts(text, decimal_hint=decimal):
            if any(m.start() < found.span[1] and found.span[0] < m.end() for m in percents):
                continue
            words = words_in(found.span, segment, spans)
            number_x1 = words[-1].x1
            last = segment.index(words[-1])
            glued = text[found.span[1] : spans[last][1]]  # "2h", "3m²"
            unit = unit_code(glued) if glued else None
            if unit is None and not glued and last + 1 < len(segment):
                unit = unit_code(segment[last + 1].text)
                if unit is not None:
                    words = [*words, segment[last + 1]]
            cells.append(Cell(found.value, words[0].x0, words[-1].x1, False, unit, words, number_x1))
    return sorted(cells, key=lambda cell: cell.x0)


def _place(x0: float, x1: float, table: Table, *, percent: bool = False) -> int | None:
    """The column a cell or word at x0..x1 outside the description belongs to (its side of the description only).

    A percentage goes to a column that is not a quantity, price or amount column when there is one.
    """
    right = x0 >= table.start
    candidates = [i for i, c in enumerate(table.columns) if (c.x0 >= table.description_x) == right]
    if percent:
        candidates = [i for i in candidates if not table.columns[i].fields & NUMERIC_FIELDS] or candidates
    if not candidates:
        return None

    def fit(i: int) -> tuple[float, float]:
        column = table.columns[i]
        shared = overlap(column.x0, column.x1, x0, x1)
        return (shared, 0.0) if shared > 0 else (0.0, shared)

    return max(candidates, key=fit)


def _in_description(x0: float, x1: float, table: Table) -> bool:
    return table.start <= x0 and x1 <= table.end


def _read_line(line: Line, table: Table, decimal: str | None) -> tuple[dict[int, Cell], list[Word], str | None]:
    """A line's cells by column, its description words and a unit word printed in a unit column."""
    segments = _segments(line, table)
    cells: dict[int, Cell] = {}
    taken: set[int] = set()
    for cell in _cells(segments, decimal):
        if _in_description(cell.x0, cell.x1, table):
            continue
        column = _place(cell.x0, cell.number_x1, table, percent=cell.percent)
        taken.update(id(word) for word in cell.words)
        if column is not None and column not in cells:
            cells[column] = cell
    description: list[Word] = []
    rest: list[Word] = []
    for segment in segments:
        running = False  # a description runs on past its column while its words follow each other
        for word in segment:
            running = id(word) not in taken and (running or table.start <= word.x0 < table.end)
            if running:
                description.append(word)
            elif id(word) not in taken:
                rest.append(word)
    if (
        len(description) > 1
        and _POSITION.fullmatch(description[0].text)
        and description[1].x0 - description[0].x1 > SEGMENT_GAP * table.height
    ):
        description = description[1:]  # "1   Nougat de l'Abbaye": the position number of an unnamed column
    unit = None
    for word in rest:
        if unit_code(word.text) is None:
            continue
        column = _place(word.x0, word.x1, table)
        if column is None:
            continue
        # A unit column, the quantity's, or one among the figures whose header we cannot read ("ME", "VKE").
        fields = table.columns[column].fields
        if fields & {"unit", "quantity"} or (not fields and table.columns[column].x0 >= table.end):
            unit = unit_code(word.text)
    return cells, description, unit


def _ends(line: Line, table: Table) -> bool:
    """Whether `line` closes the table: totals, a heading, a section title or another table's header row."""
    first = line.segments[0].text
    if any(m.field in TOTAL_FIELDS and m.span[0] <= 2 and m.strength >= 0.85 for m in match_label(first)):
        return True
    if line.height > HEADING_RATIO * table.height:
        return True
    digits = any(c.isdigit() for c in line.text)
    if not digits and len(line.segments) == 1 and first.endswith(":") and line.segments[0].x0 < table.start:
        return True  # "Zahlungsbedingungen:"
    return not digits and len(line.segments) >= 3


def _starts_row(line: Line, named: dict[int, Cell], words: list[Word], table: Table) -> bool:
    """Two numbers in named columns; in a table of descriptions and amounts only, a description and an amount."""
    if len(named) >= 2 and any(not cell.percent for cell in named.values()):
        return True
    simple = not any(column.fields & {"quantity", "unit_price"} for column in table.columns)
    return simple and bool(words) and any(i in table.amount_columns for i in named) and not _ends(line, table)


def _is_total_row(line: Line, words: list[Word]) -> bool:
    """A line that is a totals row though it has several numbers: its first cell is a totals label ("Summe"),
    or its description starts with one ("Total Qty  3  80.91")."""
    if any(m.field in ("subtotal", "total") and m.strength == 1.0 for m in match_label(line.segments[0].text)):
        return True
    text = description_text(words)
    return any(m.field in ("subtotal", "total") and m.span[0] == 0 and m.strength >= 0.85 for m in match_label(text))


def description_text(words: list[Word]) -> str:
    return " ".join(" ".join(word.text for word in words).split()).strip(" :;").lstrip("•·*").strip()


def _leading(leading: list[tuple[Line, list[Word]]], gap: float, line: Line, x: float, table: Table) -> list[Word]:
    """The words of text lines just above a row's figures that start its description: a row whose figures
    are centred in a cell several lines high ("Website redesign" over "phase 1   1   1,500.00").

    Only when those lines run on to the figures' line at the description's pitch, start where its
    description starts, and sit clearly further from what precedes them than from each other.
    """
    if not leading or table.description_row:
        return []
    tops = [other.y0 for other, _ in leading] + [line.y0]
    steps = [lower - upper for upper, lower in pairwise(tops)]
    if leading[0][0].page != line.page or max(steps) > CONTINUATION_PITCH * line.height:
        return []
    if gap < LEADING_GAP * max(steps) or any(abs(words[0].x0 - x) > 0.6 * line.height for _, words in leading):
        return []
    return [word for _, words in leading for word in words]


def read_rows(lines: list[Line], first: int, table: Table, decimal: str | None) -> tuple[list[Row], int]:
    """The rows of `table` from `lines[first]` on, and the index of the line that ended it."""
    rows: list[Row] = []
    current: Row | None = None
    leading: list[tuple[Line, list[Word]]] = []  # text lines no row took, in case the next row's figures are lower
    leading_gap = 0.0  # from the line before them to the first of them
    index = first
    while index < len(lines) and len(rows) < MAX_ROWS:
        line = lines[index]
        if table_at(lines, index) is not None:
            break
        previous = lines[index - 1]
        pitch = (line.y0 - previous.y0) / max(line.height, previous.height, 1.0) if line.page == previous.page else 99
        if line.page != table.page:
            table.page = line.page
        cells, words, unit = _read_line(line, table, decimal)
        # Numbers in named columns count; a position number or an article code does not make a row.
        named = {i: cell for i, cell in cells.items() if table.columns[i].fields or cell.percent}
        note = bool(words) and _NOTE.match(description_text(words)) is not None
        aligned = bool(words) and abs(words[0].x0 - current.align) <= 0.6 * line.height if current else False
        taken = True
        if (
            current is not None
            and current.open
            and pitch <= FRAGMENT_PITCH
            and any(i in table.amount_columns for i in named)
            and not set(named) & set(current.cells)
        ):
            current.cells.update({i: cell for i, cell in cells.items() if i not in current.cells})
            if aligned and not note:
                current.words.extend(words)  # the amount printed a line below the rest of the row, and more text
        elif _starts_row(line, named, words, table) and not note:
            if _is_total_row(line, words):
                break
            if not rows:
                table.height = max(table.height, line.height)  # rows may be set larger than their header
            if table.description_row:
                # The text under the description column on the row's first line is what the header's upper
                # row names there ("Art-Nr-Lieferant" over "Artikelbezeichnung"): an article code.
                current = Row(cells, [], table.description_x, unit, skip=table.description_row)
            else:
                x = words[0].x0 if words else table.description_x
                words = _leading(leading, leading_gap, line, x, table) + words
                current = Row(cells, words, words[0].x0 if words else table.description_x, unit)
            rows.append(current)
        elif _ends(line, table):
            break
        elif words and named and set(named) <= table.amount_columns and not note and not _is_total_row(line, words):
            current = Row(cells, words, words[0].x0, unit, partial=True)
            rows.append(current)
        elif current is not None and current.open and not named and pitch <= CONTINUATION_PITCH:
            if words and (not aligned or note):
                current.open = taken = False
            elif words and current.skip > 1:
                current.skip -= 1  # another line of codes, under another upper header row
            elif words:
                current.words.extend(words)
                if current.skip:
                    current.skip, current.open = 0, False  # the description's own line: what follows is notes
        else:
            taken = False
            if current is not None:
                current.open = False
        if taken or not words or named or note:
            leading = []
        elif leading and pitch <= CONTINUATION_PITCH:
            leading.append((line, words))
        else:
            leading, leading_gap = [(line, words)], line.y0 - previous.y0 if line.page == previous.page else 99.0
        index += 1
    return rows, index
