"""The OFX reader on SGML (v1) and XML (v2) downloads built in code."""

from datetime import date
from decimal import Decimal

import pytest

from bank.statements import StatementError, read_statement
from bank.statements.tests.builders import CARD_LINES, CLOSING, IBAN, LINES, ofx_sections, ofx_sgml, ofx_xml


@pytest.mark.parametrize("builder", [ofx_sgml, ofx_xml])
def test_it_reads_every_field_of_an_ofx_statement(builder) -> None:
    [statement] = read_statement(builder())
    assert statement.format == "ofx"
    assert statement.bank_name == "Example Bank"
    assert (statement.period_from, statement.period_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert statement.opening_balance is None  # OFX has no opening balance
    assert statement.closing_balance == CLOSING
    assert [t.date for t in statement.transactions] == [line.day for line in LINES]
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert [t.description for t in statement.transactions] == [f"{line.payee} | {line.description}" for line in LINES]
    assert [t.counterparty for t in statement.transactions] == [line.payee for line in LINES]
    assert [t.reference for t in statement.transactions] == [f"FIT{i:04d}" for i in range(len(LINES))]
    assert statement.balance_check().ok is None


def test_sgml_dates_are_the_posted_day_whatever_the_timezone() -> None:
    [statement] = read_statement(ofx_sgml())
    # DTPOSTED 20260302000000.000[-5:EST] is 2 March, not 1 March in UTC.
    assert statement.transactions[0].date == date(2026, 3, 2)
    assert statement.currency == "USD"
    assert statement.account_number_last4 == "7809"


def test_xml_ofx_reads_cdata_entities_value_dates_and_the_account() -> None:
    [statement] = read_statement(ofx_xml())
    assert statement.currency == "EUR"
    assert statement.account_number == IBAN
    assert statement.transactions[4].description == "Power & Light | Electricity bill"
    assert statement.transactions[0].value_date == date(2026, 3, 2)


def test_a_credit_card_download_is_read_like_a_bank_account() -> None:
    [statement] = read_statement(ofx_sgml(credit_card=True))
    assert len(statement.transactions) == len(LINES)
    assert statement.account_number_last4 == "7809"


def test_each_account_in_a_download_is_its_own_statement() -> None:
    statements = read_statement(ofx_sgml(accounts=2))
    assert [s.account_number_last4 for s in statements] == ["7809", "7818"]
    assert all(len(s.transactions) == len(LINES) for s in statements)


def test_unsigned_amounts_take_their_direction_from_the_transaction_type() -> None:
    [statement] = read_statement(ofx_sgml(signed=False))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]


def test_an_empty_memo_does_not_swallow_the_elements_after_it() -> None:
    data = ofx_sgml().replace(b"<NAME>Landlord Ltd<MEMO>Rent March", b"<MEMO><NAME>Landlord Ltd")
    [statement] = read_statement(data)
    assert statement.transactions[3].description == "Landlord Ltd"
    assert statement.transactions[3].reference == "FIT0003"
    assert statement.transactions[3].amount == Decimal("-1234.56")


def test_a_truncated_ofx_file_is_refused() -> None:
    data = ofx_sgml()
    with pytest.raises(StatementError):
        read_statement(data[: data.index(b"<BANKTRANLIST>")])


@pytest.mark.parametrize("xml", [False, True])
@pytest.mark.parametrize("split", [[6], [2, 4], [1, 2, 3], [3, 0, 3]])
def test_every_transaction_list_of_a_statement_is_read_in_order_once(xml: bool, split: list[int]) -> None:
    lists, start = [], 0
    for size in split:
        lists.append(LINES[start : start + size])
        start += size
    [statement] = read_statement(ofx_sections(bank_lists=lists, xml=xml))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
    assert [t.counterparty for t in statement.transactions] == [line.payee for line in LINES]
    assert len({t.reference for t in statement.transactions}) == len(LINES)
    assert (statement.period_from, statement.period_to) == (LINES[0].day, LINES[-1].day)


def test_unclosed_sgml_transaction_lists_are_not_read_twice() -> None:
    data = ofx_sections(bank_lists=[LINES[:3], LINES[3:]], close_lists=False)
    [statement] = read_statement(data)
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]


@pytest.mark.parametrize("xml", [False, True])
@pytest.mark.parametrize("card_split", [[4], [2, 2]])
def test_bank_and_card_sections_in_one_file_are_two_statements(xml: bool, card_split: list[int]) -> None:
    card_lists = [CARD_LINES[: card_split[0]], CARD_LINES[card_split[0] :]] if len(card_split) == 2 else [CARD_LINES]
    bank, card = read_statement(ofx_sections(bank_lists=[LINES], card_lists=card_lists, xml=xml))
    assert [t.amount for t in bank.transactions] == [line.amount for line in LINES]
    assert bank.account_number_last4 == "7890"
    assert card.account_number_last4 == "4321"
    # Card amounts as OFX defines them, from the holder's side: spend out, payments and refunds in.
    assert [t.amount for t in card.transactions] == [
        Decimal("-59.90"),
        Decimal("-12.00"),
        Decimal("200.00"),
        Decimal("4.50"),
    ]
    assert card.closing_balance == Decimal("-123.45")
    assert bank.bank_name == card.bank_name == "Example Bank"


@pytest.mark.parametrize("xml", [False, True])
@pytest.mark.parametrize(
    ("bad", "tag", "why"),
    [("-2,8O", "TRNAMT", "the amount '-2,8O' is not a number"), ("2026-13-45", "DTPOSTED", "is not a date")],
)
def test_an_unreadable_line_is_refused_with_its_line_number(xml: bool, bad: str, tag: str, why: str) -> None:
    text = ofx_sections(bank_lists=[LINES], xml=xml).decode("cp1252")
    good = f"{LINES[2].amount:.2f}" if tag == "TRNAMT" else f"{LINES[2].day:%Y%m%d}"
    # The third line's value, found after the second line's FITID.
    at = text.index(good, text.index("FIT0001"))
    text = text[:at] + bad + text[at + len(good) :]
    expected_line = text[:at].count("\n") + 1
    with pytest.raises(StatementError) as caught:
        read_statement(text.encode("cp1252"))
    assert caught.value.message.startswith(f"Line {expected_line} (<{tag}>): ")
    assert why in caught.value.message


def test_a_transaction_without_an_amount_is_refused_with_its_line() -> None:
    text = ofx_sections(bank_lists=[LINES]).decode("cp1252")
    at = text.index(f"<TRNAMT>{LINES[1].amount:.2f}\n")
    text = text[:at] + text[at + len(f"<TRNAMT>{LINES[1].amount:.2f}\n") :]
    expected_line = text[: text.rindex("<STMTTRN>", 0, at)].count("\n") + 1
    with pytest.raises(StatementError, match=rf"^Line {expected_line} \(<STMTTRN>\): the transaction has no <TRNAMT>"):
        read_statement(text.encode("cp1252"))


def test_an_empty_unknown_sgml_element_does_not_hide_the_amount() -> None:
    # <XMEMO> is empty and unknown, so it reads as an aggregate holding the elements after it.
    text = ofx_sections(bank_lists=[LINES]).decode("cp1252").replace("<DTPOSTED>", "<XMEMO>\n<DTPOSTED>")
    [statement] = read_statement(text.encode("cp1252"))
    assert [t.amount for t in statement.transactions] == [line.amount for line in LINES]
