"""Scanned till receipts: what was paid, when, and the shop's name, read from OCR'd words.

Every receipt here is built in code as the OCR reader would hand it over (`source="ocr"`): rows of
words with positions, a few layouts per rule, with the damage OCR does (glued times, O for 0,
"Totai", stray accents). No image is drawn, so these run in milliseconds.
"""

from datetime import date
from decimal import Decimal

from invoices.extraction.fields import read_fields
from invoices.extraction.receipts import clean_name, repair_date_text
from invoices.extraction.result import ExtractionResult
from reading.words import Page, Word, WordDocument

CHAR = 7.0
HEIGHT = 12.0
LINE = 18.0


def _receipt(*rows: str | tuple[str, str]) -> ExtractionResult:
    """Read a receipt whose rows are printed top to bottom; a (left, right) pair is a label and its amount."""
    words: list[Word] = []
    for number, row in enumerate(rows):
        y = 20 + number * LINE
        left, right = (row, "") if isinstance(row, str) else row
        x = 10.0
        for text in left.split():
            words.append(Word(text, x, y, x + CHAR * len(text), y + HEIGHT, 0, 0.95))
            x += CHAR * (len(text) + 1)
        x = 300 - CHAR * len(right)
        for text in right.split():
            words.append(Word(text, x, y, x + CHAR * len(text), y + HEIGHT, 0, 0.95))
            x += CHAR * (len(text) + 1)
    page = Page(0, 320, 40 + len(rows) * LINE, words)
    return read_fields(WordDocument([page], source="ocr"))


HEAD = ("KEDAI RUNCIT MAJU JAYA", "NO. 12, JALAN MAWAR 3,", "43000 KAJANG", "TEL: 03-8736 1234")


# The total: what was paid.


def test_the_total_is_cash_minus_change_not_the_cash_handed_over_nor_the_subtotal():
    result = _receipt(
        *HEAD,
        ("Date: 12/03/2018", ""),
        ("BREAD 2 x 3.20", "6.40"),
        ("MILK", "7.50"),
        ("Sub Total", "13.90"),
        ("Total (incl GST)", "13.90"),
        ("CASH", "50.00"),
        ("CHANGE", "36.10"),
    )

    assert result.total == Decimal("13.90")


def test_the_rounded_total_after_a_rounding_line_is_the_total():
    result = _receipt(
        *HEAD,
        ("Total Sales Incl. GST", "48.93"),
        ("Rounding Adjustment", "0.02"),
        ("Total After Rounding", "48.95"),
        ("Cash", "50.00"),
        ("Change", "1.05"),
    )

    assert result.total == Decimal("48.95")


def test_a_total_printed_before_the_payment_stays_when_only_the_change_is_rounded():
    result = _receipt(
        *HEAD,
        ("SUBTOTAL", "38.37"),
        ("TOTAL (GST INCL)", "38.37"),
        ("CASH", "40.35"),
        ("ROUNDING ADJUSTMENTS", "0.02-"),
        ("CHANGE DUE", "2.00"),
    )

    assert result.total == Decimal("38.37")


def test_a_tax_line_a_quantity_count_and_the_tax_summary_are_not_the_total():
    result = _receipt(
        *HEAD,
        ("TOT QTY: 3", "248.04"),
        ("Total GST", "14.04"),
        ("Jumlah", "28.20"),
        ("Cash Tendered", "100.00"),
        ("Change", "71.80"),
        ("TOTAL INCLUDES 6% GST", "1.60"),
        ("GST Summary Amount Tax", ""),
        ("SR @ 6%", "26.60 1.60"),
        ("Total", "26.60 1.60"),
    )

    assert result.total == Decimal("28.20")


def test_a_misread_total_label_is_still_a_total_and_excluding_tax_is_not():
    result = _receipt(
        *HEAD,
        ("A4 CLR COPY 8 x 0.53", "4.24"),
        ("Tctal Sales (Excluding GST)", "4.00"),
        ("Tolal GST", "0.24"),
        ("Totai Sales (inclusive of GST)", "4.24"),
        ("CARD", "4.24"),
    )

    assert result.total == Decimal("4.24")


def test_an_amount_including_tax_paid_by_card_is_the_total():
    result = _receipt(
        *HEAD,
        ("Pay parking ticket", "5.00"),
        ("Amount Incl. GST", "5.00"),
        ("Accepted total", "10.00"),
        ("Change", "5.00"),
    )

    assert result.total == Decimal("5.00")


def test_an_exact_cash_payment_puts_right_a_total_misread_by_a_digit():
    result = _receipt(
        *HEAD,
        ("Sub Total (RM)", "106.10"),
        ("Total GST (RM)", "6.37"),
        ("Rounding (RM)", "-0.02"),
        ("Total (RM)", "112.46"),
        ("CASH", "112.45"),
        ("Change (RM)", "0.00"),
    )

    assert result.total == Decimal("112.45")


def test_without_a_payment_line_the_last_total_line_is_the_total():
    result = _receipt(*HEAD, ("Nett Total", "19.80"), ("Thank you, please come again", ""))

    assert result.total == Decimal("19.80")


# The date, in every form receipts print it, after OCR.


def test_a_time_glued_to_the_year_is_split_off():
    assert _receipt(*HEAD, "Date : 15/07/201712:07", ("Total", "9.00")).invoice_date == date(2017, 7, 15)
    assert _receipt(*HEAD, "Date: 2018/02/2213:34:14", ("Total", "9.00")).invoice_date == date(2018, 2, 22)
    assert _receipt(*HEAD, "Date: 07/04/2018-18.10:59", ("Total", "9.00")).invoice_date == date(2018, 4, 7)


def test_digits_glued_before_the_day_and_letters_for_digits_are_put_right():
    assert repair_date_text("#19536001/06/2018 6:31") == "#195360 01/06/2018 6:31"
    assert _receipt(*HEAD, "#19536001/06/2018 6:31", ("Total", "9.00")).invoice_date == date(2018, 6, 1)
    assert _receipt(*HEAD, "Tarikh: O5/O3/2O21", ("Total", "9.00")).invoice_date == date(2021, 3, 5)


def test_a_labelled_date_beats_a_later_closing_time_and_named_months_are_read():
    result = _receipt(*HEAD, "Date 10-03-201823:03:06", ("Total", "9.00"), "Closed: 11-03-2018 00:32:02")
    assert result.invoice_date == date(2018, 3, 10)
    assert _receipt(*HEAD, "05 Mar 2021 14:22", ("Total", "9.00")).invoice_date == date(2021, 3, 5)
    assert _receipt(*HEAD, "Date: 05.03.2021 14:22", ("Total", "9.00")).invoice_date == date(2021, 3, 5)
    assert _receipt(*HEAD, "2021-03-05 14:22:01", ("Total", "9.00")).invoice_date == date(2021, 3, 5)


# The supplier: the trading name at the top.


def test_a_legal_form_wrapped_onto_the_next_line_joins_the_name():
    result = _receipt("POPULAR BOOK", "CO. (M) SDN BHD", "(Co. No. 113825-W)", "No 8, Jalan 7/118B", ("Total", "9.00"))
    assert result.supplier.name == "POPULAR BOOK CO. (M) SDN BHD"

    result = _receipt("AIK HUAT HARDWARE", "ENTERPRISE (SETIA", "ALAM)SDN BHD", "822737-X", ("Total", "9.00"))
    assert result.supplier.name == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"


def test_a_name_ending_in_an_ampersand_goes_on_to_the_next_line():
    result = _receipt("HOME MASTER HARDWARE &", "ELECTRICAL", "NO.113G, JALAN SETIA 5", ("Total", "9.00"))

    assert result.supplier.name == "HOME MASTER HARDWARE & ELECTRICAL"


def test_a_company_number_after_the_name_is_dropped():
    result = _receipt("KING'S CONFECTIONERY S/B 273500-U (GKJ)", "NO. 5, JALAN SS 2/6,", ("Total", "9.00"))

    assert result.supplier.name == "KING'S CONFECTIONERY S/B"


def test_a_greeting_at_the_top_is_not_the_name():
    result = _receipt(
        "..THANK YOU AND DO VISIT US AGAIN......",
        "FIVE STAR CASH & CARRY",
        "NO. 11, JALAN BESAR,",
        ("Total", "45.00"),
    )

    assert result.supplier.name == "FIVE STAR CASH & CARRY"


def test_ocr_damage_to_a_name_is_undone():
    assert clean_name("THE STORE (MALAYSIA） SDN BHD") == "THE STORE (MALAYSIA) SDN BHD"
    assert clean_name("TSH POWER HARDWÀRE TRADING") == "TSH POWER HARDWARE TRADING"
    assert clean_name("SIN THYE& COMPANY") == "SIN THYE & COMPANY"
    assert clean_name("THE TOAST F&B SDN BHD") == "THE TOAST F&B SDN BHD"
    assert clean_name("Café Crème Sàrl") == "Café Crème Sàrl"  # a French name keeps its accents


def test_the_items_table_heading_is_not_the_name():
    result = _receipt(
        "A03138",
        "QTY ITEM PRICE TOTAL",
        ("BREAD", "3.20"),
        ("Total", "3.20"),
    )

    assert result.supplier.name is None

    result = _receipt("FUYI MINIMARKET", "Qty UOM U.Price Amt Tax Code", ("BREAD", "3.20"), ("Total", "3.20"))
    assert result.supplier.name == "FUYI MINIMARKET"
