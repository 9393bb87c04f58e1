"""Writes for invoices and suppliers. Each records its event in the same transaction."""

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from buyers.models import Buyer
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.layouts import confirmed_fields, layout_can_be_learned
from invoices.models import Direction, Invoice, InvoiceChange, InvoiceLine, Source, Status, Supplier
from invoices.totals import Line, compute_lines, compute_totals
from invoisx.errors import CONFLICT, DomainError
from invoisx.money import normalise_currency
from tokens.models import ApiToken


def _currency(code: str) -> str:
    try:
        return normalise_currency(code)
    except ValueError as error:
        raise ValidationError({"currency": [str(error)]}) from None


def supplier_get_or_create(*, company: Company, name: str, address: str = "", tax_id: str = "") -> Supplier:
    """The company's supplier with this tax id (or, lacking one, this name), created if new."""
    name, tax_id = name.strip(), tax_id.strip()
    if not name:
        raise ValidationError({"supplier.name": ["A supplier needs a name."]})
    suppliers = Supplier.objects.filter(company=company)
    supplier = None
    if tax_id:
        supplier = suppliers.filter(tax_id__iexact=tax_id).first()
    if supplier is None:
        # A tax id names one legal entity: only reuse a same-named supplier without a different one.
        by_name = suppliers.filter(name__iexact=name)
        supplier = (by_name.filter(tax_id__in=["", tax_id]) if tax_id else by_name).first()
    if supplier is None:
        return Supplier.objects.create(company=company, name=name, address=address.strip(), tax_id=tax_id)
    changed = False
    if address and not supplier.address:
        supplier.address, changed = address.strip(), True
    if tax_id and not supplier.tax_id:
        supplier.tax_id, changed = tax_id, True
    if changed:
        supplier.save(update_fields=["address", "tax_id", "updated_at"])
    return supplier


def invoice_event_data(invoice: Invoice) -> dict[str, Any]:
    """The webhook `data` of seed 001's invoice events."""
    return {
        "id": invoice.public_id,
        "direction": invoice.direction,
        "status": invoice.status,
        "invoice_number": invoice.invoice_number,
        "supplier": invoice.supplier.name if invoice.supplier else None,
        "buyer": invoice.buyer.name if invoice.buyer else None,
        "total": float(invoice.total),
        "currency": invoice.currency,
    }


def _next_sales_number(company: Company, invoice_date: date | None) -> str:
    locked = Company.objects.select_for_update().get(pk=company.pk)
    year = (invoice_date or date.today()).year
    sequence = locked.next_invoice_sequence
    existing = Invoice.objects.filter(company=company, direction=Direction.SALES)
    while existing.filter(invoice_number=f"INV-{year}-{sequence:05d}").exists():
        sequence += 1
    locked.next_invoice_sequence = sequence + 1
    locked.save(update_fields=["next_invoice_sequence"])
    return f"INV-{year}-{sequence:05d}"


def _check_dates(invoice_date: date | None, due_date: date | None) -> None:
    if invoice_date and due_date and due_date < invoice_date:
        raise ValidationError({"due_date": ["The due date is before the invoice date."]})


def _save_lines(invoice: Invoice, lines: list[Line]) -> None:
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for position, line in enumerate(lines, start=1)
    )


def _apply_totals(invoice: Invoice, lines: list[Line], totals: dict[str, Decimal | None]) -> None:
    computed = compute_totals(lines=lines, **totals)
    invoice.subtotal = computed.subtotal
    invoice.tax_rate = computed.tax_rate
    invoice.tax_amount = computed.tax_amount
    invoice.total = computed.total


def _save_unique(invoice: Invoice) -> None:
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise DomainError(
            code=CONFLICT,
            message=f"An invoice numbered '{invoice.invoice_number}' already exists"
            + (" from this supplier." if invoice.direction == Direction.PURCHASE else "."),
            details={"invoice_number": ["Already used."]},
        ) from None


@transaction.atomic
def invoice_create(
    *,
    company: Company,
    currency: str,
    direction: str | None = None,
    buyer: Buyer | None = None,
    supplier: dict[str, str] | None = None,
    invoice_number: str = "",
    invoice_date: date | None = None,
    due_date: date | None = None,
    line_items: list[dict[str, Any]] | None = None,
    totals: dict[str, Decimal | None] | None = None,
    notes: str = "",
    source: str = Source.API,
) -> Invoice:
    direction = direction or (Direction.SALES if buyer else Direction.PURCHASE)
    if direction == Direction.SALES and (buyer is None or supplier):
        raise ValidationError({"buyer_id": ["A sales invoice needs a buyer_id and no supplier."]})
    if direction == Direction.PURCHASE and (supplier is None or buyer):
        raise ValidationError({"supplier": ["A purchase invoice needs a supplier and no buyer_id."]})
    _check_dates(invoice_date, due_date)
    lines = compute_lines(line_items or [])

    invoice = Invoice(
        company=company,
        direction=direction,
        buyer=buyer,
        invoice_number=invoice_number.strip(),
        invoice_date=invoice_date,
        due_date=due_date,
        currency=_currency(currency),
        notes=notes,
        source=source,
    )
    _apply_totals(invoice, lines, totals or {})
    if supplier is not None:
        invoice.supplier = supplier_get_or_create(company=company, **supplier)
    if direction == Direction.SALES and not invoice.invoice_number:
        invoice.invoice_number = _next_sales_number(company, invoice_date)
    _save_unique(invoice)
    _save_lines(invoice, lines)
    event_record(company=company, type=EventType.INVOICE_CREATED, data=invoice_event_data(invoice))
    return invoice


REVIEWED_STATUSES = (Status.PROCESSED, Status.NEEDS_REVIEW, Status.FAILED)


def invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    """The correctable fields as JSON values, to compare before and after a change."""
    supplier = invoice.supplier
    return {
        "supplier.name": supplier.name if supplier else None,
        "supplier.address": supplier.address if supplier else None,
        "supplier.tax_id": supplier.tax_id if supplier else None,
        "buyer_id": invoice.buyer.public_id if invoice.buyer else None,
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date.isoformat() if invoice.invoice_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "currency": invoice.currency,
        "totals.subtotal": str(invoice.subtotal),
        "totals.tax_rate": str(invoice.tax_rate) if invoice.tax_rate is not None else None,
        "totals.tax_amount": str(invoice.tax_amount),
        "totals.total": str(invoice.total),
        "line_items": [
            [line.description, str(line.quantity), str(line.unit_price), str(line.amount)]
            for line in invoice.lines.all()
        ],
        "notes": invoice.notes,
    }


@transaction.atomic
def invoice_update(
    *, invoice: Invoice, changed_by_user: User | None = None, changed_by_token: ApiToken | None = None, **fields: Any
) -> Invoice:
    """Correct an invoice's data, keeping who changed what.

    New line items replace the old ones and totals are recomputed and cross-checked whenever lines or
    totals are given; other changes leave the amounts as they were. A corrected extracted invoice
    becomes `processed`: a person has now vouched for its data, and its supplier's layout is learned
    from the fields they set once the correction commits (`layouts.supplier_layout_learn`, in a task).
    """
    _lock_payments(invoice)
    if invoice.status == Status.PROCESSING:
        raise DomainError(
            code=CONFLICT, message="The invoice is still being extracted; correct it once it is processed."
        )
    confirmed = confirmed_fields(fields)
    before = invoice_snapshot(invoice)
    if "direction" in fields and fields.pop("direction") != invoice.direction:
        raise ValidationError({"direction": ["An invoice's direction cannot change."]})
    if "buyer" in fields:
        if invoice.direction != Direction.SALES:
            raise ValidationError({"buyer_id": ["Only sales invoices have a buyer."]})
        invoice.buyer = fields.pop("buyer")
    if "supplier" in fields:
        if invoice.direction != Direction.PURCHASE:
            raise ValidationError({"supplier": ["Only purchase invoices have a supplier."]})
        invoice.supplier = supplier_get_or_create(company=invoice.company, **fields.pop("supplier"))
    for name in ("invoice_number", "invoice_date", "due_date", "notes"):
        if name in fields:
            setattr(invoice, name, fields[name])
    if "currency" in fields:
        currency = _currency(fields["currency"])
        if currency != invoice.currency and invoice.has_payments:
            raise ValidationError({"currency": ["Bank payments are matched to this invoice in its currency."]})
        invoice.currency = currency
    _check_dates(invoice.invoice_date, invoice.due_date)

    amounts_change = "line_items" in fields or "totals" in fields
    if "line_items" in fields:
        lines = compute_lines(fields["line_items"] or [])
    else:
        lines = [Line(li.description, li.quantity, li.unit_price, li.amount) for li in invoice.lines.all()]
    given = fields.get("totals") or {}
    totals: dict[str, Decimal | None] = {
        "tax_rate": given.get("tax_rate", invoice.tax_rate),
        "tax_amount": given.get("tax_amount"),
        "subtotal": given.get("subtotal"),
        "total": given.get("total"),
    }
    if totals["tax_rate"] is None and totals["tax_amount"] is None:
        totals["tax_amount"] = invoice.tax_amount  # keep a tax that was given as an amount only
    if not lines and totals["subtotal"] is None and totals["total"] is None:
        totals["subtotal"] = invoice.subtotal
    if amounts_change:
        _apply_totals(invoice, lines, totals)
        invoice.refresh_payment_status()
    if invoice.status in REVIEWED_STATUSES and invoice.source == Source.UPLOAD:
        invoice.status = Status.PROCESSED
        invoice.failure_reason = ""
    _save_unique(invoice)
    if "line_items" in fields:
        _save_lines(invoice, lines)
    _record_changes(invoice, before, invoice_snapshot(invoice), changed_by_user, changed_by_token)
    event_record(company=invoice.company, type=EventType.INVOICE_UPDATED, data=invoice_event_data(invoice))
    if confirmed and layout_can_be_learned(invoice):
        # Learning is a help, not part of the correction: its failure must not undo or fail the request.
        transaction.on_commit(partial(_queue_layout_learning, invoice.pk, sorted(confirmed)), robust=True)
    return invoice


def _queue_layout_learning(invoice_id: int, fields: list[str]) -> None:
    from invoices.tasks import learn_supplier_layout

    learn_supplier_layout.delay(invoice_id, fields)


def _record_changes(
    invoice: Invoice,
    before: dict[str, Any],
    after: dict[str, Any],
    user: User | None,
    token: ApiToken | None,
) -> None:
    InvoiceChange.objects.bulk_create(
        InvoiceChange(
            invoice=invoice,
            field=name,
            old_value=before[name],
            new_value=after[name],
            changed_by_user=user,
            changed_by_token=token,
        )
        for name in after
        if before[name] != after[name]
    )


def _lock_payments(invoice: Invoice) -> None:
    """Lock the invoice row and read its payment fields afresh: a bank match may be paying it right now,
    and saving the copy the caller loaded earlier would undo that payment."""
    invoice.refresh_from_db(
        from_queryset=Invoice.objects.select_for_update(),
        fields=["payment_status", "amount_paid", "amount_written_off", "last_payment_date"],
    )


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    _lock_payments(invoice)
    if invoice.has_payments:
        raise DomainError(
            code=CONFLICT, message="Bank payments are matched to this invoice; reject those matches before deleting it."
        )
    data = invoice_event_data(invoice)
    company = invoice.company
    invoice.delete()
    event_record(company=company, type=EventType.INVOICE_DELETED, data=data)
