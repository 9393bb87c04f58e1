"""Why an invoice needs review: one reason per doubt or disagreement, with the figures; none when all is well."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from invoices.models import Direction, Invoice, Source, Status
from invoices.review import invoice_review_refresh, review_reasons
from invoices.tests.factories import purchase_invoice, sales_invoice

SURE = {
    "supplier_name": 0.95,
    "invoice_number": 0.95,
    "invoice_date": 0.9,
    "due_date": 0.9,
    "currency": 0.95,
    "subtotal": 0.9,
    "tax_amount": 0.9,
    "total": 0.95,
}


def extracted(**changes: Any) -> Invoice:
    """An invoice read from a document, every field found and sure, its figures agreeing."""
    fields: dict[str, Any] = {
        "direction": Direction.PURCHASE,
        "source": Source.UPLOAD,
        "status": Status.PROCESSED,
        "supplier_name": "Acme Supplies Ltd",
        "invoice_number": "INV-7",
        "invoice_date": date(2026, 4, 1),
        "due_date": date(2026, 5, 1),
        "currency": "GBP",
        "subtotal": Decimal("1200.00"),
        "tax_amount": Decimal("240.00"),
        "total": Decimal("1440.00"),
        "confidence": 0.94,
        "field_confidence": dict(SURE),
    }
    return Invoice(**(fields | changes))


def reasons(invoice: Invoice, lines: list[str] | None = None) -> list[dict[str, Any]]:
    return [
        dict(reason) for reason in review_reasons(invoice, line_amounts=[Decimal(amount) for amount in lines or []])
    ]


def codes(invoice: Invoice, lines: list[str] | None = None) -> list[tuple[str, str | None]]:
    return [(reason["code"], reason["field"]) for reason in reasons(invoice, lines)]


def test_an_invoice_with_nothing_to_doubt_has_no_reasons():
    assert reasons(extracted(), ["700.00", "500.00"]) == []


def test_a_field_read_with_low_confidence_is_named_with_its_value_and_score():
    invoice = extracted(field_confidence=SURE | {"invoice_number": 0.55})

    assert reasons(invoice) == [
        {
            "code": "low_confidence",
            "field": "invoice_number",
            "message": "The invoice number “INV-7” was read with confidence 0.55, below 0.80.",
        }
    ]


def test_a_doubtful_field_that_does_not_decide_the_booking_is_no_reason():
    assert reasons(extracted(field_confidence=SURE | {"supplier_address": 0.4, "due_date": 0.7})) == []


def test_a_low_overall_confidence_is_a_reason_even_when_no_field_explains_it():
    assert codes(extracted(confidence=0.6)) == [("low_confidence", None)]


def test_a_field_not_found_on_the_document_is_missing():
    confidence = {name: score for name, score in SURE.items() if name not in ("invoice_number", "total")}
    invoice = extracted(invoice_number="", total=Decimal("0.00"), field_confidence=confidence)

    assert codes(invoice) == [("missing_field", "invoice_number"), ("missing_field", "total")]
    assert reasons(invoice)[0]["message"] == "No invoice number was found on the document."


def test_a_total_of_zero_printed_on_the_document_is_not_missing():
    invoice = extracted(subtotal=Decimal("0.00"), tax_amount=Decimal("0.00"), total=Decimal("0.00"))

    assert reasons(invoice) == []


def test_a_guessed_currency_is_said():
    invoice = extracted(field_confidence=SURE | {"currency": 0.7})

    assert reasons(invoice) == [
        {
            "code": "currency_guessed",
            "field": "currency",
            "message": "The currency GBP is not printed as a code the reader could be sure of; "
            "it was guessed (confidence 0.70).",
        }
    ]


def test_line_items_that_do_not_sum_to_the_subtotal_are_named_with_both_figures():
    assert reasons(extracted(), ["520.00", "500.00"]) == [
        {
            "code": "line_items_mismatch",
            "field": "line_items",
            "message": "Line items sum to 1,020.00 but the subtotal is 1,200.00.",
        }
    ]


def test_line_items_may_differ_from_the_subtotal_by_a_cent_a_line():
    assert reasons(extracted(), ["700.01", "500.01"]) == []


def test_a_subtotal_and_tax_that_do_not_make_the_total_are_named_with_the_figures():
    assert reasons(extracted(total=Decimal("1400.00"))) == [
        {
            "code": "totals_mismatch",
            "field": "total",
            "message": "Subtotal 1,200.00 + tax 240.00 = 1,440.00, but the total is 1,400.00.",
        }
    ]


def test_a_due_date_before_the_invoice_date_is_a_reason():
    assert codes(extracted(due_date=date(2026, 3, 1))) == [("due_before_invoice_date", "due_date")]


def test_amounts_the_reader_did_not_find_are_not_compared():
    confidence = {name: score for name, score in SURE.items() if name not in ("subtotal", "tax_amount")}
    invoice = extracted(subtotal=Decimal("0.00"), tax_amount=Decimal("0.00"), field_confidence=confidence)

    assert reasons(invoice, ["700.00", "500.00"]) == []


def test_a_persons_correction_settles_the_readers_doubts_but_not_figures_that_disagree():
    doubtful = SURE | {"invoice_number": 0.4, "currency": 0.6}
    invoice = extracted(field_confidence=doubtful, total=Decimal("1400.00"), reviewed_at=timezone.now())

    assert codes(invoice) == [("totals_mismatch", "total")]


def test_invoices_not_read_from_a_document_have_no_doubts_only_disagreements():
    invoice = extracted(source=Source.API, field_confidence={}, confidence=None)

    assert reasons(invoice) == []
    assert codes(extracted(source=Source.API, field_confidence={}, total=Decimal("9.00"))) == [
        ("totals_mismatch", "total")
    ]


@pytest.mark.django_db
def test_a_purchase_number_already_received_from_the_supplier_is_a_possible_duplicate(alice):
    first = purchase_invoice(alice, number="P-1")
    second = purchase_invoice(alice, number="P-1")

    assert second.duplicate_of == first
    assert second.status == Status.NEEDS_REVIEW
    assert second.review_reasons == [
        {
            "code": "possible_duplicate",
            "field": "invoice_number",
            "message": f"Invoice number P-1 from this supplier was already received as {first.public_id}.",
        }
    ]


@pytest.mark.django_db
def test_the_same_number_from_another_supplier_or_company_is_no_duplicate(alice, bob):
    purchase_invoice(alice, number="P-1", supplier="Acme Supplies Ltd")

    assert purchase_invoice(alice, number="P-1", supplier="Globex Corporation").duplicate_of is None
    assert purchase_invoice(bob, number="P-1", supplier="Acme Supplies Ltd").duplicate_of is None


@pytest.mark.django_db
def test_sales_invoices_are_never_marked_duplicates(alice):
    invoice = sales_invoice(alice)

    assert (invoice.duplicate_of, invoice.review_reasons, invoice.status) == (None, [], Status.PROCESSED)


@pytest.mark.django_db
def test_needs_review_is_exactly_having_reasons(alice):
    invoice = purchase_invoice(alice, number="P-9")
    invoice.total = Decimal("1.00")

    invoice_review_refresh(invoice, line_amounts=[Decimal("100.00")])
    assert (invoice.status, [reason["code"] for reason in invoice.review_reasons]) == (
        Status.NEEDS_REVIEW,
        ["totals_mismatch"],
    )

    invoice.total = Decimal("120.00")
    invoice_review_refresh(invoice, line_amounts=[Decimal("100.00")])
    assert (invoice.status, invoice.review_reasons) == (Status.PROCESSED, [])


@pytest.mark.django_db
def test_a_failed_or_processing_invoice_keeps_its_status(alice):
    for status in (Status.FAILED, Status.PROCESSING):
        invoice = extracted(company=alice, status=status, invoice_number="", field_confidence={})

        invoice_review_refresh(invoice, line_amounts=[])

        assert invoice.status == status
