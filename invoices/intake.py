"""Receiving supplier invoice documents: upload checks, de-duplication, and the extraction run.

The chain, each step explicit:
1. `invoice_upload` checks the file (size, kind sniffed from its bytes), refuses a company past its
   monthly limit, returns the earlier invoice for a file already received (SHA-256) unless its
   extraction failed, in which case it is extracted again, else stores the file on a new `processing`
   invoice and queues the extraction once the transaction commits.
2. The Celery task calls `invoice_extraction_run`, which is idempotent: it claims the invoice only
   while it is `processing` and no other worker holds it (`EXTRACTION`, a lease: see
   `invoisx.leases`), so a retry after a worker died finishes the work and a duplicate does nothing.
   `extractions_sweep` (beat) queues again the extractions whose message or worker was lost, and
   fails those whose worker stopped `EXTRACTION_MAX_ATTEMPTS` times: nothing stays `processing`.
3. When the document comes from one of the company's suppliers whose layout was learned from
   corrections (`layouts`), the fields read with that layout replace the generic ones and the
   invoice is linked to that supplier (its name and address stay as this document prints them).
4. The engine's result is written in one transaction: the supplier as the document prints it (and
   the company's supplier record it is linked to), fields, lines, per-field confidence, the review
   reasons (`review`: a number already received from that supplier is kept and marked
   `duplicate_of`), status `processed` or `needs_review`, and the `invoice.processed` event;
   failures (a document that cannot be read or shows no text at all, an engine error, a database
   that stays away, a run over its time limit) end as `failed` with the reason and an
   `invoice.failed` event. Either way, a collected document waiting for this extraction is pushed
   to the collecting callback in the same transaction (`collecting.callbacks`).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from collecting.callbacks import collected_invoice_extracted
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.extraction.engine import MAX_PDF_PAGES, Reading, check_document, needs_ocr, read_document
from invoices.extraction.locate import FieldBox, locate_fields, values_of
from invoices.extraction.result import ExtractionResult
from invoices.layouts import supplier_layout_apply, supplier_layout_used
from invoices.models import Direction, Invoice, InvoiceLine, Source, Status, Supplier, SupplierLayout
from invoices.review import invoice_review_refresh
from invoices.services import document_delete, invoice_event_data
from invoices.suppliers import supplier_get_or_create
from invoisx.enqueue import enqueue_each_on_commit, enqueue_on_commit
from invoisx.errors import MONTHLY_LIMIT_REACHED, VALIDATION_ERROR, DomainError
from invoisx.leases import LeasedWork, Lost
from invoisx.money import CURRENCIES, largest_amount, round_money
from reading.sniff import DocumentError, Kind, sniff
from reading.textpdf import read_text_pdf
from usage.periods import BillingPeriod
from usage.selectors import invoices_processed_count

logger = logging.getLogger(__name__)

EXTRACTION = LeasedWork(model=Invoice, busy=Status.PROCESSING, prefix="extraction_", setting="EXTRACTION")


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


def invoice_upload(
    *,
    company: Company,
    file: UploadedFile,
    counts_towards_usage: bool = True,
    source: str = Source.UPLOAD,
    collected_from: dict[str, str] | None = None,
) -> Upload:
    data, kind = _read_checked(file)
    digest = hashlib.sha256(data).hexdigest()
    earlier = Invoice.objects.filter(company=company, document_sha256=digest).first()
    if earlier is not None:
        if earlier.status == Status.FAILED and _extraction_restart(invoice=earlier, ocr=needs_ocr(data, kind)):
            return Upload(invoice=earlier, duplicate=False)
        return Upload(invoice=earlier, duplicate=True)
    limit = company.plan_limits.invoices_per_month
    if counts_towards_usage and processed_this_month(company=company) >= limit:
        raise DomainError(
            code=MONTHLY_LIMIT_REACHED,
            message=f"The {company.get_plan_display()} plan processes {limit} invoices a month; the limit is reached.",
            details={"invoices_limit": [str(limit)]},
        )
    stored = ""
    try:
        with transaction.atomic():
            invoice = Invoice(
                company=company,
                direction=Direction.PURCHASE,
                status=Status.PROCESSING,
                source=source,
                collected_from=collected_from or {},
                currency="",
                document_name=(file.name or "")[:255],
                document_sha256=digest,
                document_kind=kind,
                counts_towards_usage=counts_towards_usage,
                extraction_queued_at=timezone.now(),
            )
            invoice.document.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)
            stored = invoice.document.name
            invoice.save()
            _queue_extraction(invoice.pk, ocr=needs_ocr(data, kind))
    except IntegrityError:  # the same file, uploaded twice at once: the other request won
        document_delete(name=stored)  # the copy stored for the row that was never written
        return Upload(invoice=Invoice.objects.get(company=company, document_sha256=digest), duplicate=True)
    return Upload(invoice=invoice, duplicate=False)


def _extraction_restart(*, invoice: Invoice, ocr: bool) -> bool:
    """Extract a failed invoice again, its file having been sent again; False if another request just did.

    The same row, so its id, history and place in the month's usage stay; the file is already stored."""
    now = timezone.now()
    with transaction.atomic():
        restarted = Invoice.objects.filter(pk=invoice.pk, status=Status.FAILED).update(
            status=Status.PROCESSING, failure_reason="", processed_at=None, updated_at=now, **EXTRACTION.queued(now=now)
        )
        if not restarted:
            return False
        _queue_extraction(invoice.pk, ocr=ocr)
    invoice.refresh_from_db()
    return True


def _queue_extraction(invoice_id: int, *, ocr: bool) -> None:
    """Queue the extraction once the transaction commits, on the OCR queue if it needs OCR (otherwise
    the task's route, the default queue); if the broker stays away, the sweep queues it."""
    from invoices.tasks import extract_invoice

    enqueue_on_commit(extract_invoice, invoice_id, queue=settings.QUEUE_OCR if ocr else None)


def invoice_extraction_run(*, invoice_id: int, new_attempt: bool = True) -> None:
    """Extract a `processing` invoice; does nothing if it is finished, gone, or another worker runs it.

    `new_attempt` is False for Celery's retries of one run, which do not count as another attempt.
    """
    if not EXTRACTION.claim(invoice_id, now=timezone.now(), new_attempt=new_attempt):
        return
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return  # deleted since
    with invoice.document.open("rb") as handle:
        data = handle.read()
    try:
        reading = read_document(data, require_text=True)
    except DocumentError as error:
        invoice_extraction_fail(invoice_id=invoice_id, reason=error.message)
        return
    layout = supplier_layout_apply(company=invoice.company, reading=reading)
    _apply_result(invoice_id, reading.result, layout=layout, boxes=_field_boxes(reading, data))


def _field_boxes(reading: Reading, data: bytes) -> dict[str, FieldBox]:
    """Where the fields are printed, for the review page; none for a bare XML e-invoice, which has no pages.

    A Factur-X PDF was read from its XML: its values are looked for in its text layer (no OCR: the
    boxes are not worth seconds of it)."""
    try:
        words = reading.words
        if words is None and sniff(data) is Kind.PDF:
            words = read_text_pdf(data, max_pages=MAX_PDF_PAGES)
        if words is None:
            return {}
        return locate_fields(words, values_of(reading.result))
    except Exception:  # the boxes are a help to the reviewer: a failure must not fail the extraction
        logger.exception("locating the fields of a document failed")
        return {}


def invoice_extraction_release(*, invoice_id: int) -> None:
    """Let go of the invoice after a run stopped to be retried, so that the retry may claim it."""
    EXTRACTION.release(invoice_id)


def invoice_extraction_fail(*, invoice_id: int, reason: str, lost_at: datetime | None = None) -> None:
    """End a `processing` invoice as `failed` with the reason. With `lost_at` (the sweep), only if no
    worker holds it at that time: one may have claimed it since the sweep looked."""
    with transaction.atomic():
        invoices = Invoice.objects.select_for_update().filter(pk=invoice_id, status=Status.PROCESSING)
        if lost_at is not None:
            invoices = invoices.filter(EXTRACTION.free(now=lost_at))
        invoice = invoices.first()
        if invoice is None:
            return
        invoice.status = Status.FAILED
        invoice.failure_reason = reason
        invoice.processed_at = timezone.now()
        invoice.extraction_lease_until = None
        invoice.save(update_fields=["status", "failure_reason", "processed_at", "extraction_lease_until", "updated_at"])
        event_record(company=invoice.company, type=EventType.INVOICE_FAILED, data=invoice_event_data(invoice))
        collected_invoice_extracted(invoice=invoice)


def extractions_sweep(*, now: datetime | None = None) -> Lost:
    """Queue again the extractions that no message or worker will finish; fail those out of attempts."""
    from invoices.tasks import extract_invoice

    now = now or timezone.now()
    lost = EXTRACTION.lost(now=now)
    for invoice_id in lost.exhausted:
        logger.warning(
            "extraction of invoice %s stopped %s times without finishing", invoice_id, EXTRACTION.max_attempts
        )
        invoice_extraction_fail(
            invoice_id=invoice_id,
            reason=(
                f"The extraction was started {EXTRACTION.max_attempts} times and stopped each time without finishing "
                "(the worker was lost). Upload the file again to retry."
            ),
            lost_at=now,
        )
    # The sweep does not read the documents again: only e-invoices are sure to need no OCR, and the
    # OCR worker reads text PDFs as well.
    needs_no_ocr = set(
        Invoice.objects.filter(pk__in=lost.requeue, document_kind__in=(Kind.UBL, Kind.CII)).values_list("pk", flat=True)
    )
    for ids, queue in (
        ([pk for pk in lost.requeue if pk in needs_no_ocr], None),
        ([pk for pk in lost.requeue if pk not in needs_no_ocr], settings.QUEUE_OCR),
    ):
        if ids:
            enqueue_each_on_commit(extract_invoice, ids, queue=queue)
    return lost


def _money(value: Decimal | None, currency: str) -> Decimal:
    """An extracted amount as stored: rounded to the currency's minor unit; one too large to be real is dropped."""
    if value is None or abs(value) >= largest_amount():
        return Decimal(0)
    return round_money(value, currency)


def _apply_result(
    invoice_id: int,
    result: ExtractionResult,
    *,
    layout: SupplierLayout | None = None,
    boxes: dict[str, FieldBox] | None = None,
) -> None:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, status=Status.PROCESSING).first()
        if invoice is None:
            return
        printed = result.supplier
        invoice.supplier_name = (printed.name or "").strip()[:200]
        invoice.supplier_address = (printed.address or "").strip()
        invoice.supplier_tax_id = (printed.tax_id or "").strip()[:50]
        recognised = _recognised_supplier(invoice, layout)
        if recognised is not None:
            invoice.supplier = recognised
        elif invoice.supplier_name:
            invoice.supplier = supplier_get_or_create(
                company=invoice.company,
                name=invoice.supplier_name,
                address=invoice.supplier_address,
                tax_id=invoice.supplier_tax_id,
            )
        invoice.invoice_number = (result.invoice_number or "")[:100]
        invoice.invoice_date = result.invoice_date
        invoice.due_date = result.due_date
        invoice.currency = result.currency if result.currency in CURRENCIES else ""
        invoice.subtotal = _money(result.subtotal, invoice.currency)
        invoice.tax_rate = result.tax_rate
        invoice.tax_amount = _money(result.tax_amount, invoice.currency)
        invoice.total = _money(result.total, invoice.currency)
        invoice.confidence = round(result.confidence, 4)
        invoice.field_confidence = result.field_confidence
        invoice.field_boxes = boxes or {}
        invoice.page_count = result.page_count
        invoice.extracted_text = result.text
        invoice.extraction_source = result.source
        invoice.processed_at = timezone.now()
        invoice.extraction_lease_until = None
        lines = [
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=(item.description or "")[:1000],
                quantity=item.quantity if item.quantity is not None else Decimal(1),
                unit_price=item.unit_price if item.unit_price is not None else (item.amount or Decimal(0)),
                amount=_money(item.amount, invoice.currency),
            )
            for position, item in enumerate(result.line_items, start=1)
        ]
        invoice.status = Status.PROCESSED
        invoice_review_refresh(invoice, line_amounts=[line.amount for line in lines])
        invoice.save()
        InvoiceLine.objects.filter(invoice=invoice).delete()
        InvoiceLine.objects.bulk_create(lines)
        event_record(company=invoice.company, type=EventType.INVOICE_PROCESSED, data=invoice_event_data(invoice))
        collected_invoice_extracted(invoice=invoice)


def _recognised_supplier(invoice: Invoice, layout: SupplierLayout | None) -> Supplier | None:
    """The supplier whose learned layout read the invoice (counted as used), if it is still one of the company's."""
    if layout is None:
        return None
    supplier = Supplier.objects.filter(pk=layout.supplier_id, company=invoice.company).first()
    if supplier is not None:
        supplier_layout_used(layout=layout)
    return supplier
