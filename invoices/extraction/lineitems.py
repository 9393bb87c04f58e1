"""Line items: a table found by its header row, read row by row until the totals block.

The header is a line naming at least two of the columns (description, quantity, unit price, amount)
in any of our languages. Each word of a row below belongs to the header column it sits nearest to;
amounts in the numeric columns are parsed with the document's decimal separator. A row needs a
description and an amount; rows without an amount continue the description above and are skipped.
The table ends at the first totals label (subtotal, tax, total) that starts a line.
"""

from decimal import Decimal

from invoices.extraction.amounts import find_amounts
from invoices.extraction.labels import match_label
from invoices.extraction.layout import Layout, Line
from invoices.extraction.result import LineItem
from invoices.extraction.words import Word

COLUMNS = ("description", "quantity", "unit_price", "amount")
TOTAL_FIELDS = frozenset({"subtotal", "tax_amount", "total"})
MAX_ROWS = 200


def _word_spans(words: list[Word]) -> tuple[str, list[tuple[int, int]]]:
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word.text)))
        position += len(word.text) + 1
    return " ".join(word.text for word in words), spans


def _words_in(span: tuple[int, int], words: list[Word], spans: list[tuple[int, int]]) -> list[Word]:
    return [word for word, (start, end) in zip(words, spans, strict=True) if start < span[1] and end > span[0]]


def _header(line: Line) -> dict[str, tuple[float, float]] | None:
    """Column name -> x extent, when `line` is a table header."""
    text, spans = _word_spans(line.words)
    columns: dict[str, tuple[float, float]] = {}
    for match in sorted(match_label(text), key=lambda m: m.span[0]):
        if match.field not in COLUMNS or match.field in columns:
            continue
        covered = _words_in(match.span, line.words, spans)
        if any(covered[0].x0 < x1 and covered[-1].x1 > x0 for x0, x1 in columns.values()):
            continue  # these words already name another column
        columns[match.field] = (covered[0].x0, covered[-1].x1)
    if len(columns) >= 2 and ("amount" in columns or "unit_price" in columns) and len(line.words) <= 14:
        return columns
    return None


def _nearest(x0: float, x1: float, columns: dict[str, tuple[float, float]]) -> str:
    def distance(extent: tuple[float, float]) -> float:
        return max(0.0, extent[0] - x1, x0 - extent[1])

    return min(columns, key=lambda name: (distance(columns[name]), abs((x0 + x1) - sum(columns[name]))))


def _ends_table(line: Line) -> bool:
    first = line.segments[0].text
    return any(m.field in TOTAL_FIELDS and m.span[0] <= 2 and m.strength >= 0.85 for m in match_label(first))


def _row(line: Line, columns: dict[str, tuple[float, float]], decimal: str | None) -> LineItem | None:
    values: dict[str, Decimal] = {}
    used: set[int] = set()
    # Segment by segment: table cells sit apart, and "3  £250.00" must not read as "3 £".
    for segment in line.segments:
        text, spans = _word_spans(segment.words)
        for found in find_amounts(text, decimal_hint=decimal):
            covered = _words_in(found.span, segment.words, spans)
            column = _nearest(covered[0].x0, covered[-1].x1, columns)
            if column != "description" and column not in values:
                values[column] = found.value
                used.update(id(word) for word in covered)
    description = " ".join(
        word.text
        for word in line.words
        if id(word) not in used and _nearest(word.x0, word.x1, columns) == "description"
    ).strip()
    amount = values.get("amount")
    if amount is None and "amount" not in columns:
        amount = values.get("unit_price")
    if amount is None or not description or not any(c.isalpha() for c in description):
        return None
    return LineItem(
        description=description,
        quantity=values.get("quantity"),
        unit_price=values.get("unit_price"),
        amount=amount,
    )


def read_line_items(layout: Layout, decimal: str | None) -> list[LineItem]:
    """The rows of every line-item table in the document, in order."""
    items: list[LineItem] = []
    columns: dict[str, tuple[float, float]] | None = None
    page = -1
    for line in layout.lines:
        header = _header(line)
        if header is not None:
            if "description" not in header:
                first = min(x0 for x0, _ in header.values())
                header["description"] = (0.0, max(0.0, first - 1))
            columns, page = header, line.page
            continue
        if columns is None:
            continue
        if line.page != page or _ends_table(line):
            columns = None
            continue
        item = _row(line, columns, decimal)
        if item is not None:
            items.append(item)
            if len(items) >= MAX_ROWS:
                break
    return items
