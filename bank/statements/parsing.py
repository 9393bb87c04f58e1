"""Small readers every format shares: bytes to text, bank amounts, dates in a known order, currencies.

Banks export in whatever encoding their software uses: UTF-8 (with or without a BOM), UTF-16 with a
BOM (Excel's "Unicode text"), and Windows-1252 or Latin-1 from older systems. `decode_text` tries them
in that order and never fails on a stray byte. `parse_amount` reads one bank-style amount and returns
it signed from the account holder's side: "CR" marks money in and "DR" money out, the opposite of an
invoice's credit note. `parse_date` reads a date in an order the caller has settled (by votes over a
whole column, see `csv_reader`), because "03/04/2024" alone cannot say which is the day.
"""

import codecs
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from invoices.extraction.dates import parse_date as parse_named_date


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    # Five bytes are undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D); read them as Latin-1.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("statements-latin1", _latin1_fallback)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """The text of `data`: BOM first, then UTF-8, then the declared charset, then Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared, errors="statements-latin1")
        except LookupError:
            pass
    return data.decode("cp1252", errors="statements-latin1")


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when every other byte of an ASCII-looking text is NUL."""
    sample = data[:4000]
    if len(sample) < 8 or sample.count(b"\x00") < len(sample) // 3:
        return None
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if odd_nuls > 0.9 * (len(sample) // 2):
        return "utf-16-le"
    if even_nuls > 0.9 * (len(sample) // 2):
        return "utf-16-be"
    return None


def strip_controls(text: str) -> str:
    """`text` without control characters other than tab and line breaks (SWIFT framing bytes, NULs)."""
    return _CONTROL.sub("", text)


def clean(text: str | None) -> str:
    """Single-spaced, trimmed text; "" for None."""
    if not text:
        return ""
    return " ".join(text.split())


def join_parts(parts: list[str | None], separator: str = " | ") -> str:
    """The non-empty parts, cleaned, without repeats, joined by `separator`."""
    seen: list[str] = []
    for part in parts:
        text = clean(part)
        if text and text.casefold() not in (s.casefold() for s in seen):
            seen.append(text)
    return separator.join(seen)


# ---------------------------------------------------------------------------------------------------
# Amounts

_GROUPERS = "'’ \u00a0\u202f"
_CURRENCY_AFFIX = re.compile(r"^(?:[A-Z]{3}|[€$£¥₹]|R\$|US\$|RM|Fr\.|CHF|kr\.?)\s*|\s*(?:[A-Z]{3}|[€$£¥₹]|RM|kr\.?)$")
_DIGITS = re.compile(r"^\d[\d.,'’ \u00a0\u202f]*$")
_CR_DR = re.compile(r"\s*\b(CR|DR|Cr|Dr|cr|dr)\.?$")


def decimal_mark_votes(text: str) -> str | None:
    """The decimal mark one printed number proves ("1.234,56" -> ","), or None when it proves nothing."""
    digits = re.sub(r"[^\d.,]", "", text)
    marks = [c for c in digits if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) > 1:
        return "," if marks[0] == "." else "."
    before, _, after = digits.partition(marks[0])
    if len(after) != 3 or before in ("", "0") or len(before) > 3:
        return marks[0]
    return None


def parse_amount(text: str | None, decimal_mark: str | None = None) -> Decimal | None:
    """One amount as a bank prints it ("-1.234,56", "(12.00)", "€ 5,00", "12.00 CR", "1'373.94"), or None.

    `decimal_mark` settles "1,234" (one thousand two hundred and thirty-four with ".", or not quite one
    and a quarter with ","); without it a lone mark followed by three digits groups thousands.
    """
    if text is None:
        return None
    s = text.strip().replace("\u2212", "-").replace("–", "-")
    if not s:
        return None
    negative = False
    marker = _CR_DR.search(s)
    if marker:
        s = s[: marker.start()].strip()
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    for _ in range(2):
        if s[:1] and s[0] in "+-":
            negative ^= s[0] == "-"
            s = s[1:].strip()
        s = _CURRENCY_AFFIX.sub("", s).strip()
    if len(s) > 1 and s[-1] in "+-":
        negative ^= s[-1] == "-"
        s = s[:-1].strip()
    if not s or not _DIGITS.match(s) or not s[-1].isdigit():
        return None
    value = _number(s, decimal_mark)
    if value is None:
        return None
    if marker:
        negative = marker.group(1).upper() == "DR"
    return -value if negative else value


def amount_marker(text: str | None) -> str | None:
    """ "CR" or "DR" when the printed amount carries that mark ("12.00 CR"), else None."""
    found = _CR_DR.search(text.strip()) if text else None
    return found.group(1).upper() if found else None


def _number(s: str, decimal_mark: str | None) -> Decimal | None:
    mark = decimal_mark_votes(s)
    if decimal_mark is not None and mark != decimal_mark:
        # The column's mark, unless this value plainly uses the other one ("1.25" in a "," column).
        other_is_decimal = mark is not None and s.count(mark) == 1 and len(s.rpartition(mark)[2]) <= 2
        mark = mark if other_is_decimal else decimal_mark
    if mark is not None and mark in s:
        whole, _, fraction = s.rpartition(mark)
    else:
        whole, fraction = s, ""
    if any(c in ".," for c in fraction) or not whole[:1].isdigit():
        return None
    if any(not c.isdigit() and c not in ".," + _GROUPERS for c in whole):
        return None
    digits = "".join(c for c in whole if c.isdigit())
    try:
        return Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------------------------------
# Dates

_TIME_SUFFIX = re.compile(
    r"(?:[T ]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)$"
)
_NUMERIC_DATE = re.compile(r"^(\d{1,4})([-/. ])(\d{1,2})\2(\d{1,4})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
ORDERS = ("ymd", "dmy", "mdy", "named")


def strip_time(text: str) -> str:
    return _TIME_SUFFIX.sub("", text.strip()).strip()


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None, order: str) -> date | None:
    """A date in `order` ("ymd", "dmy", "mdy" or "named" for month names), time of day ignored."""
    if not text:
        return None
    s = strip_time(text)
    if order == "named":
        if not re.search(r"[^\W\d_]{3}", s):
            return None
        return parse_named_date(s, day_first=True) or parse_named_date(s, day_first=False)
    compact = _COMPACT_DATE.match(s)
    if compact:
        return _make(int(compact[1]), int(compact[2]), int(compact[3])) if order == "ymd" else None
    match = _NUMERIC_DATE.match(s)
    if not match:
        return None
    a, b, c = match[1], match[3], match[4]
    if order == "ymd":
        return _make(int(a), int(b), int(c)) if len(a) == 4 else None
    if len(a) > 2 or len(c) not in (2, 4):
        return None
    if order == "dmy":
        return _make(_year(c), int(b), int(a))
    return _make(_year(c), int(a), int(b))


def date_orders(text: str) -> set[str]:
    """Every order `text` reads as a valid date in."""
    return {order for order in ORDERS if parse_date(text, order) is not None}


# ---------------------------------------------------------------------------------------------------
# Accounts

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


def looks_like_iban(text: str | None) -> bool:
    """Whether `text` has the shape of an IBAN (spaces allowed), check digits aside: anonymised
    statements print "NL00ASNB9999999999". SEPA creditor ids ("DE98ZZZ09999999999") are not."""
    if not text:
        return False
    compact = text.replace(" ", "").upper()
    return bool(_IBAN_SHAPE.match(compact)) and compact[4:7] != "ZZZ"


def is_iban(text: str | None) -> bool:
    """Whether `text` is an IBAN with valid check digits (spaces allowed)."""
    if not looks_like_iban(text):
        return False
    compact = text.replace(" ", "").upper()  # type: ignore[union-attr]  # checked above
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


# ---------------------------------------------------------------------------------------------------
# Currencies

_NOT_CURRENCIES = frozenset({"AND", "THE", "FOR", "NOT", "BIJ", "TOT", "VAN", "DER", "DIE", "DAS", "LES", "DES"})


def currency_code(text: str | None) -> str | None:
    """`text` as an ISO 4217 code when it looks like one ("eur" -> "EUR"), else None."""
    if not text:
        return None
    code = text.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code) and code not in _NOT_CURRENCIES:
        return code
    return None
