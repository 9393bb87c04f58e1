from decimal import Decimal

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from invoices.extraction.layout import Layout
from invoices.extraction.lineitems import read_line_items
from invoices.extraction.result import LineItem
from invoices.extraction.units import is_measured, unit_code, unit_in_description
from reading.amounts import detect_decimal_separator
from reading.tests.pdfs import make_pdf, right_aligned
from reading.textpdf import read_text_pdf
from reading.words import Page, Word, WordDocument


def _items(*pages):
    layout = Layout(read_text_pdf(make_pdf(list(pages))))
    return read_line_items(layout, detect_decimal_separator([line.text for line in layout.lines]))


def _line(description, quantity, unit, unit_price, amount, tax_rate):
    def number(value):
        return None if value is None else Decimal(value)

    return LineItem(
        description=description,
        quantity=number(quantity),
        unit_price=number(unit_price),
        amount=number(amount),
        tax_rate=number(tax_rate),
        unit=unit,
    )


def _row(y, description, quantity, unit_price, rate, amount, *, x=(50, 300, 400, 460, 540)):
    texts = [(x[0], y, description), right_aligned(x[1], y, quantity), right_aligned(x[2], y, unit_price)]
    return [*texts, right_aligned(x[3], y, rate), right_aligned(x[4], y, amount)]


def _english_invoice():
    return [
        (50, 60, "Northwind Studio Ltd", 16),
        (50, 80, "Invoice No: NW-2026-117"),
        (50, 95, "Invoice Date: 02/03/2026"),
        (50, 200, "Description"),
        (270, 200, "Qty"),
        (310, 200, "Unit"),
        (360, 200, "Unit Price"),
        (430, 200, "VAT %"),
        (500, 200, "Amount"),
        (50, 220, "Website design, phase 1"),
        right_aligned(290, 220, "12.5"),
        (310, 220, "hours"),
        right_aligned(410, 220, "80.00"),
        right_aligned(460, 220, "20%"),
        right_aligned(540, 220, "1,000.00"),
        (50, 231, "Wireframes and mock-ups"),
        (50, 250, "USB-C cable, 2 m"),
        right_aligned(290, 250, "3"),
        (310, 250, "pcs"),
        right_aligned(410, 250, "9.99"),
        right_aligned(460, 250, "20%"),
        right_aligned(540, 250, "29.97"),
        (50, 270, "Cloud hosting (per month)"),
        right_aligned(290, 270, "12"),
        right_aligned(410, 270, "12.50"),
        right_aligned(460, 270, "0%"),
        right_aligned(540, 270, "150.00"),
        (380, 320, "Subtotal"),
        right_aligned(540, 320, "1,179.97"),
        (380, 335, "VAT 20%"),
        right_aligned(540, 335, "205.99"),
        (380, 350, "Total"),
        right_aligned(540, 350, "1,385.96"),
    ]


def test_it_reads_every_column_of_an_english_table_with_a_two_line_description():
    assert _items(_english_invoice()) == [
        _line("Website design, phase 1 Wireframes and mock-ups", "12.5", "HUR", "80.00", "1000.00", "20"),
        _line("USB-C cable, 2 m", "3", "H87", "9.99", "29.97", "20"),
        _line("Cloud hosting (per month)", "12", "MON", "12.50", "150.00", "0"),
    ]


def _german_invoice():
    header = [
        (50, 250, "Pos."),
        (80, 250, "Artikel"),
        (270, 250, "Menge"),
        (310, 250, "Einheit"),
        (370, 250, "Preis"),
        (490, 250, "Betrag"),
        (370, 261, "netto"),
        (430, 261, "USt %"),
        (490, 261, "netto"),
    ]

    def row(y, number, description, quantity, unit, price, rate, amount):
        texts = [(50, y, number), (80, y, description), right_aligned(300, y, quantity), (310, y, unit)]
        return [*texts, right_aligned(400, y, price), right_aligned(455, y, rate), right_aligned(530, y, amount)]

    return [
        (50, 60, "Gartenbau Müller GmbH", 16),
        (50, 80, "Rechnung Nr. 2026-0815 vom 05.03.2026"),
        *header,
        *row(285, "1", "Beratung Projektsteuerung", "6,5", "Std", "95,00", "19 %", "617,50"),
        (80, 296, "vor Ort, inklusive Anfahrt"),
        (80, 307, "und Protokoll"),
        (80, 330, "Lieferschein: 4711 vom 03.03.2026"),
        *row(350, "2", "Kunstrasen grün,", "12,00", "m²", "3,3333", "19 %", "40,00"),
        (80, 361, "3 m breit"),
        *row(385, "3", "Heizöl extra leicht", "1.500", "l", "0,9870", "19 %", "1.480,50"),
        *row(405, "4", "Versandpauschale", "1", "", "12,90", "7 %", "12,90"),
        (330, 450, "Summe netto"),
        right_aligned(530, 450, "2.150,90"),
        (330, 465, "USt 19 %"),
        right_aligned(530, 465, "405,77"),
        (330, 480, "Gesamtbetrag"),
        right_aligned(530, 480, "2.557,57"),
    ]


def test_it_reads_a_german_table_with_a_two_row_header_and_descriptions_over_several_lines():
    assert _items(_german_invoice()) == [
        _line(
            "Beratung Projektsteuerung vor Ort, inklusive Anfahrt und Protokoll", "6.5", "HUR", "95.00", "617.50", "19"
        ),
        _line("Kunstrasen grün, 3 m breit", "12", "MTK", "3.3333", "40.00", "19"),
        _line("Heizöl extra leicht", "1500", "LTR", "0.9870", "1480.50", "19"),
        _line("Versandpauschale", "1", "C62", "12.90", "12.90", "7"),
    ]


def test_a_note_between_rows_is_neither_a_row_nor_part_of_a_description():
    items = _items(_german_invoice())
    assert len(items) == 4
    assert not any("Lieferschein" in (item.description or "") for item in items)


def _french_invoice():
    header = [
        (50, 200, "Désignation"),
        (250, 200, "Qté"),
        (300, 200, "Prix unitaire HT"),
        (390, 200, "TVA"),
        (430, 200, "Montant HT"),
        (500, 200, "Montant TTC"),
    ]

    def row(y, description, quantity, price, rate, net, gross):
        texts = [(50, y, description), (250, y, quantity), right_aligned(370, y, price), right_aligned(415, y, rate)]
        return [*texts, right_aligned(480, y, net), right_aligned(550, y, gross)]

    return [
        (50, 60, "Torréfaction Lyonnaise SARL", 16),
        (50, 80, "Facture n° F-2026-044 du 10/03/2026"),
        *header,
        *row(220, "Café en grains", "2 kg", "18,50", "5,5 %", "37,00", "39,04"),
        *row(240, "Location machine expresso", "3 jours", "45,00", "20 %", "135,00", "162,00"),
        *row(260, "Détartrant", "4", "6,25", "20 %", "25,00", "30,00"),
        (380, 310, "Total HT"),
        right_aligned(550, 310, "197,00"),
        (380, 325, "TVA"),
        right_aligned(550, 325, "34,04"),
        (380, 340, "Total TTC"),
        right_aligned(550, 340, "231,04"),
    ]


def test_it_takes_the_net_line_amount_when_a_gross_one_is_printed_beside_it():
    assert _items(_french_invoice()) == [
        _line("Café en grains", "2", "KGM", "18.50", "37.00", "5.5"),
        _line("Location machine expresso", "3", "DAY", "45.00", "135.00", "20"),
        _line("Détartrant", "4", "C62", "6.25", "25.00", "20"),
    ]


def _dutch_invoice_with_quantities_first():
    def row(y, quantity, description, rate, price, amount):
        texts = [right_aligned(90, y, quantity), (110, y, description), right_aligned(320, y, rate)]
        return [*texts, right_aligned(420, y, price), right_aligned(520, y, amount)]

    return [
        (50, 60, "Bakkerij De Molen B.V.", 16),
        (50, 80, "Factuurnummer: 2026-311"),
        (50, 200, "Aantal"),
        (110, 200, "Omschrijving"),
        (290, 200, "BTW"),
        (380, 200, "Prijs"),
        (480, 200, "Bedrag"),
        *row(220, "1,00", "Bruiloftstaart (per stuk):", "9%", "185,00", "185,00"),
        (110, 231, "drie lagen, vanille"),
        *row(250, "40,00", "Petitfours", "9%", "1,25", "50,00"),
        *row(270, "2,50", "Bezorging (uur)", "21%", "30,00", "75,00"),
        (50, 310, "Subtotaal"),
        right_aligned(520, 310, "310,00"),
    ]


def test_it_reads_quantities_printed_before_the_description():
    assert _items(_dutch_invoice_with_quantities_first()) == [
        _line("Bruiloftstaart (per stuk): drie lagen, vanille", "1", "C62", "185.00", "185.00", "9"),
        _line("Petitfours", "40", "C62", "1.25", "50.00", "9"),
        _line("Bezorging (uur)", "2.5", "HUR", "30.00", "75.00", "21"),
    ]


def test_arithmetic_decides_which_column_is_the_quantity_when_the_header_says_amount():
    page = [
        (50, 60, "Bei Spiel GmbH", 16),
        (60, 200, "Amount"),
        (120, 200, "Product"),
        (290, 200, "VAT"),
        (350, 200, "Price"),
        (450, 200, "Total"),
        right_aligned(100, 220, "400.00"),
        (120, 220, "Balloons: assorted colours"),
        right_aligned(310, 220, "19%"),
        right_aligned(400, 220, "0.79 €"),
        right_aligned(500, 220, "316.00 €"),
        right_aligned(100, 240, "800.00"),
        (120, 240, "Hot air (litres):"),
        right_aligned(310, 240, "19%"),
        right_aligned(400, 240, "0.025 €"),
        right_aligned(500, 240, "20.00 €"),
        (60, 270, "Net total: 336.00 €"),
    ]
    assert _items(page) == [
        _line("Balloons: assorted colours", "400", "C62", "0.79", "316.00", "19"),
        _line("Hot air (litres)", "800", "LTR", "0.025", "20.00", "19"),
    ]


def test_an_amount_printed_a_line_below_joins_its_row_and_attribute_notes_stay_out():
    page = [
        (70, 100, "Pos"),
        (120, 100, "Art-Nr"),
        (190, 100, "Beschreibung"),
        (330, 100, "Nettopreis"),
        (400, 100, "Menge"),
        (440, 100, "Steuersatz"),
        (500, 100, "Nettobetrag"),
        (120, 125, "SFK5"),
        (190, 125, "Schweinesteak"),
        right_aligned(375, 125, "5,5000"),
        right_aligned(425, 125, "4 kg"),
        right_aligned(480, 125, "7 %"),
        (120, 133, "GTIN 40002"),
        right_aligned(545, 133, "22,00"),
        (190, 150, "Bruttopreis : 5,5000"),
        (70, 170, "1"),
        (190, 170, "Bestellt wurden 5 kg, geliefert werden 4 kg."),
        (120, 200, "GTRWA5"),
        (190, 200, "Mineralwasser Medium"),
        right_aligned(375, 200, "5,4900"),
        right_aligned(425, 200, "20"),
        right_aligned(480, 200, "7 %"),
        (120, 208, "GTIN 40001"),
        (190, 208, "12 x 1,0l PET"),
        right_aligned(545, 208, "109,80"),
        (190, 225, "Bruttopreis : 5,4900"),
        (60, 280, "Umsatzsteueraufschlüsselung", 14),
        (70, 300, "Umsatzsteuer (S)"),
        right_aligned(400, 300, "131,80"),
        right_aligned(470, 300, "7"),
        right_aligned(545, 300, "9,23"),
    ]
    assert _items(page) == [
        _line("Schweinesteak", "4", "KGM", "5.5000", "22.00", "7"),
        _line("Mineralwasser Medium 12 x 1,0l PET", "20", "C62", "5.4900", "109.80", "7"),
    ]


def test_a_table_runs_on_to_the_next_page_without_its_header():
    first = [
        (50, 60, "Acme Supplies Ltd", 16),
        (50, 700, "Description"),
        (300, 700, "Qty"),
        (380, 700, "Unit Price"),
        (480, 700, "Amount"),
        *_row(720, "Printer paper A4", "10", "4.50", "", "45.00", x=(50, 320, 430, 460, 530)),
        (480, 800, "Page 1 of 2", 8),
    ]
    second = [
        (50, 40, "Acme Supplies Ltd - Invoice 7781 (continued)", 8),
        *_row(80, "Toner cartridge, black", "2", "61.00", "", "122.00", x=(50, 320, 430, 460, 530)),
        (380, 120, "Subtotal"),
        right_aligned(530, 120, "167.00"),
        (380, 135, "Total"),
        right_aligned(530, 135, "200.40"),
    ]
    assert _items(first, second) == [
        _line("Printer paper A4", "10", "C62", "4.50", "45.00", None),
        _line("Toner cartridge, black", "2", "C62", "61.00", "122.00", None),
    ]


def test_a_table_of_descriptions_and_amounts_only():
    page = [
        (50, 200, "Description"),
        (450, 200, "Amount"),
        (50, 220, "Monthly retainer, March 2026"),
        right_aligned(520, 220, "2,400.00"),
        (50, 240, "Expenses as agreed"),
        right_aligned(520, 240, "135.20"),
        (50, 280, "Total"),
        right_aligned(520, 280, "2,535.20"),
    ]
    assert _items(page) == [
        _line("Monthly retainer, March 2026", None, None, None, "2400.00", None),
        _line("Expenses as agreed", None, None, None, "135.20", None),
    ]


def test_a_document_without_an_item_table_has_no_line_items():
    page = [
        (50, 60, "Thank you for your order.", 14),
        (50, 100, "Invoice No: 17"),
        (50, 120, "Total due: 99.00"),
        (50, 140, "Quantity and price as agreed in our offer of 1 March."),
    ]
    assert _items(page) == []


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("Stk", "C62"),
        ("Stück", "C62"),
        ("pcs", "H87"),
        ("Piece", "H87"),
        ("kg", "KGM"),
        ("Std.", "HUR"),
        ("Stunde", "HUR"),
        ("h", "HUR"),
        ("hours", "HUR"),
        ("l", "LTR"),
        ("Liter", "LTR"),
        ("m²", "MTK"),
        ("m2", "MTK"),
        ("kWh", "KWH"),
        ("jours", "DAY"),
        ("Pauschal", "LS"),
        ("Pck", "XPK"),
        ("Pkt.", "XPK"),
    ],
)
def test_unit_words_map_to_rec_20_codes(printed, code):
    assert unit_code(printed) == code


@pytest.mark.parametrize(
    ("code", "measured"),
    [
        ("HUR", True),
        ("KGM", True),
        ("LTR", True),
        ("KWH", True),
        ("C62", False),
        ("H87", False),
        ("XPK", False),
        (None, False),
    ],
)
def test_hours_weights_and_volumes_are_measured_and_pieces_are_counted(code, measured):
    assert is_measured(code) is measured


def test_unknown_unit_words_have_no_code():
    assert unit_code("Widget") is None
    assert unit_code("") is None


@pytest.mark.parametrize(
    ("description", "code"),
    [
        ("Künstlerische Gestaltung (Stunde): Einer Beispielrechnung", "HUR"),
        ("Design (hours)", "HUR"),
        ("Heiße Luft pro Liter", "LTR"),
        ("Luftballon: Bunt, ca. 500ml", None),
        ("Übernachtung. 2 Nächte Hotel", None),
        ("Kabel (m)", None),
    ],
)
def test_a_unit_named_in_a_description_is_found_only_in_parentheses_or_after_per(description, code):
    assert unit_in_description(description) == code


def test_a_description_under_a_centred_header_and_a_discount_column_that_is_not_a_tax_rate():
    def row(y, description, quantity, price, discount, amount):
        texts = [(35, y, description), right_aligned(392, y, quantity), right_aligned(457, y, price)]
        return [*texts, right_aligned(494, y, discount), right_aligned(562, y, amount)]

    page = [
        (30, 90, "Facture FA-2026-0009", 18),
        (419, 365, "Prix"),
        (154, 371, "Description"),
        (344, 371, "Quantité"),
        (466, 371, "Rem."),
        (513, 371, "Prix HT"),
        (410, 377, "unitaire"),
        *row(394, "Nougat de l'Abbaye 250g", "50 Unit(s)", "4,55 €", "10%", "204,75 €"),
        *row(412, "Biscuits aux raisins 300g", "40 Unit(s)", "3,20 €", "", "128,00 €"),
        *row(430, "Huile d'olive à l'ancienne", "10 Liter(s)", "19,80 €", "", "198,00 €"),
        (454, 451, "Total HT"),
        right_aligned(562, 451, "530,75 €"),
    ]
    assert _items(page) == [
        _line("Nougat de l'Abbaye 250g", "50", "C62", "4.55", "204.75", None),
        _line("Biscuits aux raisins 300g", "40", "C62", "3.20", "128.00", None),
        _line("Huile d'olive à l'ancienne", "10", "LTR", "19.80", "198.00", None),
    ]


def test_ocr_words_in_pixels_with_uneven_baselines_read_the_same():
    # What the OCR reader gives: pixel boxes at 300 dpi, one box per word, baselines off by a pixel or two.
    scale, words = 300 / 72, []
    for number, (x, y, text, *size) in enumerate(_english_invoice()):
        height = size[0] if size else 10
        position = x
        for part in text.split():
            width = stringWidth(part, "Helvetica", height)
            jitter = (number % 3) - 1
            top = (y - 0.8 * height) * scale + jitter
            words.append(Word(part, position * scale, top, (position + width) * scale, top + height * scale, 0, 0.9))
            position += width + stringWidth(" ", "Helvetica", height)
    layout = Layout(WordDocument([Page(0, 595 * scale, 842 * scale, words)], source="ocr"))
    expected = _items(_english_invoice())
    assert len(expected) == 3
    assert read_line_items(layout, ".") == expected


def _priced_table(header, rows, *, x=(50, 300, 400, 460, 540)):
    page = [(x[0], 200, header[0]), (x[1] - 30, 200, header[1]), (x[2] - 50, 200, header[2])]
    page += [(x[3] - 30, 200, header[3]), (x[4] - 50, 200, header[4])]
    for i, row in enumerate(rows):
        page += _row(220 + 15 * i, *row, x=x)
    return page


@pytest.mark.parametrize(
    ("header", "decimal_comma", "x"),
    [
        (("Description", "Qty", "Unit price", "VAT", "Amount"), False, (50, 300, 400, 460, 540)),
        (("Beschreibung", "Menge", "Nettopreis", "USt.", "Betrag"), True, (50, 280, 380, 450, 540)),
        (("Omschrijving", "Aantal", "Prijs", "BTW", "Bedrag"), True, (60, 320, 420, 480, 550)),
    ],
)
def test_a_unit_price_printed_rounded_is_recomputed_from_the_amount(header, decimal_comma, x):
    def n(text):
        return text.replace(".", ",") if decimal_comma else text

    rows = [
        ("Artificial turf, 3 m wide", "3", n("3.33"), "19%", n("10.00")),
        ("Paper bags", "3500", n("0.01"), "19%", n("36.75")),
        ("Consulting", "2", n("80.00"), "19%", n("160.00")),
    ]
    items = _items(_priced_table(header, rows, x=x))
    assert [item.unit_price for item in items] == [Decimal("3.3333"), Decimal("0.0105"), Decimal("80.00")]
    assert [item.amount for item in items] == [Decimal("10.00"), Decimal("36.75"), Decimal("160.00")]


def test_a_discounted_or_gross_amount_does_not_change_the_printed_unit_price():
    rows = [
        ("Monitor, 10% discount", "1", "200.00", "20%", "180.00"),
        ("Cable, gross", "2", "10.00", "20%", "24.00"),
        ("Paper, per 100 sheets", "500", "1.20", "20%", "6.00"),
    ]
    items = _items(_priced_table(("Description", "Qty", "Unit price", "VAT", "Amount"), rows))
    assert [item.unit_price for item in items] == [Decimal("200.00"), Decimal("10.00"), Decimal("1.20")]
