"""Line-item tables in several layouts and languages, ruled and unruled, built as text PDFs in code."""

import io
from decimal import Decimal

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from invoices.extraction.layout import Layout
from invoices.extraction.lineitems import read_line_items
from reading.amounts import detect_decimal_separator
from reading.textpdf import read_text_pdf

# A cell is (x, text), starting at x, or (x, text, "r"), ending at x as figures are printed; a line is (y, cells).

HEADER_Y = 200
PITCH = 15  # between table lines
STACK = 11  # between the stacked rows of a header, and between the lines of one row


def _pdf(lines, *, ruled):
    """A one-page PDF with each line's cells at its y (from the top); ruled: a grid drawn around the table."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _width, height = A4
    pdf.setFont("Helvetica", 10)
    for y, cells in lines:
        for cell in cells:
            x, text = cell[0], cell[1]
            if len(cell) == 3:
                x -= stringWidth(text, "Helvetica", 10)
            pdf.drawString(x, height - y, text)
    if ruled:
        table = [y for y, _ in lines if HEADER_Y - 12 <= y < HEADER_Y + 200]
        top, bottom = min(table) - 12, max(table) + 5
        for y in sorted(set(table)):
            pdf.line(35, height - (y + 4), 570, height - (y + 4))
        for x in (35, 570):
            pdf.line(x, height - top, x, height - bottom)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _read(lines, *, ruled=False):
    layout = Layout(read_text_pdf(_pdf(lines, ruled=ruled)))
    return read_line_items(layout, detect_decimal_separator([line.text for line in layout.lines]))


def _invoice(header, rows, totals):
    """An invoice page: a title, header rows stacked tight, rows of one or more lines, a totals line."""
    lines = [(60.0, [(50, "Invoice / Rechnung / Facture / Factuur")]), (80.0, [(50, "No. 2026-0042")])]
    y = float(HEADER_Y)
    for header_row in header:
        lines.append((y, header_row))
        y += STACK
    y += PITCH - STACK
    for row in rows:
        for row_line in row:
            lines.append((y, row_line))
            y += STACK
        y += PITCH - STACK
    lines.append((y + PITCH, totals))
    return lines


# --- a measured quantity printed rounded --------------------------------------------------------------------------

COLUMNS = (250, 262, 380, 450, 540)  # right edge of the quantity, left of the unit, right of price, rate, amount


def _priced(labels, rows, total, *, x=COLUMNS):
    quantity, unit, price, rate, amount = x
    header = [[(50, labels[0]), (quantity - 30, labels[1]), (unit, labels[2]), (price - 55, labels[3])]]
    header[0] += [(rate - 30, labels[4]), (amount - 50, labels[5])]
    body = [
        [[(50, d), (quantity, q, "r"), (unit, u), (price, p, "r"), (rate, r, "r"), (amount, a, "r")]]
        for d, q, u, p, r, a in rows
    ]
    return _invoice(header, body, [(amount - 150, total[0]), (amount, total[1], "r")])


ROUNDED_QUANTITIES = [
    pytest.param(
        ("Description", "Qty", "Unit", "Unit price", "VAT", "Amount"),
        [("On-site support", "3", "h", "95.00", "20%", "261.25"), ("Network cable", "2", "pcs", "4.50", "20%", "9.00")],
        ("Subtotal", "270.25"),
        True,
        [(Decimal("2.75"), "HUR"), (Decimal("2"), "H87")],
        id="english-ruled",
    ),
    pytest.param(
        ("Leistung", "Menge", "Einheit", "Einzelpreis", "USt.", "Betrag"),
        [("Montage vor Ort", "28", "Std", "10,50", "19 %", "288,75"), ("Dübel", "100", "Stk", "0,10", "19 %", "10,00")],
        ("Zwischensumme", "298,75"),
        False,
        [(Decimal("27.5"), "HUR"), (Decimal("100"), "C62")],
        id="german-unruled",
    ),
    pytest.param(
        ("Désignation", "Qté", "Unité", "Prix unitaire", "TVA", "Montant HT"),
        [
            ("Fioul domestique", "124", "l", "1,20", "20 %", "148,56"),
            ("Livraison", "1", "forfait", "35,00", "20 %", "35,00"),
        ],
        ("Total HT", "183,56"),
        True,
        [(Decimal("123.8"), "LTR"), (Decimal("1"), "LS")],
        id="french-ruled",
    ),
    pytest.param(
        ("Omschrijving", "Aantal", "Eenheid", "Prijs", "BTW", "Bedrag"),
        [("Tuinaarde", "13", "kg", "3,20", "21%", "40,00"), ("Bloempot", "4", "stuks", "2,50", "21%", "10,00")],
        ("Subtotaal", "50,00"),
        False,
        [(Decimal("12.5"), "KGM"), (Decimal("4"), "C62")],
        id="dutch-unruled",
    ),
]


@pytest.mark.parametrize(("labels", "rows", "total", "ruled", "expected"), ROUNDED_QUANTITIES)
def test_a_measured_quantity_printed_rounded_is_recomputed_from_its_price_and_amount(
    labels, rows, total, ruled, expected
):
    items = _read(_priced(labels, rows, total), ruled=ruled)
    assert [(item.quantity, item.unit) for item in items] == expected
    assert [item.unit_price for item in items] == [Decimal(row[3].replace(",", ".")) for row in rows]


def test_a_count_of_pieces_that_misses_its_amount_keeps_its_printed_quantity():
    rows = [
        ("Office chair, 10% off", "2", "pcs", "100.00", "20%", "180.00"),
        ("Desk", "1", "pcs", "250.00", "20%", "250.00"),
    ]
    items = _read(_priced(("Description", "Qty", "Unit", "Unit price", "VAT", "Amount"), rows, ("Subtotal", "430.00")))
    assert [item.quantity for item in items] == [Decimal("2"), Decimal("1")]


def test_hours_beside_a_discount_column_keep_their_printed_quantity():
    header = [[(50, "Leistung"), (220, "Menge"), (262, "Einheit"), (320, "Einzelpreis"), (400, "Rabatt")]]
    header[0] += [(455, "USt."), (505, "Betrag")]
    row = [(50, "Beratung"), (250, "3", "r"), (262, "Std"), (380, "95,00", "r"), (430, "10 %", "r")]
    row += [(480, "19 %", "r"), (540, "256,50", "r")]
    items = _read(_invoice(header, [[row]], [(390, "Zwischensumme"), (540, "256,50", "r")]))
    assert [(item.quantity, item.unit_price, item.amount) for item in items] == [
        (Decimal("3"), Decimal("95.00"), Decimal("256.50"))
    ]


def test_a_rounded_unit_price_is_preferred_to_a_rounded_measured_quantity():
    rows = [("Artificial turf, 3 m wide", "3", "m²", "3.33", "20%", "10.00")]
    items = _read(_priced(("Description", "Qty", "Unit", "Unit price", "VAT", "Amount"), rows, ("Subtotal", "10.00")))
    assert [(item.quantity, item.unit_price, item.unit) for item in items] == [(Decimal("3"), Decimal("3.3333"), "MTK")]


# --- a header that names an article code over the description -----------------------------------------------------

STACKED_HEADERS = [
    pytest.param(
        [("EAN", "Product code", "Qty", "Unit price", "VAT", "Amount"), ("Customer ref.", "Description")],
        ("5.0000 pcs", "12.5000", "20.0", "62.50", "2.0000 h", "45.0000", "20.0", "90.00"),
        ("Delivery period: week 5", "Billed as agreed"),
        True,
        id="english-ruled",
    ),
    pytest.param(
        [("GTIN", "Artikelnummer", "Menge", "Nettopreis", "MwSt-%", "Nettowert"), ("Kundennr.", "Bezeichnung")],
        ("5,0000 Stk.", "12,5000", "19,0", "62,50", "2,0000 Std.", "45,0000", "19,0", "90,00"),
        ("Liefer-Datum: 02.02.2026", "Abrechnung nach Aufwand"),
        False,
        id="german-unruled",
    ),
    pytest.param(
        [("Code EAN", "Réf. fournisseur", "Qté", "Prix unitaire", "TVA", "Montant HT"), ("Réf. client", "Désignation")],
        ("5,0000 pce", "12,5000", "20,0", "62,50", "2,0000 h", "45,0000", "20,0", "90,00"),
        ("Livraison : semaine 5", "Facturé selon devis"),
        True,
        id="french-ruled",
    ),
    pytest.param(
        [("EAN", "Artikelnr.", "Aantal", "Prijs", "BTW", "Bedrag"), ("Klantcode", "Omschrijving")],
        ("5,0000 stuks", "12,5000", "21,0", "62,50", "2,0000 uur", "45,0000", "21,0", "90,00"),
        ("Leverdatum: 02-02-2026", "Gefactureerd volgens offerte"),
        False,
        id="dutch-unruled",
    ),
]


@pytest.mark.parametrize(("header", "figures", "notes", "ruled"), STACKED_HEADERS)
def test_under_a_code_label_over_the_description_label_the_description_is_the_rows_second_line(
    header, figures, notes, ruled
):
    upper, lower = header
    labels = [[(40, upper[0]), (112, upper[1]), (262, upper[2]), (330, upper[3]), (440, upper[4]), (500, upper[5])]]
    labels.append([(40, lower[0]), (112, lower[1])])

    def row(code, printed, customer, name, note):
        quantity, price, rate, amount = printed
        first = [(40, "4000000000017"), (112, code), (300, quantity, "r"), (390, price, "r"), (470, rate, "r")]
        return [[*first, (560, amount, "r")], [(40, customer), (112, name)], [(112, note)]]

    body = [
        row("AB-1001", figures[:4], "K-77", "Hex bolts M6, zinc plated", notes[0]),
        row("SV-20", figures[4:], "K-78", "Assembly, hall 3", notes[1]),
    ]
    items = _read(_invoice(labels, body, [(400, "Total"), (560, figures[3].replace("62", "152"), "r")]), ruled=ruled)
    assert [item.description for item in items] == ["Hex bolts M6, zinc plated", "Assembly, hall 3"]
    assert [item.amount for item in items] == [Decimal("62.50"), Decimal("90.00")]


def test_a_code_stacked_under_its_own_column_leaves_the_description_on_the_rows_first_line():
    header = [
        [(50, "Pos"), (110, "Description"), (300, "Qty"), (350, "Unit price"), (480, "Amount")],
        [(50, "Item no.")],
    ]
    body = [
        [
            [(50, "1"), (110, "Garden hose"), (320, "2", "r"), (410, "19.90", "r"), (520, "39.80", "r")],
            [(50, "GH-20"), (110, "20 m, green")],
        ],
        [[(50, "2"), (110, "Hose reel"), (320, "1", "r"), (410, "34.00", "r"), (520, "34.00", "r")], [(50, "HR-1")]],
    ]
    items = _read(_invoice(header, body, [(400, "Subtotal"), (520, "73.80", "r")]))
    assert [item.description for item in items] == ["Garden hose 20 m, green", "Hose reel"]


# --- discount and fee rows, units in a column we cannot name ------------------------------------------------------

ADJUSTED_TABLES = [
    pytest.param(
        ("Pos.", "Art.-Nr.", "Bezeichnung", "Menge", "ME", "Einzelpreis", "Gesamtpreis"),
        [("Druckerpapier A4", "10", "Pck", "4,99", "49,90"), ("Toner schwarz", "2", "Stk", "59,00", "118,00")],
        ("Rabatt 5 %", "-8,40"),
        ("Summe netto", "159,50"),
        False,
        ["XPK", "C62"],
        id="german-unruled",
    ),
    pytest.param(
        ("No.", "Code", "Description", "Qty", "UM", "Price", "Total"),
        [("Copy paper A4", "10", "pck", "4.99", "49.90"), ("Black toner", "2", "pcs", "59.00", "118.00")],
        ("Delivery charge", "6.90"),
        ("Subtotal", "174.80"),
        True,
        ["XPK", "H87"],
        id="english-ruled",
    ),
    pytest.param(
        ("N°", "Réf.", "Désignation", "Qté", "U", "P.U. HT", "Montant HT"),
        [("Ramette papier A4", "10", "paquets", "4,99", "49,90"), ("Toner noir", "2", "pièces", "59,00", "118,00")],
        ("Remise fidélité", "-16,79"),
        ("Total HT", "151,11"),
        True,
        ["XPK", "H87"],
        id="french-ruled",
    ),
    pytest.param(
        ("Nr.", "Art.nr.", "Omschrijving", "Aantal", "Eh.", "Prijs", "Bedrag"),
        [("Kopieerpapier A4", "10", "pak", "4,99", "49,90"), ("Toner zwart", "2", "stuks", "59,00", "118,00")],
        ("Verzendkosten", "6,95"),
        ("Subtotaal", "174,85"),
        False,
        ["XPK", "C62"],
        id="dutch-unruled",
    ),
]


def _adjusted(labels, rows, adjustment, total):
    xs = (40, 70, 130, 330, 370, 410, 500)
    header = [[(x, label) for x, label in zip(xs, labels, strict=True)]]
    body = [
        [[(40, str(n)), (70, f"A-{n}"), (130, d), (360, q, "r"), (375, u), (460, p, "r"), (555, a, "r")]]
        for n, (d, q, u, p, a) in enumerate(rows, start=1)
    ]
    body.append([[(130, adjustment[0]), (555, adjustment[1], "r")]])
    return _invoice(header, body, [(400, total[0]), (555, total[1], "r")])


@pytest.mark.parametrize(("labels", "rows", "adjustment", "total", "ruled", "units"), ADJUSTED_TABLES)
def test_a_discount_or_fee_row_that_the_total_needs_is_an_item_and_units_come_from_an_unnamed_column(
    labels, rows, adjustment, total, ruled, units
):
    items = _read(_adjusted(labels, rows, adjustment, total), ruled=ruled)
    assert [item.description for item in items] == [row[0] for row in rows] + [adjustment[0]]
    assert items[-1].amount == Decimal(adjustment[1].replace(",", "."))
    assert (items[-1].quantity, items[-1].unit_price, items[-1].unit) == (None, None, None)
    assert [item.unit for item in items[:-1]] == units


def test_a_row_with_only_an_amount_that_the_total_does_not_need_is_left_out():
    labels = ("Pos.", "Art.-Nr.", "Bezeichnung", "Menge", "ME", "Einzelpreis", "Gesamtpreis")
    rows = [("Druckerpapier A4", "10", "Pck", "4,99", "49,90"), ("Toner schwarz", "2", "Stk", "59,00", "118,00")]
    # "Übertrag" carries the sum so far: the total below adds the rows without it.
    items = _read(_adjusted(labels, rows, ("Übertrag", "167,90"), ("Summe netto", "167,90")))
    assert [item.description for item in items] == ["Druckerpapier A4", "Toner schwarz"]


# --- figures centred in a row several lines high ------------------------------------------------------------------

CENTRED = [
    pytest.param(
        ("Description", "Qty", "Unit price", "VAT", "Amount"),
        ("1,500.00", "9.90", "118.80", "1,618.80"),
        True,
        id="en-ruled",
    ),
    pytest.param(
        ("Beschreibung", "Menge", "Einzelpreis", "USt.", "Betrag"),
        ("1.500,00", "9,90", "118,80", "1.618,80"),
        False,
        id="de",
    ),
    pytest.param(
        ("Désignation", "Qté", "Prix unitaire", "TVA", "Montant"),
        ("1 500,00", "9,90", "118,80", "1 618,80"),
        True,
        id="fr-ruled",
    ),
    pytest.param(
        ("Omschrijving", "Aantal", "Prijs", "BTW", "Bedrag"), ("1.500,00", "9,90", "118,80", "1.618,80"), False, id="nl"
    ),
]


@pytest.mark.parametrize(("labels", "figures", "ruled"), CENTRED)
def test_description_lines_above_figures_centred_in_a_tall_row_start_that_rows_description(labels, figures, ruled):
    header = [[(50, labels[0]), (320, labels[1]), (370, labels[2]), (455, labels[3]), (505, labels[4])]]
    design, price, hosting, total = figures

    def row(first, second, third, quantity, unit_price, amount):
        figures_line = [(50, second), (350, quantity, "r"), (430, unit_price, "r"), (480, "20 %", "r")]
        return [[(50, first)], [*figures_line, (555, amount, "r")], [(50, third)]]

    body = [
        row("Website redesign", "phase 1, responsive", "templates", "1", design, design),
        row("Hosting (12 months)", "shared plan", "with backups", "12", price, hosting),
    ]
    items = _read(_invoice(header, body, [(400, "Total"), (555, total, "r")]), ruled=ruled)
    assert [item.description for item in items] == [
        "Website redesign phase 1, responsive templates",
        "Hosting (12 months) shared plan with backups",
    ]
    assert [item.quantity for item in items] == [Decimal("1"), Decimal("12")]


def test_a_note_set_apart_between_two_rows_starts_neither():
    header = [[(50, "Description"), (320, "Qty"), (370, "Unit price"), (505, "Amount")]]
    lines: list = [(60.0, [(50, "Invoice 2026-0042")]), (200.0, header[0])]
    lines.append((224.0, [(50, "Garden hose"), (350, "2", "r"), (430, "19.90", "r"), (555, "39.80", "r")]))
    lines.append((248.0, [(50, "Delivered to the back entrance")]))
    lines.append((272.0, [(50, "Hose reel"), (350, "1", "r"), (430, "34.00", "r"), (555, "34.00", "r")]))
    lines.append((300.0, [(400, "Subtotal"), (555, "73.80", "r")]))
    assert [item.description for item in _read(lines)] == ["Garden hose", "Hose reel"]
