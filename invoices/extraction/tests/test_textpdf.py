import pytest

from invoices.extraction.sniff import DocumentError
from invoices.extraction.tests.pdfs import make_pdf
from invoices.extraction.textpdf import read_text_pdf


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


def test_it_leaves_out_text_that_runs_sideways_on_a_rotated_page():
    # Drawn upright on a page stored with /Rotate 90: the reader sees it running vertically.
    document = read_text_pdf(make_pdf([[(50, 80, "Rechnung Nr. 4711"), (50, 120, "Summe 9,99")]], rotate=90))

    assert len(document.pages) == 1
    assert document.words == []


def test_a_page_without_text_has_no_words():
    document = read_text_pdf(make_pdf([[]]))

    assert document.words == []
    assert len(document.pages) == 1


def test_it_refuses_a_corrupt_pdf():
    with pytest.raises(DocumentError):
        read_text_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF")
