"""Dates as printed on invoices and statements, numeric or with month names in our users' languages.

`parse_date` reads one date ("2026-04-01", "01.04.2026", "1er avril 2026", "April 1, 2026");
`find_dates` finds every date in a text with its span. Numeric dates whose day and month could
be swapped ("01/04/2026") follow the `day_first` hint, which `day_first_for_language` derives from
a locale and `day_first_by_votes` from the other dates of a document; a part over 12 decides on its
own. Without a hint the day comes first, as it does in every language we read except American
English. Years outside 1990-2100 are not dates.

Statement formats print one order for a whole column or file, settled by votes over all its dates
(see `bank.statements.csv_columns`): `parse_date_in_order` reads a date in an order so settled ("ymd",
"dmy", "mdy" or "named"), time of day ignored, and `date_orders` lists the orders a date reads in.
`date_without_year` reads the "03/04" or "4 Mar" statements print in their tables, in a known year.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR = 1990
MAX_YEAR = 2100

_MONTH_NAMES: dict[int, str] = {
    # English, French, German, Malay, Spanish, Dutch: full names and the abbreviations in use.
    1: "january jan janvier janv januar janner januari enero ene",
    2: "february feb fevrier fevr fev februar feber februari febrero",
    3: "march mar mars marz maerz mrz mac maart mrt marzo",
    4: "april apr avril avr abril abr",
    5: "may mai mei mayo",
    6: "june jun juin juni junio",
    7: "july jul juillet juil juli julai julio",
    8: "august aug aout ogos ogo augustus agosto ago",
    9: "september sep sept septembre septiembre setiembre set",
    10: "october oct octobre oktober okt octubre",
    11: "november nov novembre noviembre",
    12: "december dec decembre dezember dez disember dis diciembre dic",
}
MONTHS: dict[str, int] = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}

# Locales where a numeric date starts with the month. Everything else we read is day-first.
_MONTH_FIRST_LOCALES = frozenset({"en_us", "en_ph", "en_ca", "en_fm", "en_mh", "en_pw", "es_us", "en_um"})
_DAY_FIRST_LANGUAGES = frozenset({"fr", "de", "ms", "es", "nl", "it", "pt", "id", "pl", "da", "sv", "nb", "fi"})


@dataclass(frozen=True)
class DateMatch:
    value: date
    span: tuple[int, int]
    text: str
    ambiguous: bool  # day and month could be swapped and the order was taken from the hint or default


def day_first_for_language(lang: str | None) -> bool | None:
    """Whether numeric dates put the day first in locale `lang` ("fr", "en-US", "en_GB", "ms-MY").

    None when the locale alone cannot tell: plain "en" is day-first in London and Kuala Lumpur but
    month-first in New York.
    """
    if not lang or not isinstance(lang, str):
        return None
    locale = lang.strip().replace("-", "_").casefold()
    if locale in _MONTH_FIRST_LOCALES:
        return False
    language, _, region = locale.partition("_")
    if language == "en":
        return True if region else None
    if language in _DAY_FIRST_LANGUAGES:
        return True
    return None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: 90-99 are the 1990s, the rest this century (plausibility starts at 1990).
        year += 1900 if year >= 90 else 2000
    return year


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_ISO = re.compile(r"(?<![\w./-])(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\w/-]|[.,]\d)")
_NUMERIC = re.compile(r"(?<![\w./-])(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\w/-]|[.,]\d)")
_MONTH = r"(?P<m>[^\W\d_]{3,10})\.?"
_ORDINAL = r"(?:st|nd|rd|th|er|re|eme|ème|e|º|°|\.)?"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(?P<d>\d{{1,2}}){_ORDINAL}(?:\s*(?:of|de)\s+|[\s\-/.,]+){_MONTH}"
    rf"(?:\s*(?:de|del)\s+|[\s\-/.,']+)(?P<y>\d{{4}}|\d{{2}})(?![\w/-]|[.,]\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w.]){_MONTH}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?![\w/-]|[.,]\d)",
    re.IGNORECASE,
)


def _numeric(match: re.Match[str], day_first: bool | None) -> tuple[date | None, bool]:
    a, b, year = int(match["a"]), int(match["b"]), _year(match["y"])
    if a > 12 or b > 12:
        day, month = (a, b) if a > 12 else (b, a)
        return _make_date(year, month, day), False
    if day_first is None:
        # Dots are a day-first habit (German, Dutch, Malay print 01.04.2026); slashes are a guess.
        return _make_date(year, b, a), a != b and match["s"] != "."
    day, month = (a, b) if day_first else (b, a)
    return _make_date(year, month, day), a != b


def _named(match: re.Match[str]) -> date | None:
    month = MONTHS.get(_fold(match["m"]))
    if month is None:
        return None
    return _make_date(_year(match["y"]), month, int(match["d"]))


def find_dates(text: str, *, day_first: bool | None = None) -> list[DateMatch]:
    """Every plausible date in `text`, left to right, without overlaps."""
    if not isinstance(text, str):
        return []
    candidates: list[DateMatch] = []
    for match in _ISO.finditer(text):
        value = _make_date(int(match["y"]), int(match["m"]), int(match["d"]))
        if value:
            candidates.append(DateMatch(value, match.span(), match.group(0), False))
    for match in _NUMERIC.finditer(text):
        value, ambiguous = _numeric(match, day_first)
        if value:
            candidates.append(DateMatch(value, match.span(), match.group(0), ambiguous))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            value = _named(match)
            if value:
                candidates.append(DateMatch(value, match.span(), match.group(0), False))
    # Longest first, then keep those that do not overlap one already kept.
    candidates.sort(key=lambda m: (m.span[0] - m.span[1], m.span[0]))
    kept: list[DateMatch] = []
    for candidate in candidates:
        if all(candidate.span[1] <= k.span[0] or candidate.span[0] >= k.span[1] for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda m: m.span[0])


def parse_date(text: str, *, day_first: bool | None = None) -> date | None:
    """The date `text` holds and little else (surrounding spaces and punctuation), or None."""
    if not isinstance(text, str):
        return None
    stripped = text.strip().strip(",;:()[]")
    matches = find_dates(stripped, day_first=day_first)
    if len(matches) != 1 or matches[0].text != stripped:
        return None
    return matches[0].value


def day_first_by_votes(text: str) -> bool:
    """Whether a document's numeric dates put the day first, by those with a part over 12; ties day-first."""
    day_first = month_first = 0
    for a, b in re.findall(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})\b", text):
        if int(a) > 12 >= int(b):
            day_first += 1
        elif int(b) > 12 >= int(a):
            month_first += 1
    return day_first >= month_first


# ---------------------------------------------------------------------------------------------------
# Dates in an order settled for a whole column or file

_TIME_SUFFIX = re.compile(
    r"(?:[T ]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)$"
)
_NUMERIC_DATE = re.compile(r"^(\d{1,4})([-/. ])(\d{1,2})\2(\d{1,4})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
ORDERS = ("ymd", "dmy", "mdy", "named")


def strip_time(text: str) -> str:
    """`text` without a time of day after the date ("2024-03-01T10:15:00Z", "01/03/2024 10:15 PM")."""
    return _TIME_SUFFIX.sub("", text.strip()).strip()


def _ordered_year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def _ordered_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date_in_order(text: str | None, order: str) -> date | None:
    """A date in `order` ("ymd", "dmy", "mdy" or "named" for month names), time of day ignored."""
    if not text:
        return None
    s = strip_time(text)
    if order == "named":
        if not re.search(r"[^\W\d_]{3}", s):
            return None
        return parse_date(s, day_first=True) or parse_date(s, day_first=False)
    compact = _COMPACT_DATE.match(s)
    if compact:
        return _ordered_date(int(compact[1]), int(compact[2]), int(compact[3])) if order == "ymd" else None
    match = _NUMERIC_DATE.match(s)
    if not match:
        return None
    a, b, c = match[1], match[3], match[4]
    if order == "ymd":
        return _ordered_date(int(a), int(b), int(c)) if len(a) == 4 else None
    if len(a) > 2 or len(c) not in (2, 4):
        return None
    if order == "dmy":
        return _ordered_date(_ordered_year(c), int(b), int(a))
    return _ordered_date(_ordered_year(c), int(a), int(b))


def date_orders(text: str) -> set[str]:
    """Every order `text` reads as a valid date in."""
    return {order for order in ORDERS if parse_date_in_order(text, order) is not None}


_YEARLESS = re.compile(
    r"^(?P<a>\d{1,2})[./\- ](?P<b>\d{1,2}|[^\W\d_]{3,9}\.?)\.?$|^(?P<m>[^\W\d_]{3,9}\.?) (?P<d>\d{1,2})$"
)


def date_without_year(text: str, *, year: int, day_first: bool, latest: date | None = None) -> date | None:
    """A day and month printed without a year ("03/04", "4 Mar", "Mar 4") in `year`.

    A date more than a month after `latest` (the statement's end) belongs to the year before: a January
    statement lists December's last days.
    """
    match = _YEARLESS.match(text)
    if not match:
        return None
    if match["m"]:
        month, day = MONTHS.get(match["m"].rstrip(".").casefold()), int(match["d"])
    elif match["b"].isdigit():
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if day_first else (b, a)
    else:
        day, month = int(match["a"]), MONTHS.get(match["b"].rstrip(".").casefold())
    if month is None:
        return None
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if latest and value > latest + timedelta(days=31):
        value = value.replace(year=value.year - 1)
    return value
