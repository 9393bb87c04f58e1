"""An invoice as the API writes it, built directly: the fast path of `InvoiceOutputSerializer`.

The serializer's declared fields are the contract (the schema is generated from them, and DRF's own
`Serializer.to_representation` over them is the reference). Going through DRF field by field cost a
list page of 20 invoices some 15,000 Python calls: about as much as the rest of the request. This
builds the same dictionaries with plain attribute reads, converting each value the way its declared
field does; `invoices/tests/test_api_representation.py` compares the two on invoices of every kind.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from invoices.issuing.document import money_text
from invoices.issuing.selectors import invoice_taxes
from invoices.models import Direction, Invoice, InvoiceLine
from invoices.selectors import LISTED_ID_SUFFIX
from invoisx.money import round_money

# The declared DecimalFields that quantize, whose `to_representation` writes a value as DRF does.
Quantizer = serializers.DecimalField


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value: datetime | None) -> str | None:
    if not value:
        return None
    return value.astimezone(timezone.get_current_timezone()).strftime(api_settings.DATETIME_FORMAT)


def _money(value: Decimal | None, currency: str) -> Decimal | None:
    return None if value is None else round_money(Decimal(value), currency or "")


def _public_id(related: Any) -> str | None:
    return None if related is None else str(related.public_id)


def _related_public_id(invoice: Invoice, relation: str) -> str | None:
    """A related row's public id: a column of `invoice_list`'s page, else read through the relation."""
    listed = invoice.__dict__.get(f"{relation}{LISTED_ID_SUFFIX}", _UNLISTED)
    if listed is _UNLISTED:
        return _public_id(getattr(invoice, relation))
    return None if listed is None else str(listed)


_UNLISTED = object()


def invoice_representation(invoice: Invoice, *, decimal_fields: dict[str, Quantizer]) -> dict[str, Any]:
    """The invoice's fields as `InvoiceOutputSerializer` declares them, in its order.

    `decimal_fields` are the declared DecimalFields that quantize (quantity, unit_price, rates), by
    name, so that their output is DRF's own."""
    currency = invoice.currency
    rate = decimal_fields["rate"].to_representation
    buyer = invoice.buyer
    collected = invoice.collected_from
    return {
        "id": str(invoice.public_id),
        "direction": invoice.direction,
        "status": invoice.status,
        "state": invoice.state,
        "document_type": invoice.document_type,
        "preceding_invoice": _related_public_id(invoice, "preceding_invoice"),
        "series": _related_public_id(invoice, "series"),
        "language": _text(invoice.language),
        "paper_size": invoice.paper_size,
        "buyer_reference": _text(invoice.buyer_reference),
        "purchase_order": _text(invoice.purchase_order),
        "delivery_date": _date(invoice.delivery_date),
        "issued_at": _datetime(invoice.issued_at),
        "sent_at": _datetime(invoice.sent_at),
        "voided_at": _datetime(invoice.voided_at),
        "void_reason": _text(invoice.void_reason),
        "supplier": _supplier(invoice),
        "buyer": None
        if buyer is None
        else {"id": str(buyer.public_id), "name": _text(buyer.name), "tax_id": _text(buyer.tax_id)},
        "invoice_number": _text(invoice.invoice_number),
        "invoice_date": _date(invoice.invoice_date),
        "due_date": _date(invoice.due_date),
        "currency": _text(currency),
        "line_items": [_line(line, currency, decimal_fields) for line in invoice.line_list()],
        "discounts": [_item(item, currency, rate) for item in invoice.allowance_charge_list() if not item.is_charge],
        "charges": [_item(item, currency, rate) for item in invoice.allowance_charge_list() if item.is_charge],
        "totals": {
            "line_total": _money(invoice.line_total, currency),
            "allowance_total": _money(invoice.allowance_total, currency),
            "charge_total": _money(invoice.charge_total, currency),
            "subtotal": _money(invoice.subtotal, currency),
            "tax_rate": None if invoice.tax_rate is None else rate(invoice.tax_rate),
            "tax_amount": _money(invoice.tax_amount, currency),
            "total": _money(invoice.total, currency),
        },
        "taxes": taxes_representation(invoice),
        "payment": {
            "status": invoice.payment_status,
            "amount_paid": _money(invoice.amount_paid, currency),
            "amount_written_off": _money(invoice.amount_written_off, currency),
            "amount_due": _money(invoice.amount_due, currency),
            "amount_credited": _money(invoice.amount_credited, currency),
            "last_payment_date": _date(invoice.last_payment_date),
        },
        "confidence": None if invoice.confidence is None else float(invoice.confidence),
        "field_confidence": {
            str(name): None if value is None else float(value) for name, value in invoice.field_confidence.items()
        },
        "page_count": None if invoice.page_count is None else int(invoice.page_count),
        "failure_reason": _text(invoice.failure_reason),
        "review_reasons": [
            {"code": reason["code"], "field": _text(reason.get("field")), "message": _text(reason["message"])}
            for reason in invoice.review_reasons
        ],
        "duplicate_of": _related_public_id(invoice, "duplicate_of"),
        "notes": _text(invoice.notes),
        "collected_from": None
        if not collected
        else {name: _text(collected[name]) for name in ("collector", "credential_id", "user_id", "remote_id")},
        "created_at": _datetime(invoice.created_at),
        "updated_at": _datetime(invoice.updated_at),
    }


def supplier_shown(invoice: Invoice) -> bool:
    """Purchase invoices show their supplier when they have a record of one or print one."""
    printed = invoice.supplier_name or invoice.supplier_address or invoice.supplier_tax_id
    return invoice.direction == Direction.PURCHASE and (invoice.supplier_id is not None or bool(printed))


def taxes_representation(invoice: Invoice) -> list[dict[str, Any]]:
    return [
        {
            "category": tax.category,
            "rate": tax.rate,
            "taxable_amount": money_text(tax.taxable_amount, invoice.currency),
            "tax_amount": money_text(tax.tax_amount, invoice.currency),
            "exemption_reason": tax.exemption_reason,
        }
        for tax in invoice_taxes(invoice)
    ]


def _supplier(invoice: Invoice) -> dict[str, Any] | None:
    if not supplier_shown(invoice):
        return None
    return {
        "id": _related_public_id(invoice, "supplier"),
        "name": _text(invoice.supplier_name),
        "address": _text(invoice.supplier_address),
        "tax_id": _text(invoice.supplier_tax_id),
    }


def _line(line: InvoiceLine, currency: str, decimal_fields: dict[str, Quantizer]) -> dict[str, Any]:
    rate = line.tax_rate
    return {
        "description": _text(line.description),
        "quantity": decimal_fields["quantity"].to_representation(line.quantity),
        "unit": _text(line.unit),
        "unit_price": decimal_fields["unit_price"].to_representation(line.unit_price),
        "discount_amount": _money(line.discount_amount, currency),
        "discount_reason": _text(line.discount_reason),
        "charge_amount": _money(line.charge_amount, currency),
        "charge_reason": _text(line.charge_reason),
        "tax_category": _text(line.tax_category),
        "tax_rate": None if rate is None else decimal_fields["rate"].to_representation(rate),
        "tax_exemption_reason": _text(line.tax_exemption_reason),
        "amount": _money(line.amount, currency),
    }


def _item(item: Any, currency: str, rate: Any) -> dict[str, Any]:
    return {
        "amount": _money(item.amount, currency),
        "reason": _text(item.reason),
        "tax_category": _text(item.tax_category),
        "tax_rate": None if item.tax_rate is None else rate(item.tax_rate),
    }
