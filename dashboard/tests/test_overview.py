"""The overview: aging buckets at their boundaries, what counts as owed, and the page itself."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bank.models import (
    BankAccount,
    BankStatement,
    BankTransaction,
    MatchAllocation,
    MatchKind,
    MatchState,
    PaymentMatch,
    Reconciliation,
)
from buyers.tests.factories import BuyerFactory
from companies.models import Role
from companies.tests.factories import MembershipFactory
from dashboard.selectors import aging, cash_flow, first_steps, most_overdue, work_counts
from invoices.models import DocumentType, Invoice, PaymentStatus, State, Status
from invoices.tests.factories import purchase_invoice, sales_invoice

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


def due_in(company, days_late: int, **kwargs) -> Invoice:
    """A purchase invoice of 120.00 GBP whose due date was `days_late` days before TODAY."""
    due = TODAY - timedelta(days=days_late)
    number = f"P-{days_late}-{kwargs.pop('n', 0)}"
    return purchase_invoice(company, number=number, invoice_date=due - timedelta(days=30), due_date=due, **kwargs)


def sale_due(company, days_late: int, **kwargs) -> Invoice:
    """A sales invoice of 1080.00 MYR whose due date was `days_late` days before TODAY."""
    due = TODAY - timedelta(days=days_late)
    return sales_invoice(company, invoice_date=due - timedelta(days=30), due_date=due, **kwargs)


def buckets_of(company, direction="purchase", currency="GBP") -> dict[str, tuple[Decimal, int]]:
    [row] = [
        row for row in aging(company=company, today=TODAY) if (row.direction, row.currency) == (direction, currency)
    ]
    return {cell.bucket.key: (cell.amount, cell.count) for cell in row.buckets}


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-10, "current"),
        (0, "current"),  # due today is not late
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
        (400, "d90_plus"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_past_due(alice, days_late, bucket):
    due_in(alice, days_late)

    found = buckets_of(alice)

    assert found[bucket] == (Decimal("120.00"), 1)
    assert sum(count for _, count in found.values()) == 1


def test_an_invoice_without_a_due_date_is_current(alice):
    purchase_invoice(alice, number="P-NODUE")

    assert buckets_of(alice)["current"] == (Decimal("120.00"), 1)


def test_paid_void_credited_draft_and_unread_invoices_are_not_owed(alice):
    paid = due_in(alice, 5, n=1)
    Invoice.objects.filter(pk=paid.pk).update(amount_paid=F("total"), payment_status=PaymentStatus.PAID)
    failed = due_in(alice, 5, n=2)
    Invoice.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    processing = due_in(alice, 5, n=3)
    Invoice.objects.filter(pk=processing.pk).update(status=Status.PROCESSING)
    credited = sale_due(alice, 5)
    Invoice.objects.filter(pk=credited.pk).update(amount_credited=F("total"))
    void = sale_due(alice, 5)
    Invoice.objects.filter(pk=void.pk).update(state=State.VOID)
    sale_due(alice, 5, draft=True)
    note = sale_due(alice, 5)
    Invoice.objects.filter(pk=note.pk).update(document_type=DocumentType.CREDIT_NOTE)

    assert aging(company=alice, today=TODAY) == []
    assert most_overdue(company=alice, today=TODAY) == []


def test_a_part_payment_leaves_the_rest_owed_and_needs_review_still_counts(alice):
    part = due_in(alice, 40)
    Invoice.objects.filter(pk=part.pk).update(amount_paid=Decimal("20.00"), amount_written_off=Decimal("0.50"))
    review = due_in(alice, 2, n=1)
    Invoice.objects.filter(pk=review.pk).update(status=Status.NEEDS_REVIEW)

    found = buckets_of(alice)

    assert found["d31_60"] == (Decimal("99.50"), 1)
    assert found["d1_30"] == (Decimal("120.00"), 1)


def test_amounts_are_kept_apart_per_currency_and_direction(alice):
    due_in(alice, 10, n=1)
    due_in(alice, 10, n=2, currency="EUR")
    sale_due(alice, 100)

    rows = {(row.direction, row.currency): row for row in aging(company=alice, today=TODAY)}

    assert set(rows) == {("purchase", "GBP"), ("purchase", "EUR"), ("sales", "MYR")}
    assert rows[("purchase", "EUR")].due == Decimal("120.00")
    assert rows[("sales", "MYR")].bucket("d90_plus").amount == Decimal("1080.00")
    assert rows[("sales", "MYR")].overdue == Decimal("1080.00")
    assert rows[("purchase", "GBP")].overdue_count == 1


def test_the_figures_are_only_the_companys(alice, bob):
    due_in(bob, 10)

    assert aging(company=alice, today=TODAY) == []
    assert work_counts(company=alice).invoices == 0


def test_the_most_overdue_come_first_with_their_days_late(alice):
    due_in(alice, 3)
    due_in(alice, 45)
    due_in(alice, -2)

    assert [late.days_late for late in most_overdue(company=alice, today=TODAY)] == [45, 3]


def test_the_cash_flow_has_six_months_of_sales_invoiced(alice):
    sales_invoice(alice, invoice_date=date(2026, 6, 2))
    sales_invoice(alice, invoice_date=date(2026, 1, 31))  # before the window
    sales_invoice(alice, invoice_date=date(2026, 3, 15), currency="EUR")

    flow = cash_flow(company=alice, today=TODAY)

    assert [m.month for m in flow.months] == [date(2026, month, 1) for month in range(1, 7)]
    assert flow.currency == "MYR"
    assert flow.currencies == ["MYR", "EUR"]
    assert flow.months[-1].invoiced == Decimal("1080.00")
    assert flow.months[0].invoiced == Decimal("1080.00")
    assert cash_flow(company=alice, today=TODAY, currency="EUR").months[2].invoiced == Decimal("1080.00")


def confirmed_payment(invoice: Invoice, amount: Decimal, on: date, state: str = MatchState.CONFIRMED) -> None:
    """A bank line paying `amount` of the invoice, matched by a reconciliation in `state`."""
    account = BankAccount.objects.create(company=invoice.company, currency=invoice.currency, account_number=state)
    statement = BankStatement.objects.create(
        company=invoice.company, account=account, file="s.csv", file_sha256=f"{invoice.pk}{state}", format="csv"
    )
    line = BankTransaction.objects.create(
        company=invoice.company, account=account, statement=statement, date=on, amount=amount, checksum="c"
    )
    run = Reconciliation.objects.create(company=invoice.company, statement=statement, auto_confirm_threshold=0.9)
    match = PaymentMatch.objects.create(
        company=invoice.company,
        reconciliation=run,
        transaction=line,
        state=state,
        kind=MatchKind.EXACT,
        confidence=1.0,
        reason="Number",
        amount=amount,
    )
    MatchAllocation.objects.create(match=match, invoice=invoice, amount=amount)


def test_the_cash_flow_counts_confirmed_payments_by_booking_date(alice):
    invoice = sales_invoice(alice, invoice_date=date(2026, 4, 2))
    confirmed_payment(invoice, Decimal("500.00"), date(2026, 5, 20))
    confirmed_payment(invoice, Decimal("80.00"), date(2026, 5, 21), state=MatchState.SUGGESTED)

    months = {m.month: m for m in cash_flow(company=alice, today=TODAY).months}

    assert months[date(2026, 5, 1)].received == Decimal("500.00")
    assert months[date(2026, 4, 1)].received == Decimal(0)
    assert months[date(2026, 4, 1)].invoiced == Decimal("1080.00")


def test_the_first_steps_are_ticked_as_they_are_done(alice):
    assert first_steps(company=alice).done == 0

    BuyerFactory.create(company=alice)

    steps = first_steps(company=alice)
    assert steps.added_buyer
    assert not steps.uploaded_invoice
    assert not steps.imported_statement
    assert steps.done == 1


# The page


def page_for(company, role=Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def test_the_overview_shows_money_due_work_waiting_and_the_checklist(alice):
    today = date.today()
    sales_invoice(alice, invoice_date=today - timedelta(days=75), due_date=today - timedelta(days=45))
    review = purchase_invoice(alice, number="P-R", invoice_date=today)
    Invoice.objects.filter(pk=review.pk).update(status=Status.NEEDS_REVIEW)

    response = page_for(alice).get("/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Receivables due" in content
    assert "Payables due" in content
    assert 'data-bucket="d31_60">1,080.00' in content
    assert response.context["work"].needs_review == 1
    assert "?status=needs_review" in content or "/review/" in content
    assert "Getting started" in content
    assert 'href="/invoices/upload"' in content
    assert 'href="/invoices/new"' in content
    assert "<svg" in content
    assert "style=" not in content


def test_a_viewer_sees_the_checklist_without_the_token_step_or_the_buttons(alice):
    viewer = page_for(alice, Role.VIEWER)

    content = viewer.get("/").content.decode()

    assert "Getting started" in content
    assert "/settings/api-tokens/" not in content
    assert 'href="/invoices/upload"' in content  # the checklist's link; the Upload button needs an editor
    assert "Upload invoices" not in content


def test_the_overview_costs_the_same_queries_with_more_invoices(alice):
    client = page_for(alice)
    for n in range(3):
        due_in(alice, n * 20, n=n)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(3, 30):
        due_in(alice, n * 7, n=n)
        sale_due(alice, n)
    with CaptureQueriesContext(connection) as many:
        client.get("/")

    assert len(many) == len(few)


def test_the_overview_shows_nothing_of_another_company(alice, bob):
    sale_due(bob, 0)

    content = page_for(alice).get("/").content.decode()

    assert "1,080.00" not in content
