"""CSV statements from any bank: any delimiter, encoding, column order, language, date and number style.

The reader works in four steps:

1. Table: the delimiter (`,` `;` tab `|`) is the one that splits the most lines into the same number
   of cells; lines before the header row (account details, export dates) are a preamble.
2. Header: the first row whose cells name statement columns (in English, French, German, Dutch,
   Spanish or Malay) is the header; a file without one is read by content alone.
3. Columns: each column is typed by its content (dates and their order, amounts and their decimal
   mark, currency codes, debit/credit marks, account numbers, text). Headers propose a role
   (date, amount, debit, credit, balance, description...) and the content must agree; roles no
   header claimed are then given by content: among several date columns the booking date is the
   one latest in the most rows (a booking follows the transaction), the running balance is the
   numeric column that moves by each row's amount, and text columns that are neither constant nor
   codes make the description.
4. Rows: a row with a date and a non-zero amount is a transaction; zero rows (notices, waived fees)
   move no money and are left out. Date order and decimal mark are decided once per column by votes
   over its values (the whole file's votes settle a column that cannot decide), never per row.
   A column holding several own-account numbers splits the file into one statement per account.

Rows may end in LF, CRLF or a bare CR (old Mac exports), mixed. When no date in the file has a day
above 12, the decimal mark, dotted dates, an IBAN, the currency or the headers' language settle
day-first or month-first; failing those the file is refused rather than read day-first by guess.
A card statement (amounts marked CR and nothing else, or card or merchant headers over mostly positive
amounts) prints spend positive: its amounts are turned to the holder's side. A row that would be a
transaction but for one unreadable date or amount refuses the file, naming its line.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bank.statements.csv_columns import VOTE_SAMPLE, Column, is_placeholder
from bank.statements.csv_roles import Roles, assign_roles, row_amount
from bank.statements.headers import DAY_FIRST_DATE_HEADERS, header_roles, names_card, normalise_header
from bank.statements.parsing import join_parts, looks_like_iban
from bank.statements.result import Statement, StatementError, Transaction, normalise_account
from invoisx.money import CURRENCIES, minor_unit
from reading.amounts import amount_marker, decimal_mark_vote, parse_amount
from reading.currencies import currency_code
from reading.dates import date_orders, strip_time
from reading.text import decode_text

DELIMITERS = (",", ";", "\t", "|")
# How far down the file the header row may sit, below a preamble.
HEADER_SEARCH_ROWS = 40
MAX_ROWS = 200_000
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NOREF", "NONE", "N/A"})


# ---------------------------------------------------------------------------------------------------


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> list[Statement]:
    """Every statement of the CSV file; each transaction's `row` is its record number in the file, from 1."""
    text = decode_text(data).replace("\x00", "")
    rows, starts = _table(text)
    if not rows:
        raise StatementError("The CSV file holds no rows.")
    width = _width(rows)
    header_at = _header_row(rows, width)
    preamble = rows[:header_at] if header_at is not None else []
    first = header_at + 1 if header_at is not None else 0
    header = rows[header_at] if header_at is not None else [""] * width
    kept = [
        (number, row)
        for number, row in enumerate(rows[first:], start=first + 1)
        if _is_data_row(row, width, header_at is not None)
    ]
    if not kept:
        raise StatementError("The CSV file has a header but no rows below it.")
    if len(kept) > max_rows:
        raise StatementError(f"The CSV file has more than {max_rows} rows; split it into smaller statements.")
    body = [_fit(row, width) for _, row in kept]
    numbers = [number for number, _ in kept]
    lines = [starts[number - 1] for number in numbers]
    info = _preamble(preamble)
    columns = _columns(_fit(header, width), body, info.currency)
    roles = assign_roles(columns, header_at is not None)
    if "date" not in roles.single:
        _refuse_named_column(columns, ("date", "value_date"), lines)
        raise StatementError("No date column was found in the CSV file.")
    if not ({"amount", "debit", "credit"} & roles.single.keys()):
        _refuse_named_column(columns, ("amount", "debit", "credit"), lines)
        raise StatementError("No amount column (or debit and credit columns) was found in the CSV file.")
    unsettled = roles.single["date"].unsettled_date
    if unsettled is not None:
        raise StatementError(
            f"The dates cannot be read: '{unsettled}' could be the day or the month first, and no date in the "
            "file, its currency, decimal mark or language settles which. Export the dates as YYYY-MM-DD."
        )
    roles.card = _is_card(columns, roles, preamble)
    return _statements(columns, roles, numbers, lines, info)


def _refuse_named_column(columns: list[Column], named: tuple[str, ...], lines: list[int]) -> None:
    """Name the line and value that kept a column its header names (date, amount) from being read."""
    for column in columns:
        if not column.filled or not any(role in named for _, role in header_roles(column.name)[:1]):
            continue
        dates = named[0] == "date"
        for row, value in enumerate(column.values):
            if not value or is_placeholder(value):
                continue
            bad = (
                column.dates[row] is None
                if dates
                else parse_amount(value, decimal_hint=column.decimal_mark, holder_side=True) is None
            )
            if bad:
                what = "date" if dates else "amount"
                why = "is not a date" if dates else "is not a number"
                raise StatementError(f"Line {lines[row]}: the {what} '{value}' {why}.")


def _table(text: str) -> tuple[list[list[str]], list[int]]:
    """The rows of the best delimiter, and the line of the file each row starts on (a quoted cell may
    span lines, so record and line numbers can differ)."""
    best: tuple[tuple[int, int], list[list[str]], list[int]] | None = None
    for delimiter in DELIMITERS:
        # newline="" lets a bare CR (old Mac exports) or a mix of CR and CRLF end a row, as csv expects.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[list[str]] = []
        starts: list[int] = []
        ended = 0
        try:
            for row in reader:
                starts.append(ended + 1)
                rows.append(row)
                ended = reader.line_num
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows if len(row) >= 2 and any(cell.strip() for cell in row))
        if not widths:
            continue
        width, support = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = (support, width)
        if best is None or score > best[0]:
            best = (score, rows, starts)
    if best is None or best[0][0] < 1:
        raise StatementError("The file is not a CSV statement: no delimiter splits its lines into columns.")
    return [[cell.strip() for cell in row] for row in best[1]], best[2]


def _width(rows: list[list[str]]) -> int:
    widths = Counter(len(row) for row in rows if len(row) >= 2 and any(row))
    return max(widths.items(), key=lambda item: (item[1], item[0]))[0]


def _fit(row: list[str], width: int) -> list[str]:
    cells = [_unquote(cell) for cell in row[:width]]
    return cells + [""] * (width - len(cells))


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == "'":
        cell = cell[1:-1]
    # Spreadsheet-safe exports prefix text with "=" ('="0012"') to keep leading zeros.
    if cell.startswith('="') and cell.endswith('"'):
        cell = cell[2:-1]
    return " ".join(cell.split())


def _is_data_row(row: list[str], width: int, has_header: bool) -> bool:
    if not any(cell.strip() for cell in row):
        return False
    return len(row) == width or (has_header and width - 2 <= len(row) <= width)


def _header_row(rows: list[list[str]], width: int) -> int | None:
    """The index of the header row, or None for a file without one."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(row) < max(2, width - 2) or len(row) > width:
            continue
        cells = [cell for cell in row if cell.strip()]
        if not cells:
            continue
        named = sum(1 for cell in cells if header_roles(normalise_header(cell)[0]))
        values = sum(1 for cell in cells if date_orders(cell) or parse_amount(cell, holder_side=True) is not None)
        if named >= 2 and values <= len(cells) // 4:
            return index
    return None


def _columns(header: list[str], body: list[list[str]], currency: str | None = None) -> list[Column]:
    # File-wide votes settle the columns whose own values cannot decide ("1,234"; "03/04/2024").
    sample = [cell for row in body[:VOTE_SAMPLE] for cell in row if cell]
    mark_votes = Counter(vote for cell in sample if not date_orders(cell) and (vote := decimal_mark_vote(cell)))
    decimal_hint = mark_votes.most_common(1)[0][0] if mark_votes and mark_votes["."] != mark_votes[","] else None
    if decimal_hint is None:
        decimal_hint = _three_decimal_mark(sample)
    order_votes = Counter(next(iter(orders)) for cell in sample if len(orders := date_orders(cell)) == 1)
    if order_votes["mdy"] != order_votes["dmy"]:
        order_hint: str | None = "mdy" if order_votes["mdy"] > order_votes["dmy"] else "dmy"
    else:
        order_hint = _order_by_context(header, sample, decimal_hint, currency)
    return [
        Column(index, header[index], [row[index] for row in body], decimal_hint=decimal_hint, order_hint=order_hint)
        for index in range(len(header))
    ]


def _order_by_context(
    header: list[str], sample: list[str], decimal_hint: str | None, currency: str | None
) -> str | None:
    """Day-first or month-first for a file whose dates never say (no day above 12), or None.

    Only the United States writes the month first; a decimal comma, dotted dates, an IBAN, any other
    currency or headers in a language other than English mean day-first. A dollar file with a
    decimal point is month-first.
    """
    if decimal_hint == ",":
        return "dmy"
    # Dotted dates ("05.03.2021") and IBANs are European, and Europe writes the day first.
    if any(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", strip_time(cell)) or looks_like_iban(cell) for cell in sample):
        return "dmy"
    codes = {code for cell in sample if cell.isupper() and (code := currency_code(cell)) in CURRENCIES}
    codes |= {code for cell in header if (code := normalise_header(cell)[1])}
    if currency:
        codes.add(currency)
    if codes == {"USD"}:
        return "mdy"
    if codes:
        return "dmy"
    if any(normalise_header(cell)[0] in DAY_FIRST_DATE_HEADERS for cell in header):
        return "dmy"
    return None


_LONE_MARK = re.compile(r"^[-+]?\d{1,3}([.,])\d{3}$")


def _three_decimal_mark(sample: list[str]) -> str | None:
    """In a file of three-decimal currencies (BHD, KWD...) "1.234" is one dinar and 234 fils, not 1234:
    the mark such values use is the decimal mark."""
    codes = {code for cell in sample if cell.isupper() and (code := currency_code(cell)) in CURRENCIES}
    if not codes or any(minor_unit(code) != 3 for code in codes):
        return None
    marks = Counter(found[1] for cell in sample if (found := _LONE_MARK.match(cell.strip())))
    return marks.most_common(1)[0][0] if len(marks) == 1 else None


@dataclass
class _Info:
    """What a preamble above the header says about the statement."""

    account: str | None = None
    currency: str | None = None
    opening: Decimal | None = None
    closing: Decimal | None = None


def _preamble(rows: list[list[str]]) -> _Info:
    info = _Info()
    for row in rows:
        cells = [cell for cell in row if cell.strip()]
        for position, cell in enumerate(cells):
            label, _, inline = cell.partition(":")
            name, _ = normalise_header(label)
            value = inline.strip() or (cells[position + 1] if position + 1 < len(cells) else "")
            if not name or not value:
                continue
            roles = {role for _, role in header_roles(name)}
            if roles & {"account"} and info.account is None and sum(c.isdigit() for c in value) >= 4:
                info.account = value
            elif "currency" in roles and info.currency is None:
                info.currency = currency_code(value)
            elif "opening" in roles and info.opening is None:
                info.opening = parse_amount(value, holder_side=True)
            elif "closing" in roles and info.closing is None:
                info.closing = parse_amount(value, holder_side=True)
    return info


def _is_card(columns: list[Column], roles: Roles, preamble: list[list[str]]) -> bool:
    """Whether the amount column prints a card's spend positive and its payments marked CR or negative.

    Either the amounts carry CR marks and nothing else is marked or negative (then the unmarked ones
    are spend), or the headers or preamble speak of a card or a merchant and most amounts are positive.
    A running balance that moves by the amounts as printed already proves their sign.
    """
    single = roles.single
    if "amount" not in single or "indicator" in single or roles.chained:
        return False
    column = single["amount"]
    printed = [(amount_marker(v), a) for v, a in zip(column.values, column.amounts, strict=True) if a is not None]
    if not printed:
        return False
    markers = {marker for marker, _ in printed}
    if "CR" in markers and "DR" not in markers:
        return not any(a < 0 for marker, a in printed if marker is None)
    words = [c.name for c in columns] + [normalise_header(cell)[0] for row in preamble for cell in row]
    if not any(names_card(word) for word in words):
        return False
    positive = sum(1 for marker, a in printed if a > 0 and marker is None)
    return positive > len(printed) / 2


def _statements(
    columns: list[Column], roles: Roles, numbers: list[int], lines: list[int], info: _Info
) -> list[Statement]:
    single = roles.single
    currency = info.currency
    if "currency" in single:
        codes = Counter(code for v in single["currency"].filled if (code := currency_code(v)))
        currency = codes.most_common(1)[0][0] if len(codes) == 1 else currency
    if currency is None:
        currency = next((c.header_currency for c in columns if c.header_currency), None)
    by_account: dict[str, list[int]] = {}
    for row in range(len(numbers)):
        account = single["account"].values[row] if "account" in single else (info.account or "")
        by_account.setdefault(normalise_account(account), []).append(row)
    statements = []
    for account_rows in by_account.values():
        statement = _statement(roles, account_rows, currency, info, numbers, lines)
        if statement.transactions:
            statements.append(statement)
    if not statements:
        raise StatementError("The CSV file has no row with both a date and an amount.")
    return statements


def _statement(
    roles: Roles, rows: list[int], currency: str | None, info: _Info, numbers: list[int], lines: list[int]
) -> Statement:
    single = roles.single
    kept: list[tuple[int, Transaction]] = []
    for row in rows:
        booked = single["date"].dates[row]
        amount = row_amount(roles, row)
        if booked is None or amount is None or amount == 0:
            _refuse_half_row(roles, row, lines[row])
            continue  # headings, totals, notices and zero lines move no money
        counterparty = next((c.values[row] for c in roles.counterparty if c.values[row]), None)
        line_currency = currency_code(single["currency"].values[row]) if "currency" in single else None
        kept.append(
            (
                row,
                Transaction(
                    date=booked,
                    amount=amount,
                    description=join_parts([counterparty, *(c.values[row] for c in roles.description)]),
                    reference=_cell(single, "reference", row),
                    value_date=single["value_date"].dates[row] if "value_date" in single else None,
                    currency=line_currency or currency,
                    counterparty=counterparty,
                    counterparty_account=_cell(single, "counterparty_account", row),
                    row=numbers[row],
                ),
            )
        )
    opening, closing = _balances(roles, kept, info)
    dates = [t.date for _, t in kept]
    period_from = _first_date(single, "period_from", rows) or (min(dates) if dates else None)
    period_to = _first_date(single, "period_to", rows) or (max(dates) if dates else None)
    account = _cell(single, "account", rows[0]) if "account" in single else info.account
    return Statement(
        format="csv",
        transactions=[t for _, t in kept],
        account_number=account,
        period_from=period_from,
        period_to=period_to,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
    )


ORDER_NAMES = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}
_DATE_SHAPE = re.compile(r"^\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}$")


def _refuse_half_row(roles: Roles, row: int, number: int) -> None:
    """Refuse a row that is a transaction but for one unreadable cell: a readable date beside an
    amount that is not a number ("abc"), or a readable amount beside a date that cannot be one
    ("31/02/2021"). Totals, headings and notices lack a date or an amount altogether and pass."""
    single = roles.single
    booked, amount = single["date"].dates[row], row_amount(roles, row)
    money = [single[role] for role in ("amount", "debit", "credit") if role in single]
    if booked is not None and amount is None:
        for column in money:
            value = column.values[row]
            if value and not is_placeholder(value) and column.amounts[row] is None:
                raise StatementError(f"Line {number}: the amount '{value}' is not a number.")
    stamp = strip_time(single["date"].values[row])
    if booked is None and amount and _DATE_SHAPE.match(stamp):
        order = single["date"].date_order
        if date_orders(stamp) and order in ORDER_NAMES:
            raise StatementError(
                f"Line {number}: the date '{stamp}' is not a date {ORDER_NAMES[order]}, as the file's are."
            )
        raise StatementError(f"Line {number}: the date '{stamp}' is not a date.")


def _cell(single: dict[str, Column], role: str, row: int) -> str | None:
    value = single[role].values[row] if role in single else ""
    return None if value.upper() in NO_REFERENCE else value


def _first_date(single: dict[str, Column], role: str, rows: list[int]) -> date | None:
    if role not in single:
        return None
    return next((d for row in rows if (d := single[role].dates[row]) is not None), None)


def _balances(roles: Roles, kept: list[tuple[int, Transaction]], info: _Info) -> tuple[Decimal | None, Decimal | None]:
    single = roles.single
    opening, closing = info.opening, info.closing
    if "opening" in single and kept:
        opening = next((v for row, _ in kept if (v := single["opening"].amounts[row]) is not None), opening)
    if "closing" in single and kept:
        closing = next((v for row, _ in reversed(kept) if (v := single["closing"].amounts[row]) is not None), closing)
    if "balance" not in single or not roles.chained or (opening is not None and closing is not None):
        return opening, closing
    balance = single["balance"]
    lines = [(t.amount, value) for row, t in kept if (value := balance.amounts[row]) is not None]
    if not lines:
        return opening, closing
    if roles.balance_reversed:
        lines = lines[::-1]
    (first_amount, first_balance), (last_amount, last_balance) = lines[0], lines[-1]
    if roles.balance_before:
        computed = (first_balance, last_balance + last_amount)
    else:
        computed = (first_balance - first_amount, last_balance)
    return (opening if opening is not None else computed[0]), (closing if closing is not None else computed[1])
