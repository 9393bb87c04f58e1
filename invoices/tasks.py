"""Celery tasks for invoices: each loads by id and calls one service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from invoices.intake import invoice_extraction_fail, invoice_extraction_run
from invoices.layouts import supplier_layout_learn
from invoices.models import Invoice

logger = logging.getLogger(__name__)


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
def extract_invoice(invoice_id: int) -> None:
    """Extract one uploaded invoice. Safe to run twice: only a `processing` invoice is touched."""
    try:
        invoice_extraction_run(invoice_id=invoice_id)
    except SoftTimeLimitExceeded:
        logger.warning("extraction of invoice %s exceeded its time limit", invoice_id)
        invoice_extraction_fail(
            invoice_id=invoice_id, reason=f"Extraction took longer than {settings.EXTRACTION_SOFT_TIME_LIMIT} s."
        )


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
