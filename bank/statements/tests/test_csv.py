"""The CSV reader on exports built in code: every delimiter, encoding, language, column order and style."""

from datetime import date
from decimal import Decimal

import pytest

from bank.statements import StatementError, read_statement
from bank.statements.result import Statement
from bank.statements.tests.builders import CLOSING, IBAN, LINES, OPENING, Line, csv_statement


def only(data: bytes) -> Statement:
    statements = read_statement(data)
    assert len(statements) == 1
    return statements[0]


def assert_lines(statement: Statement, *, payee: bool = True, reference: bool = True) -> None:
    assert statement.format == "csv"
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    expected = [f"{line.payee} | {line.description}" if payee else line.description for line in LINES]
    assert [t.description for t in statement.transactions] == expected
    if reference:
        assert [t.reference for t in statement.transactions] == [line.reference for line in LINES]
    if payee:
        assert [t.counterparty for t in statement.transactions] == [line.payee for line in LINES]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_reads_any_delimiter(delimiter: str) -> None:
    statement = only(csv_statement(delimiter=delimiter))
    assert_lines(statement)
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING
    assert statement.balance_check().ok is True
    assert (statement.period_from, statement.period_to) == (date(2026, 3, 2), date(2026, 3, 28))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_it_reads_any_encoding(encoding: str) -> None:
    statement = only(csv_statement(encoding=encoding, delimiter=";"))
    assert_lines(statement)
    assert statement.transactions[1].description == "Costa Coffee | Café Déjà vu"


@pytest.mark.parametrize(
    "columns",
    [
        ("date", "payee", "description", "reference", "amount", "balance"),
        ("balance", "amount", "reference", "description", "payee", "date"),
        ("reference", "date", "amount", "payee", "balance", "description"),
    ],
)
def test_it_finds_columns_in_any_order(columns: tuple[str, ...]) -> None:
    statement = only(csv_statement(columns=columns))
    assert_lines(statement)
    assert statement.closing_balance == CLOSING


@pytest.mark.parametrize("language", ["en", "fr", "de", "nl", "es", "ms"])
def test_it_reads_headers_in_every_language(language: str) -> None:
    columns = (
        "account",
        "date",
        "value_date",
        "payee",
        "description",
        "reference",
        "debit",
        "credit",
        "balance",
        "currency",
    )
    statement = only(csv_statement(language=language, columns=columns, delimiter=";", decimal=",", thousands="."))
    assert_lines(statement)
    assert [t.value_date for t in statement.transactions] == [line.day for line in LINES]
    assert statement.currency == "EUR"
    assert statement.account_number == IBAN
    assert statement.account_number_last4 == "4300"
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING


@pytest.mark.parametrize(
    ("decimal", "thousands", "delimiter"),
    [
        (".", "", ","),
        (".", ",", ","),
        (",", "", ";"),
        (",", ".", ";"),
        (",", " ", ";"),
        (".", "'", ";"),
        (",", ".", ","),
    ],
)
def test_it_reads_decimal_commas_and_points_with_any_grouping(decimal: str, thousands: str, delimiter: str) -> None:
    statement = only(csv_statement(decimal=decimal, thousands=thousands, delimiter=delimiter))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert statement.closing_balance == CLOSING


def test_it_reads_one_dot_three_digits_as_dinars_and_fils_in_a_three_decimal_currency() -> None:
    text = "Date,Description,Amount,Currency\r\n02/03/2026,Fee,-1.234,BHD\r\n03/03/2026,Pay,250.500,BHD\r\n"

    [statement] = read_statement(text.encode())

    assert [t.amount for t in statement.transactions] == [Decimal("-1.234"), Decimal("250.500")]


def test_it_still_reads_one_dot_three_digits_as_thousands_in_other_currencies() -> None:
    text = "Date,Description,Amount,Currency\r\n02/03/2026,Rent,-1.234,EUR\r\n03/03/2026,Pay,250.500,EUR\r\n"

    [statement] = read_statement(text.encode())

    assert [t.amount for t in statement.transactions] == [Decimal("-1234"), Decimal("250500")]


@pytest.mark.parametrize(
    "date_format", ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%y", "%Y%m%d", "%d-%b-%Y", "%m/%d/%y"]
)
def test_it_decides_the_date_order_over_the_whole_column(date_format: str) -> None:
    statement = only(csv_statement(date_format=date_format))
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]


def test_an_ambiguous_date_column_follows_the_other_columns_and_the_decimal_comma() -> None:
    early = [
        Line(date(2026, 3, 2), Decimal("10.00"), "a", "A", "1"),
        Line(date(2026, 3, 5), Decimal("-3.00"), "b", "B", "2"),
        Line(date(2026, 4, 11), Decimal("-1.50"), "c", "C", "3"),
    ]
    # 02/03, 05/03 and 11/04 read either way; a day-first country writes decimal commas.
    statement = only(csv_statement(lines=early, decimal=",", delimiter=";", date_format="%d/%m/%Y"))
    assert [t.date for t in statement.transactions] == [line.day for line in early]


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de", "es"])
def test_it_signs_unsigned_amounts_by_an_indicator_column(language: str) -> None:
    columns = ("date", "payee", "description", "reference", "amount", "indicator")
    statement = only(csv_statement(language=language, columns=columns, delimiter=";"))
    assert_lines(statement)


def test_it_reads_debit_and_credit_columns() -> None:
    columns = ("date", "description", "debit", "credit", "balance")
    statement = only(csv_statement(columns=columns))
    assert_lines(statement, payee=False, reference=False)
    assert statement.balance_check().ok is True


def test_it_skips_a_preamble_and_reads_the_account_and_currency_from_it() -> None:
    preamble = [["Account statement"], ["Account number:", "BE68 5390 0754 7034"], ["Currency", "EUR"], []]
    statement = only(csv_statement(preamble=preamble, columns=("date", "description", "amount")))
    assert_lines(statement, payee=False, reference=False)
    assert statement.account_number_last4 == "7034"
    assert statement.currency == "EUR"


def test_it_reads_a_file_without_a_header_by_content() -> None:
    columns = ("date", "account", "payee", "description", "amount", "balance", "currency")
    statement = only(csv_statement(header=False, columns=columns))
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert [t.description for t in statement.transactions] == [f"{line.payee} | {line.description}" for line in LINES]
    assert statement.account_number == IBAN
    assert statement.currency == "EUR"
    assert statement.closing_balance == CLOSING
    assert statement.opening_balance == OPENING


def test_without_a_header_the_running_balance_is_told_from_the_amount_by_how_it_moves() -> None:
    # The balance comes first here; only its movement says which column is which.
    columns = ("date", "description", "balance", "amount")
    statement = only(csv_statement(header=False, columns=columns))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING


def test_a_newest_first_export_gets_its_balances_the_right_way_round() -> None:
    statement = only(csv_statement(newest_first=True))
    assert [t.amount for t in statement.transactions] == [line.amount for line in reversed(LINES)]
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING
    assert statement.balance_check().ok is True


def test_a_balance_column_that_does_not_add_up_gives_no_balances_and_the_check_says_so() -> None:
    data = csv_statement(columns=("date", "description", "amount", "balance"))
    lines = data.decode().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",99999.99"  # a balance that breaks the chain
    statement = only("\r\n".join(lines).encode())
    assert statement.opening_balance is None
    assert statement.closing_balance is None
    assert statement.balance_check().ok is None


def test_zero_amount_rows_and_total_rows_are_not_transactions() -> None:
    data = csv_statement(columns=("date", "description", "amount")).decode()
    data += "05/03/2026,Fee waived,0.00\r\nTotal,,1474.99\r\n"
    statement = only(data.encode())
    assert len(statement.transactions) == len(LINES)


def test_one_file_with_two_accounts_gives_two_statements() -> None:
    first = csv_statement(columns=("account", "date", "description", "amount")).decode()
    second = csv_statement(columns=("account", "date", "description", "amount"), account="GB33BUKB20201555555555")
    data = first + second.decode().split("\r\n", 1)[1]
    statements = read_statement(data.encode())
    assert [s.account_number_last4 for s in statements] == ["4300", "5555"]
    assert all(len(s.transactions) == len(LINES) for s in statements)


def test_a_currency_in_the_amount_header_is_the_statement_currency() -> None:
    data = b"Datum;Omschrijving;Bedrag (EUR)\r\n02-03-2026;Koffie;-2,80\r\n03-03-2026;Salaris;2500,00\r\n"
    statement = only(data)
    assert statement.currency == "EUR"
    assert [t.amount for t in statement.transactions] == [Decimal("-2.80"), Decimal("2500.00")]


def test_among_several_unnamed_date_columns_the_booking_date_is_the_latest() -> None:
    data = (
        b"01-03-2026,NL91ABNA0417164300,Shop,-10.00,02-03-2026,01-03-2026\n"
        b"03-03-2026,NL91ABNA0417164300,Salary,2500.00,03-03-2026,03-03-2026\n"
        b"05-03-2026,NL91ABNA0417164300,Rent,-800.00,06-03-2026,05-03-2026\n"
    )
    statement = only(data)
    assert [t.date for t in statement.transactions] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Date,Description,Amount\r\n", "no rows below"),
        (b"Date,Description\r\n01/03/2026,Coffee\r\n02/03/2026,Tea\r\n", "No amount column"),
        (b"Name,Town,Amount\r\nAlice,Leeds,3.00\r\nBob,York,4.00\r\n", "No date column"),
        (b"just one line of prose without any delimiter at all", "no delimiter"),
    ],
)
def test_it_refuses_csv_files_it_cannot_read_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        read_statement(data)


@pytest.mark.parametrize(
    ("spent", "paid_in"),
    [
        ("-1 234,56 zł", "2 000,00 zł"),  # currency symbols the invoice reader knew: złoty
        ("−1.234,56 Kč", "2.000,00 Kč"),  # a typographic minus and the koruna
        ("HK$-1,234.56", "HK$2,000.00"),
        ("-1,234.56 GHS", "2,000.00 GHS"),  # any three capitals apart from the number
    ],
)
def test_amounts_carry_any_currency_symbol_the_shared_reader_knows(spent: str, paid_in: str) -> None:
    rows = [
        "Date;Description;Amount",
        f"02/03/2026;Rent March;{spent}",
        f"15/03/2026;Salary;{paid_in}",
    ]
    data = "\n".join(rows).encode()

    statement = only(data)

    assert [t.amount for t in statement.transactions] == [Decimal("-1234.56"), Decimal("2000.00")]
