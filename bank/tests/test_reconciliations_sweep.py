"""The reconciliations sweep: a run whose queue message was lost, or whose worker died, is queued again;
one whose worker stopped RECONCILE_MAX_ATTEMPTS times fails with a reason. Time is injected."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from bank.models import BankAccount, BankStatement, Reconciliation, ReconciliationStatus
from bank.reconciliations import RECONCILIATION, reconciliation_start, reconciliations_sweep

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2020-12-01T09:00:00+00:00")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # a task queued again runs here, even where CI configures a broker


@pytest.fixture
def run(alice) -> Reconciliation:
    """A run started at T0 whose message never ran (on_commit: this test never commits)."""
    account = BankAccount.objects.create(company=alice, account_number="NL91ABNA0417164300", currency="EUR")
    statement = BankStatement.objects.create(
        company=alice, account=account, file="bank/x.sta", file_sha256="0" * 64, format="mt940"
    )
    run = reconciliation_start(company=alice, statement=statement)
    Reconciliation.objects.filter(pk=run.pk).update(queued_at=T0)
    return run


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_run_whose_message_was_lost_is_queued_again_and_finished(run, settings, django_capture_on_commit_callbacks):
    requeue = settings.RECONCILE_REQUEUE_SECONDS
    assert reconciliations_sweep(now=T0 + seconds(requeue - 1)).requeue == []

    with django_capture_on_commit_callbacks(execute=True):
        lost = reconciliations_sweep(now=T0 + seconds(requeue + 1))

    assert lost.requeue == [run.pk]
    run.refresh_from_db()
    assert run.status == ReconciliationStatus.COMPLETED
    assert run.attempts == 1
    assert run.lease_until is None


def test_a_run_is_queued_again_once_the_lease_of_its_dead_worker_is_over(run, settings):
    lease = settings.RECONCILE_LEASE_SECONDS
    assert RECONCILIATION.claim(run.pk, now=T0)

    assert reconciliations_sweep(now=T0 + seconds(lease - 1)).requeue == []

    assert reconciliations_sweep(now=T0 + seconds(lease + 1)).requeue == [run.pk]
    run.refresh_from_db()
    assert run.status == ReconciliationStatus.PROCESSING
    assert run.lease_until is None


def test_a_run_whose_worker_stopped_every_attempt_fails_with_a_reason(run, settings):
    settings.RECONCILE_MAX_ATTEMPTS = 2
    lease = settings.RECONCILE_LEASE_SECONDS
    assert RECONCILIATION.claim(run.pk, now=T0)
    assert reconciliations_sweep(now=T0 + seconds(lease + 1)).requeue == [run.pk]
    assert RECONCILIATION.claim(run.pk, now=T0 + seconds(lease + 2))

    lost = reconciliations_sweep(now=T0 + seconds(2 * lease + 3))

    assert (lost.requeue, lost.exhausted) == ([], [run.pk])
    run.refresh_from_db()
    assert run.status == ReconciliationStatus.FAILED
    assert run.failure_reason == (
        "The reconciliation was started 2 times and stopped each time without finishing (the worker was lost); "
        "run it again."
    )
    assert run.completed_at is not None


def test_a_second_message_does_nothing_while_a_worker_holds_the_run(run):
    from bank.tasks import reconcile_statement

    assert RECONCILIATION.claim(run.pk, now=datetime.now(tz=T0.tzinfo))

    reconcile_statement.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.status == ReconciliationStatus.PROCESSING
    assert run.attempts == 1


def test_the_sweep_command_reports_what_it_did(run, capsys):
    call_command("reconciliations_sweep")

    assert capsys.readouterr().out.strip() == "Queued 1 reconciliations again; failed 0."
