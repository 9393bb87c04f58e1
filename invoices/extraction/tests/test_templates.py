"""Supplier layouts learned from one corrected invoice and used on the supplier's next one.

Each supplier here prints its fields under labels the generic reader does not know ("Our doc.",
"Written on", "To settle"), so the tests first show that the generic reader misses them and then
that a template learned from invoice 1 reads invoice 2 (another number, other dates and amounts,
more lines) right. Every document is drawn by the test.
"""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from invoices.extraction.engine import NoTextFound, apply_learned_layout, extract, read_document
from invoices.extraction.fields import read_fields
from invoices.extraction.result import Party
from invoices.extraction.templates import (
    ANCHORED,
    POSITIONED,
    USUAL_CURRENCY,
    apply_layout,
    choose_layout,
    is_usable,
    learn_layout,
    merge_layouts,
)
from reading.ocr import read_image
from reading.tests.pdfs import Text, make_pdf
from reading.textpdf import read_text_pdf
from reading.words import WordDocument

QUILL_TAX_ID = "GB980780684"


def quillfeather(
    number: str, issued: str, due: str, lines: list[tuple[str, str]], subtotal: str, tax: str, total: str
) -> list[Text]:
    """A made-up supplier: number under "Our doc.", dates at the foot beside "Written on", totals beside odd words."""
    texts: list[Text] = [
        (50, 60, "QUILLFEATHER PAPER WORKS", 18),
        (50, 80, "12 Inkwell Lane, Bristol BS1 4DJ"),
        (50, 94, f"VAT {QUILL_TAX_ID}"),
        (400, 60, "Catalogue 01/01/2026"),
        (50, 140, "Northwind Stationers"),
        (50, 154, "4 Harbour Road, Leeds"),
        (380, 140, "Our doc."),
        (470, 140, "Cust. acct"),
        (380, 154, number),
        (470, 154, "A-220"),
    ]
    y = 220
    for description, amount in lines:
        texts += [(50, y, description), (450, y, amount)]
        y += 16
    texts += [
        (300, y + 20, "Goods value"),
        (450, y + 20, subtotal),
        (300, y + 36, "Levy 20%"),
        (450, y + 36, tax),
        (300, y + 52, "To settle GBP"),
        (450, y + 52, total),
        (50, 700, "Written on"),
        (130, 700, issued),
        (50, 716, "Settle by"),
        (130, 716, due),
    ]
    return texts


def words(texts: list[Text]) -> WordDocument:
    return read_text_pdf(make_pdf([texts]))


FIRST = quillfeather(
    "QPW/7731",
    "05/03/2026",
    "04/04/2026",
    [("A4 paper, 20 reams", "600.00"), ("Envelopes C5", "400.00")],
    "1,000.00",
    "200.00",
    "1,200.00",
)
SECOND = quillfeather(
    "QPW/7802",
    "02/04/2026",
    "02/05/2026",
    [("A4 paper, 10 reams", "300.00"), ("Envelopes C5", "400.00"), ("Ink cartridges", "50.00"), ("Pens", "25.50")],
    "775.50",
    "155.10",
    "930.60",
)
CONFIRMED = {
    "supplier_name": "Quillfeather Paper Works",
    "supplier_tax_id": QUILL_TAX_ID,
    "invoice_number": "QPW/7731",
    "invoice_date": date(2026, 3, 5),
    "due_date": date(2026, 4, 4),
    "currency": "GBP",
    "subtotal": Decimal("1000.00"),
    "tax_rate": Decimal("20.0000"),
    "tax_amount": Decimal("200.00"),
    "total": Decimal("1200.00"),
}
SECOND_VALUES = {
    "invoice_number": "QPW/7802",
    "invoice_date": date(2026, 4, 2),
    "due_date": date(2026, 5, 2),
    "currency": "GBP",
    "subtotal": Decimal("775.50"),
    "tax_rate": Decimal(20),
    "tax_amount": Decimal("155.10"),
    "total": Decimal("930.60"),
}


def values(learned: dict[str, tuple[object, float]]) -> dict[str, object]:
    return {field: value for field, (value, _) in learned.items()}


def test_the_generic_reader_misses_this_suppliers_fields():
    result = read_fields(words(SECOND))

    assert result.invoice_number is None
    assert result.invoice_date != date(2026, 4, 2)
    assert (result.subtotal, result.tax_amount, result.total) == (None, None, None)


def test_a_layout_learned_from_one_invoice_reads_the_next_one_right():
    template = learn_layout(words(FIRST), CONFIRMED)

    learned = apply_layout(words(SECOND), template)

    assert values(learned) == SECOND_VALUES
    assert {score for _, score in learned.values()} == {ANCHORED}


def test_it_anchors_on_the_suppliers_own_labels():
    template = learn_layout(words(FIRST), CONFIRMED)

    anchors = {field: [(a["where"], a["text"]) for a in spec["anchors"]] for field, spec in template["fields"].items()}
    assert anchors["invoice_number"][0] == ("below", "our doc")
    assert anchors["invoice_date"] == [("right", "written on")]
    assert anchors["due_date"] == [("right", "settle by")]
    assert anchors["subtotal"] == [("right", "goods value")]
    assert anchors["total"] == [("right", "to settle")]
    assert template["supplier"] == {"name": "Quillfeather Paper Works", "tax_id": QUILL_TAX_ID}


def test_the_template_is_plain_json():
    template = learn_layout(words(FIRST), CONFIRMED)

    restored = json.loads(json.dumps(template))

    assert values(apply_layout(words(SECOND), restored)) == SECOND_VALUES


def test_values_the_page_does_not_show_are_not_learned():
    confirmed = CONFIRMED | {"invoice_number": "NOT-ON-PAGE-1", "total": Decimal("9999.99"), "due_date": None}

    template = learn_layout(words(FIRST), confirmed)

    assert "invoice_number" not in template["fields"]
    assert "total" not in template["fields"]
    assert "due_date" not in template["fields"]
    assert "subtotal" in template["fields"]


def test_a_correction_that_matches_nothing_gives_an_unusable_template():
    confirmed = {"supplier_name": "Someone Else Ltd", "invoice_number": "X-1", "total": Decimal("1.23")}

    template = learn_layout(words(FIRST), confirmed)

    assert template["fields"] == {}
    assert template["supplier"] == {"name": "", "tax_id": ""}
    assert not is_usable(template)
    assert apply_layout(words(SECOND), template) == {}


# Dates and amounts in the supplier's own formats


def continental(number: str, issued: str, total: str) -> list[Text]:
    return [
        (50, 60, "Atelier Brume SARL", 16),
        (50, 78, "TVA FR40303265045"),
        (300, 120, "Pièce"),
        (380, 120, number),
        (300, 136, "Émis le"),
        (380, 136, issued),
        (50, 200, "Reliure cuir"),
        (450, 200, total),
        (300, 260, "Reste dû TTC"),
        (450, 260, f"{total} EUR"),
    ]


def test_dates_and_amounts_are_found_whatever_their_printed_format():
    template = learn_layout(
        words(continental("AB 2026 / 17", "5 mars 2026", "1.234,50")),
        {
            "supplier_name": "Atelier Brume SARL",
            "invoice_number": "AB-2026-17",
            "invoice_date": date(2026, 3, 5),
            "total": Decimal("1234.5"),
            "currency": "EUR",
        },
    )

    learned = apply_layout(words(continental("AB 2026 / 18", "12 avril 2026", "2.005,00")), template)

    assert values(learned) == {
        "invoice_number": "AB 2026 / 18",
        "invoice_date": date(2026, 4, 12),
        "total": Decimal("2005.00"),
        "currency": "EUR",
    }


def us_supplier(number: str, issued: str, total: str) -> list[Text]:
    return [
        (50, 60, "Bluegrass Tooling Inc", 16),
        (50, 100, "Ticket"),
        (120, 100, number),
        (50, 116, "Shipped"),
        (120, 116, issued),
        (300, 300, "Remit"),
        (450, 300, total),
    ]


def test_a_supplier_that_prints_the_month_first_is_read_month_first():
    # 03/13/2026 can only be March 13th: the supplier prints the month first, so 04/05/2026 is April 5th.
    template = learn_layout(
        words(us_supplier("BT-88", "03/13/2026", "$1,250.00")),
        {"supplier_name": "Bluegrass Tooling Inc", "invoice_date": date(2026, 3, 13), "total": Decimal(1250)},
    )

    learned = apply_layout(words(us_supplier("BT-97", "04/05/2026", "$980.00")), template)

    assert values(learned) == {"invoice_date": date(2026, 4, 5), "total": Decimal("980.00")}


# Finding the right place again


def test_of_two_places_with_the_same_label_the_learned_one_is_read_even_when_the_page_grows():
    def invoice(number: str, amounts: list[str], total: str) -> list[Text]:
        texts: list[Text] = [(50, 60, "Kestrel Freight Ltd", 16), (50, 100, "Consignment"), (160, 100, number)]
        texts += [(50, 140, "Item"), (450, 140, "Sum")]
        texts += [(50, 160 + 16 * i, f"Leg {i + 1}") for i in range(len(amounts))]
        texts += [(450, 160 + 16 * i, amount) for i, amount in enumerate(amounts)]
        return [*texts, (300, 180 + 16 * len(amounts), "Sum"), (450, 180 + 16 * len(amounts), total)]

    template = learn_layout(
        words(invoice("KF-1", ["10.00", "20.00"], "30.00")),
        {"supplier_name": "Kestrel Freight Ltd", "invoice_number": "KF-1", "total": Decimal(30)},
    )

    learned = apply_layout(words(invoice("KF-2", ["5.00", "6.00", "7.00", "8.00", "9.00", "10.00"], "45.00")), template)

    assert values(learned) == {"invoice_number": "KF-2", "total": Decimal("45.00")}


def test_a_value_without_any_label_is_read_where_it_was_printed():
    def invoice(total: str) -> list[Text]:
        return [(50, 60, "Osprey Kitchens Ltd", 16), (50, 100, "Thank you for your custom"), (460, 400, total)]

    template = learn_layout(words(invoice("88.40")), {"supplier_name": "Osprey Kitchens Ltd", "total": Decimal("88.4")})

    assert template["fields"]["total"]["anchors"] == []
    assert apply_layout(words(invoice("102.75")), template) == {"total": (Decimal("102.75"), POSITIONED)}


def test_a_number_shaped_unlike_the_learned_one_is_read_with_less_confidence():
    template = learn_layout(words(FIRST), CONFIRMED)
    odd = quillfeather("see letter", "02/04/2026", "02/05/2026", [("Paper", "10.00")], "10.00", "2.00", "12.00")

    number, score = apply_layout(words(odd), template)["invoice_number"]

    assert number == "see"
    assert score < ANCHORED


def test_the_usual_currency_stands_in_when_the_page_does_not_print_one():
    template = learn_layout(words(FIRST), CONFIRMED)
    without = [text for text in SECOND if "GBP" not in text[2]] + [(300, 400, "To settle"), (450, 400, "930.60")]

    assert apply_layout(words(without), template)["currency"] == ("GBP", USUAL_CURRENCY)


# Recognising the supplier


def other_supplier() -> list[Text]:
    return [
        (50, 60, "Harrow & Vale Printers Ltd", 16),
        (50, 80, "VAT GB 123 4567 89"),
        (300, 120, "Our doc."),
        (300, 136, "HV-001"),
        (300, 200, "To settle"),
        (450, 200, "50.00"),
    ]


def test_a_document_is_recognised_by_the_suppliers_tax_id():
    template = learn_layout(words(FIRST), CONFIRMED)

    chosen = choose_layout(words(SECOND), [("quill", template)])

    assert chosen is not None
    assert chosen[0] == "quill"


def test_a_document_is_recognised_by_name_when_it_also_shows_the_suppliers_labels():
    template = learn_layout(words(FIRST), CONFIRMED | {"supplier_tax_id": ""})
    assert template["supplier"]["tax_id"] == ""

    assert choose_layout(words(SECOND), [("quill", template)]) is not None
    # The name alone, on a page laid out otherwise (a letter that mentions the supplier), is not enough.
    letter: list[Text] = [
        (50, 60, "Dear Sirs"),
        (50, 100, "We received the goods from Quillfeather Paper Works, thank you."),
    ]
    assert choose_layout(words(letter), [("quill", template)]) is None


def test_the_tax_id_on_a_page_laid_out_otherwise_is_not_enough():
    # A buyer's own VAT number taken for the supplier's would otherwise claim every invoice it receives.
    template = learn_layout(words(FIRST), CONFIRMED)
    kestrel: list[Text] = [
        (50, 60, "Kestrel Freight Ltd", 16),
        (50, 100, f"Customer VAT {QUILL_TAX_ID}"),
        (300, 300, "Total"),
        (450, 300, "45.00"),
    ]

    assert choose_layout(words(kestrel), [("quill", template)]) is None


def test_another_suppliers_document_matches_no_layout():
    template = learn_layout(words(FIRST), CONFIRMED)

    assert choose_layout(words(other_supplier()), [("quill", template)]) is None


def test_of_several_layouts_the_one_of_the_documents_supplier_is_chosen():
    quill = learn_layout(words(FIRST), CONFIRMED)
    harrow = learn_layout(
        words(other_supplier()), {"supplier_name": "Harrow & Vale Printers Ltd", "supplier_tax_id": "GB123456789"}
    )

    chosen = choose_layout(words(SECOND), [("harrow", harrow), ("quill", quill)])

    assert chosen is not None
    assert chosen[0] == "quill"


def test_a_template_of_another_version_is_not_used():
    template = learn_layout(words(FIRST), CONFIRMED) | {"version": 0}

    assert choose_layout(words(SECOND), [("quill", template)]) is None
    assert apply_layout(words(SECOND), template) == {}


# Learning again, and laying learned values over the generic result


def test_learning_again_keeps_what_the_newer_invoice_did_not_show():
    old = learn_layout(words(FIRST), CONFIRMED)
    new = learn_layout(words(SECOND), SECOND_VALUES | {"due_date": None, "supplier_name": "Quillfeather Paper Works"})

    merged = merge_layouts(old, new)

    assert merged["fields"]["due_date"] == old["fields"]["due_date"]
    assert merged["fields"]["total"] == new["fields"]["total"]
    assert merged["supplier"] == {"name": "Quillfeather Paper Works", "tax_id": QUILL_TAX_ID}


def test_learned_values_replace_the_generic_ones_and_raise_the_confidence():
    template = learn_layout(words(FIRST), CONFIRMED)
    reading = read_document(make_pdf([SECOND]))
    assert reading.result.confidence < 0.5

    changed = apply_learned_layout(reading, template, recognised=0.97)

    result = reading.result
    assert {"invoice_number", "invoice_date", "total"} <= set(changed)
    assert (result.invoice_number, result.invoice_date, result.total) == (
        "QPW/7802",
        date(2026, 4, 2),
        Decimal("930.60"),
    )
    assert result.confidence >= 0.95


def test_the_supplier_stays_as_the_page_prints_it_and_the_recognition_vouches_for_it():
    template = learn_layout(words(FIRST), CONFIRMED)  # taught as "Quillfeather Paper Works"
    reading = read_document(make_pdf([SECOND]))
    generic_address_confidence = reading.result.field_confidence["supplier_address"]

    apply_learned_layout(reading, template, recognised=0.97)

    result = reading.result
    assert result.supplier == Party(
        name="QUILLFEATHER PAPER WORKS", address="12 Inkwell Lane, Bristol BS1 4DJ, GB", tax_id=QUILL_TAX_ID
    )
    assert result.field_confidence["supplier_name"] == 0.97
    assert result.field_confidence["supplier_tax_id"] == 0.97
    assert result.field_confidence["supplier_address"] == generic_address_confidence


def test_what_the_page_does_not_print_is_not_filled_from_the_recognised_supplier():
    page = [text for text in SECOND if "Inkwell Lane" not in text[2]]  # this page prints no address
    template = learn_layout(words(FIRST), CONFIRMED)
    reading = read_document(make_pdf([page]))
    reading.result.supplier = Party()  # as if the generic reader had found no supplier at all
    reading.result.field_confidence = {
        name: score for name, score in reading.result.field_confidence.items() if not name.startswith("supplier_")
    }

    changed = apply_learned_layout(reading, template, recognised=0.97)

    result = reading.result
    assert {"supplier_name", "supplier_tax_id"} <= set(changed)
    assert result.supplier == Party(name="QUILLFEATHER PAPER WORKS", address=None, tax_id=QUILL_TAX_ID)
    assert "supplier_address" not in result.field_confidence


def test_a_value_read_only_by_position_does_not_replace_a_surer_generic_one():
    name = (50, 60, "Osprey Kitchens Ltd", 16)
    template = learn_layout(words([name, (60, 400, "88.40")]), {"supplier_name": name[2], "total": Decimal("88.4")})
    reading = read_document(make_pdf([[name, (60, 400, "7.00"), (300, 400, "Total"), (460, 400, "102.75")]]))
    assert reading.words is not None
    assert reading.result.field_confidence["total"] > POSITIONED
    assert apply_layout(reading.words, template) == {"total": (Decimal("7.00"), POSITIONED)}

    apply_learned_layout(reading, template, recognised=0.9)

    assert reading.result.total == Decimal("102.75")


# Scans


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def scan(texts: list[Text]) -> bytes:
    """`texts` drawn on a white A4 page at 150 dpi (points times 150/72), as a PNG."""
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for item in texts:
        size = item[3] if len(item) == 4 else 10
        font = ImageFont.truetype(str(FONT), round(size * 150 / 72 * 1.4)) if FONT.exists() else None
        draw.text((item[0] * 150 / 72, (item[1] - size) * 150 / 72), item[2], fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_layout_learned_from_a_scan_reads_the_next_scan():
    template = learn_layout(read_image(scan(FIRST)), CONFIRMED)

    learned = values(apply_layout(read_image(scan(SECOND)), template))

    for field in ("invoice_number", "invoice_date", "due_date", "subtotal", "tax_amount", "total"):
        assert learned[field] == SECOND_VALUES[field], field


def test_a_blank_scan_has_no_text_to_read():
    blank = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(blank, "PNG")

    with pytest.raises(NoTextFound, match="No text could be read"):
        read_document(blank.getvalue(), require_text=True)
    assert extract(blank.getvalue()).invoice_number is None  # the benchmark still gets an (empty) result
