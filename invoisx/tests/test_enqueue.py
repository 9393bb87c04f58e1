"""Queueing a task at commit survives a broker hiccup: it is tried again, and a broker that stays away
leaves the work to the sweep without failing the committed request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError as BrokerUnavailable

from invoices.intake import invoice_upload
from invoices.models import Invoice, Status
from invoices.tasks import extract_invoice
from invoices.tests.test_extract_api import ubl_invoice
from invoisx.enqueue import enqueue_each

pytestmark = pytest.mark.django_db


class FlakyBroker:
    """Stands in for `task.delay`: refuses the first `failures` messages, then runs the task (eagerly)."""

    def __init__(self, task, failures: int) -> None:
        self.delay = task.delay
        self.failures = failures
        self.calls: list[tuple] = []

    def __call__(self, *args):
        self.calls.append(args)
        if len(self.calls) <= self.failures:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.delay(*args)


@pytest.fixture(autouse=True)
def _no_backoff_and_media_in_tmp(settings, tmp_path):
    settings.ENQUEUE_BACKOFF_SECONDS = 0
    settings.CELERY_TASK_ALWAYS_EAGER = True  # a task the broker takes runs here, even where CI configures one
    settings.MEDIA_ROOT = tmp_path


def test_a_broker_that_fails_once_at_commit_is_tried_again(alice, monkeypatch, django_capture_on_commit_callbacks):
    broker = FlakyBroker(extract_invoice, failures=1)
    monkeypatch.setattr(extract_invoice, "delay", broker)

    with django_capture_on_commit_callbacks(execute=True):
        upload = invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice()))

    assert len(broker.calls) == 2
    assert Invoice.objects.get(pk=upload.invoice.pk).status == Status.PROCESSED


def test_a_broker_that_stays_away_leaves_the_work_queued_for_the_sweep_without_raising(
    alice, monkeypatch, settings, django_capture_on_commit_callbacks, caplog
):
    broker = FlakyBroker(extract_invoice, failures=100)
    monkeypatch.setattr(extract_invoice, "delay", broker)

    with django_capture_on_commit_callbacks(execute=True):
        upload = invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice()))

    assert len(broker.calls) == settings.ENQUEUE_ATTEMPTS
    invoice = Invoice.objects.get(pk=upload.invoice.pk)
    assert invoice.status == Status.PROCESSING
    assert invoice.extraction_queued_at is not None  # the sweep queues it once that is old enough
    assert "its sweep will queue it" in caplog.text


def test_queueing_many_stops_at_the_first_message_the_broker_will_not_take(monkeypatch, settings):
    settings.ENQUEUE_ATTEMPTS = 2
    broker = FlakyBroker(extract_invoice, failures=100)
    monkeypatch.setattr(extract_invoice, "delay", broker)

    assert enqueue_each(extract_invoice, [1, 2, 3]) == 0

    assert broker.calls == [(1,), (1,)]  # the broker is down: the others are left to the sweep too
