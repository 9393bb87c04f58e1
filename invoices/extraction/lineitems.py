"""Line items: the rows of an invoice's item table, read from positioned words (text PDF or OCR).

A table starts at its header: a line naming at least two line columns (description, quantity, unit,
unit price, amount, tax rate) in any of our languages, with the header rows printed tight above or
below it folded in ("Unit Price Excl." over "VAT", "Positions-" over "betrag" over "ohne USt.").
Every header piece is a column with its x extent; pieces that name nothing (Pos, Art-Nr, Date) are
columns too, so that their values are kept out of the description.

Numbers are read as cells: a percentage is a tax rate, a unit word after a number ("3 m²",
"27,5 Std") makes it a quantity with that unit. A cell inside the description column is part of the
description ("2 Nächte", "12 x 1,0l PET"); any other belongs to the column it overlaps, else the
nearest one. A row starts at a line with at least two cells in named columns; a cell printed on the
next line in a column the row left empty (an amount set a line lower) joins it. The description is
the row's text in the description column plus the lines just below that continue it: close, aligned
with it and not an attribute note ("Bruttopreis : 5,49"). Notes and codes between rows are skipped.

Which column holds the quantity, the unit price and the line amount is settled per table by the
header labels together with arithmetic: quantity x unit price = amount (per a price basis of 1, 10,
100 or 1000) row by row, and the amounts adding up to a total printed below the table. That also
picks the net amount when a gross one is printed beside it, and the quantities when a column headed
"Amount" holds them. Without a printed unit, a unit the description names ("Design (hours)") is
used, else C62 ("one"). Unit words map to rec. 20 codes in `units`.

A table ends at a totals label, a heading, a section title, another table's header, or a header
row of a table we do not read; it runs on across page breaks.
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import product

from invoices.extraction.labels import match_label
from invoices.extraction.layout import SEGMENT_GAP, Layout, Line
from invoices.extraction.result import LineItem
from invoices.extraction.units import unit_code, unit_in_description
from reading.amounts import find_amounts
from reading.words import Word

# What a column header can name. "tax_amount" is among them because "VAT", "USt." and "BTW" head rate columns.
COLUMN_FIELDS = frozenset({"description", "quantity", "unit", "unit_price", "amount", "tax_rate", "tax_amount"})
NUMERIC_FIELDS = frozenset({"quantity", "unit_price", "amount"})
TOTAL_FIELDS = frozenset({"subtotal", "tax_amount", "total"})
MAX_ROWS = 200
TOTALS_REACH = 25  # lines after a table searched for the subtotal its amounts add up to
MAX_HEADER_WORDS = 16
MAX_NUMERIC_COLUMNS = 7
# Stacked header rows sit closer than this (in line heights) to each other; at most this many each side.
HEADER_STACK_GAP = 0.6
HEADER_STACK_LINES = 4
# A description continues on a line at most this far below the previous one (baseline to baseline, in line
# heights); an amount printed a line lower may sit a little further.
CONTINUATION_PITCH = 1.35
FRAGMENT_PITCH = 1.6
# Text more than this taller than the header is a heading, not a table row.
HEADING_RATIO = 1.3
BASES = (Decimal(1), Decimal(10), Decimal(100), Decimal(1000))
CENT = Decimal("0.005")  # half a cent: products within it agree to the cent
PRICE_PRECISION = Decimal("0.0001")  # how finely a rounded unit price is recomputed
C62 = "C62"  # "one": the unit of a counted line that prints none

_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,3})?)\s?%")
_NET = re.compile(r"(?i)\b(?:net|netto|excl|exkl|excluding|exclusive|exclusief|ohne|ht|hors|zonder|sin|tanpa)\b")
_GROSS = re.compile(r"(?i)\b(?:gross|brutto|incl|inkl|including|inclusive|inclusief|ttc|mit|con|termasuk)\b")
# "Bruttopreis : 5,49", "Preisbasismenge:", "Liefer-Datum: 01.09.2013": an attribute printed under a row.
_NOTE = re.compile(r"^[^:]{1,40}?:\s*(?:$|[-+=]|\S{0,3}\s?\d)")
# A discount column ("Rem.", "Rabatt %"): its percentages are not tax rates.
_DISCOUNT = re.compile(r"(?i)\b(?:rem|remise|rabais|rabatt|discount|disc|korting|descuento|dto|diskaun|nachlass)\b")
_POSITION = re.compile(r"\d{1,3}\.?")
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


def _word_spans(words: list[Word]) -> tuple[str, list[tuple[int, int]]]:
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word.text)))
        position += len(word.text) + 1
    return " ".join(word.text for word in words), spans


def _words_in(span: tuple[int, int], words: list[Word], spans: list[tuple[int, int]]) -> list[Word]:
    return [word for word, (start, end) in zip(words, spans, strict=True) if start < span[1] and end > span[0]]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


# --- the header -------------------------------------------------------------------------------------------------


def _pieces(line: Line) -> list[Column]:
    """The header pieces of a line: one per column label (running on to the next label), one per unlabelled segment."""
    pieces: list[Column] = []
    for segment in line.segments:
        text, spans = _word_spans(segment.words)
        meanings: dict[tuple[int, int], set[str]] = {}
        for match in match_label(text):
            meanings.setdefault(match.span, set()).add(match.field)
        labelled = sorted((span, fields & COLUMN_FIELDS) for span, fields in meanings.items() if fields & COLUMN_FIELDS)
        if not labelled:
            pieces.append(Column(segment.x0, segment.x1, [(line.y0, segment.text)], frozenset()))
            continue
        for position, (span, fields) in enumerate(labelled):
            end = labelled[position + 1][0][0] if position + 1 < len(labelled) else len(text)
            words = _words_in((span[0], end), segment.words, spans)
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


def _merge(columns: list[Column], pieces: list[Column]) -> None:
    for piece in pieces:
        best = max(columns, key=lambda column: _overlap(column.x0, column.x1, piece.x0, piece.x1), default=None)
        if best is None or _overlap(best.x0, best.x1, piece.x0, piece.x1) <= 0:
            columns.append(piece)
            continue
        best.x0, best.x1 = min(best.x0, piece.x0), max(best.x1, piece.x1)
        best.texts.extend(piece.texts)
        # Relabel from the whole stacked text: "VAT" under "Unit Price Excl." is the unit price column.
        for match in sorted(match_label(best.text), key=lambda m: m.span[0]):
            if match.field in COLUMN_FIELDS:
                best.fields = frozenset(m.field for m in match_label(best.text) if m.span == match.span) & COLUMN_FIELDS
                break


def _table_at(lines: list[Line], index: int) -> tuple[Table, int] | None:
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
            _merge(columns, _pieces(lines[following]))
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
    return Table(columns, start, zone, end, line.height, line.page, amounts)


# --- rows ---------------------------------------------------------------------------------------------------------


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
        text, spans = _word_spans(segment)
        percents = list(_PERCENT.finditer(text))
        for match in percents:
            words = _words_in(match.span(), segment, spans)
            value = Decimal(match[1].replace(",", "."))
            cells.append(Cell(value, words[0].x0, words[-1].x1, True, None, words, words[-1].x1))
        for found in find_amounts(text, decimal_hint=decimal):
            if any(m.start() < found.span[1] and found.span[0] < m.end() for m in percents):
                continue
            words = _words_in(found.span, segment, spans)
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
        overlap = _overlap(column.x0, column.x1, x0, x1)
        return (overlap, 0.0) if overlap > 0 else (0.0, overlap)

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
        if column is not None and table.columns[column].fields & {"unit", "quantity"}:
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
    text = _description_text(words)
    return any(m.field in ("subtotal", "total") and m.span[0] == 0 and m.strength >= 0.85 for m in match_label(text))


def _description_text(words: list[Word]) -> str:
    return " ".join(" ".join(word.text for word in words).split()).strip(" :;").lstrip("•·*").strip()


def _read_rows(lines: list[Line], first: int, table: Table, decimal: str | None) -> tuple[list[Row], int]:
    """The rows of `table` from `lines[first]` on, and the index of the line that ended it."""
    rows: list[Row] = []
    current: Row | None = None
    index = first
    while index < len(lines) and len(rows) < MAX_ROWS:
        line = lines[index]
        if _table_at(lines, index) is not None:
            break
        previous = lines[index - 1]
        pitch = (line.y0 - previous.y0) / max(line.height, previous.height, 1.0) if line.page == previous.page else 99
        if line.page != table.page:
            table.page = line.page
        cells, words, unit = _read_line(line, table, decimal)
        # Numbers in named columns count; a position number or an article code does not make a row.
        named = {i: cell for i, cell in cells.items() if table.columns[i].fields or cell.percent}
        note = bool(words) and _NOTE.match(_description_text(words)) is not None
        aligned = bool(words) and abs(words[0].x0 - current.align) <= 0.6 * line.height if current else False
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
            current = Row(cells, words, words[0].x0 if words else table.description_x, unit)
            rows.append(current)
        elif _ends(line, table):
            break
        elif current is not None and current.open and not named and pitch <= CONTINUATION_PITCH:
            if words and (not aligned or note):
                current.open = False
            elif words:
                current.words.extend(words)
        elif current is not None:
            current.open = False
        index += 1
    return rows, index


# --- which number is which ----------------------------------------------------------------------------------------


def _consistent(row: Row, quantity: int | None, price: int | None, amount: int) -> bool:
    """quantity x unit price = amount, per a price basis of 1, 10, 100 or 1000, to a cent or half a percent."""
    if quantity is None or price is None or not {quantity, price, amount} <= row.cells.keys():
        return False
    q, p, a = row.cells[quantity].value, row.cells[price].value, row.cells[amount].value
    tolerance = max(Decimal("0.011"), abs(a) * Decimal("0.006"))
    return any(abs(q * p / basis - a) <= tolerance for basis in BASES)


def _prior(column: Column, role: str, rows: list[Row], index: int, rightmost: bool, named_amount: bool) -> float:
    score = 1.0 if role in column.fields else (-0.3 if not column.fields else -0.8)
    if role == "amount" and not named_amount and rightmost:
        score += 0.5
    if role == "quantity" and any(row.cells[index].unit for row in rows if index in row.cells):
        score += 1.0
    if role in ("amount", "unit_price"):
        if _NET.search(column.text):
            score += 0.3
        elif _GROSS.search(column.text):
            score -= 0.3
    return score


def _roles(
    rows: list[Row], table: Table, printed: set[Decimal]
) -> tuple[int | None, int | None, int | None, list[int]]:
    """The quantity, unit price and amount columns (None when absent) and the tax rate columns.

    `printed` holds the amounts printed after the table: the amounts' sum is likely among them (the subtotal).
    """
    used = sorted({i for row in rows for i in row.cells if not _DISCOUNT.search(table.columns[i].text)})
    taxes = []
    for i in used:
        cells = [row.cells[i] for row in rows if i in row.cells]
        if sum(cell.percent for cell in cells) * 2 > len(cells) or (
            "tax_rate" in table.columns[i].fields and all(0 <= cell.value < 100 for cell in cells)
        ):
            taxes.append(i)
    numeric = [i for i in used if i not in taxes]
    if len(numeric) > MAX_NUMERIC_COLUMNS:  # keep the search small: the columns most rows fill
        filled = sorted(numeric, key=lambda i: -sum(i in row.cells for row in rows))[:MAX_NUMERIC_COLUMNS]
        numeric = sorted(filled)
    if not numeric:
        return None, None, None, taxes
    named_amount = any("amount" in table.columns[i].fields for i in numeric)
    best: tuple[float, int | None, int | None, int | None] = (float("-inf"), None, None, None)
    for quantity, price, amount in product([None, *numeric], [None, *numeric], numeric):
        chosen = [i for i in (quantity, price, amount) if i is not None]
        if len(set(chosen)) != len(chosen):
            continue
        score = 0.0
        for role, column in (("quantity", quantity), ("unit_price", price), ("amount", amount)):
            if column is not None:
                score += _prior(table.columns[column], role, rows, column, column == numeric[-1], named_amount)
        score += 1.5 * sum(_consistent(row, quantity, price, amount) for row in rows)
        if len(rows) > 1 and sum(row.cells[amount].value for row in rows if amount in row.cells) in printed:
            score += 2.0
        if score > best[0]:
            best = (score, quantity, price, amount)
    return best[1], best[2], best[3], taxes


def _unrounded_price(quantity: Decimal | None, price: Decimal | None, amount: Decimal) -> Decimal | None:
    """The unit price as computed, where the page prints it rounded: 3 x "3,33" = 10,00 means 3.3333.

    Only when quantity x printed price misses the amount for every price basis, and amount / quantity
    (to four decimals) both rounds to the printed price and gives the amount back to the cent.
    """
    if quantity is None or price is None or not quantity or not price:
        return price
    exponent = price.as_tuple().exponent
    if not isinstance(exponent, int) or exponent <= -4:
        return price
    if any(abs(quantity * price / basis - amount) < CENT for basis in BASES):
        return price
    computed = (amount / quantity).quantize(PRICE_PRECISION)
    if abs(computed - price) <= Decimal(5).scaleb(exponent - 1) and abs(computed * quantity - amount) < CENT:
        return computed
    return price


def _items(rows: list[Row], table: Table, printed: set[Decimal]) -> list[LineItem]:
    quantity, price, amount, taxes = _roles(rows, table, printed)
    if amount is None:
        return []
    items = []
    for row in rows:
        if amount not in row.cells:
            continue
        description = _description_text(row.words)
        if not any(c.isalpha() for c in description):
            continue
        quantity_cell = row.cells.get(quantity) if quantity is not None else None
        unit = (quantity_cell.unit if quantity_cell else None) or row.unit or unit_in_description(description)
        rate = next((row.cells[i].value for i in taxes if i in row.cells), None)
        printed_price = row.cells[price].value if price is not None and price in row.cells else None
        quantity_value = quantity_cell.value if quantity_cell else None
        items.append(
            LineItem(
                description=description,
                quantity=quantity_value,
                unit_price=_unrounded_price(quantity_value, printed_price, row.cells[amount].value),
                amount=row.cells[amount].value,
                tax_rate=rate,
                unit=unit or (C62 if quantity_cell else None),
            )
        )
    return items


def read_line_items(layout: Layout, decimal: str | None) -> list[LineItem]:
    """The rows of every line-item table in the document, in order."""
    items: list[LineItem] = []
    lines = layout.lines
    index = 0
    while index < len(lines) and len(items) < MAX_ROWS:
        found = _table_at(lines, index)
        if found is None:
            index += 1
            continue
        table, last = found
        rows, index = _read_rows(lines, last + 1, table, decimal)
        after = lines[index : index + TOTALS_REACH]
        printed = {found.value for line in after for found in find_amounts(line.text, decimal_hint=decimal)}
        items.extend(_items(rows, table, printed))
        index = max(index, last + 1)
    return items[:MAX_ROWS]
