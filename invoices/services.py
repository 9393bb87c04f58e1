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
from invoices.models import (
    AllowanceCharge,
    Direction,
    DocumentType,
    Invoice,
    InvoiceChange,
    InvoiceLine,
    PaperSize,
    Source,
    State,
    Status,
)
from invoices.page_images import page_images_delete
from invoices.review import invoice_review_refresh
from invoices.suppliers import supplier_link
from invoices.totals import LINE_TAX_FIELDS, Amounts, amounts_compute, is_itemised
from invoisx.enqueue import enqueue
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError
from invoisx.money import (
    fits_currency,
    normalise_currency,
    round_money,
)
from invoisx.retention import delete_in_batches, retention_cutoff
from tokens.models import ApiToken


def _currency(code: str) -> str:
    try:
        return normalise_currency(code)
    except ValueError as error:
        raise ValidationError({"currency": [str(error)]}) from None


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


def _check_dates(invoice_date: date | None, due_date: date | None) -> None:
    if invoice_date and due_date and due_date < invoice_date:
        raise ValidationError({"due_date": ["The due date is before the invoice date."]})


def _apply_amounts(invoice: Invoice, amounts: Amounts) -> None:
    invoice.line_total = amounts.line_total
    invoice.allowance_total = amounts.allowance_total
    invoice.charge_total = amounts.charge_total
    invoice.subtotal = amounts.subtotal
    invoice.tax_rate = amounts.tax_rate
    invoice.tax_amount = amounts.tax_amount
    invoice.total = amounts.total


def _save_lines(invoice: Invoice, amounts: Amounts) -> None:
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            description=line["description"],
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            amount=line["amount"],
            **{name: line[name] for name in LINE_TAX_FIELDS if line.get(name) is not None},
        )
        for position, line in enumerate(amounts.lines, start=1)
    )
    invoice.allowances_charges.all().delete()
    AllowanceCharge.objects.bulk_create(
        AllowanceCharge(
            invoice=invoice,
            position=position,
            is_charge=item.is_charge,
            amount=round_money(item.amount, invoice.currency),
            reason=item.reason,
            tax_category=item.tax_category,
            tax_rate=item.tax_rate,
        )
        for position, item in enumerate(amounts.allowances_charges, start=1)
    )


def _stored_line_items(invoice: Invoice) -> list[dict[str, Any]]:
    """The invoice's lines as line item dicts, as a caller would give them."""
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "amount": line.amount,
            **{name: getattr(line, name) for name in LINE_TAX_FIELDS},
        }
        for line in invoice.lines.all()
    ]


def _stored_allowances_charges(invoice: Invoice, *, is_charge: bool) -> list[dict[str, Any]]:
    return [
        {"amount": item.amount, "reason": item.reason, "tax_category": item.tax_category, "tax_rate": item.tax_rate}
        for item in invoice.allowances_charges.all()
        if item.is_charge == is_charge
    ]


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


# Fields of a sales invoice issued here that only drafts set (recorded invoices have no use for them),
# and what each is when a change clears it (null).
ISSUING_FIELD_DEFAULTS: dict[str, Any] = {
    "language": "",
    "paper_size": PaperSize.A4,
    "buyer_reference": "",
    "purchase_order": "",
    "delivery_date": None,
    "series": None,
}
ISSUING_FIELDS = tuple(ISSUING_FIELD_DEFAULTS)


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
    discounts: list[dict[str, Any]] | None = None,
    charges: list[dict[str, Any]] | None = None,
    notes: str = "",
    source: str = Source.API,
    document_type: str = DocumentType.INVOICE,
    preceding_invoice: Invoice | None = None,
    **issuing: Any,
) -> Invoice:
    """Record an invoice, or start a sales invoice to issue here.

    A sales invoice without a number is a `draft`: it is numbered from its series when it is issued
    (`invoices.issuing.services.invoice_issue`). One given a number was issued elsewhere and is
    `recorded`, as every purchase invoice is.
    """
    direction = direction or (Direction.SALES if buyer else Direction.PURCHASE)
    if direction == Direction.SALES and (buyer is None or supplier):
        raise ValidationError({"buyer_id": ["A sales invoice needs a buyer_id and no supplier."]})
    if direction == Direction.PURCHASE and (supplier is None or buyer):
        raise ValidationError({"supplier": ["A purchase invoice needs a supplier and no buyer_id."]})
    draft = direction == Direction.SALES and not invoice_number.strip()
    unknown = set(issuing) - set(ISSUING_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    if not draft and (issuing or discounts or charges or document_type != DocumentType.INVOICE):
        named = sorted(issuing) + (["discounts"] if discounts else []) + (["charges"] if charges else [])
        raise ValidationError(
            {name: ["Only a sales invoice issued here (a draft, without invoice_number) has this."] for name in named}
            or {"document_type": ["Credit notes are issued here, from the invoice they correct."]}
        )
    if invoice_date is None and not draft:
        raise ValidationError({"invoice_date": ["This field is required."]})
    _check_dates(invoice_date, due_date)
    currency = _currency(currency)
    amounts = amounts_compute(
        currency=currency,
        line_items=line_items or [],
        totals=totals or {},
        discounts=discounts or [],
        charges=charges or [],
        draft=draft,
    )
    if buyer is not None:
        buyer = buyer_lock_for_invoice(buyer=buyer, company=company)
    series = issuing.pop("series", None)
    if series is not None and (series.company_id != company.pk or series.document_type != document_type):
        raise ValidationError({"series_id": [f"Not a series of {DocumentType(document_type).label.lower()}s."]})

    invoice = Invoice(
        company=company,
        direction=direction,
        buyer=buyer,
        state=State.DRAFT if draft else State.RECORDED,
        document_type=document_type,
        preceding_invoice=preceding_invoice,
        series=series,
        invoice_number=invoice_number.strip(),
        invoice_date=invoice_date,
        due_date=due_date,
        currency=currency,
        notes=notes,
        source=source,
        **{name: value for name, value in issuing.items() if value is not None},
    )
    _apply_amounts(invoice, amounts)
    if supplier is not None:
        supplier_link(invoice, supplier)
    invoice_review_refresh(invoice, line_amounts=[line["amount"] for line in amounts.lines])
    _save_unique(invoice)
    _save_lines(invoice, amounts)
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
            + (
                [line.tax_category, str(line.tax_rate) if line.tax_rate is not None else None]
                if line.tax_category
                else []
            )
            for line in invoice.lines.all()
        ],
        "notes": invoice.notes,
    }


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    changed_by_user: User | None = None,
    changed_by_token: ApiToken | None = None,
    vouch: bool = True,
    **fields: Any,
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

    `vouch=False` saves a correction without vouching for the rest (the dashboard's Save, where
    approving is its own button, `invoice_approve`).
    """
    invoice = invoice_lock(invoice)
    if invoice.status == Status.PROCESSING:
        raise DomainError(
            code=CONFLICT, message="The invoice is still being extracted; correct it once it is processed."
        )
    if invoice.is_issued:
        raise DomainError(
            code=CONFLICT,
            message=f"Invoice {invoice.invoice_number} is {invoice.state}: an issued invoice changes only "
            "through a credit note.",
        )
    draft = invoice.is_draft
    if draft and fields.get("invoice_number"):
        raise ValidationError({"invoice_number": ["A draft is numbered from its series when it is issued."]})
    issuing = {name: fields.pop(name) for name in ISSUING_FIELDS if name in fields}
    if not draft and (issuing or fields.get("discounts") or fields.get("charges")):
        named = sorted(issuing) + [name for name in ("discounts", "charges") if fields.get(name)]
        raise ValidationError({name: ["Only a sales invoice issued here (a draft) has this."] for name in named})
    confirmed = confirmed_fields(fields)
    before = invoice_snapshot(invoice)
    if "direction" in fields and fields.pop("direction") != invoice.direction:
        raise ValidationError({"direction": ["An invoice's direction cannot change."]})
    if "buyer" in fields:
        if invoice.direction != Direction.SALES:
            raise ValidationError({"buyer_id": ["Only sales invoices have a buyer."]})
        buyer = fields.pop("buyer")
        if buyer is None and draft:
            raise ValidationError({"buyer_id": ["A sales invoice needs a buyer."]})
        invoice.buyer = buyer_lock_for_invoice(buyer=buyer, company=invoice.company) if buyer else None
    if "supplier" in fields:
        if invoice.direction != Direction.PURCHASE:
            raise ValidationError({"supplier": ["Only purchase invoices have a supplier."]})
        supplier_link(invoice, fields.pop("supplier"))
    if "series" in issuing:
        series = issuing.pop("series")
        if series is not None and (
            series.company_id != invoice.company_id or series.document_type != invoice.document_type
        ):
            raise ValidationError({"series_id": [f"Not a series of {invoice.get_document_type_display().lower()}s."]})
        invoice.series = series
    for name, value in issuing.items():
        setattr(invoice, name, value if value is not None else ISSUING_FIELD_DEFAULTS[name])
    for name in ("invoice_number", "invoice_date", "due_date", "notes"):
        if name in fields:
            setattr(invoice, name, fields[name])
    currency_changes = "currency" in fields and _currency(fields["currency"]) != invoice.currency
    if "currency" in fields:
        currency = _currency(fields["currency"])
        if currency_changes and invoice.has_payments:
            raise ValidationError({"currency": ["Bank payments are matched to this invoice in its currency."]})
        invoice.currency = currency
    if invoice.invoice_date is None and not draft:
        raise ValidationError({"invoice_date": ["This field may not be null."]})
    _check_dates(invoice.invoice_date, invoice.due_date)

    amounts_change = any(name in fields for name in ("line_items", "totals", "discounts", "charges"))
    amounts_change = amounts_change or currency_changes

    def kept(stored: Decimal) -> Decimal:
        """A stored amount that stays, in the (new) currency: refused if it has more decimals than that has."""
        if currency_changes and not fits_currency(stored, invoice.currency):
            raise ValidationError(
                {"currency": [f"The amounts have more decimals than {invoice.currency} has; give them again with it."]}
            )
        return round_money(stored, invoice.currency)

    if "line_items" in fields:
        line_items = fields["line_items"] or []
    else:
        line_items = [item | {"amount": kept(item["amount"])} for item in _stored_line_items(invoice)]
    discounts = fields["discounts"] if "discounts" in fields else _stored_allowances_charges(invoice, is_charge=False)
    charges = fields["charges"] if "charges" in fields else _stored_allowances_charges(invoice, is_charge=True)
    given = fields.get("totals") or {}
    totals: dict[str, Decimal | None] = {
        "tax_rate": given.get("tax_rate", invoice.tax_rate),
        "tax_amount": given.get("tax_amount"),
        "subtotal": given.get("subtotal"),
        "total": given.get("total"),
    }
    itemised = is_itemised(line_items, discounts or [], charges or [], draft)
    if not itemised and totals["tax_rate"] is None and totals["tax_amount"] is None:
        totals["tax_amount"] = kept(invoice.tax_amount)  # keep a tax that was given as an amount only
    if not line_items and totals["subtotal"] is None and totals["total"] is None:
        totals["subtotal"] = kept(invoice.subtotal)
    amounts = None
    if amounts_change:
        amounts = amounts_compute(
            currency=invoice.currency,
            line_items=line_items,
            totals=totals,
            discounts=discounts or [],
            charges=charges or [],
            draft=draft,
        )
        _apply_amounts(invoice, amounts)
        invoice.refresh_payment_status()
    if vouch and invoice.status in REVIEWED_STATUSES and invoice.source == Source.UPLOAD:
        invoice.status = Status.PROCESSED
        invoice.failure_reason = ""
        invoice.reviewed_at = timezone.now()  # settles what the reader was unsure of (`review`)
    invoice_review_refresh(
        invoice, line_amounts=[item["amount"] for item in (amounts.lines if amounts else line_items)]
    )
    _save_unique(invoice)
    if amounts is not None:
        _save_lines(invoice, amounts)
    _record_changes(invoice, before, invoice_snapshot(invoice), changed_by_user, changed_by_token)
    event_record(company=invoice.company, type=EventType.INVOICE_UPDATED, data=invoice_event_data(invoice))
    if confirmed and layout_can_be_learned(invoice):
        # Learning is a help, not part of the correction: its failure must not undo or fail the request.
        # A lambda, not a partial: Django names the callback when it logs a robust callback's error.
        learned = sorted(confirmed)
        transaction.on_commit(lambda: _queue_layout_learning(invoice.pk, learned), robust=True)
    return invoice


@transaction.atomic
def invoice_approve(*, invoice: Invoice, approved_by: User) -> Invoice:
    """A person vouches for an invoice read from a document: what the reader was unsure of is settled.

    What the data itself says (figures that disagree, a number already received, a due date before the
    invoice date) is not settled by approving: it is corrected first, so approval is refused (409)
    naming each reason. Returns the saved copy.
    """
    invoice = invoice_lock(invoice)
    if invoice.status == Status.PROCESSING:
        raise DomainError(
            code=CONFLICT, message="The invoice is still being extracted; approve it once it is processed."
        )
    if invoice.status == Status.FAILED:
        invoice.status = Status.PROCESSED
    invoice.failure_reason = ""
    invoice.reviewed_at = timezone.now()
    invoice_review_refresh(invoice, line_amounts=[line.amount for line in invoice.lines.all()])
    if invoice.review_reasons:
        raise DomainError(
            code=CONFLICT,
            message="Correct these before approving: " + "; ".join(r["message"] for r in invoice.review_reasons),
            details=_reasons_by_field(invoice),
        )
    invoice.save()
    InvoiceChange.objects.create(
        invoice=invoice, field="approved", old_value=None, new_value=True, changed_by_user=approved_by
    )
    event_record(company=invoice.company, type=EventType.INVOICE_UPDATED, data=invoice_event_data(invoice))
    if layout_can_be_learned(invoice):
        # Approving vouches for every field: the supplier's layout is learned from all of them.
        approved_id = invoice.pk
        transaction.on_commit(lambda: _queue_layout_learning(approved_id, None), robust=True)
    return invoice


def _reasons_by_field(invoice: Invoice) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for reason in invoice.review_reasons:
        details.setdefault(reason["field"] or "invoice", []).append(reason["message"])
    return details


def _queue_layout_learning(invoice_id: int, fields: list[str] | None) -> None:
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


def invoice_lock(invoice: Invoice, *, for_delete: bool = False) -> Invoice:
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
    invoice = invoice_lock(invoice, for_delete=True)
    if invoice.is_issued:
        raise DomainError(
            code=CONFLICT,
            message=f"Invoice {invoice.invoice_number} was issued and cannot be deleted: void it, or correct it "
            "with a credit note.",
        )
    if invoice.has_payments:
        raise DomainError(
            code=CONFLICT, message="Bank payments are matched to this invoice; reject those matches before deleting it."
        )
    data = invoice_event_data(invoice)
    company = invoice.company
    document = invoice.document.name
    digest = invoice.document_sha256
    invoice.delete()
    event_record(company=company, type=EventType.INVOICE_DELETED, data=data)
    if document:
        # Robust: the deletion is committed; a storage error leaves a stray file, not a failed request.
        transaction.on_commit(lambda: document_delete(name=document), robust=True)
        transaction.on_commit(lambda: page_images_delete(sha256=digest), robust=True)


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
