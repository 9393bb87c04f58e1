"""Tax breakdown tables: one row per tax rate under a header naming the rate, base and tax columns.

Invoices with several tax rates (and many with one) summarise them in a small table:

    BTW %    Grondslag   BTW bedrag   Totaal          Art   Basisbetrag   Steuersatz [%]   Steuerbetrag
    21 %         41,31         8,68    49,99          (S)         22,00                7           1,54

The header holds a tax-amount column and a rate or base column; every further header word is a
column of its own (gross, discounts, goods value), so that a figure under "Totaal" is not taken for
the tax. Each figure of a row below goes to the header column it overlaps, or the nearest one. The
rows that carry a rate are the rate rows; their bases sum to the subtotal and their taxes to the tax
amount. A row without a rate (the table's own total line) or a line without figures ends the table.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from invoices.extraction.layout import Layout, Line
from reading.amounts import parse_amount
from reading.words import Word

_TAX_WORDS = r"(?:btw|vat|tax|gst|sst|tva|iva|ust|mwst|umsatzsteuer)"
# Header phrases, tried in this order; a word taken by one role is not tried for the next.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tax",
        re.compile(
            rf"(?i)(?<!\w)(?:{_TAX_WORDS}[\s.\-]*(?:bedrag|betrag|amount|amt|montant|importe|cuota|jumlah)|"
            rf"steuerbetrag|(?:montant|importe)\s+(?:de\s+(?:la\s+)?|del\s+)?(?:tva|iva|taxe)|"
            rf"{_TAX_WORDS}\.?\s*(?:eur|usd|gbp|chf)|tax\s+due)(?!\w)"
        ),
    ),
    (
        "base",
        re.compile(
            r"(?i)(?<!\w)(?:steuerbasisbetrag|basisbetrag|bemessungsgrundlage|grondslag|base\s+imponible|"
            r"base(?:\s+ht)?|taxable(?:\s+amount|\s+value)?|net(?:to)?(?:\s*(?:amount|betrag|bedrag|eur|usd|gbp))?|"
            r"montant\s+ht|excl\.?\s*(?:btw|vat|tax))(?!\w)"
        ),
    ),
    (
        "rate",
        re.compile(
            rf"(?i)(?<!\w)(?:steuersatz|{_TAX_WORDS}\.?\s*(?:rate|%|satz|tarief)|tax\s+rate|rate|taux|tarief|"
            r"tarifa|kadar|satz)(?!\w)|%"
        ),
    ),
)
_RATE_VALUE = re.compile(r"^(\d{1,2}(?:[.,]\d{1,2})?)\s?%?$")
MAX_ROWS = 12


@dataclass(frozen=True)
class Column:
    role: str  # "tax", "base", "rate" or "other"
    x0: float
    x1: float


@dataclass(frozen=True)
class TaxTable:
    """What a tax breakdown table says: the rates and the summed bases and taxes of its rate rows."""

    rates: list[Decimal]
    base: Decimal | None
    tax: Decimal
    line: int  # the header's line index


def _header_columns(line: Line) -> list[Column] | None:
    """The line's columns when it reads as a tax table header, else None."""
    words = line.words
    text, spans = "", []
    for word in words:
        if text:
            text += " "
        spans.append((len(text), len(text) + len(word.text)))
        text += word.text
    taken: dict[int, str] = {}
    for role, pattern in _ROLES:
        for match in pattern.finditer(text):
            covered = [i for i, (a, b) in enumerate(spans) if a < match.end() and b > match.start()]
            if covered and not any(i in taken for i in covered):
                for i in covered:
                    taken[i] = role
    roles = set(taken.values())
    if "tax" not in roles or not roles & {"base", "rate"}:
        return None
    columns: list[Column] = []
    for i, word in enumerate(words):
        role = taken.get(i, "other")
        if columns and role != "other" and columns[-1].role == role and i - 1 in taken:
            columns[-1] = Column(role, columns[-1].x0, word.x1)
        else:
            columns.append(Column(role, word.x0, word.x1))
    return columns


def _column_of(word: Word, columns: list[Column]) -> Column:
    """The column a figure sits under: the one it overlaps most, else the nearest by centre."""

    def overlap(column: Column) -> float:
        return min(word.x1, column.x1) - max(word.x0, column.x0)

    best = max(columns, key=overlap)
    if overlap(best) > 0:
        return best
    centre = (word.x0 + word.x1) / 2
    return min(columns, key=lambda c: abs((c.x0 + c.x1) / 2 - centre))


def _row(line: Line, columns: list[Column], decimal: str | None) -> dict[str, Decimal] | None:
    """A row's figures by role, or None for a line that holds no figure."""
    words = line.words
    figures: dict[str, Decimal] = {}
    found_any = False
    for index, word in enumerate(words):
        text = word.text
        if index + 1 < len(words) and words[index + 1].text == "%":
            text += "%"
        if text == "%":
            continue
        rate = _RATE_VALUE.match(text)
        amount = parse_amount(text, decimal_hint=decimal) if any(c.isdigit() for c in text) else None
        if amount is None and rate is None:
            continue
        found_any = True
        role = _column_of(word, columns).role
        if rate and (text.endswith("%") or role == "rate"):
            figures.setdefault("rate", Decimal(rate.group(1).replace(",", ".")))
        elif role in ("tax", "base") and amount is not None:
            figures.setdefault(role, amount)
    return figures if found_any else None


def read_tax_tables(layout: Layout, decimal: str | None) -> list[TaxTable]:
    """Every tax breakdown table on the pages, read from its header down."""
    tables = []
    for index, line in enumerate(layout.lines):
        columns = _header_columns(line)
        if columns is None:
            continue
        rows = []
        for below in layout.lines[index + 1 : index + 1 + MAX_ROWS]:
            if below.page != line.page:
                break
            figures = _row(below, columns, decimal)
            if figures is None or "tax" not in figures or "rate" not in figures:
                break
            rows.append(figures)
        if not rows:
            continue
        bases = [row["base"] for row in rows if "base" in row]
        tables.append(
            TaxTable(
                rates=[row["rate"] for row in rows],
                base=sum(bases, Decimal(0)) if len(bases) == len(rows) else None,
                tax=sum((row["tax"] for row in rows), Decimal(0)),
                line=index,
            )
        )
    return tables
