"""Dates in local formats: numeric by locale, month names in six languages, plausibility."""

from datetime import date

import pytest

from reading.dates import (
    DateMatch,
    date_orders,
    date_without_year,
    day_first_by_votes,
    day_first_for_language,
    find_dates,
    parse_date,
    parse_date_in_order,
)

APRIL_1 = date(2026, 4, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-01",
        "2026/04/01",
        "2026.04.01",
        "2026-4-1",
        "01/04/2026",
        "01.04.2026",
        "01-04-2026",
        "1/4/2026",
        "1.4.26",
        "01/04/26",
        " 01.04.2026, ",
    ],
)
def test_it_reads_numeric_dates_day_first_by_default(text: str) -> None:
    assert parse_date(text) == APRIL_1


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("01/04/2026", True, date(2026, 4, 1)),
        ("01/04/2026", False, date(2026, 1, 4)),
        ("04/01/2026", False, date(2026, 4, 1)),
        ("13/04/2026", False, date(2026, 4, 13)),
        ("04/13/2026", True, date(2026, 4, 13)),
        ("04/13/2026", None, date(2026, 4, 13)),
        ("2026-04-01", False, date(2026, 4, 1)),
        ("05/05/2026", False, date(2026, 5, 5)),
    ],
)
def test_it_orders_day_and_month_by_hint_unless_a_value_over_12_decides(
    text: str, day_first: bool | None, expected: date
) -> None:
    assert parse_date(text, day_first=day_first) == expected


@pytest.mark.parametrize(
    "text",
    [
        # English
        "1 April 2026",
        "April 1, 2026",
        "Apr 1, 2026",
        "Apr. 1st 2026",
        "1st April 2026",
        "1st of April 2026",
        "01-Apr-26",
        "01-APR-2026",
        "1 Apr 2026",
        # French
        "1er avril 2026",
        "1 avril 2026",
        "1 avr. 2026",
        "01 AVRIL 2026",
        # German
        "1. April 2026",
        "01. Apr. 2026",
        # Malay (April is spelled as in English)
        "01 APRIL 2026",
        "1 Apr. 2026",
        # Spanish
        "1 de abril de 2026",
        "1 abril 2026",
        "1 abr. 2026",
        "1º de abril de 2026",
        # Dutch
        "1 april 2026",
        "1 apr 2026",
    ],
)
def test_it_reads_month_names_in_each_language(text: str) -> None:
    assert parse_date(text) == APRIL_1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 janv. 2026", date(2026, 1, 4)),
        ("10 février 2026", date(2026, 2, 10)),
        ("3 März 2026", date(2026, 3, 3)),
        ("3. Maerz 2026", date(2026, 3, 3)),
        ("1 Mac 2026", date(2026, 3, 1)),
        ("1 maart 2026", date(2026, 3, 1)),
        ("1 mrt 2026", date(2026, 3, 1)),
        ("1 mei 2026", date(2026, 5, 1)),
        ("1 Mei 2026", date(2026, 5, 1)),
        ("1 mai 2026", date(2026, 5, 1)),
        ("1 mayo 2026", date(2026, 5, 1)),
        ("15 août 2026", date(2026, 8, 15)),
        ("15 Ogos 2026", date(2026, 8, 15)),
        ("15 augustus 2026", date(2026, 8, 15)),
        ("15 agosto 2026", date(2026, 8, 15)),
        ("1 Julai 2026", date(2026, 7, 1)),
        ("1 juillet 2026", date(2026, 7, 1)),
        ("1 juil. 2026", date(2026, 7, 1)),
        ("1 septiembre 2026", date(2026, 9, 1)),
        ("1 setiembre 2026", date(2026, 9, 1)),
        ("31 okt 2026", date(2026, 10, 31)),
        ("31 Oktober 2026", date(2026, 10, 31)),
        ("31 octubre 2026", date(2026, 10, 31)),
        ("20 déc. 2025", date(2025, 12, 20)),
        ("20 Dezember 2025", date(2025, 12, 20)),
        ("20 Disember 2025", date(2025, 12, 20)),
        ("20 dic. 2025", date(2025, 12, 20)),
        ("1 Jänner 2026", date(2026, 1, 1)),
        ("1 Januari 2026", date(2026, 1, 1)),
        ("1 enero 2026", date(2026, 1, 1)),
        ("February 28, 2026", date(2026, 2, 28)),
    ],
)
def test_it_reads_each_languages_month_names_and_abbreviations(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.04.99", date(1999, 4, 1)),
        ("01.04.90", date(1990, 4, 1)),
        ("01.04.00", date(2000, 4, 1)),
        ("01.04.89", date(2089, 4, 1)),
        ("01-Apr-26", APRIL_1),
    ],
)
def test_it_reads_two_digit_years_within_the_plausible_range(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "31/02/2026",
        "32/01/2026",
        "13/13/2026",
        "00/01/2026",
        "2026-13-01",
        "2026-02-30",
        "01/04/1889",
        "01/04/2101",
        "1 April 1850",
        "1 Foo 2026",
        "1 Total 2026",
        "01/04/2026/01",
        "01/04-2026",
        "2026-04-01-05",
        "1.234,56",
        "INV-2026-0042",
        "Invoice 12 2026",
        "April 2026",
        "01/04/2026 and 02/04/2026",
        "\x00\x01",
    ],
)
def test_it_returns_none_for_garbage_and_implausible_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("value", [None, 20260401, b"2026-04-01", APRIL_1])
def test_it_returns_none_for_non_strings(value: object) -> None:
    assert parse_date(value) is None  # type: ignore[arg-type]
    assert find_dates(value) == []  # type: ignore[arg-type]


def test_it_finds_every_date_in_text_with_spans() -> None:
    text = "Invoice date: 01/04/2026  Due: 1 May 2026  Ref INV-2026-0042  Datum 2026-04-01"
    found = find_dates(text)
    assert [m.value for m in found] == [APRIL_1, date(2026, 5, 1), APRIL_1]
    for match in found:
        assert text[match.span[0] : match.span[1]] == match.text


def test_it_marks_a_guessed_day_month_order_as_ambiguous() -> None:
    assert find_dates("01/04/2026") == [DateMatch(APRIL_1, (0, 10), "01/04/2026", True)]
    assert find_dates("13/04/2026")[0].ambiguous is False
    assert find_dates("05/05/2026")[0].ambiguous is False
    assert find_dates("1 April 2026")[0].ambiguous is False


def test_it_treats_dotted_dates_as_day_first_without_a_hint() -> None:
    assert find_dates("01.04.2026") == [DateMatch(APRIL_1, (0, 10), "01.04.2026", False)]


def test_it_does_not_read_amounts_or_times_as_dates() -> None:
    assert find_dates("Total 1.234,56 at 10:30 for 12.50") == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", True),
        ("fr-FR", True),
        ("de_DE", True),
        ("ms", True),
        ("es", True),
        ("nl", True),
        ("en-GB", True),
        ("en_MY", True),
        ("en-AU", True),
        ("en-US", False),
        ("EN_us", False),
        ("en", None),
        ("xx", None),
        ("", None),
        (None, None),
    ],
)
def test_it_tells_day_first_from_the_locale(lang: str | None, expected: bool | None) -> None:
    assert day_first_for_language(lang) is expected


# Dates in an order a statement settles for a whole column, and the dates its tables print without a year.


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("03/04/2024", "dmy", date(2024, 4, 3)),
        ("03/04/2024", "mdy", date(2024, 3, 4)),
        ("2024-04-03", "ymd", date(2024, 4, 3)),
        ("20240403", "ymd", date(2024, 4, 3)),
        ("03.04.24", "dmy", date(2024, 4, 3)),
        ("03 04 2024", "dmy", date(2024, 4, 3)),
        ("2024-04-03T10:15:00Z", "ymd", date(2024, 4, 3)),
        ("04/03/2024 10:15 PM", "mdy", date(2024, 4, 3)),
        ("3 Apr 2024", "named", date(2024, 4, 3)),
        ("Apr 3, 2024", "named", date(2024, 4, 3)),
        ("03.04.1985", "dmy", date(1985, 4, 3)),  # a statement may reach back further than an invoice
    ],
)
def test_it_reads_a_date_in_a_settled_order(text: str, order: str, expected: date) -> None:
    assert parse_date_in_order(text, order) == expected


@pytest.mark.parametrize(
    ("text", "order"),
    [("13/04/2024", "mdy"), ("2024-04-03", "dmy"), ("20240403", "dmy"), ("03/04/2024", "named"), ("", "dmy")],
)
def test_a_date_that_does_not_read_in_the_order_is_none(text: str, order: str) -> None:
    assert parse_date_in_order(text, order) is None


@pytest.mark.parametrize(
    ("text", "orders"),
    [
        ("03/04/2024", {"dmy", "mdy"}),
        ("13/04/2024", {"dmy"}),
        ("04/13/2024", {"mdy"}),
        ("2024-04-03", {"ymd"}),
        ("3 April 2024", {"named"}),
        ("12.50", set()),
    ],
)
def test_it_lists_every_order_a_date_reads_in(text: str, orders: set[str]) -> None:
    assert date_orders(text) == orders


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("03/04", True, date(2024, 4, 3)),
        ("03/04", False, date(2024, 3, 4)),
        ("4 Mar", True, date(2024, 3, 4)),
        ("Mar 4", False, date(2024, 3, 4)),
        ("04.03.", True, date(2024, 3, 4)),
        ("31/02", True, None),
        ("4 Foo", True, None),
    ],
)
def test_it_reads_a_day_and_month_in_the_statements_year(text: str, day_first: bool, expected: date | None) -> None:
    assert date_without_year(text, year=2024, day_first=day_first) == expected


def test_december_on_a_january_statement_belongs_to_the_year_before() -> None:
    assert date_without_year("30 Dec", year=2025, day_first=True, latest=date(2025, 1, 31)) == date(2024, 12, 30)
    assert date_without_year("30 Jan", year=2025, day_first=True, latest=date(2025, 1, 31)) == date(2025, 1, 30)


@pytest.mark.parametrize(
    ("text", "day_first"),
    [
        ("Opened 13/02/2024, paid 03/04/2024", True),
        ("Opened 02/13/2024, paid 03/04/2024", False),
        ("03/04/2024 and 05/06/2024", True),  # nothing decides: day first
        ("02/13/2024 25/01/2024", True),  # a tie: day first
    ],
)
def test_a_documents_dates_over_12_vote_on_the_order(text: str, day_first: bool) -> None:
    assert day_first_by_votes(text) is day_first
