"""The supplier's address as letterheads and seller blocks print it, read into "street, postcode city, CC".

Every document is drawn here; the suppliers, streets and towns are made up.
"""

import pytest

from invoices.extraction.fields import read_fields
from invoices.extraction.parties import format_address
from reading.tests.pdfs import Text, make_pdf, right_aligned
from reading.textpdf import read_text_pdf


def _supplier(*pages: list[Text]):
    return read_fields(read_text_pdf(make_pdf(list(pages)))).supplier


_BODY: list[Text] = [
    (60, 300, "Rechnung Nr. RE-2207"),
    (60, 315, "Datum: 14.03.2025"),
    (60, 500, "Summe 240,00 EUR"),
]


def test_a_right_aligned_letterhead_is_read_down_its_right_edge():
    supplier = _supplier(
        [
            right_aligned(540, 50, "Tischlerei Holzwerk GmbH", 14),
            right_aligned(540, 68, "Am Sägewerk 7"),
            right_aligned(540, 82, "Ortsteil Unterau"),
            right_aligned(540, 96, "34567 Waldhausen"),
            right_aligned(540, 110, "Deutschland"),
            (60, 160, "Max Käufer"),
            *_BODY,
        ]
    )

    assert supplier.name == "Tischlerei Holzwerk GmbH"
    assert supplier.address == "Am Sägewerk 7, Ortsteil Unterau, 34567 Waldhausen, DE"


def test_lines_of_the_neighbouring_column_set_between_the_letterhead_lines_are_skipped():
    supplier = _supplier(
        [
            (400, 48, "Fietsen Kanaal B.V.", 9),
            (45, 52, "FACTUUR", 18),
            (400, 63, "Kanaalweg 664", 9),
            (45, 70, "Alles voor de fiets.", 14),
            (400, 77, "2011 AB Haarlem", 9),
            (400, 91, "Nederland", 9),
            (400, 130, "BTW NL810433941B01", 9),
            (45, 200, "Factuurnummer: 99354"),
            (45, 215, "Factuurdatum: 19-04-2024"),
            (45, 400, "Totaal € 717,97"),
        ]
    )

    assert supplier.name == "Fietsen Kanaal B.V."
    assert supplier.address == "Kanaalweg 664, 2011 AB Haarlem, NL"


@pytest.mark.parametrize(
    "block",
    [
        # The person and the department printed under the name, without labels.
        [
            (60, 100, "Verkäufer:"),
            (60, 114, "Beispielbau GmbH"),
            (60, 128, "Erika Beispiel"),
            (60, 142, "Einkauf Süd"),
            (60, 156, "Werkstraße 4"),
            (60, 170, "DE 70173 Stuttgart"),
            (60, 184, "Telefon: +49 711 123456"),
        ],
        # The same block with a label in front of each value.
        [
            (60, 100, "Verkäufer"),
            (60, 114, "Name:"),
            (250, 114, "Beispielbau GmbH"),
            (60, 128, "Ansprechpartner:"),
            (250, 128, "Erika Beispiel"),
            (60, 142, "Abteilung:"),
            (250, 142, "Einkauf Süd"),
            (60, 156, "Anschrift:"),
            (250, 156, "Werkstraße 4"),
            (250, 170, "DE 70173 Stuttgart"),
            (60, 184, "Telefon:"),
            (250, 184, "+49 711 123456"),
        ],
        # "z. Hd." names the person the letter is for, not a place.
        [
            (60, 100, "Beispielbau GmbH", 14),
            (60, 118, "z. Hd. Frau Erika Beispiel"),
            (60, 132, "Werkstraße 4"),
            (60, 146, "70173 Stuttgart"),
        ],
    ],
)
def test_a_contact_person_or_department_under_the_name_is_not_part_of_the_address(block):
    supplier = _supplier([*block, (60, 240, "USt-IdNr.: DE136695976"), *_BODY])

    assert supplier.name == "Beispielbau GmbH"
    assert supplier.address == "Werkstraße 4, 70173 Stuttgart, DE"


def test_the_postcode_line_after_a_district_line_and_a_wider_gap_is_kept():
    supplier = _supplier(
        [
            (400, 110, "Kontor Nord GmbH", 11),
            (400, 125, "Hafenstraße 12"),
            (400, 139, "Altona"),
            (400, 157, "22765 Hamburg"),
            (400, 171, "Deutschland"),
            (400, 200, "Your Reference"),
            (60, 110, "Erika Beispiel"),
            (60, 124, "Station Road, 21"),
            (60, 138, "48436 Düsseldorf"),
            (60, 300, "Invoice No. 4711"),
            (60, 315, "Date: 2025-03-14"),
            (60, 500, "Total EUR 240.00"),
        ]
    )

    assert supplier.address == "Hafenstraße 12, Altona, 22765 Hamburg, DE"


@pytest.mark.parametrize(
    ("lines", "address"),
    [
        (["14 Bridge Street", "GB EC1A 1BB London"], "14 Bridge Street, EC1A 1BB London, GB"),
        (["Kanaalweg 5", "NL 1234 AB Delft"], "Kanaalweg 5, 1234 AB Delft, NL"),
        (["Werkstraße 4", "DE 70173 Stuttgart"], "Werkstraße 4, 70173 Stuttgart, DE"),
        (["Kanaalweg 5, 1234 AB, Delft"], "Kanaalweg 5, 1234 AB Delft"),
        (["9 rue des Lilas", "69002, Lyon", "France"], "9 rue des Lilas, 69002 Lyon, FR"),
        (["Station Road, 21", "48436 Düsseldorf"], "Station Road, 21, 48436 Düsseldorf"),
    ],
)
def test_address_lines_are_joined_with_the_country_code_last_and_no_comma_inside_postcode_and_city(lines, address):
    assert format_address(lines) == address


def test_a_country_code_before_a_uk_postcode_is_not_repeated():
    supplier = _supplier(
        [
            (50, 100, "Verkäufer:"),
            (50, 112, "Northwind Supplies Ltd."),
            (50, 124, "14 Bridge Street"),
            (50, 136, "GB EC1A 1BB London"),
            (50, 158, "USt.-Id.-Nr. : GB999999973"),
            (50, 180, "Käufer:"),
            (50, 192, "Beispielbau GmbH"),
            *_BODY,
        ]
    )

    assert supplier.name == "Northwind Supplies Ltd."
    assert supplier.address == "14 Bridge Street, EC1A 1BB London, GB"


def test_a_sender_line_with_a_four_digit_house_number_keeps_its_postcode_and_city():
    supplier = _supplier(
        [
            (100, 40, "Moulin du Coteau SARL - 1875 route des Vignes - 26110 Nyons - France", 9),
            (100, 54, "TVA : FR40303265045 - SIRET : 30326504500017", 9),
            (350, 200, "Facture N° F-2026-31"),
            (350, 215, "Date : 03/02/2026"),
            (350, 400, "Total TTC 120,00 €"),
        ]
    )

    assert supplier.address == "1875 route des Vignes, 26110 Nyons, FR"


def test_a_german_tax_number_gives_the_address_its_country_when_no_vat_id_is_printed():
    supplier = _supplier(
        [
            (60, 60, "Beispielbau GmbH", 14),
            (60, 80, "Werkstraße 4"),
            (60, 95, "70173 Stuttgart"),
            (60, 120, "Steuernummer: 201/113/40209"),
            *_BODY,
        ]
    )

    assert supplier.tax_id == "201/113/40209"
    assert supplier.address == "Werkstraße 4, 70173 Stuttgart, DE"
