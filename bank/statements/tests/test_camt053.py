"""The CAMT.053 reader on documents built in code, versions 02 to 08, both booking directions."""

from datetime import date
from decimal import Decimal

import pytest

from bank.statements import StatementError, read_statement
from bank.statements.tests.builders import CLOSING, COUNTER_IBAN, IBAN, LINES, OPENING, camt053


@pytest.mark.parametrize("version", ["02", "04", "08", "13"])
def test_it_reads_every_field_of_a_camt053_statement(version: str) -> None:
    [statement] = read_statement(camt053(version=version))
    assert statement.format == "camt053"
    assert statement.bank_name == "Example Bank N.V."
    assert statement.account_number == IBAN
    assert statement.currency == "EUR"
    assert (statement.period_from, statement.period_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert statement.opening_balance == OPENING
    assert statement.closing_balance == CLOSING
    assert statement.balance_check().ok is True
    transactions = statement.transactions
    assert [t.date for t in transactions] == [line.day for line in LINES]
    assert [t.value_date for t in transactions] == [line.day.replace(day=line.day.day + 1) for line in LINES]
    assert [t.amount for t in transactions] == [line.amount for line in LINES]
    # The counterparty is the debtor of money in and the creditor of money out, never ourselves.
    assert [t.counterparty for t in transactions] == [line.payee for line in LINES]
    assert all(t.counterparty_account == COUNTER_IBAN for t in transactions)
    assert transactions[1].description == "Costa Coffee | Café Déjà vu | SEPA debit transfer"
    assert transactions[0].description == "Acme Trading BV | SEPA credit transfer"


def test_references_prefer_the_creditor_reference_then_the_end_to_end_id() -> None:
    [statement] = read_statement(camt053())
    assert [t.reference for t in statement.transactions] == [line.reference for line in LINES]


def test_a_batch_entry_is_one_transaction_with_the_banks_reference() -> None:
    [statement] = read_statement(camt053(batch=True))
    assert len(statement.transactions) == len(LINES)
    assert statement.transactions[0].reference == "BANKREF00000"


def test_the_previous_closing_balance_opens_when_there_is_no_opening_balance() -> None:
    [statement] = read_statement(camt053(opening_code="PRCD"))
    assert statement.opening_balance == OPENING


def test_each_stmt_is_a_statement() -> None:
    statements = read_statement(camt053(statements=2))
    assert [s.account_number_last4 for s in statements] == ["4300", "4931"]


def test_a_debit_closing_balance_is_negative() -> None:
    data = camt053().replace(
        f'<Amt Ccy="EUR">{CLOSING:.2f}</Amt>\n          <CdtDbtInd>CRDT'.encode(),
        f'<Amt Ccy="EUR">{CLOSING:.2f}</Amt>\n          <CdtDbtInd>DBIT'.encode(),
    )
    [statement] = read_statement(data)
    assert statement.closing_balance == -CLOSING
    check = statement.balance_check()
    assert check.ok is False
    assert check.difference == -2 * CLOSING
    assert "difference" in check.message


def test_other_iso20022_messages_are_refused() -> None:
    data = camt053().replace(b"camt.053.001.02", b"camt.054.001.02")
    with pytest.raises(StatementError, match="not a bank statement we read"):
        read_statement(data)


def test_an_amount_that_is_not_a_number_is_refused() -> None:
    data = camt053().replace(b'<Amt Ccy="EUR">2.80</Amt>', b'<Amt Ccy="EUR">two</Amt>', 1)
    with pytest.raises(StatementError, match="not a number"):
        read_statement(data)


def test_line_amounts_in_another_currency_keep_it() -> None:
    data = camt053().replace(b'<Amt Ccy="EUR">2.80</Amt>', b'<Amt Ccy="USD">2.80</Amt>', 1)
    [statement] = read_statement(data)
    assert statement.transactions[1].currency == "USD"
    assert statement.transactions[2].currency == "EUR"
    assert statement.transactions[1].amount == Decimal("-2.80")
