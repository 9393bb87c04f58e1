"""The supplier's tax id: the one its seller block prints, whole, and never digits of the next column.

Every document is drawn here; the suppliers are made up.
"""

import pytest

from invoices.extraction.fields import read_fields
from invoices.extraction.tax_ids import tax_id_candidates
from reading.tests.pdfs import Text, make_pdf
from reading.textpdf import read_text_pdf


def _supplier(*pages: list[Text]):
    return read_fields(read_text_pdf(make_pdf(list(pages)))).supplier


_BODY: list[Text] = [
    (60, 300, "Rechnung Nr. RE-2207"),
    (60, 315, "Datum: 14.03.2025"),
    (60, 500, "Summe 240,00 EUR"),
]


@pytest.mark.parametrize(
    ("footer", "tax_id"),
    [
        ([(57, 760, "VAT Registration No."), (57, 772, "DE136695976"), (312, 772, "999 / 9 99 99 99")], "DE136695976"),
        ([(57, 772, "VAT: GB999999973"), (250, 772, "123 456 789")], "GB999999973"),
        ([(57, 772, "USt-IdNr. DE 136 695 976"), (250, 772, "HRB 12345")], "DE136695976"),
    ],
)
def test_a_number_in_the_next_column_is_not_read_as_more_digits_of_the_vat_id(footer, tax_id):
    supplier = _supplier([(60, 50, "Beispielbau GmbH", 14), (60, 68, "Werkstraße 4"), *_BODY, *footer])

    assert supplier.tax_id == tax_id


def test_the_tax_number_in_the_seller_block_beats_a_vat_id_printed_in_a_note_on_a_later_page():
    supplier = _supplier(
        [
            (50, 100, "Verkäufer:"),
            (50, 112, "Beispielbau GmbH"),
            (50, 124, "Werkstraße 4"),
            (50, 136, "DE 70173 Stuttgart"),
            (50, 158, "Steuernummer : 201/113/40209"),
            (50, 180, "Käufer:"),
            (50, 192, "Kunde Muster AG"),
            *_BODY,
        ],
        [
            (50, 100, "Bemerkung: Regulatory information"),
            (50, 112, "Beispielbau GmbH"),
            (50, 124, "USt-IdNr: DE136695976"),
        ],
    )

    assert supplier.tax_id == "201/113/40209"


def test_a_seller_block_with_both_numbers_gives_the_vat_id():
    supplier = _supplier(
        [
            (50, 100, "Seller"),
            (50, 112, "Beispielbau GmbH"),
            (50, 124, "Werkstraße 4"),
            (50, 136, "DE 70173 Stuttgart"),
            (50, 158, "Steuernummer: 201/113/40209"),
            (50, 170, "USt-IdNr.: DE136695976"),
            (50, 192, "Buyer"),
            (50, 204, "Kunde Muster AG"),
            *_BODY,
        ]
    )

    assert supplier.tax_id == "DE136695976"


def test_a_seller_column_beside_the_buyer_column_gives_its_labelled_federal_tax_number():
    supplier = _supplier(
        [
            (40, 64, "Lieferant"),
            (210, 64, "Käufer"),
            (40, 73, "GLN 4012345000009"),
            (210, 73, "GLN 4098765000001"),
            (40, 82, "BEISPIELBAU GMBH"),
            (210, 82, "KUNDE MUSTER AG"),
            (40, 103, "WERKSTRASSE 4"),
            (210, 103, "KUNDENWEG 8"),
            (40, 112, "70173 STUTTGART"),
            (210, 112, "40235 DUESSELDORF"),
            (40, 149, "Steuer-Nr"),
            (107, 149, ": 5133081508159"),
            (210, 149, "Kunden-Nr. : 339420"),
            *_BODY,
            (44, 775, "BEISPIELBAU GMBH", 7),
            (250, 775, "USt-IdNr: DE136695976", 7),
        ]
    )

    assert supplier.name == "BEISPIELBAU GMBH"
    assert supplier.tax_id == "5133081508159"
    assert supplier.address == "WERKSTRASSE 4, 70173 STUTTGART, DE"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Steuer-Nr.: 5133081508159", ["5133081508159"]),
        ("St.-Nr. 5133081508159", ["5133081508159"]),
        ("GLN 4012345000009", []),
        ("Artikel 5133081508159", []),
    ],
)
def test_a_thirteen_digit_tax_number_counts_only_after_its_label(text, found):
    assert [match.value for match in tax_id_candidates(text) if match.kind == "de_stnr"] == found


@pytest.mark.parametrize(
    "buyer_line",
    [
        [(60, 700, "Your VAT number: NL000099998B57")],
        [(60, 700, "Ihre USt-IdNr."), (200, 700, ":"), (230, 700, "DE 136 695 976")],
    ],
)
def test_the_buyers_own_vat_number_is_not_the_suppliers_but_a_customer_number_beside_the_id_does_not_matter(
    buyer_line,
):
    supplier = _supplier(
        [
            (60, 50, "Beispielbau GmbH", 14),
            (60, 68, "Werkstraße 4"),
            (60, 82, "70173 Stuttgart"),
            (60, 110, "Steuernummer: 201/113/40209"),
            (300, 110, "Kunden-Nr.: 339420"),
            *_BODY,
            *buyer_line,
        ]
    )

    assert supplier.tax_id == "201/113/40209"
