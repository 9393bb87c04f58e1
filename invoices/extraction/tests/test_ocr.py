"""The OCR reader on invoice-like images and scanned PDFs that the tests draw themselves.

Recognition is real (the models ship in the rapidocr wheel), so each document is read once per
module and shared by the tests that look at it.
"""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from invoices.extraction.engine import extract
from reading import ocr
from reading.lines import group_lines
from reading.ocr import TextBox, read_image, read_scanned_pdf, split_words
from reading.sniff import DocumentError
from reading.words import WordDocument

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DPI = 150  # the drawn page is A4 at 150 dpi: 1240 x 1754 pixels, 595 x 842 points
LINES = [
    (100, 100, "INVOICE", 48),
    (100, 220, "Acme Widgets Ltd", 28),
    (100, 300, "Invoice No: INV-2026-0042", 28),
    (100, 360, "Date: 01/04/2026", 28),
    (100, 500, "Consulting services", 28),
    (800, 500, "1,110.00", 28),
    (100, 600, "Subtotal: 1,110.00", 28),
    (100, 660, "VAT 20%: 222.00", 28),
    (100, 720, "Total: 1,332.00", 28),
]
EXPECTED_ORDER = ["INVOICE", "INV-2026-0042", "01/04/2026", "1,332.00"]


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size=size)


def draw_invoice() -> Image.Image:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for x, y, text, size in LINES:
        draw.text((x, y), text, fill="black", font=font(size))
    return image


def encode(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def texts(document: WordDocument) -> list[str]:
    return [word.text for word in document.words]


def assert_reads_the_invoice(document: WordDocument) -> None:
    assert document.source == "ocr"
    assert len(document.pages) == 1
    page = document.pages[0]
    assert page.width == pytest.approx(595.3, abs=1)
    assert page.height == pytest.approx(842.1, abs=1)
    reading_order = [word.text for line in group_lines(page.words) for word in line]
    positions = [reading_order.index(expected) for expected in EXPECTED_ORDER]
    assert positions == sorted(positions)
    for word in page.words:
        assert word.page == 0
        assert 0 <= word.x0 < word.x1 <= page.width
        assert 0 <= word.y0 < word.y1 <= page.height
        assert 0.5 <= word.confidence <= 1.0


@pytest.fixture(scope="module")
def png_document() -> WordDocument:
    return read_image(encode(draw_invoice(), "PNG", dpi=(DPI, DPI)))


def test_it_reads_the_words_of_an_image_in_reading_order(png_document: WordDocument) -> None:
    assert_reads_the_invoice(png_document)
    assert {"INVOICE", "Invoice", "No:", "Date:", "Total:"} <= set(texts(png_document))


def test_it_places_each_word_where_it_was_drawn(png_document: WordDocument) -> None:
    points = 72 / DPI
    words = {word.text: word for word in png_document.words}
    number, total = words["INV-2026-0042"], words["1,332.00"]
    # "Invoice No: " is 12 of the line's 25 characters: the number starts about halfway along.
    assert number.x0 == pytest.approx(100 * points + 0.45 * 370 * points, abs=25)
    assert number.y0 == pytest.approx(300 * points, abs=6)
    assert total.y0 == pytest.approx(720 * points, abs=6)
    assert words["INVOICE"].height > 1.3 * number.height  # drawn at 48 against 28


def test_it_turns_an_exif_rotated_photo_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view": the pixels lie on their side
    sideways = draw_invoice().rotate(90, expand=True)
    document = read_image(encode(sideways, "JPEG", quality=90, dpi=(DPI, DPI), exif=exif))
    assert_reads_the_invoice(document)


def test_it_reads_a_scanned_pdf_page_by_page() -> None:
    data = encode(draw_invoice(), "PDF", resolution=DPI)
    document = read_scanned_pdf(data)
    assert_reads_the_invoice(document)


def test_it_lists_pages_past_the_limit_without_reading_them() -> None:
    blank = Image.new("RGB", (620, 877), "white")
    data = encode(draw_invoice(), "PDF", resolution=DPI, save_all=True, append_images=[blank])
    document = read_scanned_pdf(data, max_pages=1)
    assert [page.number for page in document.pages] == [0, 1]
    assert document.pages[1].words == []
    assert document.pages[1].width == pytest.approx(297.6, abs=1)
    assert "INV-2026-0042" in texts(document)


def test_the_engine_reads_the_fields_of_an_image() -> None:
    result = extract(encode(draw_invoice(), "PNG"))
    assert result.source == "ocr"
    assert result.page_count == 1
    assert result.invoice_number == "INV-2026-0042"
    assert result.total == Decimal("1332.00")
    assert "Total: 1,332.00" in result.text


def test_a_blank_image_has_no_words() -> None:
    document = read_image(encode(Image.new("RGB", (600, 800), "white"), "PNG"))
    assert document.words == []
    assert len(document.pages) == 1


def test_it_refuses_a_truncated_image() -> None:
    data = encode(draw_invoice(), "JPEG")
    with pytest.raises(DocumentError, match="could not be read"):
        read_image(data[: len(data) // 2])


def test_it_refuses_an_image_too_large_to_read() -> None:
    data = encode(Image.new("1", (8000, 8000)), "PNG")
    with pytest.raises(DocumentError, match="too large"):
        read_image(data)


def test_it_refuses_a_pdf_it_cannot_open() -> None:
    with pytest.raises(DocumentError, match="PDF could not be read"):
        read_scanned_pdf(b"%PDF-1.7\nnot really a pdf")


def test_split_words_shares_the_box_by_characters() -> None:
    box = TextBox("Total: 1,332.00", x0=100, y0=50, x1=250, y1=70, score=0.9)
    words = split_words(box, page=2, scale=0.5)
    assert [w.text for w in words] == ["Total:", "1,332.00"]
    total, amount = words
    assert (total.x0, total.x1) == (50, 80)  # characters 0-6 of 15, at 10 px each, in points
    assert (amount.x0, amount.x1) == (85, 125)
    assert (amount.y0, amount.y1, amount.page, amount.confidence) == (25, 35, 2, 0.9)


def test_split_words_skips_blank_text() -> None:
    assert split_words(TextBox("   ", 0, 0, 10, 10, 0.9), page=0, scale=1.0) == []


def test_the_engine_is_created_once_per_process() -> None:
    assert ocr._get_engine() is ocr._get_engine()


def test_split_words_parts_a_label_from_the_value_glued_to_it() -> None:
    words = split_words(TextBox("Total:1,332.00", 0, 0, 140, 10, 0.9), page=0, scale=1.0)
    assert [w.text for w in words] == ["Total:", "1,332.00"]
    assert split_words(TextBox("10:30", 0, 0, 50, 10, 0.9), page=0, scale=1.0)[0].text == "10:30"


def test_ocr_threads_come_from_the_environment_and_nonsense_is_ignored(monkeypatch):
    monkeypatch.setenv("OCR_THREADS", "1")
    assert ocr._threads() == 1
    assert ocr._session(ocr.REC_MODEL).get_session_options().intra_op_num_threads == 1
    for value in ("", "0", "-2", "many"):
        monkeypatch.setenv("OCR_THREADS", value)
        assert ocr._threads() is None


def test_the_models_run_in_sessions_whose_threads_sleep_instead_of_spinning() -> None:
    engine = ocr._loaded_engine()
    for model in (engine._load_det_model(), engine._load_rec_model()):
        options = model.session.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_short_lines_reach_the_recogniser_without_padding_to_a_full_line(monkeypatch) -> None:
    engine = ocr._loaded_engine()
    recogniser = engine._load_rec_model()
    widths: list[int] = []
    session = recogniser.session

    def recording(batch):
        widths.append(batch.shape[3])
        return session(batch)

    monkeypatch.setattr(recogniser, "session", recording)
    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).text((200, 120), "12.50", fill="black", font=font(28))
    document = read_image(encode(image, "PNG", dpi=(DPI, DPI)))
    assert texts(document) == ["12.50"]
    assert widths
    assert max(widths) < 320  # RapidOCR's own minimum, which it would pad "12.50" to
