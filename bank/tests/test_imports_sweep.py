"""The statement imports sweep: a job whose queue message was lost, or whose worker died, is queued again;
one whose worker stopped BANK_IMPORT_MAX_ATTEMPTS times fails with a reason. Time is injected."""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from bank.models import BankImportJob, BankTransaction, ImportStatus
from bank.services import IMPORT, statement_import_fail, statement_import_start, statement_imports_sweep
from bank.statements.tests.builders import LINES, csv_statement

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2020-12-01T09:00:00+00:00")


@pytest.fixture(autouse=True)
def _eager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # a task queued again runs here, even where CI configures a broker


@pytest.fixture
def job(alice) -> BankImportJob:
    """A job uploaded at T0 whose message never ran (on_commit: this test never commits)."""
    job = statement_import_start(company=alice, file=SimpleUploadedFile("statement.csv", csv_statement()))
    assert (job.status, job.attempts, job.lease_until) == (ImportStatus.PROCESSING, 0, None)
    BankImportJob.objects.filter(pk=job.pk).update(queued_at=T0)
    return job


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_job_whose_message_was_lost_is_queued_again_and_finished(job, settings, django_capture_on_commit_callbacks):
    requeue = settings.BANK_IMPORT_REQUEUE_SECONDS
    assert statement_imports_sweep(now=T0 + seconds(requeue - 1)).requeue == []

    with django_capture_on_commit_callbacks(execute=True):
        lost = statement_imports_sweep(now=T0 + seconds(requeue + 1))

    assert lost.requeue == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportStatus.COMPLETED
    assert job.attempts == 1
    assert job.lease_until is None
    assert BankTransaction.objects.count() == len(LINES)


def test_a_job_is_queued_again_once_the_lease_of_its_dead_worker_is_over(job, settings):
    lease = settings.BANK_IMPORT_LEASE_SECONDS
    assert IMPORT.claim(job.pk, now=T0)

    assert statement_imports_sweep(now=T0 + seconds(lease - 1)).requeue == []

    assert statement_imports_sweep(now=T0 + seconds(lease + 1)).requeue == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportStatus.PROCESSING
    assert job.lease_until is None
    assert job.queued_at == T0 + seconds(lease + 1)


def test_a_job_whose_worker_stopped_every_attempt_fails_with_a_reason(job, settings):
    settings.BANK_IMPORT_MAX_ATTEMPTS = 2
    lease = settings.BANK_IMPORT_LEASE_SECONDS
    assert IMPORT.claim(job.pk, now=T0)
    assert statement_imports_sweep(now=T0 + seconds(lease + 1)).requeue == [job.pk]
    assert IMPORT.claim(job.pk, now=T0 + seconds(lease + 2))

    lost = statement_imports_sweep(now=T0 + seconds(2 * lease + 3))

    assert (lost.requeue, lost.exhausted) == ([], [job.pk])
    job.refresh_from_db()
    assert (job.status, job.failure_code) == (ImportStatus.FAILED, "processing_error")
    assert job.failure_reason == (
        "The import was started 2 times and stopped each time without finishing (the worker was lost); "
        "upload the file again."
    )
    assert job.finished_at is not None
    assert job.lease_until is None


def test_the_sweep_does_not_fail_a_job_a_worker_claimed_since_it_looked(job, settings):
    lease = settings.BANK_IMPORT_LEASE_SECONDS
    lost_at = T0 + seconds(lease + 1)
    assert IMPORT.claim(job.pk, now=lost_at + seconds(1))  # a worker took it after the sweep looked

    statement_import_fail(job_id=job.pk, reason="lost", lost_at=lost_at)

    job.refresh_from_db()
    assert job.status == ImportStatus.PROCESSING
    assert job.failure_reason == ""


def test_a_second_message_does_nothing_while_a_worker_holds_the_job(job):
    from bank.tasks import import_statement

    assert IMPORT.claim(job.pk, now=datetime.now(tz=T0.tzinfo))

    import_statement.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.status == ImportStatus.PROCESSING
    assert job.attempts == 1
    assert BankTransaction.objects.count() == 0


def test_an_upload_of_the_same_file_while_its_job_is_processing_answers_that_job(alice, job, settings):
    lease = settings.BANK_IMPORT_LEASE_SECONDS
    assert IMPORT.claim(job.pk, now=T0)  # its worker died long ago: the sweep's to bring back, not the upload's

    again = statement_import_start(company=alice, file=SimpleUploadedFile("again.csv", csv_statement()))

    assert again.pk == job.pk
    assert statement_imports_sweep(now=T0 + seconds(lease + 1)).requeue == [job.pk]


def test_the_sweep_command_reports_what_it_did(job, capsys):
    call_command("statement_imports_sweep")

    assert capsys.readouterr().out.strip() == "Queued 1 statement imports again; failed 0."
