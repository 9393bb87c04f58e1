"""The shop's name at the top of a scanned till receipt."""

import re
import unicodedata

from invoices.extraction.layout import Layout, Line
from invoices.extraction.parties import LEGAL_FORM, is_name_like
from invoices.extraction.receipts.trade_words import repair_trade_words

# Where the name block at the top ends: an address ("NO. 17, JALAN ...", "379, JALAN ..."), a company or
# tax number, a phone number, a date, an amount.
_NAME_STOP = re.compile(
    r"(?i)\d{2,}|^\W*(?:no|lot|unit|blk|block)\b|\b(?:jalan|ja[il1]an|jln|lorong|persiaran|lebuh\w*|road|street|floor|taman)\b"
    r"|,\s*$"
)
# An address line: a street word (OCR's "Jaian" too), a postcode, a line ending in a comma.
_ADDRESS = re.compile(
    r"(?i)\b(?:jalan|ja[il1]an|jln|lorong|persiaran|lebuh\w*|road|street|floor|taman|lot)\b|(?<![\w-])\d{5}(?![\w-])|,\s*$"
)
# Thanks and greetings some receipts print at the top: "THANK YOU AND DO VISIT US AGAIN", "* GUEST CHECK *".
_SLOGAN = re.compile(r"(?i)\b(?:thank|thanks|welcome|visit|again|shopping|guest\s*check|selamat|terima\s*kasih)\b")
# A company number printed after the name: "KING'S CONFECTIONERY S/B 273500-U (GKJ)", "... SDN BHD 862725-U".
_TRAILING_NUMBER = re.compile(r"\s+\(?[A-Z]{0,2}\d{4,}[-\s]?[A-Z]?\)?(?:\s+\(\w+\))?\s*$")
# A line that carries on the name above it: "CO. (M) SDN BHD", "& TEA LEAF (M) SDN. BHD.", "ALAM) SDN BHD".
_CONTINUES_ABOVE = re.compile(rf"^(?:&|\(|[^()]*\)|(?:{LEGAL_FORM.pattern.removeprefix('(?i)')}))", re.IGNORECASE)
# A line that the name goes on from: "HOME MASTER HARDWARE &", "ENTERPRISE (SETIA".
_CONTINUES_BELOW = re.compile(r"(?:&|-|\band|\([^)]*)\s*$", re.IGNORECASE)
# A company registration number on a line of its own, bare or labelled: "(1179227A)", "JM0325955-V",
# "1202152-P", "Company No: 002643278-A", "CO.NO. (458592-T)", "Company Reg No. :289892V", "Reg No : 91694-X".
_REGISTRATION_LINE = re.compile(
    r"(?i)^\W*(?:(?:co(?:mpany)?|reg(?:istration)?|roc|business)\.?\s*(?:reg(?:istration)?\.?\s*)?"
    r"(?:no|number)?\.?\s*[:.]?\s*)?\(?\s*[A-Z]{0,3}\s?\d{5,}[\s-]?[A-Z]?\s*\)?\W*$"
)
# A receipt or stamp number printed before the name on its line: "#000002 ACME (M) Sdn Bhd".
# A bare number is not dropped: "51200 Kuala Lumpur" is an address.
_LEADING_NUMBER = re.compile(r"^\W*#\s?\d+\s+(?=[^\W\d_])")
# A company's name with its number after it, and maybe more: "ACME SDN BHD (123456-X)",
# "ACME RETAIL SB(306295-X) FKA OLD NAME SB", "ACME S/B 273500-U (GKJ)".
_NAME_THEN_NUMBER = re.compile(
    r"^(?P<name>.*?[^\W\d_].*?)\s*(?:\(\s*[A-Z]{0,3}\s?\d{5,}[\s-]?[A-Z]?\s*\)|\s[A-Z]{0,2}\d{5,}-?[A-Z]?\b)",
    re.IGNORECASE,
)
# "Company Reg No. (002231061-T)": a label before the number, not a name.
_REGISTRATION_LABEL = re.compile(r"(?i)\b(?:no|reg|number|registration)\b\.?\s*:?\s*$")
# A legal form, with the short "SB" (Sendirian Berhad) that receipts print next to a company number.
_COMPANY_FORM = re.compile(rf"{LEGAL_FORM.pattern}|(?<![\w/])sb(?![\w/])", re.IGNORECASE)
# "OWN BY: CHEF LEE SDN BHD", "Operated by ...", "Dimiliki oleh : ...": the entity behind a trading name.
_OWNER = re.compile(r"(?i)^\W*(?:own(?:ed|er)?|operated|managed|dimiliki|milik)\s*(?:by|oleh)?\s*[:.]?\s*(?=\w)")
COLUMN_HEADING = re.compile(
    r"(?i)\b(?:qty|quantity|item|items|description|price|u\.?\s?price|amt|amount|uom|total|disc|code|kuantiti|harga)\b"
)
NAME_LINES = 3
TOP_LINES = 10


def receipt_supplier(layout: Layout, generic: str | None) -> str | None:
    """The trading name at the top, made whole and clean.

    The name a company registration number belongs to comes first (see `_registered_name`); else
    the generic reader's pick. A pick that is no name on a receipt (an address, a greeting, a column
    header) gives way to the first name line at the top. A name wrapped over lines ("POPULAR BOOK" / "CO. (M) SDN BHD",
    "HOME MASTER HARDWARE &" / "ELECTRICAL") is joined up, and a company number printed after it
    dropped. None when nothing name-like heads the receipt.
    """
    lines = [line for line in layout.lines if line.page == 0]
    registered = _registered_name(lines[:TOP_LINES])
    picked = next((line for line in lines if generic and generic in line.text), None)
    if registered is not None:
        picked, name = registered
    elif picked is None or not _is_receipt_name(_strip_number(generic or "")):
        picked = next((line for line in lines[:TOP_LINES] if _is_receipt_name(_strip_number(line.text))), None)
        if picked is None:
            return None
        name = _strip_number(unicodedata.normalize("NFKC", picked.text))
    else:
        name = _strip_number(unicodedata.normalize("NFKC", generic or ""))
    name = _without_stray_words(name, picked)
    index = lines.index(picked)
    joined = 1
    while index > 0 and joined < NAME_LINES and (_CONTINUES_ABOVE.match(name) or _short_before_legal_form(name)):
        above = _strip_number(lines[index - 1].text)
        if (
            not _is_receipt_name(above, continuation=True)
            or not _close_gap(lines[index - 1], lines[index])
            or not _same_case(above, name)
        ):
            break
        name, index, joined = f"{above} {name}", index - 1, joined + 1
    end = lines.index(picked)
    while end + 1 < len(lines) and joined < NAME_LINES:
        below = _strip_number(lines[end + 1].text)
        if not _CONTINUES_BELOW.search(name) and (LEGAL_FORM.search(name) or not LEGAL_FORM.match(below)):
            break
        if (
            not _is_receipt_name(below, continuation=True)
            or not _close_gap(lines[end], lines[end + 1])
            or not _same_case(name, below)
        ):
            break
        name, end, joined = f"{name} {below}", end + 1, joined + 1
    return repair_trade_words(clean_name(_balanced(name)))


def _registered_name(top: list[Line]) -> tuple[Line, str] | None:
    """The name the company registration number belongs to: the name line just above a line holding
    only that number, or a name line that carries it at its end ("ACME TRADING SDN BHD (123456-X)").

    Where a receipt prints a trading name and then the company's registered name with its number,
    the registered name is the supplier: the registration and tax numbers are its.
    """
    for position, line in enumerate(top):
        text = unicodedata.normalize("NFKC", line.text).strip()
        if _REGISTRATION_LINE.match(text):
            if position == 0 or any(_ADDRESS.search(above.text) for above in top[: position - 1]):
                continue  # a number under the address: the name above it is an operator's, not the heading
            above = _without_owner(_strip_number(unicodedata.normalize("NFKC", top[position - 1].text)))
            if _is_receipt_name(above) and _close_gap(top[position - 1], line):
                return top[position - 1], above
            continue
        carried = _NAME_THEN_NUMBER.match(text)
        if carried is not None:
            stripped = _without_owner(carried.group("name").strip())
            if (
                _COMPANY_FORM.search(stripped)
                and _is_receipt_name(stripped)
                and not _REGISTRATION_LABEL.search(stripped)
            ):
                return line, stripped
    return None


def _without_stray_words(name: str, line: Line) -> str:
    """The name without a word at its start or end that is no part of the printed line: a stamp or a
    handwritten word crossing it, much taller or sitting higher or lower than the line's letters."""
    if len(line.words) < 3:
        return name
    heights = sorted(word.y1 - word.y0 for word in line.words)
    middles = sorted((word.y0 + word.y1) / 2 for word in line.words)
    height, middle = heights[len(heights) // 2], middles[len(middles) // 2]
    for word in (line.words[0], line.words[-1]):
        tall = word.y1 - word.y0 > 1.4 * height
        off = abs((word.y0 + word.y1) / 2 - middle) > 0.5 * height
        if not (tall or off):
            continue
        if name.endswith(" " + word.text):
            name = name[: -len(word.text) - 1]
        elif name.startswith(word.text + " "):
            name = name[len(word.text) + 1 :]
    return name


def _without_owner(text: str) -> str:
    """The name without an owner's prefix ("OWN BY:") or a receipt number before it."""
    return _OWNER.sub("", _LEADING_NUMBER.sub("", text, count=1), count=1)


def _balanced(name: str) -> str:
    """The name without a bracket left open at its end ("VIVA CITY (CITY SHOP"): the next line's, not the name's."""
    opened = name.rfind("(")
    if opened > 0 and ")" not in name[opened:] and is_name_like(name[:opened].strip()):
        return name[:opened].strip()
    return name


def _same_case(upper: str, lower: str) -> bool:
    """Whether two lines can be one name: not a lower-case line (a handwritten note) against capitals."""

    def all_lower(text: str) -> bool:
        letters = [char for char in text if char.isalpha()]
        return bool(letters) and all(char.islower() for char in letters)

    def all_upper(text: str) -> bool:
        letters = [char for char in text if char.isalpha()]
        return bool(letters) and all(char.isupper() for char in letters)

    return not ((all_lower(upper) and all_upper(lower)) or (all_upper(upper) and all_lower(lower)))


def _short_before_legal_form(name: str) -> bool:
    """A name that is hardly more than its legal form ("RESTAURANT SDN BHD"): its start is on the line above."""
    found = LEGAL_FORM.search(name)
    words = (
        [word for word in name[: found.start()].split() if sum(char.isalpha() for char in word) >= 2] if found else []
    )
    return found is not None and len(words) < 2  # "R&C VENTURE SDN BHD" has two words before its legal form


def _close_gap(upper: Line, lower: Line) -> bool:
    """Whether two lines sit close enough to be one name set on two lines."""
    return lower.y0 - upper.y1 <= max(upper.height, lower.height)


def _strip_number(text: str) -> str:
    return _TRAILING_NUMBER.sub("", text.strip())


def _is_receipt_name(text: str, *, continuation: bool = False) -> bool:
    """A line of a shop's name: letters, no address or contact, not a title, label or greeting."""
    if not text or _SLOGAN.search(text) or any(char in text for char in "[]*=#@"):
        return False
    if len(COLUMN_HEADING.findall(text)) >= 2:
        return False  # "QTY ITEM PRICE TOTAL": the items table's heading
    if not continuation and (_NAME_STOP.search(text) or not is_name_like(text)):
        return False
    if continuation and (re.search(r"\d{2,}|,\s*$|www\.|\.com|https?:", text, re.IGNORECASE) or ":" in text):
        return False
    words = [word for word in re.findall(r"[^\W\d_]+", text) if len(word) >= 2]
    if continuation:
        return any(len(word) >= 3 for word in words)
    return len(words) >= 2 or LEGAL_FORM.search(text) is not None


def clean_name(name: str) -> str:
    """A name as printed, with OCR's damage undone: full-width brackets, stray accents, "X& Y"."""
    name = unicodedata.normalize("NFKC", name)
    if sum(ord(char) < 128 for char in name) >= len(name) - 2:
        # A name in plain Latin letters with an accent or two: marks OCR added, not the shop's.
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(char for char in decomposed if not unicodedata.combining(char))
    # "WorId": a capital I after a small letter, in a word that is not all capitals, is a small l.
    name = re.sub(r"(?<=[a-z])I(?=[a-z]|\b)", "l", name)
    name = re.sub(r"(?<=\w)&\s|\s&(?=\w)", " & ", name)  # "SIN THYE& COMPANY"; "F&B" stays
    name = re.sub(r"(?<=[^\W\d_])\((?=\w)", " (", re.sub(r"(?<=\w)\)(?=[^\W\d_])", ") ", name))
    name = " ".join(name.split())
    if name.endswith(".") and name.count(".") == 1:
        name = name[:-1]  # "MARKET S/B.": a full stop after the name, not an abbreviation's dots
    return name
