"""Checksums that de-duplicate overlapping uploads, and the balance check."""

from datetime import date
from decimal import Decimal

from bank.statements import Statement, Transaction, read_statement
from bank.statements.result import canonical_amount, last4
from bank.statements.tests.builders import LINES, OPENING, csv_statement, mt940_message


def checksums(statements: list[Statement]) -> list[str]:
    return [t.checksum() for s in statements for t in s.transactions]


def test_the_same_file_gives_the_same_checksums_every_time() -> None:
    data = csv_statement()
    assert checksums(read_statement(data)) == checksums(read_statement(data))


def test_identical_lines_on_one_day_keep_distinct_checksums() -> None:
    [statement] = read_statement(csv_statement())
    coffees = statement.transactions[1:3]
    assert coffees[0] == coffees[1]  # same date, amount, text and reference
    assert (coffees[0].occurrence, coffees[1].occurrence) == (0, 1)
    assert coffees[0].checksum() != coffees[1].checksum()
    assert len(set(checksums([statement]))) == len(LINES)


def test_overlapping_statements_share_the_checksums_of_the_lines_they_share() -> None:
    january_to_mid = LINES[:4]  # 2 March to 14 March
    mid_to_end = LINES[1:]  # 3 March to 28 March: both coffees and the rent again
    first = read_statement(csv_statement(lines=january_to_mid))
    second = read_statement(csv_statement(lines=mid_to_end, opening=OPENING + LINES[0].amount))
    stored = set(checksums(first))
    new = [c for c in checksums(second) if c not in stored]
    assert len(new) == 2  # only the electricity bill and the refund are new
    assert len(stored | set(checksums(second))) == len(LINES)


def test_the_same_line_in_another_account_has_another_checksum() -> None:
    one = read_statement(mt940_message(LINES[:1]).encode())
    other = read_statement(mt940_message(LINES[:1], account="DE44500105175407324931").encode())
    assert checksums(one) != checksums(other)


def test_the_checksum_ignores_case_and_spacing_of_the_description() -> None:
    def line(text: str) -> Transaction:
        return Statement(
            "csv", [Transaction(date(2026, 3, 1), Decimal("-5.00"), text)], account_number="X1"
        ).transactions[0]

    assert line("Coffee  Shop").checksum() == line("coffee shop").checksum()
    assert line("Coffee Shop").checksum() != line("Tea Shop").checksum()


def test_the_balance_check_reports_a_match_a_mismatch_and_what_it_cannot_check() -> None:
    lines = [Transaction(date(2026, 3, 1), Decimal("-5.00"), "a"), Transaction(date(2026, 3, 2), Decimal("7.50"), "b")]
    matching = Statement("csv", lines, opening_balance=Decimal("10.00"), closing_balance=Decimal("12.50"))
    assert matching.balance_check().ok is True
    assert matching.balance_check().difference == 0
    off = Statement("csv", lines, opening_balance=Decimal("10.00"), closing_balance=Decimal("13.00"))
    check = off.balance_check()
    assert check.ok is False
    assert check.total == Decimal("2.50")
    assert check.difference == Decimal("0.50")
    assert "12.50" in check.message
    assert "13.00" in check.message
    assert Statement("csv", lines, closing_balance=Decimal("1")).balance_check().ok is None


def test_account_numbers_and_amounts_are_normalised() -> None:
    assert last4("NL91 ABNA 0417 1643 00") == "4300"
    assert last4("1452687~7") == "6877"
    assert last4("12") is None
    assert canonical_amount(Decimal("8.850")) == "8.85"
    assert canonical_amount(Decimal("-29")) == "-29.00"
    assert canonical_amount(Decimal("1.23456")) == "1.23456"
    assert canonical_amount(Decimal("-0.00")) == "0.00"
    assert canonical_amount(Decimal("1E+5")) == "100000.00"
