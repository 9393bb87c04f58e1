"""Amounts in local formats: parsing one, finding them in text, voting on the decimal separator."""

from decimal import Decimal

import pytest

from reading.amounts import (
    AmountMatch,
    amount_marker,
    decimal_mark_vote,
    detect_decimal_separator,
    find_amounts,
    parse_amount,
)
from reading.currencies import currency_code, currency_from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("1’234.56", "1234.56"),
        ("1 234", "1234"),
        ("1234", "1234"),
        ("1234.5", "1234.5"),
        ("1234,50", "1234.50"),
        ("0.99", "0.99"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("12.3456", "12.3456"),
        ("  42.00  ", "42.00"),
        ("+5.00", "5.00"),
    ],
)
def test_it_parses_each_locale_format(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-12.00", "-12.00"),
        ("−12,00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("12.00-", "-12.00"),
        ("100.00 CR", "-100.00"),
        ("100.00 Cr", "-100.00"),
        ("100.00 DR", "100.00"),
        ("-€12.00", "-12.00"),
        ("€-12.00", "-12.00"),
        ("(€ 1.234,56)", "-1234.56"),
    ],
)
def test_it_reads_negative_amounts_in_every_notation(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€1,234.56", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("1.234,56€", "1234.56"),
        ("£99.00", "99.00"),
        ("$1,000", "1000"),
        ("US$ 1,000.00", "1000.00"),
        ("S$12.50", "12.50"),
        ("RM1,234.00", "1234.00"),
        ("RM 1,234.00", "1234.00"),
        ("MYR 50.00", "50.00"),
        ("EUR 1.234,56", "1234.56"),
        ("1.234,56 EUR", "1234.56"),
        ("USD 12", "12"),
        ("GBP12.00", "12.00"),
        ("CHF 1'234.50", "1234.50"),
        ("1'234.50 CHF", "1234.50"),
        ("Fr. 20.00", "20.00"),
        ("125,00 kr", "125.00"),
        ("kr 125,00", "125.00"),
    ],
)
def test_it_strips_currency_symbols_and_codes_on_either_side(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("1,234", None, "1234"),
        ("1.234", None, "1234"),
        ("1,234", ",", "1.234"),
        ("1.234", ".", "1.234"),
        ("1,234", ".", "1234"),
        ("1.234", ",", "1234"),
        ("0,125", None, "0.125"),
        ("1234,567", None, "1234.567"),
        ("1.234,56", ".", "1234.56"),
        ("1,234.56", ",", "1234.56"),
        ("12,50", ".", "12.50"),
        ("1 234,567", None, "1234.567"),
    ],
)
def test_it_settles_three_digits_after_one_separator_by_the_hint(text: str, hint: str | None, expected: str) -> None:
    assert parse_amount(text, decimal_hint=hint) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12abc",
        "1,23,4",
        "12.345.67",
        "1.234.567.8,9.0",
        "1,234.567.8",
        ".5",
        "5.",
        "--5",
        "(12.00",
        "12.00)",
        "01/04/2026",
        "2026-04-01",
        "20%",
        "10:30",
        "GB123456789",
        "1 2 3",
        "€",
        "1e5",
        "NaN",
        "Infinity",
        "١٢٣",
        "\x00",
    ],
)
def test_it_returns_none_for_garbage(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize("value", [None, 12, 12.5, b"12.00", ["12"]])
def test_it_returns_none_for_non_strings(value: object) -> None:
    assert parse_amount(value) is None  # type: ignore[arg-type]
    assert find_amounts(value) == []  # type: ignore[arg-type]
    assert currency_from_text(value) is None  # type: ignore[arg-type]


def test_it_finds_amounts_with_spans_and_adjacent_currency() -> None:
    text = "Subtotal EUR 1.234,56  VAT 246,91  Total: 1 481,47 €"
    found = find_amounts(text)
    assert [m.value for m in found] == [Decimal("1234.56"), Decimal("246.91"), Decimal("1481.47")]
    assert [m.currency for m in found] == ["EUR", None, "EUR"]
    for match in found:
        assert text[match.span[0] : match.span[1]] == match.text


def test_it_reports_an_ambiguous_dollar_as_a_symbol_without_currency() -> None:
    assert find_amounts("Total $12.00") == [AmountMatch(Decimal("12.00"), (6, 12), "$12.00", None, "$")]


@pytest.mark.parametrize(
    "text",
    [
        "Date 01.04.2026",
        "Date 01/04/2026",
        "Date 2026-04-01",
        "Invoice INV-2026-0042",
        "VAT GB123456789",
        "at 10:30",
        "VAT 20%",
        "VAT 20 %",
        "rate 7,5%",
    ],
)
def test_it_finds_no_amount_in_dates_ids_times_or_percentages(text: str) -> None:
    assert find_amounts(text) == []


def test_it_keeps_item_line_numbers_apart_when_the_space_is_not_a_thousands_separator() -> None:
    assert [m.value for m in find_amounts("Widget  2 120.00 240.00")] == [
        Decimal("2"),
        Decimal("120.00"),
        Decimal("240.00"),
    ]


def test_it_finds_negative_amounts_in_text() -> None:
    found = find_amounts("Discount (10.00) Credit 5.00 CR Refund -3,50")
    assert [m.value for m in found] == [Decimal("-10.00"), Decimal("-5.00"), Decimal("-3.50")]


def test_it_applies_the_hint_when_finding() -> None:
    assert [m.value for m in find_amounts("Menge 1,250 kg", decimal_hint=",")] == [Decimal("1.250")]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["1.234,56", "12,50", "1,234"], ","),
        (["1,234.56", "12.50", "1.234"], "."),
        (["Total 1 234,56 €", "TVA 205,76"], ","),
        (["1.234.567"], ","),
        (["1,234,567"], "."),
        (["CHF 1'234.50"], "."),
        (["1,234", "1.234"], None),
        (["12,50", "12.50"], None),
        ([], None),
        (["no numbers here"], None),
        (["01.04.2026", "2026-04-01"], None),
    ],
)
def test_it_votes_on_the_decimal_separator(texts: list[str], expected: str | None) -> None:
    assert detect_decimal_separator(texts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Total: €1,234.56", "EUR"),
        ("Total: 1.234,56 EUR", "EUR"),
        ("Amount due £99.00", "GBP"),
        ("Jumlah RM 1,234.00", "MYR"),
        ("Total MYR 50.00", "MYR"),
        ("Total US$ 12.00", "USD"),
        ("Total USD 12.00", "USD"),
        ("Total A$ 12.00", "AUD"),
        ("Total CA$ 12.00", "CAD"),
        ("Total S$ 12.00", "SGD"),
        ("Total CHF 12.00", "CHF"),
        ("Total $12.00", None),
        ("Total 12.00 kr", None),
        ("Total 12.00", None),
        ("FORM 12", None),
        ("EUR 1,00 EUR 2,00 USD 3,00", "EUR"),
        ("", None),
    ],
)
def test_it_names_the_currency_only_when_unambiguous(text: str, expected: str | None) -> None:
    assert currency_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Grand Total Rs 1939   GSTIN 06AABCO6063D1ZQ", "INR"),
        ("Total Rs. 5,000.00  NTN 1234567-8  Karachi, Pakistan", "PKR"),
        ("Amount due $120.00   ABN 51 824 753 556", "AUD"),
        ("Total 299 kr   CVR 12345678", "DKK"),
        ("Amount due $120.00", None),  # no country named: a bare dollar stays unknown
        ("Total $120.00  Australia  Singapore", None),  # two countries named: still unknown
        ("Total €120.00  ABN 51 824 753 556", "EUR"),  # an unambiguous symbol wins
    ],
)
def test_an_ambiguous_symbol_is_settled_by_the_one_country_the_document_names(text, code):
    assert currency_from_text(text) == code


# What the statement reader knew and the invoice reader now shares, and the other way round.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 12.00", "-12.00"),  # a sign spaced from its number, as a CSV cell prints it
        ("( 12.00 )", "-12.00"),
        ("12.50+", "12.50"),
        ("EUR  5,00", "5.00"),
        ("GHS 1,234.00", "1234.00"),  # any three capitals apart from the number name a currency
        ("1,234.00 XOF", "1234.00"),
        ("1,23,456.78", "123456.78"),  # Indian lakh grouping
        ("12,34,56,789.00", "123456789.00"),
        ("1'373.94", "1373.94"),
    ],
)
def test_it_reads_the_amount_forms_statements_print(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["INV123", "ABC12.00", "12.00 ABCD", "01.02.2024"])
def test_three_capitals_glued_to_a_number_are_not_a_currency(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "invoice", "statement"),
    [
        ("100.00 CR", "-100.00", "100.00"),
        ("100.00 cr.", "-100.00", "100.00"),
        ("100.00 DR", "100.00", "-100.00"),
        ("-100.00 CR", "-100.00", "100.00"),  # on a statement the mark decides, whatever the sign says
        ("(100.00) Dr", "-100.00", "-100.00"),
        ("100.00", "100.00", "100.00"),
    ],
)
def test_cr_is_a_credit_note_on_an_invoice_and_money_in_on_a_statement(text: str, invoice: str, statement: str) -> None:
    assert parse_amount(text) == Decimal(invoice)
    assert parse_amount(text, holder_side=True) == Decimal(statement)


def test_indian_grouping_is_found_in_running_text_with_its_currency() -> None:
    found = find_amounts("Grand Total INR 1,23,456.78")

    assert [(m.value, m.currency) for m in found] == [(Decimal("123456.78"), "INR")]


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("EUR 1.234,56", ","),
        ("1,234.56 USD", "."),
        ("1.234.567", ","),
        (".50", "."),
        ("0,123", ","),
        ("12 345,6", ","),
        ("1,234", None),
        ("1234", None),
        ("no number", None),
    ],
)
def test_one_printed_number_votes_for_the_decimal_mark_it_proves(text: str, mark: str | None) -> None:
    assert decimal_mark_vote(text) == mark


@pytest.mark.parametrize(
    ("text", "mark"), [("12.00 CR", "CR"), ("12.00 dr.", "DR"), ("12.00", None), ("CREDIT", None), (None, None)]
)
def test_it_reads_the_cr_or_dr_mark_of_an_amount(text: str | None, mark: str | None) -> None:
    assert amount_marker(text) == mark


@pytest.mark.parametrize(
    ("text", "code"), [("eur", "EUR"), (" GBP ", "GBP"), ("THE", None), ("EURO", None), (None, None)]
)
def test_a_currency_field_is_read_as_an_iso_code(text: str | None, code: str | None) -> None:
    assert currency_code(text) == code
