"""Tax identifier validation (VAT, GST, SST, TIN) through python-stdnum, where a validator exists.

A tax id is checked against the validators of its country: the VAT module first, then the other
tax-number modules python-stdnum has for that country. Malaysia's LHDN TIN has no stdnum module,
so its published shape is checked here. Where no validator exists the id is accepted as given.
"""

import re

from stdnum import util
from stdnum.exceptions import ValidationError as StdnumValidationError

# LHDN income tax numbers: a type prefix (C company, IG individual, ...) and digits; SST
# registrations look like W10-1808-31000000. Both appear in MyInvois buyer records.
MALAYSIA_TIN = re.compile(r"^(C|CS|D|E|F|FA|PT|TA|TC|TN|TR|TP|J|LE|IG)\d{8,12}$")
MALAYSIA_SST = re.compile(r"^[A-Z]\d{2}-\d{4}-\d{8}$")
STDNUM_TAX_MODULES = ("vat", "gst", "tin", "abn", "bn", "ein", "nif", "cif", "siren", "btw", "ustid")


# VAT numbers that carry their country: EU member states (Greece as EL), the UK, Switzerland, Norway.
VAT_PREFIXES = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR GB HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK CH NO".split()  # noqa: SIM905
)


def _vat_country_prefix(cleaned: str) -> str | None:
    """The country of a VAT number written with its prefix (GB980780684, ATU13585627), else None.

    Only a known prefix followed by a digit, Austria's U, or mostly digits (FRXX303265045,
    ESX1234567X) counts, so free text such as 'DELTA123' is not taken for a German VAT number.
    """
    prefix, rest = cleaned[:2], cleaned[2:]
    if prefix not in VAT_PREFIXES or not rest:
        return None
    if rest[0].isdigit() or (prefix == "AT" and rest[0] == "U") or sum(c.isdigit() for c in rest) >= 7:
        return "GR" if prefix == "EL" else prefix
    return None


def _clean(tax_id: str) -> str:
    return re.sub(r"[\s.]", "", tax_id).upper()


def validate_tax_id(tax_id: str, country: str | None = None) -> str:
    """The tax id, tidied; raises ValueError with a reason when a validator says it is wrong."""
    tax_id = tax_id.strip()
    if not tax_id:
        return tax_id
    cleaned = _clean(tax_id)
    country = (country or _vat_country_prefix(cleaned) or "").upper()
    if len(country) != 2:
        return tax_id
    if country == "MY":
        if MALAYSIA_TIN.match(cleaned) or MALAYSIA_SST.match(cleaned):
            return cleaned
        raise ValueError("Not a Malaysian TIN (e.g. C20880050010, IG12345678901) or SST number.")
    modules = [
        module for name in STDNUM_TAX_MODULES if (module := util.get_cc_module(country.lower(), name)) is not None
    ]
    if not modules:
        return tax_id
    reasons = []
    for module in modules:
        try:
            module.validate(tax_id)
            return cleaned
        except StdnumValidationError as error:
            reasons.append(str(error))
    raise ValueError(f"Not a valid {country} tax id: {reasons[0].rstrip('.')}.")
