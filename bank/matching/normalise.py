"""Text normal forms used for matching: references, counterparty names and amounts in descriptions."""

import re
import string
import unicodedata
from decimal import Decimal

from reading.amounts import parse_amount

_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_O_NEAR_DIGIT = re.compile(r"(?<=\d)O|O(?=\d)")  # within one word: "PO 123" keeps its O
_O_NEAR_DIGIT_BYTES = re.compile(rb"(?<=\d)O|O(?=\d)")
# A byte table for ASCII text after upper(): everything but A-Z and 0-9 becomes a space.
_ASCII_FOLD = bytes(c if chr(c) in string.ascii_uppercase + string.digits else 32 for c in range(256))
_NON_DIGIT_BYTES = bytes(c for c in range(256) if chr(c) not in string.digits)
_DIGIT_GROUPS = re.compile(r"\d+")
_NON_DIGIT = re.compile(r"\D+")

# Legal forms and their pieces, as they appear after normalisation; stripped from the end of names.
LEGAL_FORMS = frozenset(
    [
        "GMBH",
        "AG",
        "KG",
        "KGAA",
        "UG",
        "HAFTUNGSBESCHRANKT",
        "EK",
        "EV",
        "CO",
        "OHG",
        "SE",
        "SARL",
        "SAS",
        "SASU",
        "SA",
        "EURL",
        "SNC",
        "SCI",
        "BV",
        "NV",
        "VOF",
        "CV",
        "LTD",
        "LIMITED",
        "PLC",
        "LLP",
        "LP",
        "LLC",
        "INC",
        "INCORPORATED",
        "CORP",
        "CORPORATION",
        "COMPANY",
        "SDN",
        "BHD",
        "BERHAD",
        "PTE",
        "PTY",
        "ENTERPRISE",
        "SRL",
        "SPA",
        "OG",
        "SL",
        "SLU",
        "AB",
        "AS",
        "OY",
        "APS",
        "ASA",
    ]
)


def fold(text: str | None) -> str:
    """Upper case, accents removed, every run of non letters/digits one space."""
    if not text:
        return ""
    if text.isascii():
        # The same as below for the usual case, three times faster: bytes.translate is a table lookup.
        return b" ".join(_ascii_spaced(text).split()).decode()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.upper().replace("'", "").replace("\u2019", "")
    return _NON_ALNUM.sub(" ", text).strip()


def _ascii_spaced(text: str) -> bytes:
    """ASCII text upper-cased, apostrophes dropped and every other character but A-Z and 0-9 a space."""
    return text.encode().upper().translate(_ASCII_FOLD, b"'")


def ref_key(text: str) -> str:
    """A reference reduced to letters and digits, with a letter O next to a digit read as zero."""
    if text.isascii():  # `fold` in bytes, its spaces kept until the O is read: the same, and faster
        folded = _ascii_spaced(text)
        if b"O" in folded:
            folded = _O_NEAR_DIGIT_BYTES.sub(b"0", folded)
        return folded.replace(b" ", b"").decode()
    return _O_NEAR_DIGIT.sub("0", fold(text)).replace(" ", "")


def digit_core(text: str) -> str:
    """Only the digits of a reference: "INV-2026-0042" -> "20260042"."""
    if text.isascii():
        return text.encode().translate(None, _NON_DIGIT_BYTES).decode()
    return _NON_DIGIT.sub("", text)


def last_digit_group(text: str) -> str:
    groups = _DIGIT_GROUPS.findall(text)
    return groups[-1] if groups else ""


def ref_candidates(text: str, max_tokens: int = 4) -> set[str]:
    """Every run of up to `max_tokens` adjacent words, joined, that could be a reference.

    Joining adjacent words undoes the spaces, dashes and slashes banks and payers put into references.
    """
    return set(ref_candidates_folded(fold(text), max_tokens))


def ref_candidates_folded(folded: str, max_tokens: int = 4) -> list[str]:
    """`ref_candidates` of text that has already been through `fold`, in order of appearance."""
    tokens = (_O_NEAR_DIGIT.sub("0", folded) if "O" in folded else folded).split()
    count = len(tokens)
    # For each word, the position of the first word from there on with a digit (count when none):
    # a run only counts from that word on, and a run that cannot reach one is skipped whole. Folded
    # words are letters and digits only, so a word that is not all letters has a digit.
    next_digit = [count] * (count + 1)
    for j in range(count - 1, -1, -1):
        next_digit[j] = next_digit[j + 1] if tokens[j].isalpha() else j
    out: dict[str, None] = {}
    for i in range(count):
        first = next_digit[i]
        end = min(i + max_tokens, count)
        if first >= end:
            continue
        joined = "".join(tokens[i:first])
        for j in range(first, end):
            joined += tokens[j]
            if len(joined) >= 3:
                out[joined] = None
    return list(out)


def name_core(name: str | None) -> tuple[str, ...]:
    """Name words without trailing legal forms: "Nordic Logistics GmbH & Co. KG" -> ("NORDIC", "LOGISTICS")."""
    return core_words(fold(name))


def core_words(folded: str) -> tuple[str, ...]:
    """`name_core` of a name that has already been through `fold`."""
    words = folded.split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return tuple(words)


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


_ORIGINAL = re.compile(
    r"(?:\bORIG(?:INAL)?(?:\s+AMOUNT)?|\bINSTD\s*AMT|/OCMT/)[\s:]*([A-Z]{3})[\s:]*(\d[\d.,']*\d|\d)",
    re.IGNORECASE,
)


def original_amount(description: str) -> tuple[Decimal, str] | None:
    """The pre-conversion amount and currency a bank prints for a foreign-currency payment, if any."""
    # Most descriptions are ASCII without any of the markers: for those a substring test settles it
    # (beyond ASCII, case-insensitive matching has more forms than lower() shows, so the pattern decides).
    if description.isascii():
        lowered = description.lower()
        if "orig" not in lowered and "instd" not in lowered and "/ocmt/" not in lowered:
            return None
    found = _ORIGINAL.search(description)
    if not found:
        return None
    amount = parse_amount(found.group(2).replace("'", ""))
    return (amount, found.group(1).upper()) if amount is not None else None


# The engine compares amounts as whole thousandths of their currency, which is exact for every ISO 4217
# minor unit: 0 decimals (JPY, KRW), 2 (EUR, MYR) and 3 (BHD, KWD). The amounts it returns are
# rounded to the invoice's currency when they are stored (bank.reconciliations).
MILLS = 1000


def mills(amount: Decimal) -> int:
    """The amount's size in thousandths: 12.30 -> 12300, 1.234 -> 1234, 1000 (JPY) -> 1000000."""
    return int((abs(amount) * MILLS).to_integral_value())
