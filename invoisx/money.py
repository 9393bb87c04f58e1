"""Money: ISO 4217 currency codes, each currency's minor unit, and the one rounding rule for amounts.

Every amount is a `Decimal` rounded to its currency's minor unit (ISO 4217: 0 decimals for JPY or
KRW, 3 for BHD or KWD, 2 for most): when it is stored, in totals arithmetic and on the wire.
Storage has room for the largest (`MONEY_DECIMAL_PLACES`); an amount whose currency is not known
yet (an extraction that found none) is treated as having 2 decimals.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

# Active ISO 4217 codes (List One), less funds codes and precious metals.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
    GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG
    XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 - a block of codes reads better than 160 quoted strings
)

# ISO 4217's minor unit of the codes above that do not have 2 decimals.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW"), 0),
    **dict.fromkeys(("PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
DEFAULT_MINOR_UNIT = 2

# How every money column is stored: room for 14 whole digits and the largest minor unit.
MONEY_DECIMAL_PLACES = 3
MONEY_MAX_DIGITS = 17
LARGEST_AMOUNT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)
# SQLite (the embedded default) keeps a NUMERIC value as a binary double: exact to 15 significant
# digits only, so 12 whole digits and 3 decimals. PostgreSQL's numeric holds all 17 exactly.
SQLITE_LARGEST_AMOUNT = Decimal(10) ** (15 - MONEY_DECIMAL_PLACES)


def largest_amount() -> Decimal:
    """Amounts stay below this in size: what the database stores exactly."""
    from django.db import connection

    return SQLITE_LARGEST_AMOUNT if connection.vendor == "sqlite" else LARGEST_AMOUNT


def minor_unit(currency: str) -> int:
    """How many decimals the currency's amounts have: 0 for JPY, 2 for EUR, 3 for BHD."""
    return _MINOR_UNITS.get(currency.strip().upper(), DEFAULT_MINOR_UNIT)


_SMALLEST_AMOUNTS = {places: Decimal(1).scaleb(-places) for places in {DEFAULT_MINOR_UNIT, *_MINOR_UNITS.values()}}


def smallest_amount(currency: str) -> Decimal:
    """The currency's minor unit as an amount: 1 for JPY, 0.01 for EUR, 0.001 for BHD."""
    return _SMALLEST_AMOUNTS[minor_unit(currency)]


def round_money(value: Decimal | int, currency: str) -> Decimal:
    """The amount rounded (half up) to the currency's minor unit, with exactly that many decimals."""
    return Decimal(value).quantize(smallest_amount(currency), rounding=ROUND_HALF_UP)


def fits_currency(value: Decimal, currency: str) -> bool:
    """True when the amount has no more decimals than the currency ("1000.00" fits JPY, "0.5" does not)."""
    return round_money(value, currency) == value


def money_problem(value: Decimal, currency: str) -> str | None:
    """Why the amount cannot be stored as money of this currency, or None when it can."""
    if not value.is_finite():
        return "Must be a number."
    if abs(value) >= largest_amount():
        return f"Must be less than {largest_amount():,f} in size."
    if not fits_currency(value, currency):
        places = minor_unit(currency)
        return f"{currency or 'Amounts'} amounts have {places} decimals at most; {value} has more."
    return None


def normalise_currency(code: str) -> str:
    """Upper-cased ISO 4217 code; raises ValueError for anything else."""
    code = code.strip().upper()
    if code not in CURRENCIES:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code.")
    return code


def clean_currency_field(value: str) -> str:
    """For form fields: blank stays blank, anything else must be an ISO 4217 code."""
    if not value:
        return value
    try:
        return normalise_currency(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
