"""Writes for invoices and suppliers. Each records its event in the same transaction."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from buyers.models import Buyer
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.models import Direction, Invoice, InvoiceLine, Source, Supplier
from invoices.totals import Line, compute_lines, compute_totals
from invoisx.api.errors import Conflict
from invoisx.money import normalise_currency


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
        raise Conflict(
            f"An invoice numbered '{invoice.invoice_number}' already exists"
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


@transaction.atomic
def invoice_update(*, invoice: Invoice, **fields: Any) -> Invoice:
    """Change an invoice's data; new line items replace the old ones and totals are recomputed."""
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
        invoice.currency = _currency(fields["currency"])
    _check_dates(invoice.invoice_date, invoice.due_date)

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
    _apply_totals(invoice, lines, totals)
    _save_unique(invoice)
    if "line_items" in fields:
        _save_lines(invoice, lines)
    event_record(company=invoice.company, type=EventType.INVOICE_UPDATED, data=invoice_event_data(invoice))
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    data = invoice_event_data(invoice)
    company = invoice.company
    invoice.delete()
    event_record(company=company, type=EventType.INVOICE_DELETED, data=data)
