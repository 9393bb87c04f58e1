"""Money amounts as printed on invoices, in the formats of our users' locales.

`parse_amount` reads one amount ("1.234,56 €", "(12.00)", "RM 1,234.00", "100.00 CR");
`find_amounts` finds every amount in a line of text with its span and any adjacent currency;
`detect_decimal_separator` votes over a document's amounts to settle the ones a single token
cannot decide ("1,234" is 1234 in Manchester and 1.234 in Lyon); `currency_from_text` names the
ISO 4217 currency a text is written in. Nothing here raises on bad input: it returns None.
"""

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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
_CURRENCY = "|".join(
    # Letter symbols must not be glued to a word: "RM" yes, "FORM" no.
    rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])" if s[0].isalpha() else re.escape(s)
    for s in [*sorted(ISO_CODES), *_SYMBOL_ALTERNATIVES]
)

_GROUPED = r"\d{1,3}(?P<sep>[.,'’\u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*(?:(?!(?P=sep))[.,]\d{1,6})?"
_PLAIN = r"\d+(?:[.,]\d{1,6})?"
# Inside running text a plain space groups thousands only before a decimal comma ("1 234,56"):
# otherwise "2 120.00" on an item line is a quantity and a price. A string parsed on its own
# ("1 234") is unambiguous.
_SPACED_IN_TEXT = r"\d{1,3}(?:\ \d{3})+,\d{1,6}"
_SPACED_ALONE = r"\d{1,3}(?:\ \d{3})+(?:[.,]\d{1,6})?"


def _amount_pattern(spaced: str) -> str:
    return rf"""
        (?P<open>\()?
        (?P<sign>[-−–+])?
        (?:(?P<pre>{_CURRENCY})\s?)?
        (?P<sign2>[-−–])?
        (?P<num>{_GROUPED}|{spaced}|{_PLAIN})
        (?!\d|[.,]\d|[-/:]\d|\s?%)
        (?:\s?(?P<post>{_CURRENCY}))?
        (?P<close>\))?
        (?P<trail>-(?![\d\w]))?
        (?:\s?(?P<crdr>CR|DR|Cr|Dr)\b)?
    """


# ASCII: digits are 0-9 only (int() would happily read Arabic-Indic ones from OCR noise).
_AMOUNT_IN_TEXT = re.compile(r"(?<![\w.,/:\-−–])" + _amount_pattern(_SPACED_IN_TEXT), re.VERBOSE | re.ASCII)
_AMOUNT_ALONE = re.compile(_amount_pattern(_SPACED_ALONE), re.VERBOSE | re.ASCII)
_CURRENCY_RE = re.compile(_CURRENCY)
_GROUPERS = "'’ \u00a0\u202f"


@dataclass(frozen=True)
class AmountMatch:
    value: Decimal
    span: tuple[int, int]
    text: str
    currency: str | None  # ISO 4217, when an adjacent symbol or code names one
    symbol: str | None  # the symbol or code as printed, even an ambiguous "$"


def _decimal_separator(num: str, decimal_hint: str | None) -> str | None:
    """Which of "." and "," is the decimal separator in `num`, or None for a whole number."""
    marks = [c for c in num if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    mark = marks[0]
    if len(marks) > 1:
        return None  # "1.234.567": repeated, so grouping
    before, after = num.split(mark)
    before = "".join(c for c in before if c.isdigit())
    if any(c in _GROUPERS for c in num):
        return mark  # another character already groups thousands
    if len(after) != 3 or len(before) > 3 or before == "0" or decimal_hint == mark:
        return mark
    return None  # "1,234": three digits after a single mark read as thousands unless told otherwise


def _number_value(num: str, decimal_hint: str | None) -> Decimal | None:
    decimal_mark = _decimal_separator(num, decimal_hint)
    if decimal_mark is None:
        whole, fraction = num, ""
    else:
        whole, _, fraction = num.rpartition(decimal_mark)
    digits = "".join(c for c in whole if c.isdigit())
    try:
        return Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation:
        return None


def _signed_value(match: re.Match[str], decimal_hint: str | None) -> Decimal | None:
    value = _number_value(match["num"], decimal_hint)
    if value is None:
        return None
    if bool(match["open"]) != bool(match["close"]) or (match["sign"] and match["sign2"]):
        return None  # "(12.00" and "--5" are not amounts
    negative = bool(
        match["open"]
        or (match["sign"] and match["sign"] != "+")
        or match["sign2"]
        or match["trail"]
        or (match["crdr"] and match["crdr"].upper() == "CR")
    )
    return -value if negative else value


def _symbol(match: re.Match[str]) -> str | None:
    return match["pre"] or match["post"]


def _currency_of(symbol: str | None) -> str | None:
    if symbol is None:
        return None
    if symbol in ISO_CODES:
        return symbol
    return CURRENCY_SYMBOLS.get(symbol)


def parse_amount(text: str, *, decimal_hint: str | None = None) -> Decimal | None:
    """The amount `text` holds and nothing else, or None.

    `decimal_hint` ("." or ",") settles the single ambiguous case: one separator followed by
    exactly three digits. Without it "1,234" and "1.234" are both 1234.
    """
    if not isinstance(text, str):
        return None
    match = _AMOUNT_ALONE.fullmatch(text.strip())
    if match is None:
        return None
    return _signed_value(match, decimal_hint)


def find_amounts(text: str, *, decimal_hint: str | None = None) -> list[AmountMatch]:
    """Every amount in `text`, left to right; dates, times, percentages and ids are skipped."""
    if not isinstance(text, str):
        return []
    found = []
    for match in _AMOUNT_IN_TEXT.finditer(text):
        value = _signed_value(match, decimal_hint)
        if value is None:
            continue
        start = match.start()
        raw = match.group(0).rstrip()
        symbol = _symbol(match)
        found.append(AmountMatch(value, (start, start + len(raw)), raw, _currency_of(symbol), symbol))
    return found


def _votes(num: str) -> str | None:
    """The decimal separator one printed number proves, or None when it proves nothing."""
    marks = [c for c in num if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) > 1:
        return "," if marks[0] == "." else "."
    if any(c in _GROUPERS for c in num):
        return marks[0]
    before, after = num.split(marks[0])
    if len(after) != 3 or before == "0" or len(before) > 3:
        return marks[0]
    return None


def detect_decimal_separator(texts: list[str]) -> str | None:
    """The decimal separator ("." or ",") most of a document's amounts agree on, or None on a tie."""
    votes: Counter[str] = Counter()
    for text in texts:
        if not isinstance(text, str):
            continue
        for match in _AMOUNT_IN_TEXT.finditer(text):
            vote = _votes(match["num"])
            if vote:
                votes[vote] += 1
    if not votes or votes["."] == votes[","]:
        return None
    return votes.most_common(1)[0][0]


def currency_from_text(text: str) -> str | None:
    """The ISO 4217 code `text` is written in, by the most frequent unambiguous symbol or code.

    A bare "$" is not enough (USD, AUD, CAD, SGD, ... all print it): that gives None.
    """
    if not isinstance(text, str):
        return None
    counts: Counter[str] = Counter()
    for match in _CURRENCY_RE.finditer(text):
        code = _currency_of(match.group(0))
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
