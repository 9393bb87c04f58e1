"""The amount a scanned till receipt says was paid.

The total is the last "total" / "jumlah" / "amount due" / "nett" / "grand total" line before the
payment lines ("Cash", "Card", "Change"), agreeing with cash minus change where both are printed.
Subtotals, lines qualified as before tax, tax lines ("Total GST", "Total includes 6% GST"), item and
quantity counts ("Total Qty") and everything in a tax summary block under the payment lines
("GST Summary ... Total 10.94 0.66") are not the total.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from invoices.extraction.layout import Layout, Line
from reading.amounts import find_amounts

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
