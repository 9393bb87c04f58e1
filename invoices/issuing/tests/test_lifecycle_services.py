"""The issuing services on their own: credit notes lower what is owed, void rules, deliveries' outcomes."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buyers.models import Buyer
from events.models import Event
from invoices.issuing.sending import deliveries_sweep, delivery_attempt
from invoices.issuing.services import credit_note_create, invoice_issue, invoice_send, invoice_void
from invoices.models import DeliveryStatus, Invoice, InvoiceDelivery, PaymentStatus, State
from invoices.tests.parties import sales_draft
from invoisx.errors import CONFLICT
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db


def test_an_issued_credit_note_lowers_what_the_invoice_still_owes(seller, buyer):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    assert invoice.total == Decimal("1297.00")  # 1000 + 190 + 100 + 7

    note = credit_note_create(
        invoice=invoice,
        reason="Manual not delivered",
        line_items=[{"description": "Manual", "quantity": 2, "unit_price": 50, "tax_rate": 7}],
        issue=True,
    )
    invoice.refresh_from_db()

    assert note.invoice_number == "CN-2026-00001"
    assert note.total == Decimal("107.00")
    assert invoice.amount_credited == Decimal("107.00")
    assert invoice.amount_due == Decimal("1190.00")
    assert invoice.payment_status == PaymentStatus.PARTIALLY_PAID


def test_a_draft_credit_note_credits_nothing_until_it_is_issued(seller, buyer):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))

    credit_note_create(invoice=invoice, reason="Refund")
    invoice.refresh_from_db()

    assert invoice.amount_credited == 0
    assert invoice.amount_due == invoice.total


def test_a_fully_credited_invoice_is_settled_and_voiding_the_note_brings_the_debt_back(seller, buyer):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    note = credit_note_create(invoice=invoice, reason="Cancelled order", issue=True)
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.payment_status) == (Decimal("0.00"), PaymentStatus.PAID)

    invoice_void(invoice=note, reason="Credited by mistake")
    invoice.refresh_from_db()

    assert (invoice.amount_due, invoice.payment_status) == (invoice.total, PaymentStatus.UNPAID)


def test_credit_notes_cannot_together_credit_more_than_the_invoice(seller, buyer):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    credit_note_create(
        invoice=invoice,
        reason="Half",
        issue=True,
        line_items=[{"description": "Consulting", "quantity": 5, "unit_price": 100, "tax_rate": 19}],
    )

    with pytest.raises(ValidationError) as error:
        credit_note_create(invoice=invoice, reason="Everything again")

    assert "line_items" in error.value.message_dict
    assert invoice.credit_notes.count() == 1


def test_an_invoice_with_issued_credit_notes_cannot_be_voided_before_them(seller, buyer):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    credit_note_create(invoice=invoice, reason="Refund", issue=True)

    with raises_domain_error(CONFLICT):
        invoice_void(invoice=invoice, reason="Wrong buyer")


def test_a_draft_cannot_be_voided_and_a_void_invoice_cannot_be_credited(seller, buyer):
    with raises_domain_error(CONFLICT):
        invoice_void(invoice=sales_draft(seller, buyer), reason="No")

    invoice = invoice_void(invoice=invoice_issue(invoice=sales_draft(seller, buyer)), reason="Wrong buyer")
    assert invoice.state == State.VOID

    with raises_domain_error(CONFLICT):
        credit_note_create(invoice=invoice, reason="Refund")


def send(invoice: Invoice, capture: Any) -> InvoiceDelivery:
    """Send as a request does: the task is queued once the transaction commits (eager in the tests)."""
    with capture(execute=True):
        return invoice_send(invoice=invoice)


def test_a_sent_delivery_marks_the_invoice_sent_once_and_records_the_event(
    seller, buyer, smtp_server, django_capture_on_commit_callbacks
):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))

    delivery = send(invoice, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    invoice.refresh_from_db()

    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attachments == [f"{invoice.invoice_number}.pdf"]
    assert invoice.state == State.SENT
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["compta@lumiere.example"]]
    assert list(smtp_server.messages[0].attachments()) == [f"{invoice.invoice_number}.pdf"]
    assert Event.objects.filter(type="invoice.sent", data__id=invoice.public_id).count() == 1


def test_a_buyer_who_wants_ubl_gets_it_beside_the_pdf(seller, buyer, smtp_server, django_capture_on_commit_callbacks):
    Buyer.objects.filter(pk=buyer.pk).update(wants_ubl=True)
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))

    send(invoice, django_capture_on_commit_callbacks)

    names = sorted(smtp_server.messages[0].attachments())
    assert names == [f"{invoice.invoice_number}.pdf", f"{invoice.invoice_number}.xml"]


def test_a_refused_recipient_is_recorded_as_a_bounce_and_the_invoice_stays_issued(
    seller, buyer, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse("compta@lumiere.example", 550)
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))

    delivery = send(invoice, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    invoice.refresh_from_db()

    assert delivery.status == DeliveryStatus.BOUNCED
    assert "550" in delivery.error
    assert invoice.state == State.ISSUED
    assert smtp_server.messages == []


def test_a_mail_server_that_defers_leaves_the_delivery_queued_for_a_retry(seller, buyer, smtp_server):
    smtp_server.refuse("compta@lumiere.example", 451)
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    delivery = InvoiceDelivery.objects.create(invoice=invoice, to=["compta@lumiere.example"])

    outcome = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()

    assert outcome is not None
    assert outcome.retry
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "451" in delivery.error


def test_a_delivery_already_sent_is_not_sent_again(seller, buyer, smtp_server, django_capture_on_commit_callbacks):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    delivery = send(invoice, django_capture_on_commit_callbacks)

    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert len(smtp_server.messages) == 1


def test_a_draft_cannot_be_sent(seller, buyer, smtp_server):
    with raises_domain_error(CONFLICT):
        invoice_send(invoice=sales_draft(seller, buyer))


def test_the_sweep_sends_a_delivery_whose_task_was_lost_and_leaves_those_not_yet_due(
    seller, buyer, smtp_server, django_capture_on_commit_callbacks
):
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    long_ago = timezone.now() - timedelta(hours=1)
    lost = InvoiceDelivery.objects.create(invoice=invoice, to=["lost@lumiere.example"], next_attempt_at=long_ago)
    InvoiceDelivery.objects.create(invoice=invoice, to=["later@lumiere.example"], next_attempt_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        swept = deliveries_sweep()
    lost.refresh_from_db()

    assert swept == [lost.pk]
    assert lost.status == DeliveryStatus.SENT
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["lost@lumiere.example"]]


def test_a_retried_delivery_is_due_again_after_its_backoff(seller, buyer, smtp_server):
    smtp_server.refuse("compta@lumiere.example", 451)
    invoice = invoice_issue(invoice=sales_draft(seller, buyer))
    delivery = InvoiceDelivery.objects.create(invoice=invoice, to=["compta@lumiere.example"])

    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()

    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert deliveries_sweep() == []
