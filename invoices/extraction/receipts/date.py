"""The date a scanned till receipt was printed, read from the repaired line text.

OCR glues the time to the year ("15/07/201712:07") or a receipt number to the day
("#19536001/06/2018") and reads O for 0 and l or I for 1 in digits.
"""

import re
from datetime import date

from invoices.extraction.layout import Layout
from reading.dates import find_dates

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
