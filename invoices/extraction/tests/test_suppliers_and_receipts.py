"""How the layout reader copes with what real suppliers print: receipts, letterheads and odd glyph runs.

Receipts end in "Rounding" lines, call their total "Subtotal" or "Net Amt", and print the company
number after the name; letterheads split a name from its legal form, put it in a picture, or
announce the principal ("X B.V. iov Y"). Every document here is drawn by the test.
"""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from invoices.extraction.engine import extract
from invoices.extraction.fields import read_fields
from reading.ocr import add_image_text, fix_misread_digits
from reading.tests.pdfs import make_pdf
from reading.textpdf import read_text_pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _read(texts):
    return read_fields(read_text_pdf(make_pdf([texts])))


def _receipt(*body):
    return [
        (200, 40, "MPH BOOKSTORES", 14),
        (215, 58, "SDN BHD", 14),
        (190, 80, "GST No: 000542572544"),
        (190, 95, "Lot 319, 2nd Floor, 1 Utama"),
        (60, 130, "Receipt No: CS-10023"),
        (60, 145, "Date: 11/12/2017 10:05"),
        (60, 175, "STICKERS & GIFT 3 x 10.49"),
        (400, 175, "31.47"),
        *body,
    ]


def test_a_legal_form_on_the_next_line_completes_the_name_above_it():
    result = _read(_receipt((60, 200, "Total Amount (incl. GST)"), (400, 200, "31.47")))

    assert result.supplier.name == "MPH BOOKSTORES SDN BHD"
    assert result.invoice_number == "CS-10023"
    assert result.invoice_date == date(2017, 12, 11)


def test_a_rounding_line_makes_the_rounded_amount_the_total():
    result = _read(
        _receipt(
            (60, 200, "Total Amount (incl. GST)"),
            (400, 200, "31.47"),
            (60, 215, "Rounding Adj"),
            (400, 215, "-0.02"),
            (60, 230, "Total After Adj"),
            (400, 230, "31.45"),
            (60, 260, "GST Summary"),
            (60, 275, "Total"),
            (400, 275, "31.47"),
        )
    )

    assert result.total == Decimal("31.45")


def test_a_rounding_line_alone_adjusts_the_total_when_the_rounded_amount_is_printed():
    result = _read(
        _receipt(
            (60, 200, "Total Sales (Excluding GST)"),
            (400, 200, "80.91"),
            (60, 215, "Total GST"),
            (400, 215, "0.00"),
            (60, 230, "Rounding"),
            (400, 230, "-0.01"),
            (60, 245, "Total Sales (Inclusive of GST)"),
            (400, 245, "80.90"),
            (60, 260, "Cash 100.00 Change"),
            (400, 260, "19.10"),
        )
    )

    assert result.subtotal == Decimal("80.91")
    assert result.total == Decimal("80.90")


def test_an_amount_paid_before_tax_is_the_subtotal_not_the_total():
    result = _read(
        _receipt(
            (60, 200, "AMT PAID incl GST: RM111.90"),
            (60, 215, "Amt Paid excl. GST: RM 105.57"),
            (60, 230, "GST AMT: RM6.33"),
        )
    )

    assert (result.subtotal, result.tax_amount, result.total) == (
        Decimal("105.57"),
        Decimal("6.33"),
        Decimal("111.90"),
    )


def test_a_receipt_whose_last_amount_is_called_subtotal_gets_it_as_its_total():
    result = _read(
        _receipt(
            (60, 200, "GST TA AMT"),
            (400, 200, "RM90.75"),
            (60, 215, "GST 6%"),
            (400, 215, "RM5.45"),
            (60, 230, "SUBTOTAL"),
            (400, 230, "RM96.20"),
            (60, 245, "CASH"),
            (400, 245, "RM100.00"),
        )
    )

    assert result.total == Decimal("96.20")
    assert result.subtotal == Decimal("90.75")
    assert result.tax_amount == Decimal("5.45")


def test_without_tax_the_net_amount_of_a_receipt_is_its_total():
    result = _read(_receipt((300, 200, "Gross Amt:"), (400, 200, "31.47"), (300, 215, "Net Amt:"), (400, 215, "31.47")))

    assert result.total == Decimal("31.47")


def test_the_company_number_after_a_name_is_not_part_of_it():
    result = _read(
        [
            (150, 40, "COSWAY (M) SDN BHD (E0118-A)", 12),
            (150, 58, "2nd Floor, Wisma Cosway, Jalan Raja Chulan"),
            (150, 72, "GST REGISTRATION NO: 000743903232"),
            (60, 120, "INV NO: K074-001096"),
            (60, 140, "Date: 06/12/2016"),
            (60, 170, "TOTAL"),
            (400, 170, "111.90"),
        ]
    )

    assert result.supplier.name == "COSWAY (M) SDN BHD"


def test_the_owner_of_a_trading_name_is_the_supplier():
    result = _read(
        [
            (200, 40, "OLD ASIA", 16),
            (160, 62, "OWN BY: CHEF LEE SDN BHD"),
            (190, 76, "CO.NO. (458592-T)"),
            (60, 120, "Receipt No: 088341"),
            (60, 135, "13-02-2016 02:29 PM"),
            (60, 170, "TOTAL"),
            (400, 170, "RM96.20"),
        ]
    )

    assert result.supplier.name == "CHEF LEE SDN BHD"


def test_a_slash_abbreviated_legal_form_is_a_legal_form():
    result = _read(
        [
            (100, 30, "Jogaya", 22),
            (20, 60, "MAKASSAR FRESH MARKET S/B.", 12),
            (20, 76, "(CO.NO. 1208604-T)"),
            (20, 90, "GROUND FLOOR, NO.4 & 6, JALAN SS15/4B"),
            (20, 130, "Receipt NO : 16741"),
            (20, 170, "Total"),
            (300, 170, "RM40.00"),
        ]
    )

    assert result.supplier.name == "MAKASSAR FRESH MARKET S/B"


def test_a_title_carrying_the_number_is_not_the_supplier_and_the_mail_domain_names_it():
    result = _read(
        [
            (57, 40, "Invoice 103767", 18),
            (57, 62, "February 17, 2026"),
            (57, 110, "Adatum Corporation"),
            (57, 124, "Station Road, 21"),
            (57, 138, "48436 Düsseldorf"),
            (450, 110, "CRONUS DE"),
            (450, 124, "Hofstraße 12"),
            (450, 138, "20097 Hamburg"),
            (300, 300, "Subtotal"),
            (480, 300, "573.00"),
            (300, 315, "19% VAT"),
            (480, 315, "108.87"),
            (300, 330, "Total EUR Incl. VAT"),
            (480, 330, "681.87"),
            (57, 760, "VAT Registration No."),
            (300, 760, "Email"),
            (57, 772, "DE777777777"),
            (300, 772, "info@cronus.com"),
        ]
    )

    assert result.supplier.name == "CRONUS DE"
    assert result.invoice_number == "103767"


def test_a_copy_title_is_not_a_name_and_the_buyers_own_vat_number_is_not_the_suppliers():
    result = _read(
        [
            (44, 260, "Kopie factuur", 14),
            (44, 282, "Klant"),
            (144, 282, "Order"),
            (315, 282, "Factuur datum"),
            (432, 282, "Factuur"),
            (500, 282, "Vervaldatum"),
            (44, 295, "SCONL0303006280999"),
            (144, 295, "SCONL000000444"),
            (338, 295, "8-9-2022"),
            (409, 295, "VF1005193039"),
            (512, 295, "22-9-2022"),
            (411, 374, "Factuur totaal EUR"),
            (527, 374, "49,99"),
            (38, 664, "Uw BTW nummer: NL000099998B57"),
        ]
    )

    assert result.supplier.name != "Kopie factuur"
    assert result.invoice_number == "VF1005193039"
    assert result.invoice_date == date(2022, 9, 8)
    assert result.field_confidence.get("supplier_tax_id", 0) < 0.5


def test_a_space_glyph_drawn_under_a_letter_does_not_split_the_word():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    top = A4[1]
    pdf.setFont("Helvetica", 10)
    # The "F" and two spaces start at the same x, as some generators emit a drop capital.
    pdf.drawString(45, top - 100, "F")
    pdf.drawString(45, top - 100, "  ")
    pdf.drawString(45 + pdf.stringWidth("F", "Helvetica", 10), top - 100, "actuurnummer: 993548900")
    pdf.drawString(45, top - 120, "Factuurdatum: 19 april 2014")
    pdf.drawString(45, top - 160, "Totaal € 717,97")
    pdf.showPage()
    pdf.save()

    document = read_text_pdf(buffer.getvalue())
    result = read_fields(document)

    assert "Factuurnummer:" in [word.text for word in document.words]
    assert result.invoice_number == "993548900"


def test_ocr_letters_read_for_digits_in_an_amount_are_put_right_and_words_are_left_alone():
    assert fix_misread_digits("RMI11.90") == "RM111.90"
    assert fix_misread_digits("1O.5O") == "10.50"
    assert fix_misread_digits("€l2,00") == "€12,00"
    assert fix_misread_digits("Total") == "Total"
    assert fix_misread_digits("Oo.oo") == "Oo.oo"
    assert fix_misread_digits("INV-2019") == "INV-2019"


def _letterhead_image() -> Image.Image:
    image = Image.new("RGB", (1400, 260), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 44) if FONT.exists() else ImageFont.load_default(size=44)
    draw.text((20, 20), "Brightwater Supplies B.V. iov Example.com", fill="black", font=font)
    draw.text((20, 90), "Badweg 48, 8401 BL Gorredijk", fill="black", font=font)
    draw.text((20, 160), "BTW-nr: NL8152.54.295.B01", fill="black", font=font)
    return image


def _pdf_with_letterhead_image() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    top = A4[1]
    pdf.setFont("Helvetica", 10)
    for y, text in [(260, "Factuur"), (280, "Factuurnummer: VF-2022-118"), (295, "Factuurdatum: 08-09-2022")]:
        pdf.drawString(44, top - y, text)
    pdf.drawString(300, top - 374, "Factuur totaal EUR")
    pdf.drawString(500, top - 374, "49,99")
    pdf.drawImage(ImageReader(_letterhead_image()), 40, top - 800, width=420, height=78)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_text_only_an_image_shows_is_added_to_the_text_layer_once():
    data = _pdf_with_letterhead_image()
    document = read_text_pdf(data)

    merged = add_image_text(data, document)
    result = read_fields(merged)

    texts = [word.text for word in merged.words]
    assert texts.count("Factuurnummer:") == 1  # the text layer is not read a second time
    assert result.supplier.name == "Brightwater Supplies B.V."
    assert result.supplier.tax_id == "NL815254295B01"
    assert result.invoice_number == "VF-2022-118"


def test_a_pay_by_sentence_gives_the_due_date():
    english = _read(
        [
            (57, 40, "Bei Spiel GmbH", 14),
            (57, 100, "Invoice RE-20190610/507 of 2019-06-10"),
            (300, 300, "Total"),
            (480, 300, "571.04 €"),
            (57, 340, "Please remit until 2019-07-01."),
        ]
    )
    german = _read(
        [
            (57, 40, "Bei Spiel GmbH", 14),
            (57, 100, "Rechnung # RE-20170509/505 von 09.05.2017"),
            (57, 114, "Leistungsdatum 07.05.2017"),
            (300, 300, "Gesamtbetrag: 571,04 €"),
            (57, 340, "Bitte überweisen Sie bis zum 30.05.2017."),
        ]
    )

    assert english.due_date == date(2019, 7, 1)
    assert (german.invoice_date, german.due_date) == (date(2017, 5, 9), date(2017, 5, 30))


def test_a_letter_date_beats_a_print_date_in_the_fine_print_and_a_tax_row_gives_its_middle_amount():
    result = _read(
        [
            (179, 30, "Alphabet Fuhrparkmanagement GmbH"),
            (179, 42, "USt-IdNr. DE238574172"),
            (330, 170, "Rechnungsnummer:"),
            (438, 170, "2015738820"),
            (330, 182, "München, den"),
            (438, 182, "01.11.2024"),
            (43, 360, "Nettobetrag"),
            (121, 360, "(zzgl. 19,00% MwSt.)"),
            (499, 360, "376,37"),
            (205, 420, "19,00% MwSt.:"),
            (331, 420, "376,37"),
            (421, 420, "71,51"),
            (499, 420, "447,88"),
            (211, 440, "Summe gesamt"),
            (499, 440, "447,88"),
            (43, 480, "Rechnungsbetrag zahlbar ohne Abzug sofort nach Erhalt der Rechnung."),
            (428, 787, "Datum:", 4),
            (446, 787, "30.10.2024", 4),
        ]
    )

    assert result.invoice_date == date(2024, 11, 1)
    assert (result.subtotal, result.tax_amount, result.total) == (
        Decimal("376.37"),
        Decimal("71.51"),
        Decimal("447.88"),
    )
    assert result.tax_rate == Decimal("19.00")


def test_a_net_amount_printed_beside_another_totals_label_is_not_taken_for_it():
    result = _read(
        [
            (445, 40, "Coolblue B.V."),
            (45, 60, "FACTUUR", 18),
            (45, 150, "Factuurnummer: 993548900"),
            (45, 165, "Factuurdatum: 19 april 2014"),
            (62, 580, "Exclusief BTW"),
            (148, 580, "€ 593,36"),
            (426, 580, "Subtotaal"),
            (518, 580, "€ 717,97"),
            (81, 592, "BTW 21%"),
            (148, 592, "€ 124,61"),
            (437, 604, "Totaal"),
            (518, 604, "€ 717,97"),
        ]
    )

    assert (result.subtotal, result.tax_amount, result.total) == (
        Decimal("593.36"),
        Decimal("124.61"),
        Decimal("717.97"),
    )


def test_the_engine_reads_a_letterhead_picture_when_the_text_layer_names_no_supplier():
    result = extract(_pdf_with_letterhead_image())

    assert result.supplier.name == "Brightwater Supplies B.V."
    assert result.supplier.tax_id == "NL815254295B01"
    assert result.total == Decimal("49.99")
