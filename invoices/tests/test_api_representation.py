"""The invoice serializers' fast path writes, byte for byte, what DRF writes from their declared fields.

`InvoiceOutputSerializer.to_representation` builds an invoice's answer directly; DRF's own
`Serializer.to_representation` over the declared fields (which the schema is made from) is the
reference. Both are rendered to JSON and compared as text, so that a Decimal written with other
decimals (2 vs 2.0000) or a date in another format shows. Invoices of every kind: purchase and
sales, drafts, issued, void, credit notes, duplicates, extraction failures, collected, paid, in
currencies of 0, 2 and 3 decimals, with discounts, charges and lines of their own tax; each read both
as the API reads it (lines prefetched) and straight from the database.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from buyers.models import Buyer
from companies.models import Company
from invoices.api.serializers import InvoiceDetailSerializer, InvoiceOutputSerializer
from invoices.issuing.services import credit_note_create, invoice_issue, invoice_void
from invoices.models import Invoice, Status
from invoices.selectors import invoice_get, invoice_list, invoice_page_read
from invoices.services import invoice_create
from invoices.tests.parties import sales_draft

pytestmark = pytest.mark.django_db


def full_draft(seller: Company, buyer: Buyer, **changes: Any) -> Invoice:
    """A draft with every optional part: per-line tax and discount, document discounts and charges."""
    fields: dict[str, Any] = {
        "line_items": [
            {"description": "Consulting", "quantity": Decimal("10.5"), "unit_price": Decimal(100), "tax_rate": 19},
            {
                "description": "Manual",
                "quantity": Decimal(2),
                "unit_price": Decimal("49.9999"),
                "tax_rate": Decimal(7),
                "discount_amount": Decimal("5.00"),
                "discount_reason": "Loyalty",
            },
        ],
        "discounts": [{"amount": Decimal("10.00"), "reason": "Early order", "tax_category": "S", "tax_rate": 19}],
        "charges": [{"amount": Decimal("4.50"), "reason": "Shipping", "tax_category": "S", "tax_rate": 19}],
        "notes": "Thank you",
        "buyer_reference": "REF-9",
        "purchase_order": "PO-77",
        "delivery_date": date(2026, 11, 30),
    } | changes
    return sales_draft(seller, buyer, **fields)


def purchase(company: Company, number: str, currency: str, **changes: Any) -> Invoice:
    fields: dict[str, Any] = {
        "currency": currency,
        "invoice_date": date(2026, 4, 1),
        "due_date": date(2026, 5, 1),
        "line_items": [{"description": "Widget", "quantity": Decimal(3), "unit_price": Decimal("12.345")}],
        "totals": {"tax_rate": Decimal("8.25")},
    } | changes
    supplier = {"name": "Acme Supplies Ltd", "address": "1 High St\nLeeds LS1 1AA", "tax_id": "GB123456789"}
    return invoice_create(company=company, supplier=supplier, invoice_number=number, **fields)


@pytest.fixture
def invoices(seller: Company, buyer: Buyer) -> list[Invoice]:
    draft = full_draft(seller, buyer, currency="BHD")
    issued = invoice_issue(invoice=full_draft(seller, buyer, currency="USD"))
    credited = invoice_issue(invoice=full_draft(seller, buyer))
    note = credit_note_create(invoice=credited, reason="Returned", issue=True)
    voided = invoice_void(invoice=invoice_issue(invoice=full_draft(seller, buyer)), reason="Raised in error")
    recorded = invoice_create(
        company=seller,
        buyer=buyer,
        invoice_number="EXT-1",
        currency="JPY",
        invoice_date=date(2026, 3, 1),
        totals={"subtotal": Decimal(1000), "tax_rate": Decimal(10), "tax_amount": Decimal(100), "total": Decimal(1100)},
    )
    yen = purchase(seller, "P-1", "JPY")
    dinar = purchase(seller, "P-2", "KWD")
    duplicate = purchase(seller, "P-2", "KWD")
    paid = purchase(seller, "P-3", "GBP")
    paid.set_payments(paid=Decimal("20.00"), written_off=Decimal("0.01"), last_payment_date=date(2026, 6, 1))
    paid.save()
    failed = Invoice.objects.create(
        company=seller,
        direction="purchase",
        status=Status.FAILED,
        currency="",
        failure_reason="No text could be read",
        confidence=0.125,
        field_confidence={"total": 0.5, "invoice_number": 1},
        page_count=3,
        review_reasons=[
            {"code": "total_mismatch", "field": "total", "message": "Lines add up to 10.00"},
            {"code": "low_confidence", "field": None, "message": "Read with low confidence"},
        ],
        collected_from={"collector": "imap", "credential_id": "crd_1", "user_id": "usr_1", "remote_id": "r-9"},
    )
    nothing_printed = Invoice.objects.create(company=seller, direction="purchase", status=Status.PROCESSING)
    made = [draft, issued, credited, note, voided, recorded, yen, dinar, duplicate, paid, failed, nothing_printed]
    assert duplicate.duplicate_of_id == dinar.pk, "the fixture has a duplicate"
    return made


def as_drf_writes_it(serializer: serializers.Serializer, invoice: Invoice) -> bytes:
    return JSONRenderer().render(serializers.Serializer.to_representation(serializer, invoice))


def as_written(serializer: serializers.Serializer) -> bytes:
    return JSONRenderer().render(serializer.data)


def test_the_list_writes_every_kind_of_invoice_as_drf_does_from_the_declared_fields(seller, invoices):
    listed = list(invoice_list(company=seller, filters={}))
    invoice_page_read(listed)
    assert len(listed) == len(invoices)

    for invoice in listed:
        assert as_written(InvoiceOutputSerializer(invoice)) == as_drf_writes_it(InvoiceOutputSerializer(), invoice)


def test_the_detail_writes_every_kind_of_invoice_as_drf_does_with_its_text(seller, invoices):
    for made in invoices:
        for invoice in (invoice_get(company=seller, public_id=made.public_id), Invoice.objects.get(pk=made.pk)):
            invoice.extracted_text = "INVOICE\nTotal 10.00"
            written = as_written(InvoiceDetailSerializer(invoice))
            assert written == as_drf_writes_it(InvoiceDetailSerializer(), invoice)
            assert b'"text":"INVOICE\\nTotal 10.00"' in written


def test_the_written_fields_are_the_declared_ones_in_their_order(seller, invoices):
    for invoice in invoice_list(company=seller, filters={}):
        assert list(InvoiceOutputSerializer(invoice).data) == list(InvoiceOutputSerializer().fields)
