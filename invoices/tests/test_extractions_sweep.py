"""The extractions sweep: an extraction whose queue message was lost, or whose worker died, is queued
again; one whose worker stopped EXTRACTION_MAX_ATTEMPTS times fails with a reason. Time is injected."""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from events.models import Event
from invoices.intake import EXTRACTION, extractions_sweep, invoice_extraction_fail, invoice_upload
from invoices.models import Invoice, Status
from invoices.tests.test_extract_api import ubl_invoice

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2020-12-01T09:00:00+00:00")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # a task queued again runs here, even where CI configures a broker


@pytest.fixture
def invoice(alice, settings, tmp_path) -> Invoice:
    """An uploaded invoice queued at T0 whose message never ran (on_commit: this test never commits)."""
    settings.MEDIA_ROOT = tmp_path
    invoice = invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice())).invoice
    Invoice.objects.filter(pk=invoice.pk).update(extraction_queued_at=T0)
    return invoice


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_an_extraction_whose_message_was_lost_is_queued_again_and_finished(
    invoice, settings, django_capture_on_commit_callbacks
):
    requeue = settings.EXTRACTION_REQUEUE_SECONDS
    assert extractions_sweep(now=T0 + seconds(requeue - 1)).requeue == []  # its message may still come

    with django_capture_on_commit_callbacks(execute=True) as queued:
        lost = extractions_sweep(now=T0 + seconds(requeue + 1))

    assert lost.requeue == [invoice.pk]
    assert lost.exhausted == []
    assert len(queued) == 1  # and, with no broker, the queued task ran
    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSED
    assert invoice.extraction_attempts == 1


def test_an_extraction_is_queued_again_once_the_lease_of_its_dead_worker_is_over(invoice, settings):
    lease = settings.EXTRACTION_LEASE_SECONDS
    started = T0 + seconds(5)
    assert EXTRACTION.claim(invoice.pk, now=started)  # a worker starts, then dies without a word

    assert extractions_sweep(now=started + seconds(lease - 1)).requeue == []  # it may still be working

    lost = extractions_sweep(now=started + seconds(lease + 1))

    assert lost.requeue == [invoice.pk]
    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSING
    assert invoice.extraction_lease_until is None
    assert invoice.extraction_queued_at == started + seconds(lease + 1)
    # Queued just now: the next sweep leaves it to that message.
    assert extractions_sweep(now=started + seconds(lease + 2)).requeue == []


def test_an_extraction_whose_worker_stopped_every_attempt_fails_with_a_reason(invoice, settings):
    settings.EXTRACTION_MAX_ATTEMPTS = 3
    lease = settings.EXTRACTION_LEASE_SECONDS
    now = T0
    for attempt in range(1, 4):
        now += seconds(1)
        assert EXTRACTION.claim(invoice.pk, now=now)  # the worker starts it, and dies
        now += seconds(lease + 1)
        lost = extractions_sweep(now=now)
        assert (lost.requeue, lost.exhausted) == (([invoice.pk], []) if attempt < 3 else ([], [invoice.pk]))

    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.failure_reason == (
        "The extraction was started 3 times and stopped each time without finishing (the worker was lost). "
        "Upload the file again to retry."
    )
    assert Event.objects.get().type == "invoice.failed"
    assert extractions_sweep(now=now + seconds(lease)) == extractions_sweep(now=now)  # nothing left to do


def test_the_sweep_does_not_fail_an_extraction_a_worker_claimed_after_it_looked(invoice, settings):
    settings.EXTRACTION_MAX_ATTEMPTS = 1
    lease = settings.EXTRACTION_LEASE_SECONDS
    assert EXTRACTION.claim(invoice.pk, now=T0)
    swept_at = T0 + seconds(lease + 1)
    Invoice.objects.filter(pk=invoice.pk).update(extraction_lease_until=swept_at + seconds(lease))  # claimed again

    invoice_extraction_fail(invoice_id=invoice.pk, reason="lost", lost_at=swept_at)

    assert Invoice.objects.get(pk=invoice.pk).status == Status.PROCESSING


def test_the_sweep_leaves_finished_extractions_alone(invoice, settings):
    Invoice.objects.filter(pk=invoice.pk).update(status=Status.NEEDS_REVIEW)

    lost = extractions_sweep(now=T0 + seconds(settings.EXTRACTION_REQUEUE_SECONDS * 10))

    assert (lost.requeue, lost.exhausted) == ([], [])


def test_the_sweep_command_reports_what_it_did(invoice, settings, capsys):
    Invoice.objects.filter(pk=invoice.pk).update(extraction_queued_at=None)  # as rows from before leases

    call_command("extractions_sweep")

    assert capsys.readouterr().out.strip() == "Queued 1 extractions again; failed 0."
