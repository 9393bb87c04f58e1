from datetime import date
from decimal import Decimal

from invoices.extraction.engine import extract
from invoices.extraction.fields import read_fields
from invoices.extraction.result import FIELD_NAMES
from reading.tests.pdfs import make_pdf
from reading.textpdf import read_text_pdf


def _read(texts):
    return read_fields(read_text_pdf(make_pdf([texts])))


def _english_right_totals():
    # Header block, labels left and values on the same line, totals block on the right.
    return [
        (50, 60, "Acme Widgets Ltd", 18),
        (50, 80, "12 High Street, London"),
        (50, 95, "VAT No: GB 980 7806 84"),
        (380, 60, "INVOICE", 16),
        (380, 90, "Invoice No: INV-2026-0042"),
        (380, 105, "Invoice Date: 14/03/2026"),
        (380, 120, "Due Date: 13/04/2026"),
        (50, 160, "Bill to:"),
        (50, 175, "Bob's Bakery Limited"),
        (50, 190, "1 Market Road, Leeds"),
        (50, 240, "Description"),
        (300, 240, "Qty"),
        (380, 240, "Unit Price"),
        (480, 240, "Amount"),
        (50, 260, "Widget, blue"),
        (300, 260, "3"),
        (380, 260, "£250.00"),
        (480, 260, "£750.00"),
        (50, 275, "Installation service"),
        (300, 275, "2"),
        (380, 275, "£287.50"),
        (480, 275, "£575.00"),
        (380, 320, "Subtotal"),
        (480, 320, "£1,325.00"),
        (380, 335, "VAT 20%"),
        (480, 335, "£265.00"),
        (380, 350, "Total Due"),
        (480, 350, "£1,590.00"),
    ]


def test_it_reads_every_field_of_an_english_invoice():
    result = _read(_english_right_totals())

    assert result.source == "text_pdf"
    assert result.supplier.name == "Acme Widgets Ltd"
    assert result.supplier.address == "12 High Street, London, GB"  # the country from its GB VAT number
    assert result.supplier.tax_id == "GB980780684"
    assert result.invoice_number == "INV-2026-0042"
    assert result.invoice_date == date(2026, 3, 14)
    assert result.due_date == date(2026, 4, 13)
    assert result.currency == "GBP"
    assert result.subtotal == Decimal("1325.00")
    assert result.tax_rate == Decimal("20")
    assert result.tax_amount == Decimal("265.00")
    assert result.total == Decimal("1590.00")
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in result.line_items] == [
        ("Widget, blue", Decimal(3), Decimal("250.00"), Decimal("750.00")),
        ("Installation service", Decimal(2), Decimal("287.50"), Decimal("575.00")),
    ]
    assert result.page_count == 1
    assert "INV-2026-0042" in result.text


def test_agreeing_amounts_get_high_confidence_and_every_key_is_a_field_name():
    result = _read(_english_right_totals())

    assert set(result.field_confidence) <= set(FIELD_NAMES)
    assert result.field_confidence["total"] >= 0.9
    assert result.field_confidence["line_items"] >= 0.9
    assert 0 < result.confidence <= 1


def test_it_reads_a_french_invoice_with_labels_above_values():
    result = _read(
        [
            (50, 60, "Boulangerie Dupont SARL", 18),
            (50, 80, "3 rue de la Paix, 75002 Paris"),
            (50, 95, "N° TVA : FR40303265045"),
            (50, 140, "Facturé à :"),
            (50, 155, "Client Martin SAS"),
            (320, 140, "Facture n°"),
            (440, 140, "Date de facture"),
            (320, 155, "F-2026-118"),
            (440, 155, "05/02/2026"),
            (50, 220, "Désignation"),
            (300, 220, "Quantité"),
            (380, 220, "Prix unitaire"),
            (480, 220, "Montant"),
            (50, 240, "Pain de campagne"),
            (300, 240, "10"),
            (380, 240, "1 234,50"),
            (480, 240, "12 345,00 €"),
            (380, 290, "Total HT"),
            (480, 290, "12 345,00 €"),
            (380, 305, "TVA 5,5 %"),
            (480, 305, "678,98 €"),
            (380, 320, "Total TTC"),
            (480, 320, "13 023,98 €"),
        ]
    )

    assert result.supplier.name == "Boulangerie Dupont SARL"
    assert result.supplier.tax_id == "FR40303265045"
    assert result.invoice_number == "F-2026-118"
    assert result.invoice_date == date(2026, 2, 5)
    assert result.currency == "EUR"
    assert (result.subtotal, result.tax_amount, result.total) == (
        Decimal("12345.00"),
        Decimal("678.98"),
        Decimal("13023.98"),
    )
    assert result.tax_rate == Decimal("5.5")
    assert [(i.description, i.quantity, i.amount) for i in result.line_items] == [
        ("Pain de campagne", Decimal(10), Decimal("12345.00"))
    ]


def test_it_reads_a_german_invoice_with_a_sender_line_and_dotted_dates():
    result = _read(
        [
            (50, 50, "Muster Technik GmbH · Hauptstraße 5 · 80333 München", 7),
            (50, 70, "Kunden AG"),
            (50, 85, "Kundenweg 1, 10115 Berlin"),
            (350, 70, "Rechnungsnummer: RE-4711"),
            (350, 85, "Rechnungsdatum: 01.04.2026"),
            (350, 100, "Zahlbar bis: 30.04.2026"),
            (350, 115, "USt-IdNr.: DE136695976"),
            (50, 160, "Rechnung", 16),
            (50, 200, "Bezeichnung"),
            (300, 200, "Menge"),
            (380, 200, "Einzelpreis"),
            (480, 200, "Betrag"),
            (50, 220, "Wartungsvertrag"),
            (300, 220, "1"),
            (380, 220, "1.200,00"),
            (480, 220, "1.200,00"),
            (50, 235, "Ersatzteile"),
            (300, 235, "4"),
            (380, 235, "12,50"),
            (480, 235, "50,00"),
            (350, 280, "Nettobetrag"),
            (480, 280, "1.250,00 EUR"),
            (350, 295, "zzgl. MwSt. 19 %"),
            (480, 295, "237,50 EUR"),
            (350, 310, "Gesamtbetrag"),
            (480, 310, "1.487,50 EUR"),
        ]
    )

    assert result.supplier.name == "Muster Technik GmbH"
    assert result.supplier.address == "Hauptstraße 5, 80333 München, DE"  # the country from its DE VAT number
    assert result.supplier.tax_id == "DE136695976"
    assert result.invoice_number == "RE-4711"
    assert result.invoice_date == date(2026, 4, 1)
    assert result.due_date == date(2026, 4, 30)
    assert result.currency == "EUR"
    assert (result.subtotal, result.tax_rate, result.tax_amount, result.total) == (
        Decimal("1250.00"),
        Decimal("19"),
        Decimal("237.50"),
        Decimal("1487.50"),
    )
    assert [i.amount for i in result.line_items] == [Decimal("1200.00"), Decimal("50.00")]


def test_it_reads_a_malay_invoice():
    result = _read(
        [
            (50, 60, "Kedai Runcit Maju Sdn Bhd", 16),
            (50, 80, "No. 8, Jalan Ampang, 50450 Kuala Lumpur"),
            (50, 95, "No. SST: W10-1808-32000123"),
            (350, 60, "INVOIS", 16),
            (350, 90, "No. Invois: KRM/2026/031"),
            (350, 105, "Tarikh Invois: 15 Mac 2026"),
            (50, 140, "Kepada:"),
            (50, 155, "Syarikat Pelanggan Bhd"),
            (50, 200, "Keterangan"),
            (300, 200, "Kuantiti"),
            (380, 200, "Harga Seunit"),
            (480, 200, "Amaun"),
            (50, 220, "Beras 10kg"),
            (300, 220, "20"),
            (380, 220, "35.00"),
            (480, 220, "700.00"),
            (350, 260, "Jumlah Kecil"),
            (480, 260, "RM 700.00"),
            (350, 275, "Cukai Jualan 10%"),
            (480, 275, "RM 70.00"),
            (350, 290, "Jumlah Besar"),
            (480, 290, "RM 770.00"),
        ]
    )

    assert result.supplier.name == "Kedai Runcit Maju Sdn Bhd"
    assert result.supplier.tax_id == "W10-1808-32000123"
    assert result.invoice_number == "KRM/2026/031"
    assert result.invoice_date == date(2026, 3, 15)
    assert result.currency == "MYR"
    assert (result.subtotal, result.tax_rate, result.tax_amount, result.total) == (
        Decimal("700.00"),
        Decimal("10"),
        Decimal("70.00"),
        Decimal("770.00"),
    )
    assert [(i.description, i.quantity, i.unit_price) for i in result.line_items] == [
        ("Beras 10kg", Decimal(20), Decimal("35.00"))
    ]


def test_it_reads_a_spanish_invoice_with_values_below_labels():
    result = _read(
        [
            (50, 60, "Distribuciones Sol S.L.", 16),
            (50, 80, "Calle Mayor 10, 28013 Madrid"),
            (50, 95, "NIF: ESB12345674"),
            (50, 140, "Número de factura"),
            (50, 155, "2026-0077"),
            (200, 140, "Fecha de factura"),
            (200, 155, "20/01/2026"),
            (350, 140, "Fecha de vencimiento"),
            (350, 155, "19/02/2026"),
            (350, 200, "Base imponible"),
            (480, 200, "1.000,00 €"),
            (350, 215, "IVA 21%"),
            (480, 215, "210,00 €"),
            (350, 230, "Total factura"),
            (480, 230, "1.210,00 €"),
        ]
    )

    assert result.supplier.name == "Distribuciones Sol S.L."
    assert result.supplier.tax_id == "ESB12345674"
    assert result.invoice_number == "2026-0077"
    assert result.invoice_date == date(2026, 1, 20)
    assert result.due_date == date(2026, 2, 19)
    assert result.currency == "EUR"
    assert (result.subtotal, result.tax_rate, result.tax_amount, result.total) == (
        Decimal("1000.00"),
        Decimal("21"),
        Decimal("210.00"),
        Decimal("1210.00"),
    )


def test_it_reads_a_dutch_invoice_with_iso_currency_codes():
    result = _read(
        [
            (50, 60, "Fietsen Verhuur B.V.", 16),
            (50, 80, "Weena 10, 3012 CN Rotterdam"),
            (50, 95, "BTW-nummer: NL004495445B01"),
            (350, 90, "Factuurnummer: 20260314"),
            (350, 105, "Factuurdatum: 14-03-2026"),
            (350, 120, "Vervaldatum: 28-03-2026"),
            (50, 200, "Omschrijving"),
            (300, 200, "Aantal"),
            (380, 200, "Prijs"),
            (480, 200, "Bedrag"),
            (50, 220, "Fietshuur per dag"),
            (300, 220, "5"),
            (380, 220, "15,00"),
            (480, 220, "75,00"),
            (350, 260, "Subtotaal"),
            (480, 260, "EUR 75,00"),
            (350, 275, "BTW 9%"),
            (480, 275, "EUR 6,75"),
            (350, 290, "Totaal"),
            (480, 290, "EUR 81,75"),
        ]
    )

    assert result.supplier.name == "Fietsen Verhuur B.V."
    assert result.supplier.tax_id == "NL004495445B01"
    assert result.invoice_number == "20260314"
    assert result.invoice_date == date(2026, 3, 14)
    assert result.due_date == date(2026, 3, 28)
    assert result.currency == "EUR"
    assert (result.subtotal, result.tax_rate, result.tax_amount, result.total) == (
        Decimal("75.00"),
        Decimal("9"),
        Decimal("6.75"),
        Decimal("81.75"),
    )
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in result.line_items] == [
        ("Fietshuur per dag", Decimal(5), Decimal("15.00"), Decimal("75.00"))
    ]


def test_an_unambiguous_date_elsewhere_decides_month_first_order():
    texts = _english_right_totals()
    texts[5] = (380, 105, "Invoice Date: 03/04/2026")
    texts[6] = (380, 120, "Due Date: 04/30/2026")

    result = _read(texts)

    assert result.invoice_date == date(2026, 3, 4)
    assert result.due_date == date(2026, 4, 30)


def test_the_engine_reads_a_text_pdf_and_sends_a_scan_to_ocr():
    result = extract(make_pdf([_english_right_totals()]))
    assert result.total == Decimal("1590.00")

    assert extract(make_pdf([[(50, 50, "scan")]])).source == "ocr"
