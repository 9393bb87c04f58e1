"""What a scanned till receipt says was paid, and when: rules for OCR'd receipts only.

`read_fields` calls `refine_receipt` for documents read by OCR (`WordDocument.source == "ocr"`),
after the generic reading. Text PDFs never come here.

The total is the amount the receipt says was paid: the last "total" / "jumlah" / "amount due" /
"nett" / "grand total" line before the payment lines ("Cash", "Card", "Change"), agreeing with
cash minus change where both are printed. Subtotals, lines qualified as before tax, tax lines
("Total GST", "Total includes 6% GST"), item and quantity counts ("Total Qty") and everything in a
tax summary block under the payment lines ("GST Summary ... Total 10.94 0.66") are not the total.

The date is read from the repaired line text: OCR glues the time to the year ("15/07/201712:07")
or a receipt number to the day ("#19536001/06/2018") and reads O for 0 and l or I for 1 in digits.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoices.extraction.layout import Layout, Line
from invoices.extraction.parties import LEGAL_FORM, is_name_like
from invoices.extraction.result import ExtractionResult
from reading.amounts import find_amounts
from reading.dates import find_dates

MAX_ROUNDING = Decimal("0.10")

# Words that name the amount to pay. OCR misreads are matched by `_is_word` (one edit away).
_TOTAL_WORDS = ("total", "jumlah", "grand", "nett", "payable", "due", "rounded")
_TOTAL_PHRASE = re.compile(
    r"(?i)\b(?:amount\s*due|amt\s*due|balance\s*due|net\s*(?:total|amount|amt|payable)|nett|to\s*pay|"
    r"total\s*payable|grand\s*total|jumlah(?:\s*besar)?|total)\b"
)
# A "total" that is not what was paid: before tax, a count, a discount, a tax line.
_NOT_TOTAL = re.compile(
    r"(?i)\b(?:sub\s*-?\s*total|subtotal|sub|excl\w*|exclusive|before|w/o|without|qty|quantity|items?|pcs|"
    r"disc\w*|savings?|saved|points?|weight|tendered|change|cash|kuantiti|bil)\b|%"
)
_TAX_WORD = re.compile(r"(?i)\b(?:gst|sst|vat|tax|cukai)\b")
# "incl", "Inc}", "Inci": OCR mangles the end of the word, not its start.
_INCLUDING = re.compile(r"(?i)\b(?:inc\w*|termasuk)")
# "Amount incl. GST", "Amt Paid incl GST": an amount qualified as including tax is the total.
_AMOUNT = re.compile(r"(?i)\b(?:amount|amt|a[nm]ount|jumlah)\b")
# Payment lines: what was handed over and what came back.
_TENDERED = re.compile(
    r"(?i)\b(?:cash|tunai|tender\w*|paid|payment|received|accepted|visa|master\w*|amex|card|credit|debit|"
    r"e-?wallet|bayaran|dibayar)\b"
)
_CHANGE = re.compile(r"(?i)\b(?:change|changed|chang|baki|kembali|wang\s*baki)\b")
_ROUNDING = re.compile(r"(?i)\b(?:round\w*|pembundaran|rundung|arrondi\w*)\b")
# A tax summary block ("GST Summary", "Tax Code  Amount  Tax"): its totals are the tax's, not the receipt's.
_SUMMARY = re.compile(r"(?i)\b(?:summary|ringkasan)\b|\btax\s*code\b|\bgst\s*code\b")


@dataclass(frozen=True)
class _Total:
    value: Decimal
    line: int


def refine_receipt(layout: Layout, result: ExtractionResult, decimal: str | None, day_first: bool | None) -> None:
    """Replace the generic total and date with the receipt's own where the receipt rules find them."""
    total = receipt_total(layout, decimal)
    if total is not None:
        paid, confidence = total
        result.total = paid
        result.field_confidence["total"] = confidence
    name = receipt_supplier(layout, result.supplier.name)
    if name is not None:
        result.supplier.name = name
        result.field_confidence["supplier_name"] = max(0.6, result.field_confidence.get("supplier_name", 0.0))
    elif result.supplier.name and len(_COLUMN_HEADING.findall(result.supplier.name)) >= 2:
        result.supplier.name = None  # the items table's heading, and no name above it: better none than that
        result.field_confidence.pop("supplier_name", None)
    found = receipt_date(layout, day_first)
    if found is not None:
        printed, labelled = found
        if labelled or result.invoice_date is None:
            result.invoice_date = printed
            result.field_confidence["invoice_date"] = 0.8 if labelled else 0.6


def _last_amount(line: Line, decimal: str | None) -> Decimal | None:
    """The line's last amount, read after its label (so "Total 2 items 9.80" gives 9.80)."""
    found = find_amounts(line.text, decimal_hint=decimal)
    return found[-1].value if found else None


def _is_total_line(text: str) -> bool:
    """Whether the line names the amount to pay, allowing one OCR misread in "total" ("Totai", "Tctal")."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    named = _TOTAL_PHRASE.search(text) is not None or any(_is_word(word, _TOTAL_WORDS) for word in words)
    including_tax = _TAX_WORD.search(text) is not None and _INCLUDING.search(text) is not None
    if including_tax and _AMOUNT.search(text):
        named = True
    if not named or _NOT_TOTAL.search(text):
        return False
    return including_tax or not _TAX_WORD.search(text)


def _is_word(word: str, targets: tuple[str, ...]) -> bool:
    """Equal to a target, or (for five letters or more) one substitution away."""
    for target in targets:
        if word == target:
            return True
        if len(word) == len(target) >= 5 and sum(a != b for a, b in zip(word, target, strict=True)) == 1:
            return True
    return False


def receipt_total(layout: Layout, decimal: str | None) -> tuple[Decimal, float] | None:
    """The amount paid and a confidence, or None when the receipt prints no total line or payment.

    Candidates are the amounts on total lines above any tax summary block. Cash minus change (or a
    card payment with no change) settles between them; without a payment to agree with, the last
    total line before the first payment line wins.
    """
    lines = [line for line in layout.lines if line.page == 0] or layout.lines
    summary_from = next((line.index for line in lines if _SUMMARY.search(line.text)), None)
    totals: list[_Total] = []
    tendered: list[tuple[Decimal, int]] = []
    change: list[Decimal] = []
    rounding: list[int] = []
    for line in lines:
        text = line.text
        if summary_from is not None and line.index >= summary_from:
            break
        if _ROUNDING.search(text) and not _is_total_line(text):  # "Rounding Adj", not "Total After Rounding"
            rounding.append(line.index)
            continue
        amount = _last_amount(line, decimal)
        if amount is None or amount < 0:
            continue
        if _CHANGE.search(text):
            change.append(amount)
        elif amount == 0:
            continue
        elif _TENDERED.search(text) and not (_INCLUDING.search(text) and _is_total_line(text)):
            tendered.append((amount, line.index))
        elif _is_total_line(text):
            totals.append(_Total(amount, line.index))
    paid = _paid(tendered, change)
    if paid is not None:
        agreeing = [t for t in totals if t.value == paid]
        if agreeing:
            return agreeing[-1].value, 0.95
        last = totals[-1] if totals else None
        if (
            last is not None
            and abs(last.value - paid) <= MAX_ROUNDING
            and _exponent(paid) == _exponent(last.value)
            and not any(index > last.line for index in rounding)
        ):
            # The total printed after its rounding line is misread by a digit: what changed hands decides.
            return paid, 0.8
    first_payment = min((index for _, index in tendered), default=None)
    before = [t for t in totals if first_payment is None or t.line < first_payment]
    if before:
        return before[-1].value, 0.75
    if totals:
        return totals[-1].value, 0.6
    if paid is not None:
        return paid, 0.6
    return None


def _exponent(value: Decimal) -> int:
    """The number of decimals printed: "0.010" (a misread "0.01") has three."""
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _paid(tendered: list[tuple[Decimal, int]], change: list[Decimal]) -> Decimal | None:
    """Cash minus change where both are printed, else the one payment made without change."""
    if not tendered:
        return None
    handed = tendered[0][0]
    if change:
        paid = handed - change[0]
        return paid if paid > 0 else None
    return handed if len({amount for amount, _ in tendered}) == 1 else None


# OCR letters inside a run of digits and date separators: "O1/O6/2Ol8" is 01/06/2018.
_DIGITISH = re.compile(r"(?<![^\W\d_])[\dOoIlS|]{1,4}[/.-][\dOoIlS|]{1,2}[/.-][\dOoIlS|]{2,4}(?![^\W\d_])")
_DIGIT_FOR = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5"})
# A time glued to the year ("15/07/201712:07", "2018/02/2213:34:14") or digits glued to the day.
_YEAR_THEN_TIME = re.compile(r"(\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2})-?(?=\d{1,2}[:.]\d{2})")
_ISO_THEN_TIME = re.compile(r"((?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{2})-?(?=\d{1,2}[:.]\d{2})")
_DIGITS_THEN_DAY = re.compile(r"(?<=\d)(?=\d{2}[/.-]\d{2}[/.-](?:19|20)\d{2}\b)")
_DATE_LABEL = re.compile(r"(?i)\b(?:date|dated|tarikh|tarikh/masa|time|masa)\b")


def repair_date_text(text: str) -> str:
    """Line text with OCR's date damage undone: letters for digits, a time or a number glued on."""
    text = _DIGITISH.sub(lambda m: m.group(0).translate(_DIGIT_FOR), text)
    text = _YEAR_THEN_TIME.sub(r"\1 ", text)
    text = _ISO_THEN_TIME.sub(r"\1 ", text)
    return _DIGITS_THEN_DAY.sub(" ", text)


def receipt_date(layout: Layout, day_first: bool | None) -> tuple[date, bool] | None:
    """The receipt's date from its repaired lines, and whether a label announced it.

    A date on a "Date" / "Tarikh" line wins; else the first date printed (a closing or reprint time
    comes later).
    """
    first: date | None = None
    for line in layout.lines:
        found = find_dates(repair_date_text(line.text), day_first=day_first)
        if not found:
            continue
        if _DATE_LABEL.search(line.text):
            return found[0].value, True
        if first is None:
            first = found[0].value
    return (first, False) if first is not None else None


# Where the name block at the top ends: an address ("NO. 17, JALAN ...", "379, JALAN ..."), a company or
# tax number, a phone number, a date, an amount.
_NAME_STOP = re.compile(r"(?i)\d{2,}|^\W*(?:no|lot|unit|blk|block)\b|\b(?:jalan|jln|road|street|floor|taman)\b|,\s*$")
# Thanks and greetings some receipts print at the top: "THANK YOU AND DO VISIT US AGAIN", "* GUEST CHECK *".
_SLOGAN = re.compile(r"(?i)\b(?:thank|thanks|welcome|visit|again|shopping|guest\s*check|selamat|terima\s*kasih)\b")
# A company number printed after the name: "KING'S CONFECTIONERY S/B 273500-U (GKJ)", "... SDN BHD 862725-U".
_TRAILING_NUMBER = re.compile(r"\s+\(?[A-Z]{0,2}\d{4,}[-\s]?[A-Z]?\)?(?:\s+\(\w+\))?\s*$")
# A line that carries on the name above it: "CO. (M) SDN BHD", "& TEA LEAF (M) SDN. BHD.", "ALAM) SDN BHD".
_CONTINUES_ABOVE = re.compile(rf"^(?:&|\(|[^()]*\)|(?:{LEGAL_FORM.pattern.removeprefix('(?i)')}))", re.IGNORECASE)
# A line that the name goes on from: "HOME MASTER HARDWARE &", "ENTERPRISE (SETIA".
_CONTINUES_BELOW = re.compile(r"(?:&|-|\band|\([^)]*)\s*$", re.IGNORECASE)
_COLUMN_HEADING = re.compile(
    r"(?i)\b(?:qty|quantity|item|items|description|price|u\.?\s?price|amt|amount|uom|total|disc|code|kuantiti|harga)\b"
)
NAME_LINES = 3
TOP_LINES = 10


def receipt_supplier(layout: Layout, generic: str | None) -> str | None:
    """The trading name at the top, from the generic reader's pick, made whole and clean.

    A pick that is no name on a receipt (an address, a greeting, a column header) gives way to the
    first name line at the top. A name wrapped over lines ("POPULAR BOOK" / "CO. (M) SDN BHD",
    "HOME MASTER HARDWARE &" / "ELECTRICAL") is joined up, and a company number printed after it
    dropped. None when nothing name-like heads the receipt.
    """
    lines = [line for line in layout.lines if line.page == 0]
    picked = next((line for line in lines if generic and generic in line.text), None)
    if picked is None or not _is_receipt_name(_strip_number(generic or "")):
        picked = next((line for line in lines[:TOP_LINES] if _is_receipt_name(_strip_number(line.text))), None)
        if picked is None:
            return None
        name = _strip_number(unicodedata.normalize("NFKC", picked.text))
    else:
        name = _strip_number(unicodedata.normalize("NFKC", generic or ""))
    index = lines.index(picked)
    joined = 1
    while index > 0 and joined < NAME_LINES and (_CONTINUES_ABOVE.match(name) or _short_before_legal_form(name)):
        above = _strip_number(lines[index - 1].text)
        if not _is_receipt_name(above, continuation=True) or _close_gap(lines[index - 1], lines[index]) is False:
            break
        name, index, joined = f"{above} {name}", index - 1, joined + 1
    end = lines.index(picked)
    while end + 1 < len(lines) and joined < NAME_LINES:
        below = _strip_number(lines[end + 1].text)
        if not _CONTINUES_BELOW.search(name) and (LEGAL_FORM.search(name) or not LEGAL_FORM.match(below)):
            break
        if not _is_receipt_name(below, continuation=True) or _close_gap(lines[end], lines[end + 1]) is False:
            break
        name, end, joined = f"{name} {below}", end + 1, joined + 1
    return clean_name(name)


def _short_before_legal_form(name: str) -> bool:
    """A name that is hardly more than its legal form ("RESTAURANT SDN BHD"): its start is on the line above."""
    found = LEGAL_FORM.search(name)
    return found is not None and len(re.findall(r"[^\W\d_]{2,}", name[: found.start()])) < 2


def _close_gap(upper: Line, lower: Line) -> bool:
    """Whether two lines sit close enough to be one name set on two lines."""
    return lower.y0 - upper.y1 <= max(upper.height, lower.height)


def _strip_number(text: str) -> str:
    return _TRAILING_NUMBER.sub("", text.strip())


def _is_receipt_name(text: str, *, continuation: bool = False) -> bool:
    """A line of a shop's name: letters, no address or contact, not a title, label or greeting."""
    if not text or _SLOGAN.search(text) or any(char in text for char in "[]*=#@"):
        return False
    if len(_COLUMN_HEADING.findall(text)) >= 2:
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
    name = re.sub(r"(?<=\w)&\s|\s&(?=\w)", " & ", name)  # "SIN THYE& COMPANY"; "F&B" stays
    name = re.sub(r"(?<=[^\W\d_])\((?=\w)", " (", re.sub(r"(?<=\w)\)(?=[^\W\d_])", ") ", name))
    return " ".join(name.split())
