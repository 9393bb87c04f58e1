"""The MT940 reader on messages built in code: several statements, every :61: and :86: style."""

from datetime import date
from decimal import Decimal

import pytest

from bank.statements import StatementError, read_statement
from bank.statements.tests.builders import CLOSING, COUNTER_IBAN, IBAN, LINES, OPENING, mt940_irregular, mt940_message

FIRST, SECOND = LINES[:3], LINES[3:]


def test_messages_of_one_account_make_one_statement_from_first_opening_to_last_closing() -> None:
    middle = OPENING + sum((line.amount for line in FIRST), Decimal(0))
    data = (mt940_message(FIRST, sequence=1) + mt940_message(SECOND, opening=middle, sequence=2)).encode()
    [statement] = read_statement(data)
    assert statement.format == "mt940"
    assert statement.bank_name == "ABNANL2A"
    assert statement.account_number == IBAN
    assert statement.currency == "EUR"
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING
    assert (statement.period_from, statement.period_to) == (date(2026, 3, 2), date(2026, 3, 28))
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert [t.description for t in statement.transactions] == [f"{line.payee} {line.description}" for line in LINES]
    assert [t.reference for t in statement.transactions] == [line.reference for line in LINES]
    assert statement.balance_check().ok is True


def test_two_accounts_in_one_file_are_two_statements() -> None:
    data = mt940_message(FIRST) + mt940_message(SECOND, account="DE44500105175407324931", sequence=2)
    statements = read_statement(data.encode())
    assert [s.account_number_last4 for s in statements] == ["4300", "4931"]
    assert [len(s.transactions) for s in statements] == [3, 3]


def test_german_subfields_give_counterparty_remittance_and_end_to_end_reference() -> None:
    [statement] = read_statement(mt940_message(LINES, info="subfields").encode())
    first = statement.transactions[0]
    assert first.description == "Acme Trading BV | Invoice INV-2026-0042 paid"
    assert first.counterparty == "Acme Trading BV"
    assert first.counterparty_account == COUNTER_IBAN


def test_slash_tags_give_counterparty_and_account_and_leave_the_text_as_printed() -> None:
    [statement] = read_statement(mt940_message(LINES, info="tags").encode())
    first = statement.transactions[0]
    assert first.counterparty == "Acme Trading BV"
    assert first.counterparty_account == COUNTER_IBAN
    assert first.description.startswith("/TRTP/SEPA OVERBOEKING/IBAN/DE89370400440532013000/")
    assert "REMI/Invoice INV-2026-0042 paid/EREF/RF18539007547034" in first.description


def test_a_line_without_86_is_described_by_its_supplementary_details() -> None:
    data = (
        ":20:X\r\n:25:123456789\r\n:60F:C260301EUR100,00\r\n"
        ":61:2603020302D10,00NTRFNONREF//BANK1\r\nCARD PAYMENT SHOP\r\n"
        ":62F:C260302EUR90,00\r\n"
    )
    [statement] = read_statement(data.encode())
    [line] = statement.transactions
    assert line.description == "CARD PAYMENT SHOP"
    assert line.reference == "BANK1"  # NONREF: the bank's reference instead


@pytest.mark.parametrize(
    ("mark", "amount"),
    [("C", Decimal("10.00")), ("D", Decimal("-10.00")), ("RC", Decimal("-10.00")), ("RD", Decimal("10.00"))],
)
def test_credit_debit_and_reversal_marks_sign_the_amount(mark: str, amount: Decimal) -> None:
    data = f":20:X\n:25:123456789\n:60F:C260301EUR100,00\n:61:2603020302{mark}10,00NTRFREF1\n:86:x\n:62F:C260302EUR100,00\n"
    [statement] = read_statement(data.encode())
    assert statement.transactions[0].amount == amount


def test_booking_and_value_dates_are_told_apart_across_a_year_end() -> None:
    data = (
        ":20:X\n:25:123456789\n:60F:C991230EUR100,00\n"
        ":61:9912310103D1,00NTRFA\n:86:late booking\n"  # value 31 Dec 1999, booked 3 Jan 2000
        ":61:0001020102C2,5NMSCB\n:86:two-digit year\n"
        ":62F:C000103EUR101,50\n"
    )
    [statement] = read_statement(data.encode())
    first, second = statement.transactions
    assert (first.date, first.value_date) == (date(2000, 1, 3), date(1999, 12, 31))
    assert (second.date, second.amount) == (date(2000, 1, 2), Decimal("2.50"))
    assert statement.balance_check().ok is True


def test_several_86_fields_and_old_style_names_after_the_reference() -> None:
    data = (
        ":940:\n:20:940S\n:25:1291.99.348EUR\n:28:00000/00\n:60F:C110614EUR000000000473,17\n"
        ":61:110527D000000001213,28N0440121470966      W.P. Jansen\n"
        ":86:Terugboeking\n:86:KOSTEN KINDEROPVANG JUNI\n"
        ":62F:C110615EUR000000000395,82\n"
    )
    [statement] = read_statement(data.encode())
    [line] = statement.transactions
    assert line.description == "Terugboeking KOSTEN KINDEROPVANG JUNI"
    assert line.reference == "0121470966"
    assert line.counterparty == "W.P. Jansen"
    assert statement.account_number_last4 == "9348"  # "1291.99.348" in euro, not "8EUR"
    assert statement.balance_check().ok is False
    assert statement.balance_check().difference == Decimal("1135.93")


def test_statement_level_86_after_the_closing_balance_is_not_a_transaction_text() -> None:
    data = (
        ":20:X\n:25:123456789\n:60F:C100722EUR0,00\n:61:100722C3,47NTRFNONREF\n:86:Hr S Marechal\n"
        ":62F:C100723EUR3,47\n:86:D000004C000002D25,24C28,71\n-XXX\n"
    )
    [statement] = read_statement(data.encode())
    assert statement.transactions[0].description == "Hr S Marechal"


def test_a_statement_line_that_cannot_be_read_is_refused_with_its_text() -> None:
    data = ":20:X\n:25:123456789\n:60F:C100722EUR0,00\n:61:GARBAGE\n:62F:C100723EUR3,47\n"
    with pytest.raises(StatementError, match="GARBAGE"):
        read_statement(data.encode())


def test_lines_separated_by_double_at_signs_are_read_like_line_breaks() -> None:
    data = mt940_message(LINES, envelope=False).replace("\r\n", "@@").encode()
    [statement] = read_statement(data)
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert statement.balance_check().ok is True


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize(("indent", "blank_lines"), [("", False), ("  ", False), ("\t", True), (" ", True)])
@pytest.mark.parametrize("info", ["plain", "subfields", "tags"])
def test_irregular_spacing_reads_the_same(line_end: str, indent: str, blank_lines: bool, info: str) -> None:
    regular = read_statement(mt940_message(LINES, info=info).encode())
    data = mt940_irregular(mt940_message(LINES, info=info), line_end=line_end, indent=indent, blank_lines=blank_lines)
    [statement] = read_statement(data)
    [expected] = regular
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert [t.description for t in statement.transactions] == [t.description for t in expected.transactions]
    assert [t.counterparty for t in statement.transactions] == [t.counterparty for t in expected.transactions]
    assert [t.reference for t in statement.transactions] == [t.reference for t in expected.transactions]
    assert statement.account_number == expected.account_number
    assert statement.balance_check().ok is True


@pytest.mark.parametrize(
    ("mark", "amount"),
    [
        ("DD", Decimal("-10.00")),  # doubled by mistake: a debit
        ("CC", Decimal("10.00")),
        ("RD", Decimal("10.00")),  # a reversed debit: money back in
        ("RC", Decimal("-10.00")),  # a reversed credit: money out
        ("RDD", Decimal("10.00")),  # a reversal mark followed by a funds code
        ("CD", Decimal("10.00")),  # C with the funds code D
    ],
)
@pytest.mark.parametrize("entry", ["", "0302"])
def test_a_doubled_or_reversal_mark_signs_the_amount(mark: str, amount: Decimal, entry: str) -> None:
    data = (
        f"  :20:X\r\n:25:123456789 \r\n\r\n:60F:C260301EUR100,00\r\n"
        f"   :61:260302{entry}{mark}10,00NTRFREF1//B1  \r\n:86:x\r\n  second line \r\n:62F:C260302EUR100,00\r\n"
    )
    [statement] = read_statement(data.encode())
    [line] = statement.transactions
    assert line.amount == amount
    assert line.description == "x second line"
    assert line.reference == "REF1"


@pytest.mark.parametrize(
    ("statement_line", "why"),
    [
        ("2603020302DX,YZNTRFREF1", "the amount 'X,YZ' is not a number"),
        ("2603020302C1,2,3NTRFREF1", "the amount '1,2,3' is not a number"),
        ("2603020302C", "the amount '' is not a number"),
        ("2603020302X10,00NTRF", "has no debit/credit mark"),
        ("0302 C10,00NTRF", "does not start with a value date"),
        ("261302C10,00NTRF", "the date '261302' is not a date"),
    ],
)
def test_an_unreadable_statement_line_is_refused_with_its_line_and_why(statement_line: str, why: str) -> None:
    lines = [":20:X", ":25:123456789", ":60F:C260301EUR100,00", ":61:2603020302C1,00NTRFA", ":86:fine", ""]
    lines += [f":61:{statement_line}", ":86:bad", ":62F:C260302EUR100,00"]
    with pytest.raises(StatementError) as caught:
        read_statement("\n".join(lines).encode())
    assert caught.value.message.startswith("Line 7 (:61:): ")
    assert why in caught.value.message


def test_an_unreadable_balance_is_refused_with_its_line() -> None:
    data = ":20:X\n:25:123456789\n:60F:C260301EUR1,0,0\n:61:2603020302C1,00NTRFA\n:62F:C260302EUR100,00\n"
    with pytest.raises(StatementError, match=r"^Line 3 \(:60F:\): the amount '1,0,0' is not a number"):
        read_statement(data.encode())
