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
with it and not an attribute note ("Bruttopreis : 5,49"), and the lines just above it when its
figures are centred in a tall row. Under a header that names a code over the description
("Art-Nr-Lieferant" over "Artikelbezeichnung") the description is the row's second line. A line
with only a description and an amount (a discount, a fee) is an item when the amounts need it to
add up to a total printed below. Notes and codes between rows are skipped.

Which column holds the quantity, the unit price and the line amount is settled per table by the
header labels together with arithmetic: quantity x unit price = amount (per a price basis of 1, 10,
100 or 1000) row by row, and the amounts adding up to a total printed below the table. That also
picks the net amount when a gross one is printed beside it, and the quantities when a column headed
"Amount" holds them. A price or a measured quantity printed rounded is recomputed from the amount
(3 x "3,33" = 10,00 is 3.3333; "28 Std" x 10,50 = 288,75 is 27.5 hours). Without a printed unit,
a unit the description names ("Design (hours)") is used, else C62 ("one"). Unit words map to rec. 20 codes in `units`.

A table ends at a totals label, a heading, a section title, another table's header, or a header
row of a table we do not read; it runs on across page breaks.

Modules: `header` (columns), `rows` (cells and descriptions), `roles` (which number is which).
"""

from invoices.extraction.layout import Layout
from invoices.extraction.lineitems.header import table_at
from invoices.extraction.lineitems.roles import items_of
from invoices.extraction.lineitems.rows import MAX_ROWS, read_rows
from invoices.extraction.result import LineItem
from reading.amounts import find_amounts

TOTALS_REACH = 25  # lines after a table searched for the subtotal its amounts add up to


def read_line_items(layout: Layout, decimal: str | None) -> list[LineItem]:
    """The rows of every line-item table in the document, in order."""
    items: list[LineItem] = []
    lines = layout.lines
    index = 0
    while index < len(lines) and len(items) < MAX_ROWS:
        found = table_at(lines, index)
        if found is None:
            index += 1
            continue
        table, last = found
        rows, index = read_rows(lines, last + 1, table, decimal)
        after = lines[index : index + TOTALS_REACH]
        printed = {found.value for line in after for found in find_amounts(line.text, decimal_hint=decimal)}
        items.extend(items_of(rows, table, printed))
        index = max(index, last + 1)
    return items[:MAX_ROWS]


__all__ = ["read_line_items"]
