"""A party's tax id is told apart: a VAT identifier (BT-31 / BT-48) or another tax registration (BT-32)."""

import pytest

from invoices.issuing.rules import code_list
from invoices.issuing.tax_ids import VAT_PREFIXES, is_vat_identifier, party_vat_id, seller_tax_ids
from invoices.issuing.tests.matrix import buyer, seller


def test_the_prefixes_are_exactly_those_br_co_09_accepts():
    assert code_list("BR-CO-09") == VAT_PREFIXES


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [
        ("DE136695976", "DE"),
        ("FR40303265045", "FR"),
        ("EL094259216", "GR"),  # Greece writes EL
        ("XI123456782", "GB"),  # Northern Ireland
        ("GB980780684", "GB"),
        ("CHE-116.281.710 MWST", "CH"),
        ("NO974760673MVA", "NO"),
        ("DE136695976", "MY"),  # a foreign VAT registration stdnum confirms
        ("DE136695970", "DE"),  # a wrong check digit is still written as a VAT identifier
        ("AU51824753556", "AU"),  # the party's own prefix, though no validator knows the format
        ("136695976", "DE"),  # a German VAT number without its prefix: BR-CO-09 asks for the prefix
        ("B12345674", "ES"),
        ("SG12345678", ""),  # without a country, a valid prefix is all there is
    ],
)
def test_these_are_vat_identifiers(tax_id, country):
    assert is_vat_identifier(tax_id, country=country)


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [
        ("", "DE"),
        ("C20880050010", "MY"),  # Malaysian company TIN: "C2" is no country
        ("W10-1808-32000123", "MY"),  # Malaysian SST registration
        ("IG12345678090", "MY"),  # individual TIN: "IG" is no country
        ("TR1234567890", "MY"),  # a TIN of type TR, although stdnum would take it for a Turkish VKN
        ("PT1234567890", "MY"),  # a TIN of type PT, not a Portuguese VAT number
        ("SG12345678", "MY"),  # two letters that merely happen to be a country code
        ("12/345/67890", "DE"),  # a German Steuernummer
        ("201912345K", "SG"),  # a Singapore UEN
        ("DE136695970", "MY"),  # another country's prefix that no validator confirms
    ],
)
def test_these_are_other_tax_registrations(tax_id, country):
    assert not is_vat_identifier(tax_id, country=country)


def test_a_seller_has_either_a_vat_identifier_or_a_tax_registration():
    assert seller_tax_ids(seller()) == ("DE136695976", "")
    malaysian = seller(tax_id=" C20880050010 ", address=seller()["address"] | {"country": "MY"})
    assert seller_tax_ids(malaysian) == ("", "C20880050010")
    assert seller_tax_ids(seller(tax_id="")) == ("", "")


def test_a_buyer_has_a_vat_identifier_or_none():
    assert party_vat_id(buyer()) == "FR40303265045"
    assert party_vat_id(buyer(tax_id="C58889033070", address=buyer()["address"] | {"country": "MY"})) == ""
