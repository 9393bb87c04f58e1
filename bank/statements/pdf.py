"""Text PDF statements: the transaction table found by its heading, rows by a date at line start.

The PDF's words come from `reading.textpdf` (pdfminer.six glyphs, positioned), grouped into lines
and cells by `reading.lines`. The transaction table's heading is the line that names a date column
and at least one money column ("Date | Description | Money out | Money in | Balance", in the
languages the CSV reader knows); its words give each column's horizontal span. A line that starts with a date opens a
transaction; its amounts are assigned to the money column under which they sit, its other words make
the description, and the text lines below it that carry no amount continue that description. A line
with amounts but no date is another transaction on the same day, as statements print the date once
per day. Lines labelled as opening or closing balances ("Balance brought forward", "Solde
précédent", "Neuer Saldo") give the balances and are not transactions.

Without a heading, the last amount on a line that carries two is the running balance, unless the
balances refute it (no signs of the lines before it move the previous balance to it) and confirm the
other reading: the last amount is the line's, the number before it part of its description ("CCC GBP
14.80 0.40", a fee on a foreign payment), and it moves the previous balance to the next. Where the
layout gives no direction (one amount column, no "CR"/"DR"), a column that prints money out with a
minus prints money in without one; failing that the running balance decides (the sign that makes it
move by the amount); failing that an unsigned amount is money out, as most statement lines are.

Without an opening balance the lines before the first printed balance have nothing to move from, so
the balances cannot sign them: the balances sign every later line, and a line they could not sign
takes the direction of the lines with the same description that they did sign (a payer's transfer
on the first day is money in like the same payer's transfer the balances settle a week later), else
money out. The opening balance is then inferred as the first printed balance less the lines up to it.
An opening balance printed in a summary above the table ("Opening balance 1,500.00") is used instead
where the lines up to the first printed balance can move it there.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bank.statements.headers import header_roles, normalise_header
from bank.statements.parsing import clean
from bank.statements.pdf_rows import Money, Reading, Row, confirms, reread
from bank.statements.pdf_rows import signs as row_signs
from bank.statements.result import Statement, StatementError, Transaction
from reading.amounts import detect_decimal_separator, parse_amount
from reading.currencies import currency_from_text
from reading.dates import date_without_year, day_first_by_votes, find_dates, parse_date_in_order
from reading.lines import WordRun, group_lines, split_at_gaps
from reading.sniff import DocumentError
from reading.textpdf import read_text_pdf
from reading.words import Word

MAX_PAGES = 100
MONEY_ROLES = ("debit", "credit", "amount", "balance")
# Gap between two words, in multiples of the line height, that separates two cells of a line.
CELL_GAP = 0.9

_MONEY = re.compile(r"^[(\-+−]?\s*(?:[€$£]|[A-Z]{3})?\s*\d[\d.,'\u00a0 ]*[.,]\d{2}\s*(?:-|CR|DR|Cr|Dr)?\)?$")
_CRDR = re.compile(r"^(?:CR|DR|Cr|Dr)\.?$")
OPENING_LABELS = re.compile(
    r"\b(?:opening balance|balance brought forward|brought forward|previous balance|balance forward|"
    r"start balance|solde pr[ée]c[ée]dent|ancien solde|solde initial|solde d[ée]but|anfangssaldo|alter saldo|"
    r"saldo vorher|beginsaldo|vorig saldo|saldo anterior|saldo inicial|baki awal|baki dibawa)\b",
    re.IGNORECASE,
)
CLOSING_LABELS = re.compile(
    r"\b(?:closing balance|balance carried forward|carried forward|new balance|ending balance|end balance|"
    r"nouveau solde|solde final|solde au|neuer saldo|endsaldo|schlusssaldo|eindsaldo|nieuw saldo|"
    r"saldo final|saldo actual|baki akhir|baki penutup)\b",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"^(?:totals?|sub ?totals?|total des op[ée]rations|summe|totaal|jumlah)\b", re.IGNORECASE)
_ACCOUNT = re.compile(
    r"(?:account(?:\s+(?:number|no\.?))?|acct\.?(?:\s+no\.?)?|iban|rekening(?:nummer)?|kontonummer|konto|"
    r"num[ée]ro de compte|n° de compte|compte|n[úu]mero de cuenta|cuenta|no\.?\s*akaun|akaun)\s*[:#.]?\s*"
    r"(?P<value>[A-Z]{0,2}\d[\dA-Z \-.]{3,40}[\dA-Z])",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_PERIOD = re.compile(
    r"\b(?:period|statement period|from|du|vom|van|del|dari|p[ée]riode|zeitraum|periode)\b", re.IGNORECASE
)
_BANK = re.compile(
    r"\b(?:bank|banque|banco|bancorp|sparkasse|volksbank|raiffeisen|credit union|building society|caisse)\b",
    re.IGNORECASE,
)
_STATEMENT_DATE = re.compile(r"\b(?:statement date|date of statement|as of|as at|datum|date)\b", re.IGNORECASE)


@dataclass
class Cell(WordRun):
    words: list[Word]


@dataclass
class Line(WordRun):
    page: int
    words: list[Word]
    cells: list[Cell]

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def height(self) -> float:
        return max(1.0, max(w.height for w in self.words))


@dataclass
class ColumnSpan:
    role: str
    x0: float
    x1: float


def read_pdf(data: bytes) -> list[Statement]:
    try:
        document = read_text_pdf(data, max_pages=MAX_PAGES)
    except DocumentError as exc:
        raise StatementError(exc.message) from exc
    lines = [_line(words) for page in document.pages for words in group_lines([w for w in page.words if w.text])]
    if sum(len(line.words) for line in lines) < 5:
        raise StatementError("The PDF has no text layer (a scanned statement?); upload the bank's own PDF or CSV.")
    reader = _Reader(lines)
    return [reader.statement()]


def _line(words: list[Word]) -> Line:
    return Line(words[0].page, words, [Cell(cell) for cell in split_at_gaps(words, gap=CELL_GAP)])


class _Reader:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.text = "\n".join(line.text for line in lines)
        self.decimal = detect_decimal_separator([line.text for line in lines]) or "."
        self.day_first = day_first_by_votes(self.text)
        self.period_from, self.period_to = self._period()
        self.year, self.last_date = self._year()
        # An opening balance printed outside the table, in a summary box above it; trusted only where the
        # running balances confirm it (see `statement`).
        self.summary_opening: Decimal | None = None

    # --- statement-level fields -------------------------------------------------------------------

    def _period(self) -> tuple[date | None, date | None]:
        for line in self.lines:
            if not _PERIOD.search(line.text):
                continue
            found = [m.value for m in find_dates(line.text, day_first=self.day_first)]
            if len(found) >= 2 and found[0] <= found[1]:
                return found[0], found[1]
        return None, None

    def _year(self) -> tuple[int | None, date | None]:
        """The year for dates printed without one, and the latest date they may fall on."""
        if self.period_to:
            return self.period_to.year, self.period_to
        for line in self.lines[:40]:
            if _STATEMENT_DATE.search(line.text):
                found = find_dates(line.text, day_first=self.day_first)
                if found:
                    return found[0].value.year, found[0].value
        years = re.findall(r"\b(19[9]\d|20\d\d)\b", self.text)
        if years:
            year = max(int(y) for y in years)
            return year, date(year, 12, 31)
        return None, None

    def _account(self) -> str | None:
        for line in self.lines:
            match = _ACCOUNT.search(line.text)
            if match and sum(c.isdigit() for c in match["value"]) >= 4:
                return match["value"].strip()
        iban = _IBAN.search(self.text)
        return iban.group(0) if iban else None

    def _bank(self) -> str | None:
        first_page = [line for line in self.lines if line.page == 0][:15]
        for line in first_page:
            for cell in line.cells:
                text = clean(cell.text)
                # A name, not a sentence or a "Bank details: ..." label.
                if _BANK.search(text) and len(text.split()) <= 6 and not re.search(r"[:\d]", text):
                    return text
        return None

    # --- dates and amounts ----------------------------------------------------------------------------

    def _date(self, text: str) -> date | None:
        text = text.strip().rstrip(",")
        order = "dmy" if self.day_first else "mdy"
        for candidate_order in ("ymd", order, "named"):
            value = parse_date_in_order(text, candidate_order)
            if value:
                return value
        if self.year is None:
            return None
        return date_without_year(text, year=self.year, day_first=self.day_first, latest=self.last_date)

    def _leading_date(self, line: Line) -> tuple[date | None, int]:
        """The date the line starts with and how many words it takes."""
        for count in (3, 2, 1):
            if len(line.words) < count:
                continue
            value = self._date(" ".join(w.text for w in line.words[:count]))
            if value:
                return value, count
        return None, 0

    def _money(self, words: list[Word], left: float = 0.0) -> list[Money]:
        """Each money amount among `words` that reaches right of `left`."""
        found: list[Money] = []
        index = 0
        while index < len(words):
            taken = [words[index]]
            text = taken[0].text
            # "1 234,56": thousands grouped by a space the PDF drew as a gap between two words.
            while index + 1 < len(words) and re.fullmatch(r"[-(]?\d{1,3}(?:[ .,]\d{3})*", text):
                follower = words[index + 1]
                close = follower.x0 - taken[-1].x1 < 0.6 * max(1.0, follower.height)
                if not (close and re.match(r"^\d{3}(?:[ .,]\d{3})*(?:[.,]\d{2})", follower.text)):
                    break
                text = f"{text} {follower.text}"
                taken.append(follower)
                index += 1
            mark = words[index + 1] if index + 1 < len(words) else None
            if mark is not None and _CRDR.match(mark.text) and _MONEY.match(text):
                text = f"{text} {mark.text}"
                taken.append(mark)
                index += 1
            if _MONEY.match(text) and taken[-1].x1 > left:
                value = parse_amount(text, decimal_hint=self.decimal, holder_side=True)
                if value is not None:
                    signed = bool(re.search(r"^[(\-+−]|-$|\)$|CR|DR|Cr|Dr", text))
                    found.append(Money(value, signed, taken))
            index += 1
        return found

    # --- the table ----------------------------------------------------------------------------------

    def _heading(self, line: Line) -> list[ColumnSpan] | None:
        spans: list[ColumnSpan] = []
        for cell in line.cells:
            name, _ = normalise_header(cell.text)
            roles = header_roles(name)
            if roles:
                spans.append(ColumnSpan(roles[0][1], cell.x0, cell.x1))
        names = {span.role for span in spans}
        if {"date", "value_date"} & names and names & set(MONEY_ROLES):
            return spans
        return None

    def statement(self) -> Statement:
        rows, opening, closing = self._rows()
        if opening is None and self.summary_opening is not None and confirms(rows, self.summary_opening):
            opening = self.summary_opening
        reread(rows, opening)
        booked = self._transactions(rows, opening)
        transactions = [t for _, t in booked]
        if closing is None:
            balances = [r.amounts["balance"] for r in rows if "balance" in r.amounts]
            closing = balances[-1] if balances else None
        first_balance = next((i for i, r in enumerate(rows) if "balance" in r.amounts), None)
        if opening is None and booked and first_balance is not None and booked[0][0] <= first_balance:
            before = sum((t.amount for i, t in booked if i <= first_balance), Decimal(0))
            opening = rows[first_balance].amounts["balance"] - before
        currency = currency_from_text(self.text)
        return Statement(
            format="pdf",
            transactions=transactions,
            bank_name=self._bank(),
            account_number=self._account(),
            period_from=self.period_from,
            period_to=self.period_to,
            currency=currency,
            opening_balance=opening,
            closing_balance=closing,
        )

    def _rows(self) -> tuple[list[Row], Decimal | None, Decimal | None]:
        headings = [self._heading(line) for line in self.lines]
        pages_with_heading = {line.page for line, heading in zip(self.lines, headings, strict=True) if heading}
        spans: list[ColumnSpan] | None = None
        rows: list[Row] = []
        opening: Decimal | None = None
        closing: Decimal | None = None
        in_table = False
        page = -1
        for line, heading in zip(self.lines, headings, strict=True):
            if line.page != page:
                # A page without its own heading continues the table of the page before.
                page = line.page
                in_table = not pages_with_heading or (page not in pages_with_heading and spans is not None)
            if heading:
                spans, in_table = heading, True
                continue
            if not in_table:
                if self.summary_opening is None and OPENING_LABELS.search(line.text):
                    found = self._money(line.words)
                    self.summary_opening = found[-1].value if found else None
                continue
            # Under a heading, only amounts that reach into the money columns are amounts.
            left = min((s.x0 for s in spans or [] if s.role in MONEY_ROLES), default=0.0) - 20
            money = self._money(line.words, left)
            if OPENING_LABELS.search(line.text) and money:
                opening = opening if opening is not None else money[-1].value
                continue
            if CLOSING_LABELS.search(line.text) and money:
                closing = money[-1].value
                continue
            if _TOTAL.match(line.text):
                continue
            day, used = self._leading_date(line)
            if not money:
                if rows and day is None and rows[-1].page == line.page and line.y0 - rows[-1].y1 < 2 * line.height:
                    rows[-1].description.append(line.text)
                    rows[-1].y1 = max(w.y1 for w in line.words)
                continue
            if day is None and not rows:
                continue
            row = self._row(line, used, money, spans)
            row.date = day or rows[-1].date
            if row.amounts:
                rows.append(row)
        return rows, opening, closing

    def _row(self, line: Line, used: int, money: list[Money], spans: list[ColumnSpan] | None) -> Row:
        in_money = {id(word) for amount in money for word in amount.words}
        rest = [w for w in line.words[used:] if id(w) not in in_money]
        row = Row(date=None, description=[], page=line.page, y1=max(w.y1 for w in line.words))
        if spans:
            money_spans = [s for s in spans if s.role in MONEY_ROLES]
            for amount in money:
                span = min(money_spans, key=lambda s: _distance(amount.x0, amount.x1, s))
                row.amounts[span.role] = amount.value
                if amount.signed:
                    row.marked.add(span.role)
            value_spans = [s for s in spans if s.role == "value_date"]
            if value_spans:
                near = [w for w in rest if _distance(w.x0, w.x1, value_spans[0]) < 5]
                row.value_date = self._date(" ".join(w.text for w in near)) if near else None
                rest = [w for w in rest if w not in near]
        else:
            if len(money) >= 2:
                row.amounts["balance"] = money[-1].value
                in_last = {id(word) for word in money[-1].words}
                words = [w.text for w in line.words[used:] if id(w) not in in_last]
                row.alternative = Reading(money[-1], " ".join(words))
            row.amounts["amount"] = money[0].value
            if money[0].signed:
                row.marked.add("amount")
        row.description.append(" ".join(w.text for w in rest))
        return row

    def _transactions(self, rows: list[Row], opening: Decimal | None) -> list[tuple[int, Transaction]]:
        signs = row_signs(rows, opening)
        transactions = []
        for index, (row, sign) in enumerate(zip(rows, signs, strict=True)):
            if row.date is None:
                continue
            amounts = row.amounts
            if "debit" in amounts or "credit" in amounts:
                amount = abs(amounts.get("credit", Decimal(0))) - abs(amounts.get("debit", Decimal(0)))
            elif "amount" in amounts:
                amount = amounts["amount"] if "amount" in row.marked else abs(amounts["amount"]) * sign
            else:
                continue
            if amount == 0:
                continue
            transaction = Transaction(
                date=row.date,
                amount=amount,
                description=clean(" ".join(row.description)),
                value_date=row.value_date,
            )
            transactions.append((index, transaction))
        return transactions


def _distance(x0: float, x1: float, span: ColumnSpan) -> float:
    """How far text from x0 to x1 sits from a column: near 0 inside it; amounts align right, so the right
    edges count most."""
    if x1 >= span.x0 and x0 <= span.x1:
        return min(abs(x1 - span.x1), abs((x0 + x1) / 2 - (span.x0 + span.x1) / 2)) * 0.1
    return min(abs(x1 - span.x1), abs(x0 - span.x0), abs(x1 - span.x0), abs(x0 - span.x1))
