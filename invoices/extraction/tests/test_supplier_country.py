"""A supplier address that prints no country takes it from the supplier's VAT number."""

import pytest

from invoices.extraction.fields import read_fields
from invoices.extraction.parties import vat_country
from reading.tests.pdfs import Text, make_pdf
from reading.textpdf import read_text_pdf


def _supplier(texts: list[Text]):
    return read_fields(read_text_pdf(make_pdf([texts]))).supplier


def test_a_german_letterhead_with_the_vat_number_in_the_footer():
    supplier = _supplier(
        [
            (400, 60, "Bei Spiel GmbH", 14),
            (400, 80, "Ecke 12"),
            (400, 95, "12345 Stadthausen"),
            (60, 200, "Rechnung Nr. RE-501"),
            (60, 215, "Datum: 22.05.2014"),
            (60, 400, "Summe 160,00 EUR"),
            (60, 780, "USt-IdNr.: DE136695976"),
        ]
    )
    assert supplier.name == "Bei Spiel GmbH"
    assert supplier.address == "Ecke 12, 12345 Stadthausen, DE"


def test_a_french_header_with_the_vat_number_under_the_address():
    supplier = _supplier(
        [
            (60, 60, "Atelier Lumière SARL", 14),
            (60, 80, "12 rue des Lilas"),
            (60, 95, "69002 Lyon"),
            (60, 110, "TVA intracommunautaire : FR40303265045"),
            (350, 200, "Facture N° F-2026-31"),
            (350, 215, "Date : 03/02/2026"),
            (350, 400, "Total TTC 120,00 €"),
        ]
    )
    assert supplier.address == "12 rue des Lilas, 69002 Lyon, FR"


def test_a_printed_country_is_kept_and_not_repeated():
    supplier = _supplier(
        [
            (60, 60, "Tulip Trading B.V.", 14),
            (60, 80, "Weena 10"),
            (60, 95, "3012 CN Rotterdam"),
            (60, 110, "Nederland"),
            (60, 140, "BTW: NL810433941B01"),
            (350, 200, "Factuurnummer: 99354"),
            (350, 215, "Factuurdatum: 19-04-2014"),
            (350, 400, "Totaal € 717,97"),
        ]
    )
    assert supplier.address == "Weena 10, 3012 CN Rotterdam, NL"


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [("DE123456789", "DE"), ("EL094259216", "GR"), ("GB 123 4567 89", "GB"), ("201/113/40209", None), (None, None)],
)
def test_the_country_a_tax_number_names(tax_id, country):
    assert vat_country(tax_id) == country
