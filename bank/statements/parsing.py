"""Small helpers every statement format shares: cleaned descriptions and account numbers.

Reading bytes, amounts, dates and currencies is `reading`'s (`reading.text`, `reading.amounts`,
`reading.dates`, `reading.currencies`), shared with the invoice engine.
"""

import re


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
