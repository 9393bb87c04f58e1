"""The supplier's name: a legal form the document declares on its own, and the owner behind a trading name.

Every document is drawn here; the suppliers are made up.
"""

import pytest

from invoices.extraction.fields import read_fields
from reading.tests.pdfs import Text, make_pdf
from reading.textpdf import read_text_pdf


def _supplier(texts: list[Text]):
    return read_fields(read_text_pdf(make_pdf([texts]))).supplier


_FRENCH_BODY: list[Text] = [
    (350, 200, "Facture N° F-2026-31"),
    (350, 215, "Date : 03/02/2026"),
    (350, 400, "Total TTC 120,00 €"),
]


@pytest.mark.parametrize(
    "texts",
    [
        # A sender line at the top; the capital line repeats the form.
        [
            (100, 40, "Moulin du Coteau SARL - 1875 route des Vignes - 26110 Nyons - France", 9),
            (100, 54, "TVA : FR40303265045 - SARL au capital de 8 000,00 €", 9),
        ],
        # The form first, the legal notice in the footer.
        [
            (60, 50, "SARL Moulin du Coteau", 14),
            (60, 68, "1875 route des Vignes"),
            (60, 82, "26110 Nyons"),
            (60, 780, "SARL au capital de 8 000 € - RCS Nyons 303 265 045 - TVA FR40303265045", 8),
        ],
        # "Forme juridique : SARL" among the company details.
        [
            (60, 50, "Moulin du Coteau SARL", 14),
            (60, 68, "1875 route des Vignes"),
            (60, 82, "26110 Nyons"),
            (60, 760, "Forme juridique : SARL", 8),
            (60, 772, "TVA intracommunautaire : FR40303265045", 8),
        ],
    ],
)
def test_a_legal_form_the_document_declares_apart_is_not_part_of_the_name(texts):
    supplier = _supplier([*texts, *_FRENCH_BODY])

    assert supplier.name == "Moulin du Coteau"
    assert supplier.address == "1875 route des Vignes, 26110 Nyons, FR"


@pytest.mark.parametrize(
    "footer",
    [
        "TVA intracommunautaire : FR40303265045",  # no form declared at all
        "SAS au capital de 8 000 € - TVA FR40303265045",  # another form declared than the name's
    ],
)
def test_a_legal_form_not_declared_apart_stays_in_the_name(footer):
    supplier = _supplier(
        [
            (60, 50, "Moulin du Coteau SARL", 14),
            (60, 68, "1875 route des Vignes"),
            (60, 82, "26110 Nyons"),
            (60, 780, footer, 8),
            *_FRENCH_BODY,
        ]
    )

    assert supplier.name == "Moulin du Coteau SARL"


@pytest.mark.parametrize(
    "owner_line",
    ["Owner by: Lembah Hijau Sdn Bhd", "Owned by Lembah Hijau Sdn Bhd", "OWNER: LEMBAH HIJAU SDN BHD"],
)
def test_the_company_named_by_an_owner_line_is_the_supplier(owner_line):
    supplier = _supplier(
        [
            (200, 40, "KOPI PAGI", 16),
            (160, 62, owner_line),
            (60, 120, "Receipt No: 5521"),
            (60, 135, "13-02-2016 02:29 PM"),
            (60, 170, "TOTAL"),
            (400, 170, "RM12.40"),
        ]
    )

    assert supplier.name.casefold() == "lembah hijau sdn bhd"


def test_a_name_that_starts_with_managed_is_a_name_and_not_an_owner_line():
    supplier = _supplier(
        [
            (60, 50, "Managed Print Services Ltd", 14),
            (60, 68, "14 Bridge Street"),
            (60, 82, "London EC1A 1BB"),
            (60, 110, "VAT Reg No: GB999999973"),
            (350, 200, "Invoice No: MP-0042"),
            (350, 215, "Date: 03/02/2026"),
            (350, 400, "Total £120.00"),
        ]
    )

    assert supplier.name == "Managed Print Services Ltd"
    assert supplier.address == "14 Bridge Street, London EC1A 1BB, GB"


@pytest.mark.parametrize(
    "attention",
    [
        "z. Hd. Herrn Bernd Beispiel",
        "Attn Accounts Payable Department",
        "T.a.v. Inkoopafdeling",
        "Zu Händen Frau Kranz",
    ],
)
def test_a_for_the_attention_of_line_in_large_type_is_not_the_name(attention):
    supplier = _supplier(
        [
            (60, 40, attention, 16),
            (60, 70, "Nordlicht Logistik"),
            (60, 84, "Kaistraße 9"),
            (60, 98, "24103 Kiel"),
            (60, 112, "USt-IdNr.: DE136695976"),
            (350, 200, "Rechnung Nr. RE-2207"),
            (350, 215, "Datum: 14.03.2025"),
            (350, 400, "Summe 240,00 EUR"),
        ]
    )

    assert supplier.name == "Nordlicht Logistik"
    assert supplier.address == "Kaistraße 9, 24103 Kiel, DE"


@pytest.mark.parametrize(
    "id_lines",
    [
        [],
        ["Nummer : 549910", "Globale Nummer: 4000001123452 (GLN)"],
        ["Nummer : 549910", "Globale Nummer: 4000001123452 (GLN)", "Leitweg-ID: 991-12345-67", "Kennung: K-22"],
    ],
)
def test_the_first_name_under_a_seller_label_is_the_supplier_after_any_number_of_id_lines(id_lines):
    block = ["Verkäufer:", *id_lines, "Bäckerei Kornblume", "Mühlenweg 3", "DE 37073 Göttingen"]
    texts: list[Text] = [(50, 100 + 12 * row, text) for row, text in enumerate(block)]
    supplier = _supplier(
        [
            (50, 40, "Sommerfest am Mühlenteich", 18),
            *texts,
            (50, 300, "Käufer:"),
            (50, 312, "Verein Beispiel e.V."),
            (350, 400, "Rechnung Nr. RE-2207"),
            (350, 415, "Datum: 14.03.2025"),
            (350, 600, "Summe 240,00 EUR"),
        ]
    )

    assert supplier.name == "Bäckerei Kornblume"
    assert supplier.address == "Mühlenweg 3, 37073 Göttingen, DE"
