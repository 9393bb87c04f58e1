"""Which of a party's tax ids is a VAT identifier (BT-31 / BT-48) and which a tax registration (BT-32).

The profile has one `tax_id` per party. EN 16931 has two homes for the seller's: the Seller VAT
identifier (BT-31, CII `SpecifiedTaxRegistration/ID[@schemeID='VA']`, UBL `PartyTaxScheme` with
TaxScheme `VAT`), which must start with a country code (BR-CO-09), and the Seller tax registration
identifier (BT-32, CII schemeID `FC`, UBL TaxScheme `TAX` as PEPPOL BIS does), which may be anything:
a Malaysian TIN (C20880050010) or SST number (W10-1808-32000123), a German Steuernummer. The buyer
has only BT-48, a VAT identifier; a buyer's other tax id stays on the PDF and out of the XML.

`is_vat_identifier(tax_id, country=...)` decides, by the id and the party's country:

1. Its first two characters are not a prefix BR-CO-09 accepts (ISO 3166-1 alpha-2, "EL" for
   Greece, "XI" for Northern Ireland, "1A" for Kosovo): not a VAT identifier ("C2…", "W1…", "IG…"),
   unless the party's country code put in front of it makes a VAT number python-stdnum validates
   ("136695976" of a German party): that is a VAT number written without its prefix, so it goes
   to BT-31 and the rules ask for the prefix rather than file it as something else.
2. It has the shape of a tax number of the party's own country that is not a VAT number: a
   Malaysian TIN whose type prefix happens to be a country code (PT, TN, TR, TC, …): not VAT.
3. python-stdnum validates it as a VAT number with its prefix (DE136695976, EL094259216, CHE-…
   MWST, XI…): VAT.
4. Its prefix is the party's own country (GR may write EL, GB may write XI): VAT, even when no
   validator knows the country's format or the check digit is wrong (the user wrote it as one).
5. Its prefix is another country's and no validator confirms it: not VAT. Two letters that merely
   happen to be a country code ("SG…" of a Malaysian company) are not taken for a Singapore VAT
   number. Without a country, a valid prefix is all there is to go on: VAT.

Limits: a genuine foreign VAT registration (a Malaysian company's German VAT number) is recognised
only where python-stdnum validates it (it knows the EU, GB, CH, NO and some thirty other
countries); a non-VAT number of the party's own country that is also a checksum-valid VAT number
without prefix (a 9-digit German Steuernummer, about one in ten) is taken for a VAT number.
"""

import re
from typing import Any

from stdnum import vatin
from stdnum.util import get_cc_module

from invoisx.countries import COUNTRIES
from invoisx.tax_ids import MALAYSIA_SST, MALAYSIA_TIN

# The prefixes BR-CO-09 accepts; `tests/test_rules.py` proves this is the schematron's own list.
VAT_PREFIXES = COUNTRIES | {"EL", "XI", "1A"}
# Prefixes a country's VAT numbers may carry besides its ISO code.
OTHER_PREFIXES = {"GR": {"EL"}, "GB": {"XI"}}
# Tax numbers of a country that are not VAT numbers, though they may start with a country code.
NON_VAT_SHAPES = {"MY": (MALAYSIA_TIN, MALAYSIA_SST)}


def is_vat_identifier(tax_id: str, *, country: str = "") -> bool:
    """Whether the tax id is a VAT identifier (BT-31 / BT-48) rather than another tax registration."""
    tax_id = tax_id.strip()
    if not tax_id:
        return False
    country = country.strip().upper()
    prefix = tax_id[:2].upper()
    if prefix not in VAT_PREFIXES:
        return _is_vat_without_prefix(tax_id, country)
    cleaned = re.sub(r"[\s.]", "", tax_id).upper()
    if any(shape.match(cleaned) for shape in NON_VAT_SHAPES.get(country, ())):
        return False
    if vatin.is_valid(tax_id):
        return True
    if not country:
        return True
    return prefix == country or prefix in OTHER_PREFIXES.get(country, set())


def has_vat_prefix(vat_id: str) -> bool:
    """BR-CO-09: the VAT identifier starts with a country code, exactly as the schematron reads it."""
    return vat_id[:2] in VAT_PREFIXES


def seller_tax_ids(party: dict[str, Any]) -> tuple[str, str]:
    """(BT-31 Seller VAT identifier, BT-32 Seller tax registration identifier); one of them is ""."""
    tax_id = str(party["tax_id"]).strip()
    if is_vat_identifier(tax_id, country=party["address"]["country"]):
        return tax_id, ""
    return "", tax_id


def party_vat_id(party: dict[str, Any]) -> str:
    """The party's tax id where it is a VAT identifier, else "" (a buyer has no home for another)."""
    tax_id = str(party["tax_id"]).strip()
    return tax_id if is_vat_identifier(tax_id, country=party["address"]["country"]) else ""


def _is_vat_without_prefix(tax_id: str, country: str) -> bool:
    module = get_cc_module(country.lower(), "vat") if country in COUNTRIES else None
    return module is not None and bool(module.is_valid(tax_id))
