"""The reconciliation services on their own: the edge cases of money that the API tests do not reach.

Foreign-currency payments, overpayments whose rest is matched later, invoices corrected after being
paid, undoing one installment of two, runs repeated or run after a manual match, and suggestions from
different runs competing for the same invoice. Whatever the path, an invoice's payment fields and a
transaction's match status are what its confirmed allocations say, and never more than is owed or paid.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db.models import Sum

from bank.models import (
    BankAccount,
    BankStatement,
    BankTransaction,
    MatchAllocation,
    MatchKind,
    MatchState,
    MatchStatus,
    PaymentMatch,
    Reconciliation,
    ReconciliationStatus,
)
from bank.reconciliations import (
    ManualAllocation,
    match_confirm,
    match_manual,
    match_reject,
    matches_confirm_suggested,
    reconciliation_fail,
    reconciliation_run,
    reconciliation_start,
)
from bank.tasks import reconcile_statement
from buyers.tests.factories import BuyerFactory
from companies.models import Company
from events.models import Event, EventType
from invoices.models import Invoice, PaymentStatus
from invoices.services import invoice_update
from invoices.tests.factories import purchase_invoice, sales_invoice
from invoisx.errors import CONFLICT, VALIDATION_ERROR
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
NOBODY_IS_SURE = 1.01  # an auto-confirm threshold no suggestion reaches


def invoice(company: Company, number: str, total: str, *, party: str = "Acme Trading BV", **kwargs) -> Invoice:
    """A processed sales invoice (purchase with direction="purchase") of `total`, tax free, in EUR by default."""
    direction = kwargs.pop("direction", "sales")
    fields = {
        "currency": "EUR",
        "invoice_date": MARCH,
        "due_date": datetime.date(2026, 3, 31),
        "line_items": [{"description": "Services", "quantity": Decimal(1), "unit_price": Decimal(total)}],
        "totals": {"tax_rate": Decimal(0)},
    } | kwargs
    if direction == "purchase":
        return purchase_invoice(company, number=number, supplier=party, **fields)
    buyer = BuyerFactory.create(company=company, name=party)
    return sales_invoice(company, buyer=buyer, invoice_number=number, **fields)


def statement(company: Company, *lines: tuple[int, str, str], currency: str = "EUR") -> BankStatement:
    """A statement of March lines `(day, signed amount, description)`, stored as an import would."""
    account, _ = BankAccount.objects.get_or_create(
        company=company, account_number="NL91ABNA0417164300", currency=currency
    )
    shown = BankStatement.objects.create(
        company=company,
        account=account,
        file_sha256=uuid.uuid4().hex,
        format="mt940",
        currency=currency,
        transactions_count=len(lines),
    )
    for day, amount, description in lines:
        line = BankTransaction.objects.create(
            company=company,
            account=account,
            statement=shown,
            date=datetime.date(2026, 3, day),
            amount=Decimal(amount),
            currency=currency,
            description=description,
            counterparty=description.split(" / ")[-1] if " / " in description else "",
            checksum=uuid.uuid4().hex,
        )
        line.statements.add(shown)
    return shown


def run(company: Company, shown: BankStatement) -> Reconciliation:
    """Start a run and do it here (under `db` the queued task never fires: nothing commits)."""
    started = reconciliation_start(company=company, statement=shown, actor="alice")
    reconciliation_run(reconciliation_id=started.pk)
    return Reconciliation.objects.get(pk=started.pk)


def run_over_nothing(company: Company, shown: BankStatement) -> Reconciliation:
    """A completed run whose lines are all left to a person (the engine never saw them)."""
    return Reconciliation.objects.create(
        company=company, statement=shown, status=ReconciliationStatus.COMPLETED, auto_confirm_threshold=0.85
    )


def line_of(shown: BankStatement, amount: str) -> BankTransaction:
    return BankTransaction.objects.get(statements=shown, amount=Decimal(amount))


def matches_of(reconciliation: Reconciliation, state: str | None = None) -> list[PaymentMatch]:
    found = PaymentMatch.objects.filter(reconciliation=reconciliation)
    return list(found.filter(state=state) if state else found)


def fresh(inv: Invoice) -> Invoice:
    return Invoice.objects.get(pk=inv.pk)


def fresh_line(line: BankTransaction) -> BankTransaction:
    return BankTransaction.objects.get(pk=line.pk)


def payment(inv: Invoice) -> tuple[str, Decimal, Decimal, datetime.date | None]:
    inv = fresh(inv)
    return inv.payment_status, inv.amount_paid, inv.amount_written_off, inv.last_payment_date


def assert_books_balance(company: Company) -> None:
    """Every invoice and line says what its confirmed allocations say, and none is over-spent."""
    for inv in Invoice.objects.filter(company=company):
        confirmed = MatchAllocation.objects.filter(invoice=inv, match__state=MatchState.CONFIRMED)
        sums = confirmed.aggregate(paid=Sum("amount"), written_off=Sum("write_off"))
        assert inv.amount_paid == (sums["paid"] or 0), inv
        assert inv.amount_written_off == (sums["written_off"] or 0), inv
    for line in BankTransaction.objects.filter(company=company):
        used = PaymentMatch.objects.filter(transaction=line, state=MatchState.CONFIRMED).aggregate(used=Sum("amount"))
        assert (used["used"] or 0) <= abs(line.amount), line


# Foreign currencies


def test_a_payment_in_euros_for_a_dollar_invoice_pays_it_in_dollars(alice):
    usd = invoice(alice, "INV-2026-0077", "1234.00", currency="USD")
    shown = statement(alice, (4, "1130.50", "INV-2026-0077 ORIG USD 1,234.00 / Acme Trading BV"))

    reconciliation = run(alice, shown)

    [match] = matches_of(reconciliation)
    assert match.state == MatchState.CONFIRMED
    assert match.amount == Decimal("1130.50")  # the whole payment, in euros
    assert [(a.invoice_id, a.amount) for a in match.allocations.all()] == [(usd.pk, Decimal("1234.00"))]
    assert payment(usd) == (PaymentStatus.PAID, Decimal("1234.00"), Decimal(0), datetime.date(2026, 3, 4))
    assert line_of(shown, "1130.50").match_status == MatchStatus.MATCHED


def test_a_manual_match_in_another_currency_needs_the_amount(alice):
    usd = invoice(alice, "INV-2026-0078", "500.00", currency="USD")
    shown = statement(alice, (4, "460.00", "Wire transfer"))
    reconciliation = run(alice, shown)
    wire = line_of(shown, "460.00")

    with raises_domain_error(VALIDATION_ERROR) as missing:
        match_manual(reconciliation=reconciliation, line=wire, allocations=[ManualAllocation(usd)], actor="alice")
    assert "allocations[0].amount" in missing.value.details

    match = match_manual(
        reconciliation=reconciliation,
        line=wire,
        allocations=[ManualAllocation(usd, amount=Decimal("500.00"))],
        actor="alice",
    )

    assert match.amount == Decimal("460.00")  # whatever was left of the payment
    assert payment(usd)[:2] == (PaymentStatus.PAID, Decimal("500.00"))
    assert fresh_line(wire).match_status == MatchStatus.MATCHED


def test_a_manual_match_in_another_currency_cannot_pay_more_than_is_owed(alice):
    usd = invoice(alice, "INV-2026-0079", "500.00", currency="USD")
    shown = statement(alice, (4, "480.00", "Wire transfer"))
    reconciliation = run(alice, shown)

    with raises_domain_error(VALIDATION_ERROR) as too_much:
        match_manual(
            reconciliation=reconciliation,
            line=line_of(shown, "480.00"),
            allocations=[ManualAllocation(usd, amount=Decimal("520.00"))],
            actor="alice",
        )

    assert "allocations[0].amount" in too_much.value.details
    assert payment(usd)[:2] == (PaymentStatus.UNPAID, Decimal(0))


def test_the_rest_of_a_part_matched_foreign_payment_is_not_converted_at_the_whole_payments_rate(alice):
    # 1130.50 EUR arrives for a 1234 USD invoice, but 500 EUR of it is first matched by hand to a euro
    # invoice: the 630.50 EUR left cannot pay the whole USD 1,234.00 the description mentions.
    usd = invoice(alice, "INV-2026-0080", "1234.00", currency="USD")
    eur = invoice(alice, "INV-2026-0081", "500.00", party="Globex GmbH")
    shown = statement(alice, (4, "1130.50", "INV-2026-0080 ORIG USD 1,234.00 / Acme Trading BV"))
    by_hand = run_over_nothing(alice, shown)
    match_manual(
        reconciliation=by_hand,
        line=line_of(shown, "1130.50"),
        allocations=[ManualAllocation(eur)],
        actor="alice",
    )

    reconciliation = run(alice, shown)

    assert matches_of(reconciliation) == []
    assert payment(usd)[:2] == (PaymentStatus.UNPAID, Decimal(0))
    assert line_of(shown, "1130.50").match_status == MatchStatus.PARTIALLY_MATCHED
    assert_books_balance(alice)


# Overpayments


def test_an_overpayment_pays_the_invoice_and_leaves_the_rest_for_later(alice):
    first = invoice(alice, "INV-2026-0100", "1000.00")
    shown = statement(alice, (6, "1200.00", "INV-2026-0100 / Acme Trading BV"))

    reconciliation = run(alice, shown)

    [match] = matches_of(reconciliation)
    assert (match.kind, match.state, match.amount) == (MatchKind.OVERPAID, MatchState.CONFIRMED, Decimal("1000.00"))
    assert payment(first)[:2] == (PaymentStatus.PAID, Decimal("1000.00"))
    assert line_of(shown, "1200.00").match_status == MatchStatus.PARTIALLY_MATCHED

    second = invoice(alice, "INV-2026-0101", "200.00")
    match_manual(
        reconciliation=reconciliation, line=line_of(shown, "1200.00"), allocations=[ManualAllocation(second)], actor="a"
    )

    assert payment(second)[:2] == (PaymentStatus.PAID, Decimal("200.00"))
    assert line_of(shown, "1200.00").match_status == MatchStatus.MATCHED
    assert_books_balance(alice)


def test_a_later_run_matches_the_rest_of_a_part_matched_payment(alice):
    first = invoice(alice, "INV-2026-0110", "100.00")
    second = invoice(alice, "INV-2026-0111", "200.00", party="Globex GmbH")
    shown = statement(alice, (6, "300.00", "Payment INV-2026-0111 and more"))
    first_run = run_over_nothing(alice, shown)
    match_manual(
        reconciliation=first_run, line=line_of(shown, "300.00"), allocations=[ManualAllocation(first)], actor="alice"
    )

    reconciliation = run(alice, shown)

    [match] = matches_of(reconciliation)
    assert match.amount == Decimal("200.00")
    assert [a.invoice_id for a in match.allocations.all()] == [second.pk]
    assert reconciliation.transactions_count == 1
    if match.state == MatchState.SUGGESTED:
        match_confirm(match=match, actor="alice")
    assert payment(second)[:2] == (PaymentStatus.PAID, Decimal("200.00"))
    assert line_of(shown, "300.00").match_status == MatchStatus.MATCHED
    assert_books_balance(alice)


def test_a_manual_match_cannot_take_more_than_the_payment_has_left(alice):
    first = invoice(alice, "INV-2026-0120", "80.00")
    second = invoice(alice, "INV-2026-0121", "80.00")
    shown = statement(alice, (6, "100.00", "Two invoices"))
    reconciliation = run(alice, shown)
    line = line_of(shown, "100.00")
    match_manual(reconciliation=reconciliation, line=line, allocations=[ManualAllocation(first)], actor="alice")

    with raises_domain_error(VALIDATION_ERROR):
        match_manual(
            reconciliation=reconciliation,
            line=line,
            allocations=[ManualAllocation(second, amount=Decimal("30.00"))],
            actor="alice",
        )
    rest = match_manual(reconciliation=reconciliation, line=line, allocations=[ManualAllocation(second)], actor="a")

    assert rest.amount == Decimal("20.00")
    assert payment(second)[:2] == (PaymentStatus.PARTIALLY_PAID, Decimal("20.00"))
    with raises_domain_error(CONFLICT):
        match_manual(reconciliation=reconciliation, line=line, allocations=[ManualAllocation(second)], actor="a")
    assert_books_balance(alice)


# Invoices that change after being paid


def test_an_invoice_corrected_after_payment_has_its_payment_status_recomputed(alice):
    inv = invoice(alice, "INV-2026-0130", "100.00")
    shown = statement(alice, (7, "100.00", "INV-2026-0130 / Acme Trading BV"))
    reconciliation = run(alice, shown)
    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("100.00"))

    invoice_update(invoice=fresh(inv), line_items=[{"description": "More", "quantity": 1, "unit_price": "150.00"}])
    assert payment(inv)[:2] == (PaymentStatus.PARTIALLY_PAID, Decimal("100.00"))
    assert fresh(inv).amount_due == Decimal("50.00")

    invoice_update(invoice=fresh(inv), line_items=[{"description": "Less", "quantity": 1, "unit_price": "80.00"}])
    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("100.00"))  # paid 20 too much
    assert fresh(inv).amount_due == Decimal(0)

    [match] = matches_of(reconciliation)
    match_reject(match=match, actor="alice")
    assert payment(inv) == (PaymentStatus.UNPAID, Decimal(0), Decimal(0), None)


def test_a_suggestion_for_an_invoice_corrected_down_meanwhile_is_refused(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0131", "100.00")
    shown = statement(alice, (7, "100.00", "INV-2026-0131 / Acme Trading BV"))
    reconciliation = run(alice, shown)
    [match] = matches_of(reconciliation)
    invoice_update(invoice=fresh(inv), line_items=[{"description": "Less", "quantity": 1, "unit_price": "90.00"}])

    with raises_domain_error(CONFLICT):
        match_confirm(match=match, actor="alice")

    assert payment(inv)[:2] == (PaymentStatus.UNPAID, Decimal(0))
    assert PaymentMatch.objects.get(pk=match.pk).state == MatchState.SUGGESTED


def test_a_suggestion_for_a_deleted_invoice_is_refused(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0132", "100.00")
    shown = statement(alice, (7, "100.00", "INV-2026-0132 / Acme Trading BV"))
    reconciliation = run(alice, shown)
    fresh(inv).delete()

    with raises_domain_error(CONFLICT):
        match_confirm(match=matches_of(reconciliation)[0], actor="alice")
    assert matches_confirm_suggested(reconciliation=reconciliation, actor="alice") == []
    assert line_of(shown, "100.00").match_status == MatchStatus.UNMATCHED


def test_a_suggestion_for_an_invoice_that_failed_meanwhile_is_refused(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0133", "100.00")
    shown = statement(alice, (7, "100.00", "INV-2026-0133 / Acme Trading BV"))
    reconciliation = run(alice, shown)
    Invoice.objects.filter(pk=inv.pk).update(status="failed")

    with raises_domain_error(CONFLICT):
        match_confirm(match=matches_of(reconciliation)[0], actor="alice")
    assert payment(inv)[:2] == (PaymentStatus.UNPAID, Decimal(0))


def test_confirming_a_payment_touches_the_invoices_updated_at(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0134", "100.00")
    before = fresh(inv).updated_at
    shown = statement(alice, (7, "100.00", "INV-2026-0134 / Acme Trading BV"))
    reconciliation = run(alice, shown)

    match_confirm(match=matches_of(reconciliation)[0], actor="alice")

    assert fresh(inv).updated_at > before


# Installments and undo


def test_undoing_one_of_two_installments_leaves_the_invoice_partly_paid(alice):
    inv = invoice(alice, "INV-2026-0140", "500.00", party="Globex GmbH")
    shown = statement(
        alice,
        (5, "250.00", "Part payment INV-2026-0140 / Globex GmbH"),
        (20, "250.00", "Rest of INV-2026-0140 / Globex GmbH"),
    )
    reconciliation = run(alice, shown)
    if len(matches_of(reconciliation, MatchState.CONFIRMED)) < 2:
        matches_confirm_suggested(reconciliation=reconciliation, actor="alice")
    assert payment(inv) == (PaymentStatus.PAID, Decimal("500.00"), Decimal(0), datetime.date(2026, 3, 20))
    later = PaymentMatch.objects.get(transaction__date=datetime.date(2026, 3, 20), state=MatchState.CONFIRMED)

    match_reject(match=later, actor="alice")

    assert payment(inv) == (PaymentStatus.PARTIALLY_PAID, Decimal("250.00"), Decimal(0), datetime.date(2026, 3, 5))
    assert BankTransaction.objects.get(pk=later.transaction_id).match_status == MatchStatus.UNMATCHED
    earlier = PaymentMatch.objects.get(transaction__date=datetime.date(2026, 3, 5), state=MatchState.CONFIRMED)
    match_reject(match=earlier, actor="alice")
    assert payment(inv) == (PaymentStatus.UNPAID, Decimal(0), Decimal(0), None)
    assert match_reject(match=earlier, actor="alice").state == MatchState.REJECTED  # twice changes nothing
    assert_books_balance(alice)


def test_an_undone_match_is_never_proposed_again_but_the_line_can_be_matched_by_hand(alice):
    inv = invoice(alice, "INV-2026-0150", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0150 / Acme Trading BV"))
    first = run(alice, shown)
    [match] = matches_of(first, MatchState.CONFIRMED)
    match_reject(match=match, actor="alice")

    second = run(alice, shown)

    assert matches_of(second) == []
    assert second.transactions_count == 1
    match_manual(reconciliation=second, line=line_of(shown, "300.00"), allocations=[ManualAllocation(inv)], actor="a")
    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("300.00"))
    assert_books_balance(alice)


def test_a_superseded_or_rejected_suggestion_cannot_be_confirmed(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    invoice(alice, "INV-2026-0160", "300.00")
    shown = statement(alice, (5, "300.00", "INV-2026-0160 / Acme Trading BV"))
    [old] = matches_of(run(alice, shown))
    [new] = matches_of(run(alice, shown))

    with raises_domain_error(CONFLICT):
        match_confirm(match=old, actor="alice")
    with raises_domain_error(CONFLICT):
        match_reject(match=old, actor="alice")
    match_reject(match=new, actor="alice")
    with raises_domain_error(CONFLICT):
        match_confirm(match=new, actor="alice")


# Runs repeated, and runs after people acted


def test_a_run_after_a_manual_match_leaves_it_alone(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    guessed = invoice(alice, "INV-2026-0170", "99.00", party="Umbrella Corp")
    meant = invoice(alice, "INV-2026-0171", "99.00", party="Umbrella Corp")
    shown = statement(alice, (12, "99.00", "INV-2026-0170 / Umbrella Corp"))
    first = run(alice, shown)
    [suggestion] = matches_of(first)
    manual = match_manual(
        reconciliation=first, line=line_of(shown, "99.00"), allocations=[ManualAllocation(meant)], actor="alice"
    )
    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.SUPERSEDED

    second = run(alice, shown)

    assert second.transactions_count == 0
    assert matches_of(second) == []
    assert PaymentMatch.objects.get(pk=manual.pk).state == MatchState.CONFIRMED
    assert payment(meant)[:2] == (PaymentStatus.PAID, Decimal("99.00"))
    assert payment(guessed)[:2] == (PaymentStatus.UNPAID, Decimal(0))


def test_running_the_same_task_twice_changes_nothing_the_second_time(alice):
    inv = invoice(alice, "INV-2026-0180", "1210.00")
    shown = statement(alice, (3, "1210.00", "Payment INV-2026-0180 / Acme Trading BV"))
    started = reconciliation_start(company=alice, statement=shown, actor="alice")

    reconcile_statement.apply(args=[started.pk])
    after_first = Reconciliation.objects.get(pk=started.pk)
    reconcile_statement.apply(args=[started.pk])

    after_second = Reconciliation.objects.get(pk=started.pk)
    assert after_first.status == after_second.status == ReconciliationStatus.COMPLETED
    assert after_second.completed_at == after_first.completed_at
    assert len(matches_of(after_second)) == 1
    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("1210.00"))
    assert Event.objects.filter(company=alice, type=EventType.BANK_RECONCILED).count() == 1
    assert Event.objects.filter(company=alice, type=EventType.INVOICE_PAID).count() == 1


def test_a_failed_or_completed_run_is_never_run_again(alice):
    inv = invoice(alice, "INV-2026-0190", "400.00")
    shown = statement(alice, (3, "400.00", "INV-2026-0190 / Acme Trading BV"))
    failed = reconciliation_start(company=alice, statement=shown, actor="alice")
    reconciliation_fail(reconciliation_id=failed.pk, reason="Took too long.")

    reconciliation_run(reconciliation_id=failed.pk)

    failed.refresh_from_db()
    assert (failed.status, failed.failure_reason) == (ReconciliationStatus.FAILED, "Took too long.")
    assert matches_of(failed) == []
    assert payment(inv)[:2] == (PaymentStatus.UNPAID, Decimal(0))

    completed = run(alice, shown)
    reconciliation_fail(reconciliation_id=completed.pk, reason="Late timeout")  # too late: it is done
    reconciliation_run(reconciliation_id=completed.pk)
    completed.refresh_from_db()
    assert completed.status == ReconciliationStatus.COMPLETED
    assert len(matches_of(completed)) == 1
    reconciliation_run(reconciliation_id=987654321)  # gone: nothing to do, no error


# Competing suggestions: never more than is owed


def test_confirm_all_on_two_runs_suggesting_the_same_invoice_pays_it_once(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0200", "100.00")
    march = statement(alice, (3, "100.00", "INV-2026-0200 / Acme Trading BV"))
    april = statement(alice, (28, "100.00", "INV-2026-0200 again / Acme Trading BV"))
    first, second = run(alice, march), run(alice, april)
    assert len(matches_of(first)) == len(matches_of(second)) == 1  # both runs saw the invoice open

    assert len(matches_confirm_suggested(reconciliation=first, actor="alice")) == 1
    assert matches_confirm_suggested(reconciliation=second, actor="alice") == []

    assert payment(inv)[:2] == (PaymentStatus.PAID, Decimal("100.00"))
    assert line_of(april, "100.00").match_status == MatchStatus.UNMATCHED
    with raises_domain_error(CONFLICT):
        match_confirm(match=matches_of(second)[0], actor="alice")
    assert_books_balance(alice)


def test_confirm_all_on_two_runs_with_part_payments_never_pays_more_than_the_total(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    inv = invoice(alice, "INV-2026-0210", "500.00", party="Globex GmbH")
    march = statement(alice, (5, "300.00", "Part payment INV-2026-0210 / Globex GmbH"))
    april = statement(alice, (25, "300.00", "Part payment INV-2026-0210 / Globex GmbH"))
    first, second = run(alice, march), run(alice, april)
    assert [m.amount for m in matches_of(first) + matches_of(second)] == [Decimal("300.00")] * 2

    matches_confirm_suggested(reconciliation=first, actor="alice")
    matches_confirm_suggested(reconciliation=second, actor="alice")

    assert payment(inv)[:2] == (PaymentStatus.PARTIALLY_PAID, Decimal("300.00"))
    assert fresh(inv).amount_due == Decimal("200.00")
    assert_books_balance(alice)


def test_confirm_all_respects_the_minimum_confidence(alice, settings):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    sure = invoice(alice, "INV-2026-0220", "1210.00")
    guess = invoice(alice, "INV-2026-0221", "99.00", party="Umbrella Corp")
    shown = statement(alice, (3, "1210.00", "INV-2026-0220 / Acme Trading BV"), (12, "99.00", "Thanks / J SMITH"))
    reconciliation = run(alice, shown)

    confirmed = matches_confirm_suggested(reconciliation=reconciliation, actor="alice", min_confidence=0.8)

    assert [m.transaction.amount for m in confirmed] == [Decimal("1210.00")]
    assert payment(sure)[0] == PaymentStatus.PAID
    assert payment(guess)[0] == PaymentStatus.UNPAID
    assert all(m.decided_by == "alice" and not m.auto_confirmed for m in confirmed)


@pytest.mark.parametrize("min_confidence", [float("nan"), -0.1, 1.5])
def test_confirm_all_refuses_a_minimum_confidence_that_is_not_a_share(alice, settings, min_confidence):
    settings.RECONCILE_AUTO_CONFIRM_THRESHOLD = NOBODY_IS_SURE
    invoice(alice, "INV-2026-0222", "1210.00")
    reconciliation = run(alice, statement(alice, (3, "1210.00", "INV-2026-0222 / Acme Trading BV")))

    with raises_domain_error(VALIDATION_ERROR) as refused:
        matches_confirm_suggested(reconciliation=reconciliation, actor="alice", min_confidence=min_confidence)

    assert "min_confidence" in refused.value.details
    assert len(matches_of(reconciliation, MatchState.SUGGESTED)) == 1


# Isolation inside the service


def test_a_run_refuses_another_companys_statement(alice, bob):
    bobs = statement(bob, (3, "100.00", "Payment / Acme Trading BV"))

    with raises_domain_error(VALIDATION_ERROR) as refused:
        reconciliation_start(company=alice, statement=bobs, actor="alice")

    assert "statement_id" in refused.value.details
    assert not Reconciliation.objects.exists()


def test_a_manual_match_refuses_another_companys_invoice_or_line(alice, bob):
    bobs = invoice(bob, "INV-2026-0230", "2.80", direction="purchase", party="Costa Coffee")
    alices_statement = statement(alice, (3, "-2.80", "Cafe / Costa Coffee"))
    alices_run = run(alice, alices_statement)
    bobs_statement = statement(bob, (3, "-2.80", "Cafe / Costa Coffee"))

    with raises_domain_error(VALIDATION_ERROR) as foreign_invoice:
        match_manual(
            reconciliation=alices_run,
            line=line_of(alices_statement, "-2.80"),
            allocations=[ManualAllocation(bobs)],
            actor="alice",
        )
    with raises_domain_error(VALIDATION_ERROR) as foreign_line:
        match_manual(
            reconciliation=alices_run,
            line=line_of(bobs_statement, "-2.80"),
            allocations=[ManualAllocation(bobs)],
            actor="alice",
        )
    with raises_domain_error(VALIDATION_ERROR) as other_statement:
        match_manual(
            reconciliation=run(bob, statement(bob, (4, "-1.00", "Other"))),
            line=line_of(bobs_statement, "-2.80"),
            allocations=[ManualAllocation(bobs)],
            actor="bob",
        )

    assert "allocations[0].invoice_id" in foreign_invoice.value.details
    assert "transaction_id" in foreign_line.value.details
    assert "transaction_id" in other_statement.value.details
    assert payment(bobs)[:2] == (PaymentStatus.UNPAID, Decimal(0))
    assert not PaymentMatch.objects.filter(kind=MatchKind.MANUAL).exists()
