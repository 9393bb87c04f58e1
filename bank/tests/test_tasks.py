"""The reconciliation task never leaves a run `processing`: a crash or a database that stays away marks it failed."""

import pytest
from django.db import OperationalError

from bank import tasks
from bank.models import BankAccount, BankStatement, Reconciliation, ReconciliationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(alice) -> Reconciliation:
    account = BankAccount.objects.create(company=alice, account_number="NL91ABNA0417164300", currency="EUR")
    statement = BankStatement.objects.create(
        company=alice, account=account, file="bank/x.sta", file_sha256="0" * 64, format="mt940"
    )
    return Reconciliation.objects.create(company=alice, statement=statement, auto_confirm_threshold=0.85)


def test_a_crash_marks_the_run_failed(run, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks, "reconciliation_run", crash)

    result = tasks.reconcile_statement.apply(args=[run.pk], throw=False)

    assert isinstance(result.result, RuntimeError)
    run.refresh_from_db()
    assert run.status == ReconciliationStatus.FAILED
    assert run.failure_reason == "The reconciliation failed unexpectedly; run it again."
    assert run.completed_at is not None


def test_a_database_error_fails_the_run_only_on_the_last_try(run, monkeypatch):
    def unavailable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks, "reconciliation_run", unavailable)
    task = tasks.reconcile_statement
    body = task._orig_run  # the task's own code, without Celery's automatic retry around it

    for retries, expected in [(0, ReconciliationStatus.PROCESSING), (task.max_retries, ReconciliationStatus.FAILED)]:
        task.push_request(retries=retries)
        try:
            with pytest.raises(OperationalError):  # raised on, for Celery to retry with backoff
                body(run.pk)
        finally:
            task.pop_request()
        run.refresh_from_db()
        assert run.status == expected
    assert "database was unavailable" in run.failure_reason


def test_a_completed_run_is_left_alone(run):
    Reconciliation.objects.filter(pk=run.pk).update(status=ReconciliationStatus.COMPLETED)

    tasks.reconcile_statement.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.status == ReconciliationStatus.COMPLETED
    assert run.failure_reason == ""
