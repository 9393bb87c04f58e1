"""Writes for invoices and suppliers. Each records its event in the same transaction."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from buyers.models import Buyer
from buyers.services import buyer_lock_for_invoice
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.layouts import confirmed_fields, layout_can_be_learned
from invoices.models import Direction, Invoice, InvoiceChange, InvoiceLine, Source, Status, Supplier
from invoices.review import invoice_review_refresh
from invoices.totals import Line, compute_lines, compute_totals
from invoisx.enqueue import enqueue
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError
from invoisx.money import fits_currency, money_problem, normalise_currency, round_money
from invoisx.retention import delete_in_batches, retention_cutoff
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


def _link_supplier(invoice: Invoice, supplier: dict[str, str]) -> None:
    """Keep the supplier as the invoice states it, and link the company's supplier record it names.

    The record is found by tax id or name (created if new) and only has its blanks filled: a
    correction of one invoice never rewrites the supplier as other invoices printed it.
    """
    invoice.supplier = supplier_get_or_create(company=invoice.company, **supplier)
    invoice.supplier_name = supplier["name"].strip()
    invoice.supplier_address = supplier.get("address", "").strip()
    invoice.supplier_tax_id = supplier.get("tax_id", "").strip()


def invoice_event_data(invoice: Invoice) -> dict[str, Any]:
    """The webhook `data` of seed 001's invoice events. Amounts stay Decimals: `Event.data` keeps them exact."""
    return {
        "id": invoice.public_id,
        "direction": invoice.direction,
        "status": invoice.status,
        "invoice_number": invoice.invoice_number,
        "supplier": invoice.supplier_name or None,
        "buyer": invoice.buyer.name if invoice.buyer else None,
        "total": round_money(invoice.total, invoice.currency),
        "currency": invoice.currency,
    }


def _next_sales_number(company: Company, invoice_date: date | None) -> str:
    # NO KEY UPDATE: numbers are taken one at a time, while rows that refer to the company (events,
    # other invoices) can still be committed meanwhile; FOR UPDATE would make them wait, and deadlock
    # with a writer that already holds a row this creation then needs (a buyer being deleted).
    locked = Company.objects.select_for_update(no_key=True).get(pk=company.pk)
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


def _check_amounts(
    currency: str, line_items: list[dict[str, Any]] | None, totals: dict[str, Decimal | None] | None
) -> None:
    """Refuse given amounts with more decimals than the currency has (0.5 JPY), naming each field."""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(line_items or []):
        if item.get("amount") is not None and (problem := money_problem(Decimal(str(item["amount"])), currency)):
            errors[f"line_items[{index}].amount"] = [problem]
    for name in ("subtotal", "tax_amount", "total"):
        value = (totals or {}).get(name)
        if value is not None and (problem := money_problem(Decimal(str(value)), currency)):
            errors[f"totals.{name}"] = [problem]
    if errors:
        raise ValidationError(errors)


def _apply_totals(invoice: Invoice, lines: list[Line], totals: dict[str, Decimal | None]) -> None:
    computed = compute_totals(currency=invoice.currency, lines=lines, **totals)
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
    currency = _currency(currency)
    _check_amounts(currency, line_items, totals)
    lines = compute_lines(line_items or [], currency=currency)
    if buyer is not None:
        buyer = buyer_lock_for_invoice(buyer=buyer, company=company)

    invoice = Invoice(
        company=company,
        direction=direction,
        buyer=buyer,
        invoice_number=invoice_number.strip(),
        invoice_date=invoice_date,
        due_date=due_date,
        currency=currency,
        notes=notes,
        source=source,
    )
    _apply_totals(invoice, lines, totals or {})
    if supplier is not None:
        _link_supplier(invoice, supplier)
    if direction == Direction.SALES and not invoice.invoice_number:
        invoice.invoice_number = _next_sales_number(company, invoice_date)
    invoice_review_refresh(invoice, line_amounts=[line.amount for line in lines])
    _save_unique(invoice)
    _save_lines(invoice, lines)
    event_record(company=company, type=EventType.INVOICE_CREATED, data=invoice_event_data(invoice))
    return invoice


REVIEWED_STATUSES = (Status.PROCESSED, Status.NEEDS_REVIEW, Status.FAILED)


def invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    """The correctable fields as JSON values, to compare before and after a change."""
    purchase = invoice.direction == Direction.PURCHASE

    def money(value: Decimal) -> str:
        return str(round_money(value, invoice.currency))

    return {
        "supplier.name": invoice.supplier_name if purchase else None,
        "supplier.address": invoice.supplier_address if purchase else None,
        "supplier.tax_id": invoice.supplier_tax_id if purchase else None,
        "buyer_id": invoice.buyer.public_id if invoice.buyer else None,
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date.isoformat() if invoice.invoice_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "currency": invoice.currency,
        "totals.subtotal": money(invoice.subtotal),
        "totals.tax_rate": str(invoice.tax_rate) if invoice.tax_rate is not None else None,
        "totals.tax_amount": money(invoice.tax_amount),
        "totals.total": money(invoice.total),
        "line_items": [
            [line.description, str(line.quantity), str(line.unit_price), money(line.amount)]
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
    totals are given; other changes leave the amounts as they were. A corrected extracted invoice has
    been reviewed: a person has vouched for what the reader was unsure of, so it is `processed` unless
    its data itself needs review (`review`: figures that disagree, a number already received). Its
    supplier's layout is learned from the fields they set once the correction commits
    (`layouts.supplier_layout_learn`, in a task).

    `invoice` only names the row: it is read again under its lock, and that copy is the one changed,
    compared (for the recorded changes) and saved. The caller's copy may be stale: saving it would
    undo whatever another correction or a bank payment wrote since it was loaded. Returns the saved copy.
    """
    invoice = _locked(invoice)
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
        buyer = fields.pop("buyer")
        invoice.buyer = buyer_lock_for_invoice(buyer=buyer, company=invoice.company) if buyer else None
    if "supplier" in fields:
        if invoice.direction != Direction.PURCHASE:
            raise ValidationError({"supplier": ["Only purchase invoices have a supplier."]})
        _link_supplier(invoice, fields.pop("supplier"))
    for name in ("invoice_number", "invoice_date", "due_date", "notes"):
        if name in fields:
            setattr(invoice, name, fields[name])
    currency_changes = "currency" in fields and _currency(fields["currency"]) != invoice.currency
    if "currency" in fields:
        currency = _currency(fields["currency"])
        if currency_changes and invoice.has_payments:
            raise ValidationError({"currency": ["Bank payments are matched to this invoice in its currency."]})
        invoice.currency = currency
    _check_dates(invoice.invoice_date, invoice.due_date)

    amounts_change = "line_items" in fields or "totals" in fields or currency_changes
    _check_amounts(invoice.currency, fields.get("line_items"), fields.get("totals"))

    def kept(stored: Decimal) -> Decimal:
        """A stored amount that stays, in the (new) currency: refused if it has more decimals than that has."""
        if currency_changes and not fits_currency(stored, invoice.currency):
            raise ValidationError(
                {"currency": [f"The amounts have more decimals than {invoice.currency} has; give them again with it."]}
            )
        return round_money(stored, invoice.currency)

    if "line_items" in fields:
        lines = compute_lines(fields["line_items"] or [], currency=invoice.currency)
    else:
        lines = [Line(li.description, li.quantity, li.unit_price, kept(li.amount)) for li in invoice.lines.all()]
    given = fields.get("totals") or {}
    totals: dict[str, Decimal | None] = {
        "tax_rate": given.get("tax_rate", invoice.tax_rate),
        "tax_amount": given.get("tax_amount"),
        "subtotal": given.get("subtotal"),
        "total": given.get("total"),
    }
    if totals["tax_rate"] is None and totals["tax_amount"] is None:
        totals["tax_amount"] = kept(invoice.tax_amount)  # keep a tax that was given as an amount only
    if not lines and totals["subtotal"] is None and totals["total"] is None:
        totals["subtotal"] = kept(invoice.subtotal)
    if amounts_change:
        _apply_totals(invoice, lines, totals)
        invoice.refresh_payment_status()
    if invoice.status in REVIEWED_STATUSES and invoice.source == Source.UPLOAD:
        invoice.status = Status.PROCESSED
        invoice.failure_reason = ""
        invoice.reviewed_at = timezone.now()  # settles what the reader was unsure of (`review`)
    invoice_review_refresh(invoice, line_amounts=[line.amount for line in lines])
    _save_unique(invoice)
    if "line_items" in fields:
        _save_lines(invoice, lines)
    _record_changes(invoice, before, invoice_snapshot(invoice), changed_by_user, changed_by_token)
    event_record(company=invoice.company, type=EventType.INVOICE_UPDATED, data=invoice_event_data(invoice))
    if confirmed and layout_can_be_learned(invoice):
        # Learning is a help, not part of the correction: its failure must not undo or fail the request.
        # A lambda, not a partial: Django names the callback when it logs a robust callback's error.
        learned = sorted(confirmed)
        transaction.on_commit(lambda: _queue_layout_learning(invoice.pk, learned), robust=True)
    return invoice


def _queue_layout_learning(invoice_id: int, fields: list[str]) -> None:
    from invoices.tasks import learn_supplier_layout

    enqueue(learn_supplier_layout, invoice_id, fields)


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


def _locked(invoice: Invoice, *, for_delete: bool = False) -> Invoice:
    """The invoice as stored now, its row locked until the transaction ends (call inside one).

    Every writer of an invoice row (corrections, extraction, bank payments) takes this lock first, so
    what is read here stays true until the change commits. A change takes NO KEY UPDATE, which waits
    for every other writer but lets rows that merely refer to the invoice be committed meanwhile.
    """
    # of=self: lock the invoice only, not the company, supplier and buyer rows joined to it.
    locked = (
        Invoice.objects.select_for_update(of=("self",), no_key=not for_delete)
        .select_related("company", "supplier", "buyer")
        .filter(pk=invoice.pk)
        .first()
    )
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No invoice with this id.")
    return locked


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    """Delete the invoice, and its stored document once that is committed (never a file a rollback
    would still need)."""
    invoice = _locked(invoice, for_delete=True)
    if invoice.has_payments:
        raise DomainError(
            code=CONFLICT, message="Bank payments are matched to this invoice; reject those matches before deleting it."
        )
    data = invoice_event_data(invoice)
    company = invoice.company
    document = invoice.document.name
    invoice.delete()
    event_record(company=company, type=EventType.INVOICE_DELETED, data=data)
    if document:
        # Robust: the deletion is committed; a storage error leaves a stray file, not a failed request.
        transaction.on_commit(lambda: document_delete(name=document), robust=True)


def document_delete(*, name: str) -> None:
    """Delete an invoice's stored document through the storage API (local media and object storage alike)."""
    if name:
        default_storage.delete(name)  # the storage `Invoice.document` is kept in


def invoice_changes_purge(*, now: datetime | None = None) -> int:
    """Delete corrections recorded more than INVOICE_CHANGES_RETENTION_DAYS ago; how many went.

    The audit trail is business data: kept forever unless that retention is set (0 by default)."""
    cutoff = retention_cutoff(days=settings.INVOICE_CHANGES_RETENTION_DAYS, now=now or timezone.now())
    if cutoff is None:
        return 0
    return delete_in_batches(InvoiceChange.objects.filter(created_at__lt=cutoff))
