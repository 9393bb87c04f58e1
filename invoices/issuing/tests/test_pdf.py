"""The invoice PDF (invoices/issuing/pdf.py): PDF/A-3b, paper, content of every tax case, logo, drafts, no fetching."""

import http.server
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageFile
from pypdf import PdfReader

from invoices.issuing.pdf import (
    RefusingURLFetcher,
    format_date,
    format_money,
    format_number,
    format_rate,
    logo_data_uri,
    render_pdf,
)
from invoices.issuing.tests.matrix import MATRIX, hundred_lines, one_rate
from invoices.issuing.tests.test_epc_qr import changed


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in drawing order, which keeps a table row together, white space runs as one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def spaced(text: str) -> str:
    """`text` with its no-break spaces as the plain spaces `pdf_text` turns them into."""
    return " ".join(text.split())


def png(width: int = 240, height: int = 80) -> bytes:
    image = Image.new("RGBA", (width, height), (10, 120, 80, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("name", MATRIX)
def test_every_matrix_case_prints_both_parties_tax_ids_every_tax_row_and_the_amount_due(name):
    document = MATRIX[name]()

    pdf = render_pdf(document)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for party in (document["supplier"], document["customer"]):
        assert party["tax_id"] in text
        assert party["name"] in text
    for tax in document["taxes"]:
        rate = format_rate(tax["rate"], language="en") if tax["rate"] is not None else ""
        row = " ".join(
            filter(None, [rate, format_number(tax["base"], language="en"), format_number(tax["amount"], language="en")])
        )
        assert row in text, (name, row)
    assert document["number"] in text
    payable = format_money(document["totals"]["payable"], currency=document["currency"], language="en")
    due = "Amount to be credited" if document["type"] == "credit_note" else "Amount due"
    assert f"{due} {spaced(payable)}" in text


def test_every_tax_category_is_named_in_the_breakdown():
    names = {
        "several_rates": ["Standard rate", "Zero rated"],
        "exempt": ["Exempt from tax", "Reason for exemption: Exempt under § 4 Nr. 21 UStG"],
        "reverse_charge": ["Reverse charge", "Reverse charge: the buyer accounts for the tax"],
        "intra_community": ["Intra-community supply", "Tax-exempt intra-community supply"],
        "export": ["Export outside the EU", "Tax-exempt export outside the EU"],
        "not_subject": ["Outside the scope of tax", "Not subject to VAT"],
    }
    for name, words in names.items():
        text = pdf_text(render_pdf(MATRIX[name]()))
        assert [word for word in words if word not in text] == [], name


def test_the_pdf_declares_pdf_a_3b_with_an_srgb_output_intent():
    reader = PdfReader(io.BytesIO(render_pdf(one_rate())))

    assert reader.xmp_metadata is not None
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    root: Any = reader.trailer["/Root"]
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert "sRGB" in intent["/OutputConditionIdentifier"]
    assert intent["/DestOutputProfile"].get_object().get_data()


def test_every_font_is_embedded():
    reader = PdfReader(io.BytesIO(render_pdf(one_rate())))

    resources: Any = reader.pages[0]["/Resources"]
    fonts = resources["/Font"].get_object()
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert "DejaVu" in descriptor["/FontName"] or "Liberation" in descriptor["/FontName"]


@pytest.mark.parametrize(("paper", "size"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_the_paper_is_the_documents(paper, size):
    reader = PdfReader(io.BytesIO(render_pdf(hundred_lines() | {"paper": paper})))

    assert len(reader.pages) > 1
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_an_unknown_paper_or_language_is_refused():
    with pytest.raises(ValueError, match="paper"):
        render_pdf(one_rate() | {"paper": "A5"})
    with pytest.raises(ValueError, match="language"):
        render_pdf(one_rate() | {"language": "es"})


def test_a_hundred_lines_span_pages_each_with_the_table_header_repeated_and_numbered():
    reader = PdfReader(io.BytesIO(render_pdf(hundred_lines())))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]

    with_lines = [text for text in pages if "Part " in text]
    assert len(with_lines) >= 3
    for text in with_lines:
        assert "No. Description Quantity Unit Unit price Tax Net amount (EUR)" in text
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "INV-2026-00001" in text
    everything = " ".join(pages)
    assert all(f"Part {n:03d}" in everything for n in range(1, 101))


@pytest.mark.parametrize(("logo", "logo_type"), [(png(), "image/png"), (jpeg(), "image/jpeg"), (png(), None)])
def test_a_png_or_jpeg_logo_appears_as_an_image(logo, logo_type):
    reader = PdfReader(io.BytesIO(render_pdf(one_rate(), logo=logo, logo_type=logo_type)))

    assert len(reader.pages[0].images) == 1
    assert len(PdfReader(io.BytesIO(render_pdf(one_rate()))).pages[0].images) == 0


def test_an_svg_logo_is_drawn():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"><text x="5" y="35" font-size="30">Nordlicht Logo</text></svg>'

    assert "Nordlicht Logo" in pdf_text(render_pdf(one_rate(), logo=svg, logo_type="image/svg+xml"))
    assert logo_data_uri(svg, None).startswith("data:image/svg+xml;base64,")


def test_a_logo_that_is_not_png_jpeg_or_svg_is_refused():
    with pytest.raises(ValueError, match="PNG, JPEG or SVG"):
        render_pdf(one_rate(), logo=b"GIF89a...", logo_type=None)
    with pytest.raises(ValueError, match="PNG, JPEG or SVG"):
        render_pdf(one_rate(), logo=png(), logo_type="text/html")


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_the_server_is_reachable_so_the_next_test_means_something(counting_server):
    import urllib.request

    base, requests = counting_server
    with urllib.request.urlopen(f"{base}/ping") as response:  # noqa: S310 - our own local server
        assert response.status == 200
    assert requests == ["/ping"]


def test_nothing_is_fetched_for_the_urls_an_svg_logo_points_to(counting_server):
    base, requests = counting_server
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40">'
        f'<image href="{base}/svg-image.png" width="100" height="40"/>'
        f'<image xlink:href="{base}/svg-xlink.png" width="100" height="40"/>'
        '<image href="file:///etc/hostname" width="100" height="40"/>'
        f'<style>@import url("{base}/svg-style.css");</style>'
        '<text x="5" y="30">Logo</text>'
        "</svg>"
    ).encode()

    pdf = render_pdf(one_rate(), logo=svg, logo_type="image/svg+xml")

    assert "Logo" in pdf_text(pdf)  # the logo was drawn, so its images were asked for
    assert requests == []


def test_nothing_is_fetched_for_urls_or_markup_in_any_text(counting_server):
    base, requests = counting_server
    hostile = f'<img src="{base}/text.png"><link rel="stylesheet" href="{base}/text.css"> {base}/x'
    document = changed(
        one_rate(),
        notes=hostile,
        buyer_reference=hostile,
        supplier__name=hostile,
        customer__address__line1=hostile,
    )
    document["lines"][0]["description"] = hostile

    pdf = render_pdf(document, logo=png())

    assert requests == []
    assert f"{base}/x" in pdf_text(pdf)  # printed as text, not followed
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # and the logo still has its room


def test_the_url_fetcher_hands_over_data_uris_and_refuses_everything_else():
    fetcher = RefusingURLFetcher()

    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    for url in ("http://127.0.0.1/x", "https://example.com/x", "file:///etc/passwd", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


def test_a_draft_says_draft_in_its_language_and_has_no_number():
    document = one_rate() | {"language": "de"}

    text = pdf_text(render_pdf(document, draft=True))

    assert "ENTWURF" in text
    assert "INV-2026-00001" not in text
    assert "Rechnungsnummer" not in text
    assert "ENTWURF" not in pdf_text(render_pdf(document))


def test_a_credit_note_names_the_invoice_it_corrects_and_asks_for_no_payment():
    text = pdf_text(render_pdf(MATRIX["credit_note"]()))

    assert "Credit note" in text
    assert "Corrects invoice INV-2026-00001 (30 November 2026)" in text
    assert "Amount to be credited" in text
    assert "Amount due" not in text
    assert "Payment details" not in text


def test_seller_and_buyer_blocks_carry_their_details():
    document = changed(one_rate(), delivery_date="2026-12-01", purchase_order="PO-99")
    text = pdf_text(render_pdf(document))

    for word in [
        "Seller Nordlicht Software Nordlicht Software GmbH Friedrichstraße 10 10117 Berlin DE",
        "Buyer Atelier Lumière SARL 12 rue de la Paix Bâtiment B 75002 Paris FR",
        "HRB 12345",
        "billing@nordlicht.example",
        "+49 30 1234567",
        "Delivery date",
        "1 December 2026",
        "PO-99",
        "PO-7781",
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
        "Thank you for your business.",
    ]:
        assert word in text, word


def test_discounts_and_charges_appear_on_their_lines_and_under_the_total():
    text = pdf_text(render_pdf(MATRIX["discounts_and_charges"]()))

    for word in [
        "Discount: Agreed rebate (-60.00)",
        "Charge: Licence fee (+4.50)",
        "Discount: Early payment (Standard rate 19%)",
        "Charge: Shipping (Standard rate 19%)",
        "Total discounts -EUR 50.00",
        "Total charges +EUR 15.00",
    ]:
        assert word in text, word


@pytest.mark.parametrize(
    ("language", "number", "expected"),
    [
        ("en", "1234567.891", "1,234,567.891"),
        ("ms", "-1234.5", "-1,234.5"),
        ("fr", "1234.56", "1\u202f234,56"),
        ("de", "1234.56", "1.234,56"),
        ("de", "999.00", "999,00"),
        ("en", "0.10", "0.10"),
        ("en", "12345678901234.99", "12,345,678,901,234.99"),
    ],
)
def test_numbers_are_written_the_languages_way_with_every_digit_kept(language, number, expected):
    assert format_number(number, language=language) == expected


def test_money_rates_and_dates_are_written_the_languages_way():
    assert format_money("1234.5", currency="EUR", language="en") == "EUR\u00a01,234.5"
    assert format_money("1234", currency="JPY", language="de") == "1.234\u00a0JPY"
    assert format_number("27.4", language="en", min_decimals=2) == "27.40"
    assert format_number("0.125", language="fr", min_decimals=2) == "0,125"
    assert format_rate("7.5", language="de") == "7,5\u00a0%"
    assert format_rate("19", language="en") == "19%"
    assert format_date("2026-03-05", language="en") == "5 March 2026"
    assert format_date("2026-08-05", language="ms") == "5 Ogos 2026"
    assert format_date("2026-02-05", language="fr") == "5 février 2026"
    assert format_date("2026-12-05", language="de") == "05.12.2026"
    assert format_date("", language="de") == ""


def test_a_yen_invoice_has_no_decimals():
    text = pdf_text(render_pdf(MATRIX["yen"]()))

    assert "1,234" in text
    assert "JPY 9,502" in text


def test_rendering_leaves_pillow_refusing_truncated_images_as_the_invoice_reader_needs():
    render_pdf(one_rate())

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
