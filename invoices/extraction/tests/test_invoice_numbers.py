"""Invoice numbers under a bare "No." / "Nr." / "N°" / "#" label on a page titled as an invoice."""

import pytest

from invoices.extraction.fields import read_fields
from reading.tests.pdfs import Text, make_pdf, right_aligned
from reading.textpdf import read_text_pdf

_LETTERHEAD: list[Text] = [
    (50, 50, "Northwind Studio Ltd", 16),
    (50, 70, "12 High Street, London"),
    (50, 400, "Total"),
    right_aligned(540, 400, "120.00"),
]


@pytest.mark.parametrize(
    ("texts", "number"),
    [
        # Label to the left of its value, under an English title.
        (
            [(350, 100, "INVOICE", 16), (350, 120, "No."), (400, 120, "20260042"), (350, 135, "Date: 02/03/2026")],
            "20260042",
        ),
        # Label above its value, under a French title.
        (
            [
                (350, 100, "FACTURE", 16),
                (350, 120, "N°"),
                (350, 135, "FA-2026-17"),
                (450, 120, "Date"),
                (450, 135, "02/03/2026"),
            ],
            "FA-2026-17",
        ),
        # German "Nr.:" with a colon, value a column further right.
        (
            [(350, 100, "Rechnung", 16), (350, 120, "Nr.:"), (430, 120, "RE-4711"), (350, 135, "Datum: 02.03.2026")],
            "RE-4711",
        ),
        # A hash label in a box to the right of the title.
        ([(60, 100, "Invoice", 16), (350, 100, "#"), (380, 100, "A-99812"), (350, 115, "Date: 02/03/2026")], "A-99812"),
    ],
)
def test_a_bare_number_label_under_an_invoice_title(texts, number):
    assert read_fields(read_text_pdf(make_pdf([_LETTERHEAD + texts]))).invoice_number == number


def test_a_bare_number_label_without_an_invoice_title_is_not_taken():
    texts: list[Text] = [(350, 100, "Delivery note", 16), (350, 120, "No."), (400, 120, "778812")]
    assert read_fields(read_text_pdf(make_pdf([_LETTERHEAD + texts]))).invoice_number is None
