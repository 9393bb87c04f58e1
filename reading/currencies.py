"""Currencies as printed next to amounts: symbols, ISO 4217 codes, and the currency a text is in.

`CURRENCY_SYMBOLS` and `ISO_CODES` are what `amounts` recognises around a number; `currency_of` names
the currency one printed symbol or code stands for; `currency_from_text` the currency a whole text is
written in, settling an ambiguous "$", "Rs" or "kr" by the country the text names; `currency_code`
reads a field that should hold a code ("eur" -> "EUR"), as statement formats print it.
"""

import re
from collections import Counter

# Symbols and prefixed dollars that name exactly one currency. A bare "$" or "kr" names several,
# so they are recognised (and stripped) but give no currency.
CURRENCY_SYMBOLS: dict[str, str | None] = {
    "US$": "USD",
    "AU$": "AUD",
    "A$": "AUD",
    "CA$": "CAD",
    "C$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "SG$": "SGD",
    "S$": "SGD",
    "R$": "BRL",
    "$": None,
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "¥": None,
    "RM": "MYR",
    "Rp": "IDR",
    "Fr.": "CHF",
    "zł": "PLN",
    "Kč": "CZK",
    "kr.": None,
    "kr": None,
    "Rs.": None,
    "Rs": None,
}

# A symbol several currencies print ("$", "Rs", "kr") is settled by the country the document names:
# symbol -> (ISO code, markers of the country), the markers being tax ids, bank codes and names.
_COUNTRY_CURRENCIES: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "$": [
        ("USD", re.compile(r"\b(?:USA|U\.S\.A\.|United States|EIN)\b")),
        ("AUD", re.compile(r"\b(?:Australia|ABN|NSW|VIC|QLD)\b")),
        ("CAD", re.compile(r"\b(?:Canada|GST/HST|HST)\b")),
        ("SGD", re.compile(r"\b(?:Singapore|UEN)\b")),
        ("NZD", re.compile(r"\b(?:New Zealand|NZBN)\b")),
        ("HKD", re.compile(r"\bHong Kong\b")),
    ],
    "Rs": [
        ("INR", re.compile(r"\b(?:India|GSTIN|IFSC|PAN)\b|\+91\b")),
        ("PKR", re.compile(r"\b(?:Pakistan|NTN)\b|\+92\b")),
        ("LKR", re.compile(r"\bSri Lanka\b|\+94\b")),
    ],
    "kr": [
        ("SEK", re.compile(r"\b(?:Sverige|Sweden)\b|\+46\b")),
        ("NOK", re.compile(r"\b(?:Norge|Norway)\b|\+47\b")),
        ("DKK", re.compile(r"\b(?:Danmark|Denmark|CVR)\b|\+45\b")),
        ("ISK", re.compile(r"\b(?:Ísland|Iceland)\b|\+354\b")),
    ],
}

# ISO codes likely on our users' invoices. Codes that are also common upper-case words
# ("ALL", "TOP", "CUP") are left out on purpose: they would turn headings into currencies.
ISO_CODES = frozenset(
    {
        "AED", "AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "INR", "ISK",
        "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SAR", "SEK", "SGD", "THB", "TRY", "TWD",
        "USD", "VND", "ZAR",
    }
)  # fmt: skip

_SYMBOL_ALTERNATIVES = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
# Letter symbols must not be glued to a word: "RM" yes, "FORM" no.
CURRENCY_PATTERN = "|".join(
    rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])" if s[0].isalpha() else re.escape(s)
    for s in [*sorted(ISO_CODES), *_SYMBOL_ALTERNATIVES]
)
_CURRENCY_RE = re.compile(CURRENCY_PATTERN)
# Three capitals a statement field may hold that are words, not currencies.
_NOT_CURRENCIES = frozenset({"AND", "THE", "FOR", "NOT", "BIJ", "TOT", "VAN", "DER", "DIE", "DAS", "LES", "DES"})


def currency_of(symbol: str | None) -> str | None:
    """The ISO 4217 code a printed symbol or code names; None for none or an ambiguous one ("$")."""
    if symbol is None:
        return None
    if symbol in ISO_CODES:
        return symbol
    return CURRENCY_SYMBOLS.get(symbol)


def currency_code(text: str | None) -> str | None:
    """`text` as an ISO 4217 code when it looks like one ("eur" -> "EUR"), else None."""
    if not text:
        return None
    code = text.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code) and code not in _NOT_CURRENCIES:
        return code
    return None


def currency_from_text(text: str) -> str | None:
    """The ISO 4217 code `text` is written in, by the most frequent unambiguous symbol or code.

    A bare "$" is not enough (USD, AUD, CAD, SGD, ... all print it): that gives None, unless the text
    names exactly one of the countries that print it.
    """
    if not isinstance(text, str):
        return None
    counts: Counter[str] = Counter()
    for match in _CURRENCY_RE.finditer(text):
        code = currency_of(match.group(0))
        if code:
            counts[code] += 1
    if not counts:
        return _currency_by_country(text)
    return counts.most_common(1)[0][0]  # ties go to the first seen: Counter keeps insertion order


def _currency_by_country(text: str) -> str | None:
    """The currency of an ambiguous symbol the text uses, when it names exactly one of its countries."""
    symbols = {match.group(0).rstrip(".") for match in _CURRENCY_RE.finditer(text)}
    for symbol, countries in _COUNTRY_CURRENCIES.items():
        if symbol in symbols:
            named = {code for code, marker in countries if marker.search(text)}
            if len(named) == 1:
                return named.pop()
    return None
