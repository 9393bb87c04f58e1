"""Which column holds the quantity, the unit price and the amount, and the line items read from the rows.

Settled per table by the header labels together with arithmetic: quantity x unit price = amount (per
a price basis of 1, 10, 100 or 1000) row by row, and the amounts adding up to a total printed below
the table. Without a printed unit, a unit the description names ("Design (hours)") is used, else C62.
"""

import re
from decimal import Decimal
from itertools import product

from invoices.extraction.lineitems.header import Column, Table
from invoices.extraction.lineitems.rows import Row, description_text
from invoices.extraction.result import LineItem
from invoices.extraction.units import is_measured, unit_in_description

MAX_NUMERIC_COLUMNS = 7
BASES = (Decimal(1), Decimal(10), Decimal(100), Decimal(1000))
CENT = Decimal("0.005")  # half a cent: products within it agree to the cent
PRICE_PRECISION = Decimal("0.0001")  # how finely a rounded unit price is recomputed
QUANTITY_PRECISION = Decimal("0.001")  # and a rounded quantity
C62 = "C62"  # "one": the unit of a counted line that prints none
_NET = re.compile(r"(?i)\b(?:net|netto|excl|exkl|excluding|exclusive|exclusief|ohne|ht|hors|zonder|sin|tanpa)\b")
_GROSS = re.compile(r"(?i)\b(?:gross|brutto|incl|inkl|including|inclusive|inclusief|ttc|mit|con|termasuk)\b")
# A discount column ("Rem.", "Rabatt %"): its percentages are not tax rates.
_DISCOUNT = re.compile(r"(?i)\b(?:rem|remise|rabais|rabatt|discount|disc|korting|descuento|dto|diskaun|nachlass)\b")


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


def _unrounded_quantity(
    quantity: Decimal | None, price: Decimal | None, amount: Decimal, unit: str | None
) -> Decimal | None:
    """The quantity as billed, where the page prints a measured quantity rounded: "28 Std" x 10,50 = 288,75 means 27.5.

    Only for measured units (hours, kg, litres, kWh, ...): a count of pieces is whole, and a line that
    misses its count is discounted, not rounded. And only when quantity x price misses the amount for
    every price basis, while amount / price is exact to three decimals and rounds to the printed quantity.
    """
    if quantity is None or price is None or not quantity or not price or not is_measured(unit):
        return quantity
    exponent = quantity.as_tuple().exponent
    if not isinstance(exponent, int) or any(abs(quantity * price / basis - amount) < CENT for basis in BASES):
        return quantity
    computed = (amount / price).quantize(QUANTITY_PRECISION)
    if computed * price == amount and abs(computed - quantity) <= Decimal(5).scaleb(exponent - 1):
        return computed.quantize(Decimal(1)) if computed == computed.to_integral_value() else computed.normalize()
    return quantity


def _needs_partial(rows: list[Row], amount: int, printed: set[Decimal]) -> bool:
    """Whether the discount and fee rows (description and amount only) belong to the items: the amounts add up
    to a total printed below the table with them, and not without them."""
    partial = [row.cells[amount].value for row in rows if row.partial and amount in row.cells]
    full = sum(row.cells[amount].value for row in rows if not row.partial and amount in row.cells)
    return bool(partial) and full + sum(partial) in printed and full not in printed


def items_of(rows: list[Row], table: Table, printed: set[Decimal]) -> list[LineItem]:
    quantity, price, amount, taxes = _roles([row for row in rows if not row.partial], table, printed)
    if amount is None:
        return []
    if not _needs_partial(rows, amount, printed):
        rows = [row for row in rows if not row.partial]
    discounted = any(_DISCOUNT.search(column.text) for column in table.columns)
    items = []
    for row in rows:
        if amount not in row.cells:
            continue
        description = description_text(row.words)
        if not any(c.isalpha() for c in description):
            continue
        quantity_cell = row.cells.get(quantity) if quantity is not None else None
        unit = (quantity_cell.unit if quantity_cell else None) or row.unit or unit_in_description(description)
        rate = next((row.cells[i].value for i in taxes if i in row.cells), None)
        printed_price = row.cells[price].value if price is not None and price in row.cells else None
        quantity_value = quantity_cell.value if quantity_cell else None
        amount_value = row.cells[amount].value
        # A measured quantity that gives the amount back exactly explains a miss better than a price to four
        # decimals that gives it back to the cent; with a discount column, the discount explains it.
        billed = (
            quantity_value if discounted else _unrounded_quantity(quantity_value, printed_price, amount_value, unit)
        )
        if billed == quantity_value:
            unit_price = _unrounded_price(quantity_value, printed_price, amount_value)
        else:
            quantity_value, unit_price = billed, printed_price
        items.append(
            LineItem(
                description=description,
                quantity=quantity_value,
                unit_price=unit_price,
                amount=amount_value,
                tax_rate=rate,
                unit=unit or (C62 if quantity_cell else None),
            )
        )
    return items
