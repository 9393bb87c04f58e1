"""Tax id validation: EU VAT and US EIN through python-stdnum, Malaysia's TIN and SST by their shape."""

import pytest

from invoisx.tax_ids import validate_tax_id


@pytest.mark.parametrize(
    ("tax_id", "country", "expected"),
    [
        ("GB980780684", None, "GB980780684"),
        ("GB 980 7806 84", None, "GB980780684"),
        ("gb980780684", None, "GB980780684"),
        ("GB980780684", "GB", "GB980780684"),
        ("980780684", "GB", "980780684"),
    ],
)
def test_it_accepts_a_valid_uk_vat_number(tax_id, country, expected):
    assert validate_tax_id(tax_id, country) == expected


@pytest.mark.parametrize(("tax_id", "expected"), [("DE136695976", "DE136695976"), ("DE 136 695 976", "DE136695976")])
def test_it_accepts_a_valid_german_vat_number(tax_id, expected):
    assert validate_tax_id(tax_id) == expected


@pytest.mark.parametrize(
    ("tax_id", "expected"), [("FR40303265045", "FR40303265045"), ("FR 40 303265045", "FR40303265045")]
)
def test_it_accepts_a_valid_french_vat_number(tax_id, expected):
    assert validate_tax_id(tax_id) == expected


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [
        ("GB123456789", None),
        ("GB98078068", None),
        ("DE136695978", None),
        ("DE13669597", "DE"),
        ("FR41303265045", None),
        ("FRXX303265045", None),
    ],
)
def test_it_rejects_an_invalid_eu_vat_number_with_a_reason(tax_id, country):
    with pytest.raises(ValueError, match=r"Not a valid (GB|DE|FR) tax id: \S"):
        validate_tax_id(tax_id, country)


def test_the_given_country_wins_over_the_numbers_own_prefix():
    with pytest.raises(ValueError, match="DE"):
        validate_tax_id("GB980780684", "DE")


@pytest.mark.parametrize(
    ("tax_id", "expected"),
    [
        ("C20880050010", "C20880050010"),
        ("c 2088 0050 010", "C20880050010"),
        ("IG12345678901", "IG12345678901"),
        ("C2088005001", "C2088005001"),
        ("W10-1808-31000000", "W10-1808-31000000"),
        ("w10-1808-31000000", "W10-1808-31000000"),
    ],
)
def test_it_accepts_a_malaysian_tin_or_sst_number(tax_id, expected):
    assert validate_tax_id(tax_id, "MY") == expected


@pytest.mark.parametrize("tax_id", ["12345", "X20880050010", "C123", "C1234567890123", "W10-1808-3100", "IG-123"])
def test_it_rejects_what_is_not_a_malaysian_tin_or_sst(tax_id):
    with pytest.raises(ValueError, match="Malaysian"):
        validate_tax_id(tax_id, "MY")


def test_the_country_code_may_be_lower_case():
    assert validate_tax_id("C20880050010", "my") == "C20880050010"


@pytest.mark.parametrize("tax_id", ["04-2103594", "042103594"])
def test_it_accepts_a_valid_us_ein(tax_id):
    assert validate_tax_id(tax_id, "US") == tax_id


@pytest.mark.parametrize("tax_id", ["07-2103594", "04-210359", "ABCDEFGHI"])
def test_it_rejects_an_invalid_us_ein(tax_id):
    with pytest.raises(ValueError, match="US"):
        validate_tax_id(tax_id, "US")


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [("XYZ-123", "ZZ"), ("anything 42", "ZZ"), ("12345", "XK"), ("QQ-99", None), ("123456", None), ("  78-9  ", None)],
)
def test_an_id_from_a_country_without_a_validator_is_accepted_as_given(tax_id, country):
    assert validate_tax_id(tax_id, country) == tax_id.strip()


@pytest.mark.parametrize("tax_id", ["", "   "])
def test_an_empty_tax_id_is_accepted_as_empty(tax_id):
    assert validate_tax_id(tax_id, "GB") == ""
