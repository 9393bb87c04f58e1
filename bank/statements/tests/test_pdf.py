"""The PDF reader on text statements drawn with reportlab."""

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest

from bank.statements import StatementError, read_statement
from bank.statements.tests.builders import (
    CLOSING,
    IBAN,
    LINES,
    OPENING,
    Line,
    balances,
    pdf,
    pdf_statement,
    pdf_without_opening,
)


@pytest.mark.parametrize("layout", ["columns", "french"])
def test_it_reads_a_statement_with_money_out_and_money_in_columns(layout: str) -> None:
    [statement] = read_statement(pdf_statement(layout=layout))
    assert statement.format == "pdf"
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    # The payee printed on the line below continues the description.
    assert [t.description for t in statement.transactions] == [f"{line.description} {line.payee}" for line in LINES]
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING
    assert statement.balance_check().ok is True
    assert (statement.period_from, statement.period_to) == (date(2026, 3, 1), date(2026, 3, 31))


def test_it_reads_the_account_and_the_bank() -> None:
    [statement] = read_statement(pdf_statement())
    assert statement.bank_name == "Example Bank plc"
    assert statement.account_number_last4 == "5678"
    [french] = read_statement(pdf_statement(layout="french"))
    assert french.account_number == IBAN
    assert french.bank_name == "Banque Exemple SA"


def test_a_signed_amount_column_and_dates_without_a_year() -> None:
    [statement] = read_statement(pdf_statement(layout="amount"))
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert statement.transactions[0].description == "Acme Trading BV Invoice INV-2026-0042 paid"
    # No opening row: the first running balance less the first amount.
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING


def test_a_table_over_several_pages_repeats_its_heading() -> None:
    [statement] = read_statement(pdf_statement(per_page=2))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert statement.balance_check().ok is True


def test_without_a_heading_unsigned_amounts_are_signed_by_the_running_balance() -> None:
    rows: list[tuple[float, float, str]] = [
        (40, 60, "Statement date 31 March 2026"),
        (40, 80, "01 Mar Opening balance 100.00"),
        (40, 95, "02 Mar SALARY ACME 1,000.00 1,100.00"),
        (40, 110, "03 Mar COFFEE 2.50 1,097.50"),
        (40, 125, "04 Mar GROCER 20.00"),
        (40, 140, "04 Mar REFUND 5.00 1,082.50"),
    ]
    [statement] = read_statement(pdf([rows]))
    assert [t.amount for t in statement.transactions] == [
        Decimal("1000.00"),
        Decimal("-2.50"),
        Decimal("-20.00"),
        Decimal("5.00"),
    ]
    assert statement.opening_balance == Decimal("100.00")
    assert statement.closing_balance == Decimal("1082.50")
    assert statement.transactions[0].date == date(2026, 3, 2)


def test_a_pdf_without_text_is_refused() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(StatementError, match="no text layer"):
        read_statement(buffer.getvalue())


def test_a_pdf_without_any_transaction_is_refused() -> None:
    with pytest.raises(StatementError, match="no transactions"):
        read_statement(pdf([[(40, 40, "Dear customer, your statement is attached to this letter.")]]))


def encrypt(data: bytes, password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_password_protected_pdf_is_refused() -> None:
    with pytest.raises(StatementError, match="password"):
        read_statement(encrypt(pdf_statement(), "secret"))


def test_a_pdf_that_only_restricts_editing_opens_without_a_password_and_is_read() -> None:
    [statement] = read_statement(encrypt(pdf_statement(), ""))
    assert len(statement.transactions) == len(LINES)


@pytest.mark.parametrize("cut", [0.3, 0.6])
def test_a_corrupt_pdf_is_refused(cut: float) -> None:
    data = pdf_statement()
    with pytest.raises(StatementError):
        read_statement(data[: int(len(data) * cut)])


def test_a_number_in_the_description_is_not_taken_for_the_running_balance() -> None:
    # "14.80 0.40" reads as amount and balance, but 97.50 cannot become 0.40 by 14.80, while the fee of
    # 0.40 (on a card payment of USD 14.80) takes 97.50 to the next printed balance with the day's lines.
    rows: list[tuple[float, float, str]] = [
        (40, 60, "Statement date 31 March 2026"),
        (40, 80, "01 Mar Opening balance 100.00"),
        (40, 95, "02 Mar COFFEE 2.50 97.50"),
        (40, 110, "03 Mar CARD FEE USD 14.80 0.40"),
        (40, 125, "03 Mar GROCER 20.00"),
        (40, 140, "03 Mar SALARY ACME 1,000.00 1,077.10"),
    ]
    [statement] = read_statement(pdf([rows]))
    assert [(t.amount, t.description) for t in statement.transactions] == [
        (Decimal("-2.50"), "COFFEE"),
        (Decimal("-0.40"), "CARD FEE USD 14.80"),
        (Decimal("-20.00"), "GROCER"),
        (Decimal("1000.00"), "SALARY ACME"),
    ]
    assert statement.closing_balance == Decimal("1077.10")
    assert statement.balance_check().ok is True


def test_an_amount_and_a_balance_that_add_up_are_kept() -> None:
    # The other reading (0.40 the amount, 14.80 part of the text) would not reconcile either way.
    rows: list[tuple[float, float, str]] = [
        (40, 60, "Statement date 31 March 2026"),
        (40, 80, "01 Mar Opening balance 100.00"),
        (40, 95, "02 Mar TRANSFER 14.80 85.20"),
        (40, 110, "03 Mar GROCER 20.00 65.20"),
    ]
    [statement] = read_statement(pdf([rows]))
    assert [(t.amount, t.description) for t in statement.transactions] == [
        (Decimal("-14.80"), "TRANSFER"),
        (Decimal("-20.00"), "GROCER"),
    ]


def _line(day: int, amount: str, payee: str) -> Line:
    return Line(date(2026, 3, day), Decimal(amount), "", payee, "")


# The first day's lines come before any printed balance; a later day's balances settle the rest.
FIRST_DAY_DEBITS = [
    _line(2, "-2.80", "COSTA COFFEE"),
    _line(2, "-12.99", "NETFLIX"),
    _line(3, "-48.79", "LIDL"),
    _line(3, "600.00", "MR E SMITH"),
    _line(4, "-19.49", "INSURER"),
]
FIRST_DAY_CREDIT = [
    _line(2, "-2.80", "COSTA COFFEE"),
    _line(2, "150.00", "MR E SMITH"),
    _line(2, "-40.00", "CASH MACHINE"),
    _line(3, "-14.80", "SOFTWARE"),
    _line(3, "600.00", "MR E SMITH"),
    _line(4, "-3.55", "BAKERY"),
    _line(5, "150.00", "MR E SMITH"),
]
EVERY_LINE_FIRST_DEBIT = [
    _line(2, "-45.10", "POWER CO"),
    _line(3, "2450.00", "ACME TRADING"),
    _line(3, "-2.80", "COSTA COFFEE"),
    _line(14, "-1234.56", "LANDLORD"),
    _line(28, "310.25", "SHOP ONLINE"),
]


@pytest.mark.parametrize("heading", [False, True])
@pytest.mark.parametrize("balance_on", ["line", "day"])
@pytest.mark.parametrize("lines", [FIRST_DAY_DEBITS, FIRST_DAY_CREDIT, EVERY_LINE_FIRST_DEBIT])
@pytest.mark.parametrize("opening", [Decimal("250.00"), Decimal("-80.00")])
def test_without_an_opening_balance_every_sign_agrees_with_the_running_balances(
    heading: bool, balance_on: str, lines: list[Line], opening: Decimal
) -> None:
    [statement] = read_statement(pdf_without_opening(lines, opening=opening, balance_on=balance_on, heading=heading))
    assert [t.amount for t in statement.transactions] == [line.amount for line in lines]
    assert [t.description for t in statement.transactions] == [line.payee for line in lines]
    # Inferred: the first printed balance less the lines up to it.
    assert statement.opening_balance == opening
    assert statement.closing_balance == balances(lines, opening)[-1]
    assert statement.balance_check().ok is True


def test_a_first_line_the_balances_cannot_sign_is_money_out_when_nothing_else_tells() -> None:
    # Nothing before the first balance to move from and no other line of that payer: money out, and
    # the opening balance is inferred from that reading.
    lines = [_line(2, "2450.00", "ACME TRADING"), _line(3, "-2.80", "COSTA COFFEE")]
    [statement] = read_statement(pdf_without_opening(lines, opening=Decimal("100.00")))
    assert [t.amount for t in statement.transactions] == [Decimal("-2450.00"), Decimal("-2.80")]
    assert statement.opening_balance == Decimal("2550.00") + Decimal("2450.00")
    assert statement.balance_check().ok is True


@pytest.mark.parametrize("balance_on", ["line", "day"])
@pytest.mark.parametrize(
    "lines",
    [
        [_line(2, "2450.00", "ACME TRADING"), _line(3, "-2.80", "COSTA COFFEE")],
        [_line(2, "-2.80", "COSTA COFFEE"), _line(2, "2450.00", "ACME TRADING"), _line(3, "-9.00", "BAKERY")],
    ],
)
def test_an_opening_balance_in_a_summary_above_the_table_signs_the_first_lines(
    balance_on: str, lines: list[Line]
) -> None:
    data = pdf_without_opening(
        lines, opening=Decimal("100.00"), balance_on=balance_on, heading=True, summary=Decimal("100.00")
    )
    [statement] = read_statement(data)
    assert [t.amount for t in statement.transactions] == [line.amount for line in lines]
    assert statement.opening_balance == Decimal("100.00")
    assert statement.balance_check().ok is True


def test_a_summary_opening_the_balances_refute_is_not_used() -> None:
    # The summary's figure (a different account's, say) cannot reach the first printed balance: ignored.
    lines = [_line(2, "-2.80", "COSTA COFFEE"), _line(3, "-9.00", "BAKERY")]
    data = pdf_without_opening(lines, opening=Decimal("100.00"), heading=True, summary=Decimal("555.00"))
    [statement] = read_statement(data)
    assert [t.amount for t in statement.transactions] == [line.amount for line in lines]
    assert statement.opening_balance == Decimal("100.00")
