"""The text-PDF reader: words with top-left boxes, text turned with its page, bad PDFs refused."""

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from reading.sniff import DocumentError
from reading.tests.pdfs import make_pdf
from reading.textpdf import read_text_pdf


def test_it_reads_words_with_top_left_coordinates():
    document = read_text_pdf(make_pdf([[(50, 100, "Invoice Number: INV-7"), (50, 300, "Total 12.50")]]))

    words = {word.text: word for word in document.words}
    assert list(words) == ["Invoice", "Number:", "INV-7", "Total", "12.50"]
    assert words["Invoice"].x0 == pytest.approx(50, abs=0.5)
    assert words["Invoice"].y1 == pytest.approx(100, abs=3)  # the baseline, 100 pt from the top
    assert words["Total"].y0 > words["Invoice"].y1
    assert document.source == "text_pdf"


def test_it_counts_pages_and_numbers_words_by_page():
    document = read_text_pdf(make_pdf([[(50, 50, "one")], [(50, 50, "two")], [(50, 50, "three")]]))

    assert len(document.pages) == 3
    assert [(word.text, word.page) for word in document.words] == [("one", 0), ("two", 1), ("three", 2)]
    assert document.pages[0].width == pytest.approx(595.3, abs=0.5)


def test_it_stops_at_the_page_cap():
    document = read_text_pdf(make_pdf([[(50, 50, f"page {n}")] for n in range(5)]), max_pages=2)

    assert len(document.pages) == 2


def test_a_page_whose_text_all_runs_sideways_is_read_in_the_texts_own_direction():
    # Drawn upright on a page stored with /Rotate 90: the viewer shows it sideways, as a reader turning
    # the page would read it.
    document = read_text_pdf(make_pdf([[(50, 80, "Rechnung Nr. 4711"), (50, 120, "Summe 9,99")]], rotate=90))

    assert len(document.pages) == 1
    assert document.text() == "Rechnung Nr. 4711\nSumme 9,99"


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_a_landscape_invoice_drawn_turned_on_a_portrait_page_is_read_upright(angle):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.translate(width / 2, height / 2)
    pdf.rotate(angle)
    pdf.setFont("Helvetica", 10)
    for y, text in [(-200, "Invoice No: INV-77"), (-185, "Date: 01/04/2026"), (-150, "Total: 1,332.00")]:
        pdf.drawString(-250, -y, text)
    pdf.drawString(100, 200, "12.00")  # same line as the invoice number, further right
    pdf.showPage()
    pdf.save()

    document = read_text_pdf(buffer.getvalue())

    assert document.text().splitlines() == ["Invoice No: INV-77 12.00", "Date: 01/04/2026", "Total: 1,332.00"]
    assert all(word.y0 >= 0 and word.x0 >= 0 for word in document.words)


def test_a_sideways_margin_note_on_an_upright_page_is_left_out():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, 700, "Invoice No: INV-77")
    pdf.drawString(50, 680, "Total: 1,332.00")
    pdf.saveState()
    pdf.translate(20, 300)
    pdf.rotate(90)
    pdf.drawString(0, 0, "Printed by ACME ERP")
    pdf.restoreState()
    pdf.showPage()
    pdf.save()

    document = read_text_pdf(buffer.getvalue())

    assert document.text() == "Invoice No: INV-77\nTotal: 1,332.00"


def test_a_page_without_text_has_no_words():
    document = read_text_pdf(make_pdf([[]]))

    assert document.words == []
    assert len(document.pages) == 1


def test_it_refuses_a_corrupt_pdf():
    with pytest.raises(DocumentError):
        read_text_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF")
