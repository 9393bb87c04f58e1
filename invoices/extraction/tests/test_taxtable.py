"""Tax breakdown tables: rates, bases and taxes read by column, in several languages and layouts."""

from decimal import Decimal

from invoices.extraction.fields import read_fields
from invoices.extraction.layout import Layout
from invoices.extraction.taxtable import read_tax_tables
from reading.tests.pdfs import Text, make_pdf, right_aligned
from reading.textpdf import read_text_pdf


def _layout(texts: list[Text]) -> Layout:
    return Layout(read_text_pdf(make_pdf([texts])))


def test_a_dutch_table_with_a_gross_column_and_a_total_row_under_it():
    # The gross column ("Totaal") sits right of the tax: its figure is not the tax.
    texts: list[Text] = [
        (50, 100, "Factuur VF1005193039"),
        (50, 150, "Onderhoudsset CA6707/10"),
        right_aligned(540, 150, "49,99"),
        (340, 200, "BTW %"),
        (395, 200, "Grondslag"),
        (445, 200, "BTW bedrag"),
        (515, 200, "Totaal"),
        (350, 215, "21 %"),
        right_aligned(435, 215, "41,31"),
        right_aligned(495, 215, "8,68"),
        right_aligned(545, 215, "49,99"),
        right_aligned(435, 230, "41,31"),
        right_aligned(495, 230, "8,68"),
        right_aligned(545, 230, "49,99"),
        (50, 260, "Factuur totaal EUR"),
        right_aligned(545, 260, "49,99"),
    ]
    [table] = read_tax_tables(_layout(texts), ",")
    assert (table.rates, table.base, table.tax) == ([Decimal(21)], Decimal("41.31"), Decimal("8.68"))

    result = read_fields(read_text_pdf(make_pdf([texts])))
    assert (result.subtotal, result.tax_amount, result.total) == (Decimal("41.31"), Decimal("8.68"), Decimal("49.99"))
    assert result.tax_rate == Decimal(21)


def test_a_german_table_whose_rate_column_holds_bare_numbers_and_an_empty_column():
    texts: list[Text] = [
        (70, 100, "Art (Kategorie)"),
        (220, 100, "Warenwert"),
        (285, 100, "Zu-/Abschlag"),
        (360, 100, "Basisbetrag"),
        (425, 100, "Steuersatz [%]"),
        (490, 100, "Steuerbetrag"),
        (70, 115, "Umsatzsteuer (S)"),
        right_aligned(400, 115, "22,00"),
        right_aligned(470, 115, "7"),
        right_aligned(540, 115, "1,54"),
    ]
    [table] = read_tax_tables(_layout(texts), ",")
    assert (table.rates, table.base, table.tax) == ([Decimal(7)], Decimal("22.00"), Decimal("1.54"))


def test_an_english_table_with_two_rates_sums_bases_and_taxes():
    texts: list[Text] = [
        (300, 100, "VAT rate"),
        (380, 100, "Net amount"),
        (470, 100, "VAT amount"),
        (300, 115, "20%"),
        right_aligned(440, 115, "100.00"),
        right_aligned(530, 115, "20.00"),
        (300, 130, "5%"),
        right_aligned(440, 130, "50.00"),
        right_aligned(530, 130, "2.50"),
        (300, 160, "Please pay within 30 days."),
    ]
    [table] = read_tax_tables(_layout(texts), ".")
    assert (table.rates, table.base, table.tax) == ([Decimal(20), Decimal(5)], Decimal("150.00"), Decimal("22.50"))


def test_a_french_table_with_the_rate_printed_in_the_row_label():
    texts: list[Text] = [
        (60, 100, "Taux"),
        (200, 100, "Base HT"),
        (330, 100, "Montant TVA"),
        (60, 115, "TVA 5,5 %"),
        right_aligned(260, 115, "200,00"),
        right_aligned(390, 115, "11,00"),
        (60, 130, "TVA 20 %"),
        right_aligned(260, 130, "10,00"),
        right_aligned(390, 130, "2,00"),
    ]
    [table] = read_tax_tables(_layout(texts), ",")
    assert (table.rates, table.base, table.tax) == ([Decimal("5.5"), Decimal(20)], Decimal("210.00"), Decimal("13.00"))


def test_a_header_without_a_tax_amount_column_is_not_a_tax_table():
    texts: list[Text] = [
        (60, 100, "Description"),
        (300, 100, "Rate"),
        (400, 100, "Net"),
        (60, 115, "Consulting"),
        right_aligned(340, 115, "80.00"),
        right_aligned(440, 115, "800.00"),
    ]
    assert read_tax_tables(_layout(texts), ".") == []


_HEAD: list[Text] = [(50, 50, "Northwind Studio Ltd", 16), (350, 100, "Invoice No: 42"), (350, 115, "Date: 02/03/2026")]


def _box(rows: list[tuple[str, str]]) -> list[Text]:
    texts: list[Text] = []
    for i, (label, amount) in enumerate(rows):
        texts += [(350, 300 + 15 * i, label), right_aligned(540, 300 + 15 * i, amount)]
    return texts


def test_a_summary_box_with_one_tax_row_per_rate_sums_the_taxes():
    cases = [
        ([("Subtotal", "150.00"), ("VAT 20%", "20.00"), ("VAT 5%", "2.50"), ("Total", "172.50")], "22.50"),
        (
            [
                ("Nettobetrag", "150,00"),
                ("zzgl. 19% MwSt. auf 100,00", "19,00"),
                ("zzgl. 7% MwSt. auf 50,00", "3,50"),
                ("Gesamtbetrag", "172,50"),
            ],
            "22.50",
        ),
        ([("Total HT", "150,00"), ("TVA 20 %", "20,00"), ("TVA 5,5 %", "2,75"), ("Total TTC", "172,75")], "22.75"),
    ]
    for rows, tax in cases:
        result = read_fields(read_text_pdf(make_pdf([_HEAD + _box(rows)])))
        assert (result.subtotal, result.tax_amount) == (Decimal("150.00"), Decimal(tax)), rows


def test_a_summary_box_with_a_single_rate_keeps_its_tax_and_rate():
    rows = [("Subtotal", "150.00"), ("VAT 20%", "30.00"), ("Total", "180.00")]
    result = read_fields(read_text_pdf(make_pdf([_HEAD + _box(rows)])))
    assert (result.subtotal, result.tax_amount, result.tax_rate) == (Decimal("150.00"), Decimal("30.00"), Decimal(20))
