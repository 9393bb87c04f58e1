"""Celery tasks for invoices: each loads by id and calls one service."""

import contextlib
import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from invoices.intake import (
    extractions_sweep,
    invoice_extraction_fail,
    invoice_extraction_release,
    invoice_extraction_run,
)
from invoices.issuing.sending import deliveries_sweep, delivery_attempt, delivery_give_up, retry_delay
from invoices.layouts import supplier_layout_learn
from invoices.models import Invoice

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXTRACTION_SOFT_TIME_LIMIT,
    time_limit=settings.EXTRACTION_TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def extract_invoice(self: Task, invoice_id: int) -> None:
    """Extract one uploaded invoice. Safe to run twice: only a `processing` invoice nobody else runs is touched.

    A run that cannot finish is marked `failed` with the reason, never left `processing`; a worker
    that dies leaves the lease to run out, and the sweep queues the extraction again.
    """
    try:
        invoice_extraction_run(invoice_id=invoice_id, new_attempt=self.request.retries == 0)
    except SoftTimeLimitExceeded:
        logger.warning("extraction of invoice %s exceeded its time limit", invoice_id)
        invoice_extraction_fail(
            invoice_id=invoice_id, reason=f"Extraction took longer than {settings.EXTRACTION_SOFT_TIME_LIMIT} s."
        )
    except OperationalError:
        if self.request.retries >= (self.max_retries or 0):
            invoice_extraction_fail(
                invoice_id=invoice_id, reason="The database was unavailable; upload the file again to retry."
            )
        else:
            # The retry claims the invoice again; if the database is too far gone to let go of it
            # now, the lease runs out and the sweep brings it back.
            with contextlib.suppress(OperationalError):
                invoice_extraction_release(invoice_id=invoice_id)
        raise  # retried with backoff until then
    except Exception:
        logger.exception("extraction of invoice %s failed", invoice_id)
        invoice_extraction_fail(
            invoice_id=invoice_id, reason="The extraction failed unexpectedly; upload the file again to retry."
        )
        raise


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_extractions() -> int:
    """Queue again the extractions whose message or worker was lost, fail those out of attempts. Run by beat."""
    lost = extractions_sweep()
    return len(lost.requeue) + len(lost.exhausted)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXTRACTION_SOFT_TIME_LIMIT,
    time_limit=settings.EXTRACTION_TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def learn_supplier_layout(invoice_id: int, fields: list[str] | None = None) -> None:
    """Learn the supplier's layout from a corrected invoice's confirmed `fields`. Safe to run twice."""
    invoice = Invoice.objects.select_related("supplier", "company").filter(pk=invoice_id).first()
    if invoice is None:
        return  # deleted since it was corrected
    try:
        supplier_layout_learn(invoice=invoice, fields=fields)
    except SoftTimeLimitExceeded:
        logger.warning("learning the supplier layout of invoice %s exceeded its time limit", invoice_id)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EMAIL_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.EMAIL_SEND_SOFT_TIME_LIMIT + 30,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invoice(self: Task, delivery_id: int) -> None:
    """Email one queued delivery of an issued invoice; a failure the mail server may get over is retried."""
    try:
        outcome = delivery_attempt(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        delivery_give_up(delivery_id=delivery_id, reason="The mail server took too long; send the invoice again.")
        return
    if outcome is not None and outcome.retry:
        from invoices.models import InvoiceDelivery

        attempts = InvoiceDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=retry_delay(attempts), max_retries=None)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_invoice_deliveries() -> int:
    """Queue again the invoice emails whose task was lost. Run by beat."""
    return len(deliveries_sweep())
