"""Two purchase invoices with one number from one supplier, saved at once: the second is marked the duplicate.

The first writer is held inside its transaction, after saving its invoice and before committing,
while the second one starts: without the supplier's row lock the second would not see the
uncommitted first and neither would be marked. PostgreSQL only (SQLite has no row locks): skipped
without `DATABASE_URL`, failed under CI=true.
"""

import threading
from typing import Any

import pytest
from django.db import connection, connections

from conftest import require
from invoices import services
from invoices.models import Invoice, Status
from invoices.tests.factories import purchase_invoice

HOLD_SECONDS = 2.0  # how long the first writer keeps its transaction open once the second has started
JOIN_SECONDS = 30


@pytest.fixture
def postgresql(transactional_db: None) -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def test_two_invoices_with_one_number_saved_at_once_take_turns_and_the_second_is_the_duplicate(
    postgresql: None, alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    purchase_invoice(alice, number="P-0")  # the supplier exists: both writers link the same record
    first_inside, second_done = threading.Event(), threading.Event()
    held: dict[str, bool] = {}
    save_lines = services._save_lines

    def hold_then_save_lines(invoice: Invoice, lines: Any) -> None:
        save_lines(invoice, lines)
        if threading.current_thread().name == "first":
            first_inside.set()
            held["second_finished_meanwhile"] = second_done.wait(HOLD_SECONDS)

    monkeypatch.setattr(services, "_save_lines", hold_then_save_lines)

    def create(name: str) -> None:
        try:
            purchase_invoice(alice, number="P-1")
        finally:
            if name == "second":
                second_done.set()
            connections.close_all()

    first = threading.Thread(target=create, args=("first",), name="first")
    second = threading.Thread(target=create, args=("second",), name="second")
    first.start()
    assert first_inside.wait(JOIN_SECONDS)
    second.start()
    first.join(JOIN_SECONDS)
    second.join(JOIN_SECONDS)

    assert held == {"second_finished_meanwhile": False}  # the second waited for the first to commit
    earlier, later = Invoice.objects.filter(invoice_number="P-1").order_by("created_at", "pk")
    assert (earlier.duplicate_of, earlier.status) == (None, Status.PROCESSED)
    assert (later.duplicate_of, later.status) == (earlier, Status.NEEDS_REVIEW)
