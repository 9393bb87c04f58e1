"""Invoice arithmetic: line amounts, subtotal, tax and total, half-up rounding and tolerances."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from invoices.totals import Line, Totals, compute_lines, compute_totals

D = Decimal


def errors_of(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def line(amount: str, description: str = "Item") -> Line:
    return Line(description=description, quantity=D(1), unit_price=D(amount), amount=D(amount))


SEED_001_LINES = [
    {"description": "Widget A", "quantity": D(50), "unit_price": D("12.00"), "amount": D("600.00")},
    {"description": "Widget B", "quantity": D(20), "unit_price": D("25.50"), "amount": D("510.00")},
]


# compute_lines


def test_it_keeps_seed_001s_lines():
    lines = compute_lines(SEED_001_LINES, currency="EUR")

    assert lines == [
        Line("Widget A", D(50), D("12.00"), D("600.00")),
        Line("Widget B", D(20), D("25.50"), D("510.00")),
    ]


def test_it_computes_a_missing_amount_as_quantity_times_unit_price():
    [computed] = compute_lines(
        [{"description": "Bolts", "quantity": D("2.5"), "unit_price": D("3.10")}], currency="EUR"
    )

    assert computed.amount == D("7.75")


def test_it_accepts_numbers_given_as_strings():
    [computed] = compute_lines(
        [{"description": "Bolts", "quantity": "50", "unit_price": "12.00", "amount": "600"}], currency="EUR"
    )

    assert (computed.quantity, computed.unit_price, computed.amount) == (D(50), D("12.00"), D("600.00"))


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("1", "0.125", "0.13"),
        ("3", "0.335", "1.01"),
        ("2.5", "0.01", "0.03"),
        ("1", "0.124", "0.12"),
        ("1", "2.675", "2.68"),
        ("-1", "0.125", "-0.13"),
    ],
)
def test_it_rounds_computed_amounts_half_up_to_the_cent(quantity, unit_price, amount):
    [computed] = compute_lines([{"description": "x", "quantity": quantity, "unit_price": unit_price}], currency="EUR")

    assert str(computed.amount) == amount


def test_it_accepts_a_given_amount_within_one_cent_and_keeps_it():
    # 3 × 0.3333 = 0.9999, which rounds to 1.00; a supplier that printed 0.99 is within a cent.
    [kept] = compute_lines(
        [{"description": "x", "quantity": "3", "unit_price": "0.3333", "amount": "0.99"}], currency="EUR"
    )

    assert kept.amount == D("0.99")


def test_it_rounds_a_given_amount_to_the_cent():
    [kept] = compute_lines(
        [{"description": "x", "quantity": "1", "unit_price": "1.005", "amount": "1.005"}], currency="EUR"
    )

    assert str(kept.amount) == "1.01"


def test_it_rejects_a_given_amount_more_than_a_cent_off():
    errors = errors_of(
        lambda: compute_lines(
            [{"description": "x", "quantity": "3", "unit_price": "0.3333", "amount": "0.98"}], currency="EUR"
        )
    )

    assert list(errors) == ["line_items[0].amount"]


def test_it_names_every_wrong_line_by_its_index():
    raw = [
        {"description": "Widget A", "quantity": D(50), "unit_price": D("12.00"), "amount": D("601.00")},
        {"description": "Widget B", "quantity": D(20), "unit_price": D("25.50"), "amount": D("510.00")},
        {"description": "Widget C", "quantity": D(1), "unit_price": D("1.00"), "amount": D("2.00")},
    ]

    errors = errors_of(lambda: compute_lines(raw, currency="EUR"))

    assert set(errors) == {"line_items[0].amount", "line_items[2].amount"}
    assert "600.00" in errors["line_items[0].amount"][0]


def test_no_lines_are_no_lines():
    assert compute_lines([], currency="EUR") == []


# compute_totals with lines


def test_it_computes_seed_001s_totals():
    totals = compute_totals(currency="EUR", lines=compute_lines(SEED_001_LINES, currency="EUR"), tax_rate=D(20))

    assert totals == Totals(subtotal=D("1110.00"), tax_rate=D(20), tax_amount=D("222.00"), total=D("1332.00"))


def test_it_accepts_seed_001s_totals_when_all_are_given():
    totals = compute_totals(
        currency="EUR",
        lines=compute_lines(SEED_001_LINES, currency="EUR"),
        subtotal=D("1110.00"),
        tax_rate=D(20),
        tax_amount=D("222.00"),
        total=D("1332.00"),
    )

    assert totals == Totals(subtotal=D("1110.00"), tax_rate=D(20), tax_amount=D("222.00"), total=D("1332.00"))


def test_amounts_come_back_with_two_decimals():
    totals = compute_totals(currency="EUR", lines=[line("10")], tax_rate=D(10))

    assert (str(totals.subtotal), str(totals.tax_amount), str(totals.total)) == ("10.00", "1.00", "11.00")


def test_the_lines_are_the_truth_for_the_subtotal():
    totals = compute_totals(currency="EUR", lines=[line("10.00"), line("20.00")], subtotal=D("30.01"))

    assert totals.subtotal == D("30.00")
    assert totals.total == D("30.00")


def test_it_rejects_a_subtotal_that_is_not_the_sum_of_the_lines():
    errors = errors_of(
        lambda: compute_totals(currency="EUR", lines=[line("10.00"), line("20.00")], subtotal=D("30.02"))
    )

    assert list(errors) == ["totals.subtotal"]


@pytest.mark.parametrize(
    ("subtotal", "rate", "tax"),
    [
        ("0.50", "5", "0.03"),
        ("0.10", "15", "0.02"),
        ("0.30", "15", "0.05"),
        ("1110.00", "20", "222.00"),
        ("99.99", "8", "8.00"),
        ("100.00", "0", "0.00"),
    ],
)
def test_it_rounds_tax_from_the_rate_half_up(subtotal, rate, tax):
    totals = compute_totals(currency="EUR", lines=[line(subtotal)], tax_rate=D(rate))

    assert str(totals.tax_amount) == tax
    assert totals.total == D(subtotal) + D(tax)


def test_tax_rounded_per_line_is_accepted():
    # Three lines of 0.15 at 10%: 0.02 of tax each (0.06), against 0.05 on the 0.45 subtotal.
    lines = [line("0.15"), line("0.15"), line("0.15")]

    totals = compute_totals(currency="EUR", lines=lines, tax_rate=D(10), tax_amount=D("0.06"), total=D("0.51"))

    assert totals == Totals(subtotal=D("0.45"), tax_rate=D(10), tax_amount=D("0.06"), total=D("0.51"))


@pytest.mark.parametrize(
    ("line_count", "tax", "accepted"),
    [
        (1, "6.01", True),
        (1, "5.99", True),
        (1, "6.02", False),
        (3, "6.03", True),
        (3, "5.97", True),
        (3, "6.04", False),
        (3, "5.96", False),
    ],
)
def test_a_given_tax_may_differ_from_the_rate_by_a_cent_per_line(line_count, tax, accepted):
    # Lines summing to 100.00; 6% of it is 6.00.
    amounts = ["100.00"] if line_count == 1 else ["33.33", "33.33", "33.34"]
    lines = [line(amount) for amount in amounts]

    if accepted:
        totals = compute_totals(currency="EUR", lines=lines, tax_rate=D(6), tax_amount=D(tax))
        assert totals.tax_amount == D(tax)
        assert totals.total == D("100.00") + D(tax)
    else:
        assert list(
            errors_of(lambda: compute_totals(currency="EUR", lines=lines, tax_rate=D(6), tax_amount=D(tax)))
        ) == ["totals.tax_amount"]


def test_a_tax_given_as_an_amount_only_is_kept():
    totals = compute_totals(currency="EUR", lines=[line("100.00")], tax_amount=D("7.50"))

    assert totals == Totals(subtotal=D("100.00"), tax_rate=None, tax_amount=D("7.50"), total=D("107.50"))


def test_no_rate_and_no_tax_means_no_tax():
    totals = compute_totals(currency="EUR", lines=[line("100.00")])

    assert totals == Totals(subtotal=D("100.00"), tax_rate=None, tax_amount=D("0.00"), total=D("100.00"))


def test_a_total_within_a_cent_is_accepted_and_the_computed_total_kept():
    totals = compute_totals(
        currency="EUR", lines=compute_lines(SEED_001_LINES, currency="EUR"), tax_rate=D(20), total=D("1332.01")
    )

    assert totals.total == D("1332.00")


def test_it_rejects_a_total_that_is_not_subtotal_plus_tax():
    errors = errors_of(
        lambda: compute_totals(
            currency="EUR", lines=compute_lines(SEED_001_LINES, currency="EUR"), tax_rate=D(20), total=D("1333")
        )
    )

    assert list(errors) == ["totals.total"]
    assert "1332.00" in errors["totals.total"][0]


def test_it_names_every_inconsistent_total_at_once():
    errors = errors_of(
        lambda: compute_totals(
            currency="EUR",
            lines=compute_lines(SEED_001_LINES, currency="EUR"),
            subtotal=D("1000.00"),
            tax_rate=D(20),
            tax_amount=D("200.00"),
            total=D("1200.00"),
        )
    )

    assert set(errors) == {"totals.subtotal", "totals.tax_amount", "totals.total"}


# compute_totals without lines


def test_without_lines_it_computes_from_the_subtotal():
    totals = compute_totals(currency="EUR", lines=[], subtotal=D("1110.00"), tax_rate=D(20))

    assert totals == Totals(subtotal=D("1110.00"), tax_rate=D(20), tax_amount=D("222.00"), total=D("1332.00"))


def test_without_lines_it_checks_the_total_against_the_subtotal():
    errors = errors_of(
        lambda: compute_totals(currency="EUR", lines=[], subtotal=D("1110.00"), tax_rate=D(20), total=D("1300"))
    )

    assert list(errors) == ["totals.total"]


def test_without_lines_or_subtotal_it_works_back_from_the_total_and_tax_amount():
    totals = compute_totals(currency="EUR", lines=[], tax_amount=D("222.00"), total=D("1332.00"))

    assert totals == Totals(subtotal=D("1110.00"), tax_rate=None, tax_amount=D("222.00"), total=D("1332.00"))


def test_without_lines_a_total_alone_is_the_subtotal():
    totals = compute_totals(currency="EUR", lines=[], total=D("99.90"))

    assert totals == Totals(subtotal=D("99.90"), tax_rate=None, tax_amount=D("0.00"), total=D("99.90"))


def test_without_lines_it_works_back_from_the_total_and_tax_rate():
    totals = compute_totals(currency="EUR", lines=[], tax_rate=D(20), total=D("1332.00"))

    assert totals == Totals(subtotal=D("1110.00"), tax_rate=D(20), tax_amount=D("222.00"), total=D("1332.00"))


def test_without_lines_a_tax_amount_may_differ_from_the_rate_by_one_cent():
    assert compute_totals(
        currency="EUR", lines=[], subtotal=D("100.00"), tax_rate=D(6), tax_amount=D("6.01")
    ).total == D("106.01")
    errors = errors_of(
        lambda: compute_totals(currency="EUR", lines=[], subtotal=D("100.00"), tax_rate=D(6), tax_amount=D("6.02"))
    )
    assert list(errors) == ["totals.tax_amount"]


def test_without_lines_subtotal_or_total_there_is_nothing_to_go_on():
    errors = errors_of(lambda: compute_totals(currency="EUR", lines=[], tax_rate=D(20), tax_amount=D("10.00")))

    assert list(errors) == ["line_items"]


# per currency: rounding and tolerance in the currency's minor unit


def test_it_rounds_yen_amounts_to_whole_yen():
    [computed] = compute_lines([{"description": "x", "quantity": "3", "unit_price": "333.5"}], currency="JPY")
    totals = compute_totals(currency="JPY", lines=[computed], tax_rate=D(10))

    assert (str(computed.amount), str(totals.tax_amount), str(totals.total)) == ("1001", "100", "1101")


def test_it_keeps_three_decimals_for_bahraini_dinars():
    lines = compute_lines(
        [
            {"description": "a", "quantity": "1", "unit_price": "1.2345"},
            {"description": "b", "quantity": "2", "unit_price": "0.333"},
        ],
        currency="BHD",
    )
    totals = compute_totals(currency="BHD", lines=lines, tax_rate=D(10))

    assert [str(line.amount) for line in lines] == ["1.235", "0.666"]
    assert (str(totals.subtotal), str(totals.tax_amount), str(totals.total)) == ("1.901", "0.190", "2.091")


@pytest.mark.parametrize("currency", ["KWD", "OMR", "JOD", "TND"])
def test_it_tells_apart_amounts_a_fils_apart_in_three_decimal_currencies(currency):
    lines = [line("10.000"), line("20.000")]

    assert compute_totals(currency=currency, lines=lines, subtotal=D("30.001")).subtotal == D("30.000")
    assert list(errors_of(lambda: compute_totals(currency=currency, lines=lines, subtotal=D("30.002")))) == [
        "totals.subtotal"
    ]


def test_it_allows_a_yen_of_rounding_but_not_two():
    lines = [line("1000")]

    assert compute_totals(currency="KRW", lines=lines, total=D("1001")).total == D("1000")
    assert list(errors_of(lambda: compute_totals(currency="KRW", lines=lines, total=D("1002")))) == ["totals.total"]


def test_it_refuses_totals_too_large_to_store():
    lines = [line("99999999999999.99"), line("1")]

    assert list(errors_of(lambda: compute_totals(currency="EUR", lines=lines))) == ["totals.subtotal", "totals.total"]
