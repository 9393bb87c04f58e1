"""CSV statement classes seen failing on real files, each generated in code in several variants.

Line endings (bare CR), latin-1 headers in German, Dutch and French, debit/credit pairs and type-word
columns, ambiguous dates, credit-card statements, and the error a file that cannot be read gets.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from bank.statements import StatementError, read_statement
from bank.statements.result import Statement

# (day, signed amount from the holder's side, text)
HISTORY = [
    (date(2021, 3, 5), Decimal("-1234.56"), "Miete März"),
    (date(2021, 3, 9), Decimal("2500.00"), "Gehalt Müller"),
    (date(2021, 3, 18), Decimal("-12.30"), "Café Crème"),
    (date(2021, 4, 2), Decimal("-45.10"), "Strom Élan"),
]
History = list[tuple[date, Decimal, str]]
Builder = Callable[[], list[list[str]]]
AMBIGUOUS = [(d, a, t) for d, a, t in HISTORY if d.day <= 12]


def money(value: Decimal, decimal: str = ".", thousands: str = "", sign: bool = True) -> str:
    minus = "-" if value < 0 and sign else ""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{minus}{thousands.join(groups)}{decimal}{fraction}"


def write(rows: list[list[str]], *, delimiter: str = ";", newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    return newline.join(delimiter.join(cell(c) for c in row) for row in rows).encode(encoding) + newline.encode()


def only(data: bytes) -> Statement:
    statements = read_statement(data)
    assert len(statements) == 1
    return statements[0]


def assert_history(statement: Statement, history: list[tuple[date, Decimal, str]] = HISTORY) -> None:
    assert [t.date for t in statement.transactions] == [d for d, _, _ in history]
    assert [t.amount for t in statement.transactions] == [a for _, a, _ in history]
    for transaction, (_, _, text) in zip(statement.transactions, history, strict=True):
        assert text in transaction.description


def plain(history: list[tuple[date, Decimal, str]] = HISTORY, date_format: str = "%d/%m/%Y") -> list[list[str]]:
    return [["Date", "Description", "Amount"]] + [[d.strftime(date_format), t, money(a)] for d, a, t in history]


# ---------------------------------------------------------------------------------------------------
# 1. Line endings


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_reads_old_mac_line_endings(newline: str, delimiter: str) -> None:
    assert_history(only(write(plain(), delimiter=delimiter, newline=newline)))


def test_it_reads_mixed_crlf_and_cr() -> None:
    rows = plain()
    lines = [",".join(row) for row in rows]
    data = (lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\r\n" + lines[3] + "\r" + lines[4] + "\r").encode()
    assert_history(only(data))


def test_a_bare_cr_inside_quotes_stays_in_the_cell() -> None:
    rows = plain()
    data = write(rows, delimiter=",", newline="\r").replace(b"Gehalt M\xc3\xbcller", b'"Gehalt\rM\xc3\xbcller"')
    statement = only(data)
    assert [t.amount for t in statement.transactions] == [a for _, a, _ in HISTORY]
    assert statement.transactions[1].description == "Gehalt Müller"


# ---------------------------------------------------------------------------------------------------
# 2. Encodings and headers in German, Dutch and French


def german(history: list[tuple[date, Decimal, str]] = HISTORY) -> list[list[str]]:
    rows = [["Buchungstag", "Wertstellung", "Auftraggeber/Empfänger", "Verwendungszweck", "Betrag", "Währung", "Saldo"]]
    balance = Decimal("10000.00")
    for day, amount, text in history:
        balance += amount
        stamp = day.strftime("%d.%m.%Y")
        rows.append([stamp, stamp, "Empfänger GmbH", text, money(amount, ",", "."), "EUR", money(balance, ",", ".")])
    return rows


def dutch(history: list[tuple[date, Decimal, str]] = HISTORY) -> list[list[str]]:
    rows = [["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Af Bij", "Bedrag (EUR)", "Mededelingen"]]
    for day, amount, text in history:
        rows.append(
            [
                day.strftime("%Y%m%d"),
                "Bakkerij Één",
                "NL91ABNA0417164300",
                "DE89370400440532013000",
                "Af" if amount < 0 else "Bij",
                money(abs(amount), ",", ""),
                text,
            ]
        )
    return rows


def french(history: list[tuple[date, Decimal, str]] = HISTORY, *, split: bool = False) -> list[list[str]]:
    header = ["Date opération", "Date valeur", "Libellé"] + (["Débit", "Crédit"] if split else ["Montant"])
    rows = [header]
    for day, amount, text in history:
        stamp = day.strftime("%d/%m/%Y")
        if split:
            sides = [money(-amount, ",", " ") if amount < 0 else "", money(amount, ",", " ") if amount > 0 else ""]
        else:
            sides = [money(amount, ",", " ")]
        rows.append([stamp, stamp, text, *sides])
    return rows


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("build", [german, dutch, french], ids=["de", "nl", "fr"])
def test_it_reads_european_headers_in_any_encoding(encoding: str, build: Builder) -> None:
    statement = only(write(build(), encoding=encoding))
    assert_history(statement)


@pytest.mark.parametrize("newline", ["\r", "\n"])
def test_it_reads_french_debit_and_credit_with_cr_lines(newline: str) -> None:
    assert_history(only(write(french(split=True), encoding="cp1252", newline=newline)))


def test_german_currency_and_balance_are_read() -> None:
    statement = only(write(german(), encoding="cp1252"))
    assert statement.currency == "EUR"
    assert statement.closing_balance == Decimal("10000.00") + sum(a for _, a, _ in HISTORY)


# ---------------------------------------------------------------------------------------------------
# 3. Sign in a debit/credit pair or a type word


@pytest.mark.parametrize(
    ("debit", "credit"), [("Debit", "Credit"), ("Soll", "Haben"), ("Débit", "Crédit"), ("Withdrawals", "Deposits")]
)
def test_it_signs_by_debit_and_credit_columns(debit: str, credit: str) -> None:
    rows = [["Date", "Description", debit, credit]]
    for day, amount, text in HISTORY:
        rows.append(
            [day.strftime("%d.%m.%Y"), text, money(-amount) if amount < 0 else "", money(amount) if amount > 0 else ""]
        )
    assert_history(only(write(rows, encoding="cp1252")))


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Transaction Type", ("DEBIT", "CREDIT")),
        ("Type", ("DR", "CR")),
        ("Type", ("Debit", "Credit")),
        ("Af Bij", ("Af", "Bij")),
        ("Soll/Haben", ("S", "H")),
    ],
)
def test_it_signs_unsigned_amounts_by_a_type_word(header: str, words: tuple[str, str]) -> None:
    rows = [["Date", "Description", "Amount", header]]
    for day, amount, text in HISTORY:
        rows.append([day.strftime("%d/%m/%Y"), text, money(abs(amount)), words[0] if amount < 0 else words[1]])
    assert_history(only(write(rows, delimiter=",")))


# ---------------------------------------------------------------------------------------------------
# 4. Ambiguous dates


def test_one_day_above_twelve_settles_the_order_for_the_whole_file() -> None:
    for fmt in ("%d/%m/%Y", "%m/%d/%Y"):
        assert_history(only(write(plain(date_format=fmt), delimiter=",")))


@pytest.mark.parametrize(
    ("currency", "decimal", "day_first"),
    [("EUR", ".", True), ("GBP", ".", True), ("USD", ",", True), ("USD", ".", False), ("AUD", ".", True)],
)
def test_the_currency_or_decimal_mark_settles_ambiguous_dates(currency: str, decimal: str, day_first: bool) -> None:
    fmt = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    rows = [["Date", "Description", "Amount", "Currency"]]
    rows += [[d.strftime(fmt), t, money(a, decimal), currency] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, delimiter=";")), AMBIGUOUS)


def test_a_currency_in_the_header_or_decimal_comma_settles_ambiguous_dates() -> None:
    rows = [["Date", "Description", "Amount (GBP)"]] + [[d.strftime("%d/%m/%Y"), t, money(a)] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, delimiter=",")), AMBIGUOUS)
    rows = [["Date", "Description", "Amount"]] + [[d.strftime("%d/%m/%Y"), t, money(a, ",")] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, delimiter=";")), AMBIGUOUS)


def test_dotted_dates_or_an_iban_settle_ambiguous_dates() -> None:
    rows = [["Date", "Description", "Amount"]] + [[d.strftime("%d.%m.%Y"), t, money(a)] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, delimiter=",")), AMBIGUOUS)
    rows = [["Date", "Account", "Description", "Amount"]]
    rows += [[d.strftime("%d/%m/%Y"), "GB29NWBK60161331926819", t, money(a)] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, delimiter=",")), AMBIGUOUS)


def test_german_headers_settle_ambiguous_dates() -> None:
    rows = [["Buchungstag", "Verwendungszweck", "Betrag"]]
    rows += [[d.strftime("%d/%m/%Y"), t, money(a)] for d, a, t in AMBIGUOUS]
    assert_history(only(write(rows, encoding="cp1252")), AMBIGUOUS)


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%y", "%d-%m-%Y"])
def test_an_unsettled_ambiguous_date_is_refused_not_guessed(fmt: str) -> None:
    rows = [["Date", "Description", "Amount"]] + [[d.strftime(fmt), t, money(a)] for d, a, t in AMBIGUOUS]
    with pytest.raises(StatementError, match="day or the month"):
        read_statement(write(rows, delimiter=","))


# ---------------------------------------------------------------------------------------------------
# 5. Credit-card statements

CARD = [
    (date(2021, 6, 1), Decimal("-54.20"), "Supermarket"),
    (date(2021, 6, 3), Decimal("-1200.00"), "Airline tickets"),
    (date(2021, 6, 15), Decimal("800.00"), "Payment received thank you"),
    (date(2021, 6, 20), Decimal("-9.99"), "Streaming service"),
    (date(2021, 6, 25), Decimal("12.50"), "Refund Supermarket"),
]


def card_amount(amount: Decimal, style: str) -> str:
    printed = money(abs(amount), ".", ",")
    if amount < 0:
        return printed
    return {"cr": f"{printed} CR", "brackets": f"({printed})", "minus": f"{printed}-", "lead": f"-{printed}"}[style]


@pytest.mark.parametrize("style", ["cr", "brackets", "minus", "lead"])
@pytest.mark.parametrize(
    "header",
    [
        ["Transaction Date", "Merchant", "Amount"],
        ["Date", "Card number", "Description", "Amount"],
        ["Datum", "Karte", "Beschreibung", "Betrag"],
    ],
)
def test_card_statements_are_signed_from_the_holders_side(style: str, header: list[str]) -> None:
    rows = [header]
    for day, amount, text in CARD:
        cells = {"card": "**** **** **** 1234"}
        row = [day.strftime("%d/%m/%Y")]
        if len(header) == 4:
            row.append(cells["card"])
        row += [text, card_amount(amount, style)]
        rows.append(row)
    assert_history(only(write(rows, delimiter=",")), CARD)


def test_cr_markers_alone_make_a_card_statement() -> None:
    rows = [["Date", "Description", "Amount"]]
    rows += [[d.strftime("%d/%m/%Y"), t, card_amount(a, "cr")] for d, a, t in CARD]
    assert_history(only(write(rows, delimiter=",")), CARD)


def test_a_bank_account_with_signed_amounts_is_not_flipped() -> None:
    rows = [["Date", "Description", "Amount"]] + [[d.strftime("%d/%m/%Y"), t, money(a)] for d, a, t in CARD]
    assert_history(only(write(rows, delimiter=",")), CARD)


# ---------------------------------------------------------------------------------------------------
# 6. Errors that say which line and why


def test_a_bad_amount_names_its_line() -> None:
    rows = plain()
    rows[3][2] = "abc"
    with pytest.raises(StatementError, match=r"Line 4: the amount 'abc' is not a number"):
        read_statement(write(rows, delimiter=","))


def test_a_bad_date_names_its_line() -> None:
    rows = plain()
    rows[2][0] = "31/02/2021"
    with pytest.raises(StatementError, match=r"Line 3: the date '31/02/2021' is not a date"):
        read_statement(write(rows, delimiter=","))


def test_a_bad_line_in_a_mac_file_names_its_line() -> None:
    rows = german()
    rows[4][4] = "12,3x"
    with pytest.raises(StatementError, match=r"Line 5: the amount '12,3x' is not a number"):
        read_statement(write(rows, newline="\r", encoding="cp1252"))


def test_one_bad_amount_among_many_rows_names_its_line() -> None:
    rows = plain(HISTORY * 3)
    rows[7][2] = "1O.00"
    with pytest.raises(StatementError, match=r"Line 8: the amount '1O\.00' is not a number"):
        read_statement(write(rows, delimiter=","))


def test_one_impossible_date_among_many_rows_names_its_line() -> None:
    rows = plain(HISTORY * 3)
    rows[10][0] = "32/03/2021"
    with pytest.raises(StatementError, match=r"Line 11: the date '32/03/2021' is not a date"):
        read_statement(write(rows, delimiter=","))


def test_totals_notices_and_blank_amounts_are_still_passed_over() -> None:
    rows = plain(HISTORY * 2)
    rows.insert(3, ["05/03/2021", "Notice: new terms from April", ""])
    rows.append(["Total", "", money(sum((a for _, a, _ in HISTORY * 2), Decimal(0)))])
    statement = only(write(rows, delimiter=","))
    assert len(statement.transactions) == 8


@pytest.mark.parametrize("placeholder", ["-", "—", "n/a", "NULL"])
def test_a_placeholder_in_an_empty_amount_is_not_an_error(placeholder: str) -> None:
    rows = [["Date", "Description", "Debit", "Credit"]]
    for day, amount, text in HISTORY:
        rows.append(
            [
                day.strftime("%d/%m/%Y"),
                text,
                money(-amount) if amount < 0 else placeholder,
                money(amount) if amount > 0 else placeholder,
            ]
        )
    rows.insert(2, ["06/03/2021", "Notice", placeholder, placeholder])
    assert_history(only(write(rows, delimiter=",")))


def test_the_uploader_gets_the_line_in_a_400() -> None:
    from bank.services import _read_statements
    from invoisx.errors import DomainError

    rows = plain()
    rows[2][2] = "abc"
    with pytest.raises(DomainError) as refused:
        _read_statements(write(rows, delimiter=","))
    assert refused.value.details == {"file": ["Line 3: the amount 'abc' is not a number."]}


# ---------------------------------------------------------------------------------------------------
# Classes together


def test_a_german_card_statement_in_cp1252_with_mac_lines() -> None:
    rows = [["Kreditkarte", "Belegdatum", "Beschreibung", "Betrag (EUR)"]]
    for day, amount, text in CARD:
        printed = money(abs(amount), ",", ".") + ("-" if amount > 0 else "")
        rows.append(["4111********1111", day.strftime("%d.%m.%Y"), f"{text} Zürich", printed])
    statement = only(write(rows, newline="\r", encoding="cp1252"))
    assert [t.amount for t in statement.transactions] == [a for _, a, _ in CARD]
    assert statement.currency == "EUR"


def test_a_headerless_file_with_cr_markers_is_a_card_statement() -> None:
    rows = [[d.strftime("%d/%m/%Y"), t, card_amount(a, "cr")] for d, a, t in CARD]
    assert_history(only(write(rows, delimiter=",", newline="\r")), CARD)


def test_a_dutch_export_with_ambiguous_compact_free_dates_and_af_bij() -> None:
    rows = [["Datum", "Naam / Omschrijving", "Af Bij", "Bedrag (EUR)", "Mededelingen"]]
    for day, amount, text in AMBIGUOUS:
        rows.append([day.strftime("%d-%m-%Y"), "Winkel", "Af" if amount < 0 else "Bij", money(abs(amount), ","), text])
    assert_history(only(write(rows, delimiter=",", encoding="latin-1")), AMBIGUOUS)


def test_the_line_is_the_files_line_when_a_quoted_cell_spans_lines() -> None:
    rows = plain(HISTORY * 3)
    rows[1][1] = "Miete\nMärz"
    rows[7][2] = "abc"
    with pytest.raises(StatementError, match=r"Line 9: the amount 'abc' is not a number"):
        read_statement(write(rows, delimiter=",", newline="\n"))
    rows[7][2] = money(HISTORY[2][1])
    rows[10][0] = "03/25/2021"
    with pytest.raises(StatementError, match=r"Line 12: the date '03/25/2021' is not a date day first"):
        read_statement(write(rows, delimiter=",", newline="\n"))


def test_a_debit_card_account_is_not_flipped() -> None:
    # Mostly money in, signed as printed: a card statement would read it the other way round.
    rows = [["Date", "Debit card", "Description", "Amount"]]
    rows += [[d.strftime("%d/%m/%Y"), "1234", t, money(-a)] for d, a, t in CARD]
    assert [t.amount for t in only(write(rows, delimiter=",")).transactions] == [-a for _, a, _ in CARD]
