"""The extraction task never leaves an invoice `processing`: a crash, a database that stays away or a
time limit end it `failed` with the reason; a second message for an invoice a worker holds does nothing."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

from events.models import Event
from invoices import intake, tasks
from invoices.intake import EXTRACTION, invoice_upload
from invoices.models import Invoice, Status
from invoices.tests.test_extract_api import ubl_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(alice, settings, tmp_path) -> Invoice:
    """An uploaded invoice waiting for its extraction (its queued task never runs: on_commit, no commit)."""
    settings.MEDIA_ROOT = tmp_path
    return invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice())).invoice


def test_an_engine_error_marks_the_invoice_failed_and_the_task_failed(invoice, monkeypatch):
    def broken(data, **kwargs):
        raise RuntimeError("an engine bug")

    monkeypatch.setattr(intake, "read_document", broken)

    result = tasks.extract_invoice.apply(args=[invoice.pk], throw=False)

    assert isinstance(result.result, RuntimeError)
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.failure_reason == "The extraction failed unexpectedly; upload the file again to retry."
    assert invoice.processed_at is not None
    assert Event.objects.get().type == "invoice.failed"


def test_a_database_that_stays_away_fails_the_extraction_once_the_retries_are_spent(invoice, monkeypatch):
    def unavailable(data, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(intake, "read_document", unavailable)
    task = tasks.extract_invoice
    body = task._orig_run  # the task's own code, without Celery's automatic retry around it

    for retries, expected in [(0, Status.PROCESSING), (1, Status.PROCESSING), (task.max_retries, Status.FAILED)]:
        task.push_request(retries=retries)
        try:
            with pytest.raises(OperationalError):  # raised on, for Celery to retry with backoff
                body(invoice.pk)
        finally:
            task.pop_request()
        invoice.refresh_from_db()
        assert invoice.status == expected
        # Let go of before each retry, which could not claim the invoice otherwise.
        assert invoice.extraction_lease_until is None
    assert invoice.failure_reason == "The database was unavailable; upload the file again to retry."
    assert invoice.extraction_attempts == 1  # Celery's retries of one run are not new attempts


def test_a_run_over_its_time_limit_marks_the_invoice_failed(invoice, monkeypatch, settings):
    def slow(data, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(intake, "read_document", slow)

    tasks.extract_invoice.apply(args=[invoice.pk])

    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.failure_reason == f"Extraction took longer than {settings.EXTRACTION_SOFT_TIME_LIMIT} s."


def test_a_second_message_does_nothing_while_a_worker_holds_the_invoice(invoice, monkeypatch):
    assert EXTRACTION.claim(invoice.pk, now=timezone.now())  # another worker is extracting it

    def never(data, **kwargs):
        raise AssertionError("extracted twice at once")

    monkeypatch.setattr(intake, "read_document", never)

    tasks.extract_invoice.apply(args=[invoice.pk])

    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSING
    assert invoice.extraction_attempts == 1


def test_a_message_for_a_finished_invoice_does_nothing(invoice):
    tasks.extract_invoice.apply(args=[invoice.pk])
    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSED

    tasks.extract_invoice.apply(args=[invoice.pk])

    assert Invoice.objects.get(pk=invoice.pk).extraction_attempts == 1
    assert Event.objects.filter(type="invoice.processed").count() == 1
