"""Receiving supplier invoice documents: upload checks, de-duplication, and the extraction run.

The chain, each step explicit:
1. `invoice_upload` checks the file (size, kind sniffed from its bytes), refuses a company past its
   monthly limit, returns the earlier invoice for a file already received (SHA-256), else stores the
   file on a new `processing` invoice and queues the extraction once the transaction commits.
2. The Celery task calls `invoice_extraction_run`, which is idempotent: it only acts on an invoice
   still `processing`, so a retry after a worker died finishes the work and a duplicate does nothing.
3. When the document comes from one of the company's suppliers whose layout was learned from
   corrections (`layouts`), the fields read with that layout replace the generic ones and the
   invoice's supplier is that supplier.
4. The engine's result is written in one transaction: supplier, fields, lines, per-field confidence,
   status `processed` or `needs_review`, and the `invoice.processed` event; failures (a document
   that cannot be read, or shows no text at all) end as `failed` with the reason and an
   `invoice.failed` event.
"""

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.extraction.engine import check_document, read_document
from invoices.extraction.result import ExtractionResult
from invoices.extraction.sniff import DocumentError
from invoices.layouts import supplier_layout_apply, supplier_layout_used
from invoices.models import Direction, Invoice, InvoiceLine, Source, Status, Supplier, SupplierLayout
from invoices.services import invoice_event_data, supplier_get_or_create
from invoisx.errors import MONTHLY_LIMIT_REACHED, VALIDATION_ERROR, DomainError
from invoisx.money import CURRENCIES, round_money
from usage.periods import BillingPeriod
from usage.selectors import invoices_processed_count

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    invoice: Invoice
    duplicate: bool  # True when the same file was received before: `invoice` is that first one


def processed_this_month(*, company: Company) -> int:
    """Invoices counted against the monthly limit in the current billing period (rule: `usage.selectors`)."""
    return invoices_processed_count(company=company, period=BillingPeriod.current())


def file_too_large() -> DomainError:
    limit = settings.EXTRACTION_MAX_BYTES
    return DomainError(
        code=VALIDATION_ERROR,
        message=f"The file is larger than {limit // (1024 * 1024)} MB.",
        details={"file": ["File too large."]},
    )


def _read_checked(file: UploadedFile) -> tuple[bytes, str]:
    limit = settings.EXTRACTION_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise file_too_large()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise file_too_large()
    if not data:
        raise DomainError(code=VALIDATION_ERROR, message="The file is empty.", details={"file": ["The file is empty."]})
    try:
        kind = check_document(data)
    except DocumentError as error:
        raise DomainError(code=VALIDATION_ERROR, message=error.message, details={"file": [error.message]}) from None
    return data, str(kind)


def invoice_upload(*, company: Company, file: UploadedFile, counts_towards_usage: bool = True) -> Upload:
    data, kind = _read_checked(file)
    digest = hashlib.sha256(data).hexdigest()
    earlier = Invoice.objects.filter(company=company, document_sha256=digest).first()
    if earlier is not None:
        return Upload(invoice=earlier, duplicate=True)
    limit = company.plan_limits.invoices_per_month
    if counts_towards_usage and processed_this_month(company=company) >= limit:
        raise DomainError(
            code=MONTHLY_LIMIT_REACHED,
            message=f"The {company.get_plan_display()} plan processes {limit} invoices a month; the limit is reached.",
            details={"invoices_limit": [str(limit)]},
        )
    try:
        with transaction.atomic():
            invoice = Invoice(
                company=company,
                direction=Direction.PURCHASE,
                status=Status.PROCESSING,
                source=Source.UPLOAD,
                currency="",
                document_name=(file.name or "")[:255],
                document_sha256=digest,
                document_kind=kind,
                counts_towards_usage=counts_towards_usage,
            )
            invoice.document.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)
            invoice.save()
            transaction.on_commit(lambda: _queue_extraction(invoice.pk))
    except IntegrityError:  # the same file, uploaded twice at once: the other request won
        return Upload(invoice=Invoice.objects.get(company=company, document_sha256=digest), duplicate=True)
    return Upload(invoice=invoice, duplicate=False)


def _queue_extraction(invoice_id: int) -> None:
    from invoices.tasks import extract_invoice

    extract_invoice.delay(invoice_id)


def invoice_extraction_run(*, invoice_id: int) -> None:
    invoice = Invoice.objects.filter(pk=invoice_id, status=Status.PROCESSING).first()
    if invoice is None:
        return  # deleted, or already finished by an earlier run
    with invoice.document.open("rb") as handle:
        data = handle.read()
    try:
        reading = read_document(data, require_text=True)
    except DocumentError as error:
        invoice_extraction_fail(invoice_id=invoice_id, reason=error.message)
        return
    layout = supplier_layout_apply(company=invoice.company, reading=reading)
    _apply_result(invoice_id, reading.result, layout=layout)


def invoice_extraction_fail(*, invoice_id: int, reason: str) -> None:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, status=Status.PROCESSING).first()
        if invoice is None:
            return
        invoice.status = Status.FAILED
        invoice.failure_reason = reason
        invoice.processed_at = timezone.now()
        invoice.save(update_fields=["status", "failure_reason", "processed_at", "updated_at"])
        event_record(company=invoice.company, type=EventType.INVOICE_FAILED, data=invoice_event_data(invoice))


def _money(value: Decimal | None) -> Decimal:
    return round_money(value) if value is not None else Decimal("0.00")


def _cross_checks_pass(result: ExtractionResult) -> bool:
    cent = Decimal("0.01")
    if result.total is None:
        return False
    subtotal, tax = result.subtotal, result.tax_amount
    if subtotal is not None and tax is not None and abs(subtotal + tax - result.total) > cent:
        return False
    if result.line_items and result.subtotal is not None:
        lines = sum((item.amount or Decimal(0) for item in result.line_items), Decimal(0))
        if abs(lines - result.subtotal) > cent * max(1, len(result.line_items)):
            return False
    return not (result.invoice_date and result.due_date and result.due_date < result.invoice_date)


def _apply_result(invoice_id: int, result: ExtractionResult, *, layout: SupplierLayout | None = None) -> None:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, status=Status.PROCESSING).first()
        if invoice is None:
            return
        supplier = result.supplier
        recognised = _recognised_supplier(invoice, layout)
        if recognised is not None:
            invoice.supplier = recognised
        elif supplier is not None and supplier.name:
            invoice.supplier = supplier_get_or_create(
                company=invoice.company,
                name=supplier.name,
                address=supplier.address or "",
                tax_id=supplier.tax_id or "",
            )
        invoice.invoice_number = (result.invoice_number or "")[:100]
        invoice.invoice_date = result.invoice_date
        invoice.due_date = result.due_date
        invoice.currency = result.currency if result.currency in CURRENCIES else ""
        invoice.subtotal = _money(result.subtotal)
        invoice.tax_rate = result.tax_rate
        invoice.tax_amount = _money(result.tax_amount)
        invoice.total = _money(result.total)
        invoice.confidence = round(result.confidence, 4)
        invoice.field_confidence = result.field_confidence
        invoice.page_count = result.page_count
        invoice.extracted_text = result.text
        invoice.extraction_source = result.source
        invoice.processed_at = timezone.now()
        confident = result.confidence >= settings.EXTRACTION_REVIEW_THRESHOLD and _cross_checks_pass(result)
        invoice.status = Status.PROCESSED if confident else Status.NEEDS_REVIEW
        if invoice.invoice_number and _number_taken(invoice):
            invoice.notes = f"Invoice number {invoice.invoice_number} from this supplier was already received."
            invoice.invoice_number = ""
            invoice.status = Status.NEEDS_REVIEW
        invoice.save()
        InvoiceLine.objects.filter(invoice=invoice).delete()
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=(item.description or "")[:1000],
                quantity=item.quantity if item.quantity is not None else Decimal(1),
                unit_price=item.unit_price if item.unit_price is not None else (item.amount or Decimal(0)),
                amount=_money(item.amount),
            )
            for position, item in enumerate(result.line_items, start=1)
        )
        event_record(company=invoice.company, type=EventType.INVOICE_PROCESSED, data=invoice_event_data(invoice))


def _recognised_supplier(invoice: Invoice, layout: SupplierLayout | None) -> Supplier | None:
    """The supplier whose learned layout read the invoice (counted as used), if it is still one of the company's."""
    if layout is None:
        return None
    supplier = Supplier.objects.filter(pk=layout.supplier_id, company=invoice.company).first()
    if supplier is not None:
        supplier_layout_used(layout=layout)
    return supplier


def _number_taken(invoice: Invoice) -> bool:
    return (
        Invoice.objects.filter(
            company=invoice.company,
            direction=Direction.PURCHASE,
            supplier=invoice.supplier,
            invoice_number=invoice.invoice_number,
        )
        .exclude(pk=invoice.pk)
        .exists()
    )
