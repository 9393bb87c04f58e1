"""Decisions on one match, or on an invoice being changed, at the same time, on PostgreSQL.

See `invoisx.tests.races`: the first writer is held inside its transaction, after its locks, until the
second is seen waiting for one. Whichever wins, the books balance and nothing happens twice.
"""

from decimal import Decimal

from bank import reconciliations
from bank.models import MatchState, PaymentMatch
from bank.reconciliations import ManualAllocation, match_confirm, match_manual, match_reject
from bank.tests.test_reconcile_services import NOBODY_IS_SURE, assert_books_balance, invoice, line_of, run, statement
from events.models import Event
from invoices import services as invoice_services
from invoices.models import Invoice, PaymentStatus
from invoices.services import invoice_delete, invoice_update
from invoisx.errors import CONFLICT, VALIDATION_ERROR, DomainError
from invoisx.tests.races import Race, postgresql  # noqa: F401


def suggested(company, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(company, "INV-2026-0400", "100.00")
    reconciliation = run(company, statement(company, (3, "100.00", "INV-2026-0400 / Acme Trading BV")))
    [suggestion] = PaymentMatch.objects.filter(reconciliation=reconciliation, state=MatchState.SUGGESTED)
    return owed, suggestion


def test_a_confirmation_then_a_rejection_of_one_match_leaves_it_rejected_and_unpaid(
    alice,
    postgresql,  # noqa: F811
    monkeypatch,
    settings,
):
    owed, suggestion = suggested(alice, settings)
    race = Race(monkeypatch, reconciliations, "_lock_invoices")

    first, second = race.run(
        lambda: match_confirm(match=suggestion, actor="staff"),
        lambda: match_reject(match=suggestion, actor="other staff"),
    )

    assert (first.state, second.state) == (MatchState.CONFIRMED, MatchState.REJECTED)
    assert race.second_waited_for_lock
    inv = Invoice.objects.get(pk=owed.pk)
    assert (inv.payment_status, inv.amount_paid) == (PaymentStatus.UNPAID, Decimal("0.00"))
    assert PaymentMatch.objects.get(pk=suggestion.pk).decided_by == "other staff"
    assert_books_balance(alice)


def test_a_match_rejected_first_cannot_then_be_confirmed(alice, postgresql, monkeypatch, settings):  # noqa: F811
    owed, suggestion = suggested(alice, settings)
    race = Race(monkeypatch, reconciliations, "_lock_invoices")

    first, second = race.run(
        lambda: match_reject(match=suggestion, actor="staff"),
        lambda: match_confirm(match=suggestion, actor="other staff"),
    )

    assert first.state == MatchState.REJECTED
    assert isinstance(second, DomainError), second
    assert second.code == CONFLICT
    assert race.second_waited_for_lock
    assert Invoice.objects.get(pk=owed.pk).payment_status == PaymentStatus.UNPAID
    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.REJECTED
    assert_books_balance(alice)


def test_two_confirmations_of_one_match_pay_once_and_say_so_once(alice, postgresql, monkeypatch, settings):  # noqa: F811
    owed, suggestion = suggested(alice, settings)
    race = Race(monkeypatch, reconciliations, "_lock_invoices")

    first, second = race.run(
        lambda: match_confirm(match=suggestion, actor="staff"),
        lambda: match_confirm(match=suggestion, actor="other staff"),
    )

    assert (first.state, second.state) == (MatchState.CONFIRMED, MatchState.CONFIRMED)
    assert race.second_waited_for_lock
    inv = Invoice.objects.get(pk=owed.pk)
    assert (inv.payment_status, inv.amount_paid) == (PaymentStatus.PAID, Decimal("100.00"))
    assert PaymentMatch.objects.get(pk=suggestion.pk).decided_by == "staff"
    assert Event.objects.filter(type="invoice.paid").count() == 1
    assert_books_balance(alice)


def test_a_manual_match_to_an_invoice_deleted_meanwhile_is_refused_cleanly(alice, postgresql, monkeypatch, settings):  # noqa: F811
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(alice, "INV-2026-0401", "100.00")
    shown = statement(alice, (3, "100.00", "Cash deposit"))
    reconciliation = run(alice, shown)
    race = Race(monkeypatch, invoice_services, "event_record")  # the invoice is deleted, not yet committed

    first, second = race.run(
        lambda: invoice_delete(invoice=Invoice.objects.get(pk=owed.pk)),
        lambda: match_manual(
            reconciliation=reconciliation,
            line=line_of(shown, "100.00"),
            allocations=[ManualAllocation(owed)],
            actor="x",
        ),
    )

    assert first is None
    assert isinstance(second, DomainError), second
    assert second.code == VALIDATION_ERROR
    assert second.details == {"allocations[0].invoice_id": ["Not found."]}
    assert race.second_waited_for_lock
    assert not PaymentMatch.objects.filter(state=MatchState.CONFIRMED).exists()
    assert_books_balance(alice)


def test_a_manual_match_sees_the_currency_an_invoice_was_corrected_to_meanwhile(
    alice,
    postgresql,  # noqa: F811
    monkeypatch,
    settings,
):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    owed = invoice(alice, "INV-2026-0402", "100.00")  # in EUR, as the payment
    shown = statement(alice, (3, "100.00", "Cash deposit"))
    reconciliation = run(alice, shown)
    race = Race(monkeypatch, invoice_services, "event_record")

    first, second = race.run(
        lambda: invoice_update(invoice=Invoice.objects.get(pk=owed.pk), currency="USD"),
        lambda: match_manual(
            reconciliation=reconciliation,
            line=line_of(shown, "100.00"),
            allocations=[ManualAllocation(owed)],
            actor="x",
        ),
    )

    assert first.currency == "USD"
    assert isinstance(second, DomainError), second
    assert second.code == VALIDATION_ERROR
    assert second.details == {"allocations[0].amount": ["Required when the currencies differ."]}
    assert race.second_waited_for_lock
    assert Invoice.objects.get(pk=owed.pk).payment_status == PaymentStatus.UNPAID
    assert_books_balance(alice)
