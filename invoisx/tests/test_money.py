"""Money: each currency's ISO 4217 minor unit, the one rounding rule, and exact decimals in JSON."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from invoisx import exactjson
from invoisx.money import fits_currency, largest_amount, minor_unit, money_problem, round_money

D = Decimal


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("OMR", 3),
        ("JOD", 3),
        ("TND", 3),
        ("MYR", 2),
        ("EUR", 2),
        ("usd", 2),
        ("", 2),  # not known yet (an extraction that found none)
    ],
)
def test_each_currency_has_its_iso_4217_minor_unit(currency, places):
    assert minor_unit(currency) == places


@pytest.mark.parametrize(
    ("value", "currency", "rounded"),
    [
        ("1000.4", "JPY", "1000"),
        ("1000.5", "JPY", "1001"),
        ("1.2345", "BHD", "1.235"),
        ("12.3", "MYR", "12.30"),
        ("-0.125", "EUR", "-0.13"),
        ("99999999999999.99", "USD", "99999999999999.99"),
    ],
)
def test_amounts_are_rounded_half_up_to_exactly_the_currencys_decimals(value, currency, rounded):
    assert str(round_money(D(value), currency)) == rounded


def test_an_amount_fits_a_currency_when_it_has_no_more_decimals_than_it():
    assert fits_currency(D("1000.00"), "JPY")
    assert not fits_currency(D("1000.5"), "JPY")
    assert fits_currency(D("1.234"), "KWD")
    assert not fits_currency(D("1.234"), "EUR")


def test_money_problem_names_what_is_wrong():
    assert money_problem(D("0.5"), "JPY") == "JPY amounts have 0 decimals at most; 0.5 has more."
    assert "less than" in (money_problem(D("1E14"), "EUR") or "")
    assert money_problem(largest_amount() - D("0.01"), "EUR") is None


def test_the_largest_amount_is_what_the_database_stores_exactly():
    # PostgreSQL's numeric(17, 3) holds 14 whole digits; SQLite's NUMERIC is a double, exact to 15 digits.
    expected = D(10) ** 14 if connection.vendor == "postgresql" else D(10) ** 12

    assert largest_amount() == expected


def test_decimals_are_written_as_their_exact_digits():
    text = exactjson.dumps({"total": D("99999999999999.99"), "jpy": D("1000"), "bhd": D("1.230"), "myr": D("12.30")})

    assert text == '{"total":99999999999999.99,"jpy":1000,"bhd":1.230,"myr":12.30}'
    # The float the standard library would have written, for contrast.
    assert json.dumps(float(D("99999999999999.99"))) == "99999999999999.98"


def test_decimals_read_back_exactly():
    assert exactjson.loads('{"total": 99999999999999.99, "count": 2}') == {"total": D("99999999999999.99"), "count": 2}
    assert str(exactjson.loads("[12.30]")[0]) == "12.30"


def test_the_encoder_works_through_the_standard_json_interface():
    text = json.dumps({"a": [D("0.10"), 1.5, None, True, "é"]}, cls=exactjson.ExactJSONEncoder, ensure_ascii=False)

    assert text == '{"a": [0.10, 1.5, null, true, "é"]}'


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_a_decimal_that_is_not_a_number_is_refused(value):
    with pytest.raises(ValueError, match="not JSON compliant"):
        exactjson.dumps({"total": value})


def test_already_encoded_json_is_written_as_it_is():
    assert exactjson.dumps({"data": exactjson.RawJSON('{"b":1.50,"a":2}')}) == '{"data":{"b":1.50,"a":2}}'
