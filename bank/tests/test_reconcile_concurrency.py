"""Reconciliation under real concurrency: row locks on PostgreSQL, and a real Celery worker over Redis.

Two writers that reach for the same money, each in its own thread with its own database connection,
must not both spend it: an invoice is never paid more than it owes, a payment never explains more
than its amount. To make the race certain rather than likely, the first writer is held inside its
transaction (after its checks, before it settles and commits) while the second one starts; the
second must wait for the first to commit and then find the money gone.

SQLite has no row locks (its writers queue for the whole database), so these tests need PostgreSQL:
skipped on a laptop without `DATABASE_URL`, failed under CI=true, where `.ci/run` provides it.
The worker test needs Redis the same way, and runs against a SQLite file the worker shares, as
`invoices/tests/test_worker_killed.py` does.
"""

import os
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection, connections

from bank import reconciliations
from bank.models import BankTransaction, MatchState, PaymentMatch, Reconciliation, ReconciliationStatus
from bank.reconciliations import (
    ManualAllocation,
    match_confirm,
    match_manual,
    matches_confirm_suggested,
    reconciliation_run,
)
from bank.tests.test_reconcile_services import NOBODY_IS_SURE, assert_books_balance, invoice, line_of, run, statement
from conftest import require
from invoices.models import Invoice, PaymentStatus
from invoices.tests.test_worker_killed import kill_group, start_worker, wait_for
from invoisx.errors import CONFLICT, VALIDATION_ERROR, DomainError
from invoisx.tests.processes import manage, redis_db_url

HOLD_SECONDS = 2.0  # how long the first writer keeps its transaction open once the second has started
JOIN_SECONDS = 30


@pytest.fixture
def postgresql(transactional_db: None, settings: Any) -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    # Runs started here commit, so their task is queued: run it here even where CI sets a broker.
    settings.CELERY_TASK_ALWAYS_EAGER = True


class Race:
    """Run `first` until it has decided, hold its transaction open, run `second`, then let both finish.

    `_settle` is the last step of every confirmation, inside its transaction, after the checks of what
    is still owed and still unexplained: the first writer stops just before it, so only the locks it
    took on purpose (not the row locks its own updates would take) keep the second writer out.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.first_inside = threading.Event()
        self.second_done = threading.Event()
        self.second_finished_while_first_held = False
        self.outcomes: dict[str, Any] = {}
        settle = reconciliations._settle

        def hold_then_settle(**kwargs: Any) -> None:
            if threading.current_thread().name == "first":
                self.first_inside.set()
                self.second_finished_while_first_held = self.second_done.wait(HOLD_SECONDS)
            settle(**kwargs)

        monkeypatch.setattr(reconciliations, "_settle", hold_then_settle)

    def _call(self, name: str, write: Callable[[], Any]) -> None:
        try:
            self.outcomes[name] = write()
        except DomainError as refused:
            self.outcomes[name] = refused
        except Exception as error:  # a deadlock or a crash: reported by the test, not lost in the thread
            self.outcomes[name] = error
        finally:
            if name == "second":
                self.second_done.set()
            connections.close_all()  # this thread's connection

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        one = threading.Thread(target=self._call, args=("first", first), name="first")
        two = threading.Thread(target=self._call, args=("second", second), name="second")
        one.start()
        if not self.first_inside.wait(JOIN_SECONDS):
            one.join(JOIN_SECONDS)
            pytest.fail(f"the first writer never reached its commit: {self.outcomes.get('first')!r}")
        two.start()
        one.join(JOIN_SECONDS)
        two.join(JOIN_SECONDS)
        assert not one.is_alive(), "the first writer is stuck"
        assert not two.is_alive(), "the second writer is stuck"
        return self.outcomes["first"], self.outcomes["second"]


def refused(outcome: Any) -> bool:
    return isinstance(outcome, DomainError) and outcome.code in (CONFLICT, VALIDATION_ERROR)


def test_two_manual_matches_of_different_payments_cannot_both_pay_one_invoice(alice, postgresql, monkeypatch, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(alice, "INV-2026-0300", "100.00")
    shown = statement(alice, (3, "100.00", "Payment / Acme Trading BV"), (4, "100.00", "Payment again / Acme"))
    reconciliation = run(alice, shown)
    [first_line, second_line] = BankTransaction.objects.filter(statements=shown).order_by("date")
    race = Race(monkeypatch)

    def by_hand(line: BankTransaction) -> Callable[[], Any]:
        return lambda: match_manual(
            reconciliation=reconciliation, line=line, allocations=[ManualAllocation(owed)], actor="staff"
        )

    first, second = race.run(by_hand(first_line), by_hand(second_line))

    assert isinstance(first, PaymentMatch)
    assert refused(second), second
    assert not race.second_finished_while_first_held  # it waited for the invoice's lock
    inv = Invoice.objects.get(pk=owed.pk)
    assert (inv.payment_status, inv.amount_paid) == (PaymentStatus.PAID, Decimal("100.00"))
    assert BankTransaction.objects.get(pk=second_line.pk).match_status == "unmatched"
    assert_books_balance(alice)


def test_a_confirmation_and_a_manual_match_cannot_both_pay_one_invoice(alice, postgresql, monkeypatch, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(alice, "INV-2026-0301", "100.00")
    shown = statement(alice, (3, "100.00", "INV-2026-0301 / Acme Trading BV"), (9, "100.00", "Cash deposit"))
    reconciliation = run(alice, shown)
    [suggestion] = PaymentMatch.objects.filter(reconciliation=reconciliation, state=MatchState.SUGGESTED)
    race = Race(monkeypatch)

    first, second = race.run(
        lambda: match_confirm(match=suggestion, actor="staff"),
        lambda: match_manual(
            reconciliation=reconciliation,
            line=BankTransaction.objects.get(statements=shown, description="Cash deposit"),
            allocations=[ManualAllocation(owed, amount=Decimal("100.00"))],
            actor="other staff",
        ),
    )

    assert isinstance(first, PaymentMatch)
    assert first.state == MatchState.CONFIRMED
    assert refused(second), second
    assert not race.second_finished_while_first_held
    assert Invoice.objects.get(pk=owed.pk).amount_paid == Decimal("100.00")
    assert_books_balance(alice)


def test_confirm_all_on_two_runs_at_once_pays_a_shared_invoice_once(alice, postgresql, monkeypatch, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(alice, "INV-2026-0302", "500.00", party="Globex GmbH")
    march = statement(alice, (5, "300.00", "Part payment INV-2026-0302 / Globex GmbH"))
    april = statement(alice, (25, "300.00", "Part payment INV-2026-0302 / Globex GmbH"))
    first_run, second_run = run(alice, march), run(alice, april)
    race = Race(monkeypatch)

    first, second = race.run(
        lambda: matches_confirm_suggested(reconciliation=first_run, actor="staff"),
        lambda: matches_confirm_suggested(reconciliation=second_run, actor="other staff"),
    )

    assert (len(first), second) == (1, [])  # 300 of 500 paid: the second 300 no longer fits
    assert not race.second_finished_while_first_held
    inv = Invoice.objects.get(pk=owed.pk)
    assert (inv.payment_status, inv.amount_paid) == (PaymentStatus.PARTIALLY_PAID, Decimal("300.00"))
    assert_books_balance(alice)


def test_one_payment_cannot_be_spent_twice_on_two_invoices_at_once(alice, postgresql, monkeypatch, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    suggested = invoice(alice, "INV-2026-0303", "100.00")
    other = invoice(alice, "INV-2026-0304", "100.00", party="Globex GmbH")
    shown = statement(alice, (3, "100.00", "INV-2026-0303 / Acme Trading BV"))
    reconciliation = run(alice, shown)
    [suggestion] = PaymentMatch.objects.filter(reconciliation=reconciliation, state=MatchState.SUGGESTED)
    race = Race(monkeypatch)

    first, second = race.run(
        lambda: match_confirm(match=suggestion, actor="staff"),
        lambda: match_manual(
            reconciliation=reconciliation,
            line=line_of(shown, "100.00"),
            allocations=[ManualAllocation(other)],
            actor="other staff",
        ),
    )

    assert isinstance(first, PaymentMatch)
    assert first.state == MatchState.CONFIRMED
    assert refused(second), second
    assert not race.second_finished_while_first_held  # it waited for the payment's lock
    assert Invoice.objects.get(pk=suggested.pk).payment_status == PaymentStatus.PAID
    assert Invoice.objects.get(pk=other.pk).payment_status == PaymentStatus.UNPAID
    assert_books_balance(alice)


def test_a_run_and_a_person_cannot_spend_one_payment_twice(alice, postgresql, monkeypatch, settings):
    owed = invoice(alice, "INV-2026-0305", "100.00")
    other = invoice(alice, "INV-2026-0306", "100.00", party="Globex GmbH")
    shown = statement(alice, (3, "100.00", "Payment INV-2026-0305 / Acme Trading BV"))
    queued = Reconciliation.objects.create(company=alice, statement=shown, auto_confirm_threshold=0.85)
    # The person works from an earlier, completed run of the same statement (a processing run refuses
    # manual matches outright).
    earlier = Reconciliation.objects.create(
        company=alice, statement=shown, auto_confirm_threshold=0.85, status=ReconciliationStatus.COMPLETED
    )
    race = Race(monkeypatch)

    first, second = race.run(
        lambda: reconciliation_run(reconciliation_id=queued.pk),
        lambda: match_manual(
            reconciliation=earlier, line=line_of(shown, "100.00"), allocations=[ManualAllocation(other)], actor="staff"
        ),
    )

    assert first is None
    assert refused(second), second
    assert not race.second_finished_while_first_held
    assert Reconciliation.objects.get(pk=queued.pk).auto_confirmed_count == 1
    assert Invoice.objects.get(pk=owed.pk).payment_status == PaymentStatus.PAID
    assert Invoice.objects.get(pk=other.pk).payment_status == PaymentStatus.UNPAID
    assert_books_balance(alice)


# A real worker

REDIS_DB = 13

QUEUE = """
from datetime import date
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from bank.reconciliations import reconciliation_start
from bank.selectors import import_statements
from bank.services import statement_import
from bank.statements.tests.builders import Line, mt940_message
from companies.services import company_create
from invoices.tests.factories import sales_invoice
from buyers.tests.factories import BuyerFactory
company = company_create(name="Worker Reconciles Co", plan="pro")
sales_invoice(
    company, buyer=BuyerFactory.create(company=company, name="Acme Trading BV"), invoice_number="INV-2026-0900",
    currency="EUR", invoice_date=date(2026, 3, 1),
    line_items=[{"description": "Services", "quantity": Decimal(1), "unit_price": Decimal("1210.00")}],
    totals={"tax_rate": Decimal(0)},
)
line = Line(date(2026, 3, 3), Decimal("1210.00"), "Payment INV-2026-0900", "Acme Trading BV", "NONREF")
job = statement_import(company=company, file=SimpleUploadedFile("m.sta", mt940_message([line]).encode()))
print(reconciliation_start(company=company, statement=import_statements(job=job)[0], actor="test").public_id)
"""
STATE = """
from bank.models import Reconciliation
from invoices.models import Invoice
run = Reconciliation.objects.get(public_id='{id}')
print(run.status, run.auto_confirmed_count, Invoice.objects.get(invoice_number='INV-2026-0900').payment_status)
"""


def test_a_queued_reconciliation_is_completed_by_a_real_worker(redis_url: str, tmp_path: Path) -> None:
    broker = redis_db_url(redis_url, REDIS_DB)
    redis.Redis.from_url(broker).flushdb()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": broker,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECRET_KEY": "test-reconcile-worker-not-secret",
        }
    )
    manage(env, "migrate", "--noinput")
    run_id = manage(env, "shell", "-c", QUEUE).strip().splitlines()[-1]

    def state() -> str:
        return manage(env, "shell", "-c", STATE.format(id=run_id)).strip().splitlines()[-1]

    assert run_id.startswith("rec_")
    assert state() == "processing 0 unpaid"  # queued on Redis, not run in the caller
    assert redis.Redis.from_url(broker).llen("default") == 1  # the default queue

    log = tmp_path / "worker.log"
    worker = start_worker(env, log, slow_seconds=0)
    try:
        wait_for(lambda: b"succeeded" in log.read_bytes(), "the worker to finish the reconciliation", log)
    finally:
        kill_group(worker)
        redis.Redis.from_url(broker).flushdb()

    assert state() == "completed 1 paid"
    assert b"bank.tasks.reconcile_statement" in log.read_bytes()
