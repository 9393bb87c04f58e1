"""Undoing a confirmed match puts it back to suggested: the invoice owes again, the line is free again,
and nothing is lost (a later run proposes the pairing again); the dashboard's manual match refuses an
invoice in another currency."""

from decimal import Decimal

import pytest

from bank.models import MatchState, MatchStatus, PaymentMatch
from bank.reconciliations import ManualAllocation, match_confirm, match_manual, match_undo
from bank.tests.test_reconcile_services import (
    NOBODY_IS_SURE,
    assert_books_balance,
    fresh_line,
    invoice,
    line_of,
    matches_of,
    payment,
    run,
    statement,
)
from invoices.models import PaymentStatus
from invoisx.errors import CONFLICT, VALIDATION_ERROR
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db


def test_undoing_a_confirmed_match_puts_it_back_to_suggested_and_the_invoice_owes_again(alice):
    inv = invoice(alice, "INV-2026-0150", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0150 / Acme Trading BV"))
    [match] = matches_of(run(alice, shown), MatchState.CONFIRMED)
    assert payment(inv)[0] == PaymentStatus.PAID

    undone = match_undo(match=match, actor="alice")

    assert undone.state == MatchState.SUGGESTED
    assert PaymentMatch.objects.get(pk=match.pk).state == MatchState.SUGGESTED
    assert not PaymentMatch.objects.get(pk=match.pk).auto_confirmed
    assert payment(inv)[:2] == (PaymentStatus.UNPAID, Decimal(0))
    assert fresh_line(line_of(shown, "300.00")).match_status == MatchStatus.UNMATCHED
    assert match_undo(match=match, actor="alice").state == MatchState.SUGGESTED  # twice changes nothing
    assert_books_balance(alice)


def test_an_undone_match_can_be_confirmed_again(alice):
    inv = invoice(alice, "INV-2026-0151", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0151 / Acme Trading BV"))
    [match] = matches_of(run(alice, shown), MatchState.CONFIRMED)
    match_undo(match=match, actor="alice")

    match_confirm(match=match, actor="alice")

    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("300.00"))
    assert_books_balance(alice)


def test_a_later_run_proposes_an_undone_match_again(alice):
    invoice(alice, "INV-2026-0152", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0152 / Acme Trading BV"))
    first = run(alice, shown)
    [match] = matches_of(first, MatchState.CONFIRMED)
    match_undo(match=match, actor="alice")

    second = run(alice, shown)

    assert len(matches_of(second)) == 1  # found again, not lost as a rejection would be
    assert PaymentMatch.objects.get(pk=match.pk).state == MatchState.SUPERSEDED


def test_a_superseded_match_cannot_be_undone(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    invoice(alice, "INV-2026-0153", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0153 / Acme Trading BV"))
    [old] = matches_of(run(alice, shown))
    assert match_undo(match=old, actor="alice").state == MatchState.SUGGESTED  # nothing to undo
    run(alice, shown)

    with raises_domain_error(CONFLICT):
        match_undo(match=old, actor="alice")


def test_a_manual_match_limited_to_the_lines_currency_refuses_another_currency(alice):
    inv = invoice(alice, "INV-2026-0154", "300.00", currency="MYR")
    shown = statement(alice, (5, "300.00", "Payment"))
    reconciliation = run(alice, shown)

    with raises_domain_error(VALIDATION_ERROR) as error:
        match_manual(
            reconciliation=reconciliation,
            line=line_of(shown, "300.00"),
            allocations=[ManualAllocation(inv, amount=Decimal("300.00"))],
            actor="alice",
            same_currency_only=True,
        )

    assert "only invoices in EUR" in str(error.value.message)
    assert payment(inv)[:2] == (PaymentStatus.UNPAID, Decimal(0))
