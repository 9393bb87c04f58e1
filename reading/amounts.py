"""Money amounts as printed on invoices and bank statements, in the formats of our users' locales.

`parse_amount` reads one amount ("1.234,56 €", "(12.00)", "RM 1,234.00", "100.00 CR", "1'373.94",
"1,23,456.78", "- 12.00", "EUR 5,00", "12.50+"); `find_amounts` finds every amount in a line of text
with its span and any adjacent currency; `decimal_mark_vote` says which decimal separator one printed
number proves and `detect_decimal_separator` votes over a document's amounts to settle the ones a
single token cannot decide ("1,234" is 1234 in Manchester and 1.234 in Lyon); `amount_marker` reads a
"CR" / "DR" mark. Nothing here raises on bad input: it returns None.

"CR" means opposite things to the two engines: on an invoice it marks a credit note's amount
(negative); on a bank or card statement money in, from the account holder's side (positive, and "DR"
money out). `parse_amount(..., holder_side=True)` reads the statement's way.
"""

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reading.currencies import CURRENCY_PATTERN, currency_of

_GROUPED = r"\d{1,3}(?P<sep>[.,'’\u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*(?:(?!(?P=sep))[.,]\d{1,6})?"
# Indian grouping: lakhs and crores ("1,23,456.78", "12,34,56,789.00").
_LAKH = r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,6})?"
_PLAIN = r"\d+(?:[.,]\d{1,6})?"
# Inside running text a plain space groups thousands only before a decimal comma ("1 234,56"):
# otherwise "2 120.00" on an item line is a quantity and a price. A string parsed on its own
# ("1 234") is unambiguous.
_SPACED_IN_TEXT = r"\d{1,3}(?:\ \d{3})+,\d{1,6}"
_SPACED_ALONE = r"\d{1,3}(?:\ \d{3})+(?:[.,]\d{1,6})?"


def _amount_pattern(*, alone: bool) -> str:
    # A string that is nothing but an amount (a table cell, a CSV field) may space its sign and symbol
    # freely, name any three-letter currency, end in "+" or mark "cr." in lower case; running text may
    # not, lest "EAN 12" or "Dr. Smith" read as amounts.
    spaced = _SPACED_ALONE if alone else _SPACED_IN_TEXT
    gap = r"\s*" if alone else r"\s?"
    # Any three capitals apart from the number name a currency there: "GHS 12.00" yes, "INV123" no.
    pre = rf"{CURRENCY_PATTERN}|[A-Z]{{3}}(?=\s)" if alone else CURRENCY_PATTERN
    post = rf"{CURRENCY_PATTERN}|(?<=\s)[A-Z]{{3}}" if alone else CURRENCY_PATTERN
    trail = r"[-+−–]" if alone else "-"
    crdr = r"[CcDd][Rr]\b\.?" if alone else r"(?:CR|DR|Cr|Dr)\b"
    return rf"""
        (?P<open>\()?{gap if alone else ""}
        (?P<sign>[-−–+])?{gap if alone else ""}
        (?:(?P<pre>{pre}){gap})?
        (?P<sign2>[-−–])?{gap if alone else ""}
        (?P<num>{_GROUPED}|{_LAKH}|{spaced}|{_PLAIN})
        (?!\d|[.,]\d|[-/:]\d|\s?%)
        (?:{gap}(?P<post>{post}))?
        {gap if alone else ""}(?P<close>\))?
        (?P<trail>{trail}(?![\d\w]))?
        (?:{gap}(?P<crdr>{crdr}))?
    """


# ASCII: digits are 0-9 only (int() would happily read Arabic-Indic ones from OCR noise).
_AMOUNT_IN_TEXT = re.compile(r"(?<![\w.,/:\-−–])" + _amount_pattern(alone=False), re.VERBOSE | re.ASCII)
_AMOUNT_ALONE = re.compile(_amount_pattern(alone=True), re.VERBOSE | re.ASCII)
_GROUPERS = "'’ \u00a0\u202f"
_NUMBER = re.compile(r"[.,]?\d(?:[\d.,'’\u00a0\u202f ]*\d)?")
_CR_DR = re.compile(r"\s*\b(CR|DR|Cr|Dr|cr|dr)\.?$")


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


def _signed_value(match: re.Match[str], decimal_hint: str | None, *, holder_side: bool = False) -> Decimal | None:
    value = _number_value(match["num"], decimal_hint)
    if value is None:
        return None
    if bool(match["open"]) != bool(match["close"]) or (match["sign"] and match["sign2"]):
        return None  # "(12.00" and "--5" are not amounts
    mark = (match["crdr"] or "").rstrip(".").upper()
    if holder_side and mark:
        return value if mark == "CR" else -value  # the mark says it all, whatever sign it also carries
    negative = bool(
        match["open"]
        or (match["sign"] and match["sign"] != "+")
        or match["sign2"]
        or (match["trail"] and match["trail"] != "+")
        or mark == "CR"
    )
    return -value if negative else value


def _symbol(match: re.Match[str]) -> str | None:
    return match["pre"] or match["post"]


def parse_amount(text: str | None, *, decimal_hint: str | None = None, holder_side: bool = False) -> Decimal | None:
    """The amount `text` holds and nothing else, or None.

    `decimal_hint` ("." or ",") settles the single ambiguous case: one separator followed by
    exactly three digits. Without it "1,234" and "1.234" are both 1234. With `holder_side` a "CR" / "DR"
    mark signs the amount as a statement does (money in, money out); otherwise "CR" is a credit note's.
    """
    if not isinstance(text, str):
        return None
    match = _AMOUNT_ALONE.fullmatch(text.strip())
    if match is None:
        return None
    return _signed_value(match, decimal_hint, holder_side=holder_side)


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
        found.append(AmountMatch(value, (start, start + len(raw)), raw, currency_of(symbol), symbol))
    return found


def amount_marker(text: str | None) -> str | None:
    """ "CR" or "DR" when the printed amount carries that mark ("12.00 CR"), else None."""
    found = _CR_DR.search(text.strip()) if text else None
    return found.group(1).upper() if found else None


def _vote(num: str) -> str | None:
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
    if len(after) != 3 or before in ("", "0") or len(before) > 3:
        return marks[0]
    return None


def decimal_mark_vote(text: str) -> str | None:
    """The decimal separator the number in `text` proves ("1.234,56" -> ","), or None when it proves nothing."""
    number = _NUMBER.search(text) if isinstance(text, str) else None
    return _vote(number.group(0)) if number else None


def detect_decimal_separator(texts: list[str]) -> str | None:
    """The decimal separator ("." or ",") most of a document's amounts agree on, or None on a tie."""
    votes: Counter[str] = Counter()
    for text in texts:
        if not isinstance(text, str):
            continue
        for match in _AMOUNT_IN_TEXT.finditer(text):
            vote = _vote(match["num"])
            if vote:
                votes[vote] += 1
    if not votes or votes["."] == votes[","]:
        return None
    return votes.most_common(1)[0][0]
