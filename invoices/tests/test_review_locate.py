"""Field boxes: where each extracted value is printed, found in the words of documents drawn in code."""

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from companies.tests.factories import CompanyFactory
from invoices.extraction.engine import read_document
from invoices.extraction.locate import locate_fields, values_of
from invoices.extraction.tests.test_einvoice import Invoice as EInvoice
from invoices.extraction.tests.test_einvoice import cii
from invoices.intake import invoice_upload
from reading.tests.pdfs import make_pdf, right_aligned
from reading.words import Page, Word, WordDocument

A4_WIDTH, A4_HEIGHT = 595.2756, 841.8898


def _invoice_pdf(*, subtotal: str = "1,234.50", total: str = "1,469.06") -> bytes:
    return make_pdf(
        [
            [
                (50, 50, "Acme Supplies Ltd", 16),
                (50, 80, "VAT No: GB 123 4567 89"),
                (50, 100, "Invoice number: INV-2041"),
                (50, 115, "Invoice date: 05/03/2026"),
                (50, 130, "Due date: 04/04/2026"),
                (50, 200, "Description"),
                right_aligned(540, 200, "Amount"),
                (50, 220, "Consulting"),
                right_aligned(540, 220, "1,234.50"),
                (350, 300, "Subtotal"),
                right_aligned(540, 300, subtotal),
                (350, 315, "VAT 19%"),
                right_aligned(540, 315, "234.56"),
                (350, 330, "Total"),
                right_aligned(540, 330, total),
                (50, 800, "Page 1 of 1 - INV-2041"),
            ]
        ]
    )


def _centre(box):
    return ((box["x0"] + box["x1"]) / 2 * A4_WIDTH, (box["y0"] + box["y1"]) / 2 * A4_HEIGHT)


def test_each_extracted_field_of_a_text_pdf_gets_the_box_of_its_printed_value():
    reading = read_document(_invoice_pdf())
    assert reading.words is not None

    boxes = locate_fields(reading.words, values_of(reading.result))

    assert reading.result.subtotal == Decimal("1234.50")
    x, y = _centre(boxes["subtotal"])
    assert boxes["subtotal"]["page"] == 1
    assert 500 < x < 540
    assert 295 < y < 302
    assert 325 < _centre(boxes["total"])[1] < 332
    assert 110 < _centre(boxes["invoice_date"])[1] < 117
    assert 125 < _centre(boxes["due_date"])[1] < 132
    assert 45 < _centre(boxes["supplier_name"])[1] < 52
    assert 75 < _centre(boxes["supplier_tax_id"])[1] < 82


def test_a_value_printed_twice_is_boxed_next_to_its_label():
    reading = read_document(_invoice_pdf())
    assert reading.words is not None

    boxes = locate_fields(reading.words, {"invoice_number": "INV-2041", "subtotal": Decimal("1234.50")})

    assert 95 < _centre(boxes["invoice_number"])[1] < 102  # not the footer's
    assert 295 < _centre(boxes["subtotal"])[1] < 302  # not the line item's


def _words(*texts: tuple[float, float, str]) -> WordDocument:
    words = [Word(text, x, y, x + 6 * len(text), y + 10, 0) for x, y, text in texts]
    return WordDocument([Page(0, 600, 800, words)], "text_pdf")


@pytest.mark.parametrize("printed", ["1.234,50", "1 234,50", "1234.50", "EUR 1,234.50"])
def test_an_amount_is_found_however_it_is_printed(printed):
    document = _words((300, 400, "Subtotal"), *((380 + 40 * i, 400, part) for i, part in enumerate(printed.split())))

    boxes = locate_fields(document, {"subtotal": Decimal("1234.50")})

    assert boxes["subtotal"]["y0"] == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("printed", ["05.03.2026", "2026-03-05", "5 March 2026", "March 5, 2026"])
def test_a_date_is_found_in_the_documents_format(printed):
    document = _words((50, 100, "Date:"), *((100 + 50 * i, 100, part) for i, part in enumerate(printed.split())))

    boxes = locate_fields(document, {"invoice_date": date(2026, 3, 5)})

    assert boxes["invoice_date"]["x0"] == pytest.approx(100 / 600, abs=1e-3)


def test_a_value_not_printed_has_no_box():
    document = _words((50, 100, "Invoice"), (100, 100, "INV-1"))

    assert locate_fields(document, {"invoice_number": "INV-2", "total": Decimal("5.00"), "due_date": None}) == {}


def test_a_page_of_a_scan_without_a_size_is_skipped():
    document = WordDocument([Page(0, 0.0, 0.0, [Word("INV-1", 0, 0, 10, 10, 0)])], "ocr")

    assert locate_fields(document, {"invoice_number": "INV-1"}) == {}


def _facturx_printing_its_values() -> bytes:
    """A Factur-X PDF: the CII of `test_einvoice.Invoice()` attached to a page that prints its values."""
    page = make_pdf(
        [
            [
                (50, 50, "Alice Widgets GmbH", 16),
                (50, 80, "USt-IdNr.: DE123456789"),
                (50, 100, "Rechnungsnummer: INV-2026-0042"),
                (50, 115, "Rechnungsdatum: 14.03.2026"),
                (350, 300, "Nettobetrag"),
                right_aligned(540, 300, "30,00"),
                (350, 315, "MwSt. 19%"),
                right_aligned(540, 315, "5,70"),
                (350, 330, "Gesamtbetrag EUR"),
                right_aligned(540, 330, "35,70"),
            ]
        ]
    )
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(page))
    writer.add_attachment("factur-x.xml", cii(EInvoice()))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_facturx_pdf_read_from_its_xml_gets_boxes_from_its_text_layer(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI, whose workers serve another database
    company = CompanyFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        upload = invoice_upload(company=company, file=SimpleUploadedFile("fx.pdf", _facturx_printing_its_values()))
    invoice = upload.invoice
    invoice.refresh_from_db()

    assert invoice.extraction_source == "facturx"
    assert set(invoice.field_boxes) >= {"supplier_name", "invoice_number", "invoice_date", "subtotal", "total"}
    assert 325 < _centre(invoice.field_boxes["total"])[1] < 332


@pytest.mark.django_db
def test_an_xml_einvoice_has_no_boxes(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI, whose workers serve another database
    with django_capture_on_commit_callbacks(execute=True):
        upload = invoice_upload(company=CompanyFactory.create(), file=SimpleUploadedFile("e.xml", cii(EInvoice())))
    upload.invoice.refresh_from_db()

    assert upload.invoice.field_boxes == {}


def test_a_value_in_a_word_boxed_over_several_lines_is_not_drawn():
    document = WordDocument(
        [
            Page(
                0,
                600,
                800,
                [
                    *(Word(f"Line{i}", 50, 100 + 15 * i, 100, 110 + 15 * i, 0) for i in range(6)),
                    Word("Total", 300, 200, 340, 210, 0),
                    Word("15.00", 400, 160, 440, 260, 0),  # OCR's box around a column of figures
                ],
            )
        ],
        "ocr",
    )

    assert locate_fields(document, {"total": Decimal("15.00")}) == {}
