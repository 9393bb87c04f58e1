"""Sending an issued invoice by email: one delivery attempt, and what its outcome does to the invoice.

`invoice_send` (services) records a queued `InvoiceDelivery`; the `send_invoice` task calls
`delivery_attempt` for it. A mail server's refusal is recorded on the delivery (bounced: refused for
good; failed: the server could not be reached or deferred it, retried by the task), and a delivery
the server accepted marks the invoice `sent` with an `invoice.sent` event.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import EventType
from events.services import event_record
from invoices.issuing.email import build_invoice_email, invoice_from_address
from invoices.issuing.smtp import deliver_email
from invoices.models import DeliveryStatus, Invoice, InvoiceDelivery, State
from invoices.services import invoice_event_data, invoice_lock
from invoisx.enqueue import enqueue_each_on_commit

MAX_DELIVERY_ATTEMPTS = 5


@dataclass(frozen=True)
class AttemptOutcome:
    status: str
    retry: bool


def _attachments(delivery: InvoiceDelivery) -> tuple[bytes, bytes | None]:
    issued = delivery.invoice.issued_document
    with issued.pdf.open("rb") as file:
        pdf = file.read()
    buyer = delivery.invoice.buyer
    ubl = issued.ubl.encode() if buyer is not None and buyer.wants_ubl else None
    return pdf, ubl


@transaction.atomic
def delivery_attempt(*, delivery_id: int) -> AttemptOutcome | None:
    """Try to deliver one queued email; None when there is nothing to do (already sent, or gone).

    The delivery row stays locked while the mail server is talked to, so two workers handed the same
    delivery (a redelivered message) never both send it.
    """
    delivery = (
        InvoiceDelivery.objects.select_for_update(of=("self",))
        .select_related("invoice__company", "invoice__buyer", "invoice__issued_document")
        .filter(pk=delivery_id, status=DeliveryStatus.QUEUED)
        .first()
    )
    if delivery is None:
        return None
    invoice = delivery.invoice
    document = invoice.issued_document.document
    pdf, ubl = _attachments(delivery)
    company = invoice.company
    message = build_invoice_email(
        document=document,
        pdf=pdf,
        ubl=ubl,
        to=delivery.to,
        cc=delivery.cc,
        reply_to=company.email,
        from_email=invoice_from_address(seller_name=company.legal_name or company.name),
        message_id=delivery.message_id or None,
    )
    result = deliver_email(message)
    delivery.attempts += 1
    delivery.message_id = result.message_id or delivery.message_id
    delivery.attachments = [
        attachment[0] if isinstance(attachment, tuple) else str(attachment.get_filename())
        for attachment in message.attachments
    ]
    refusals = "; ".join(f"{r.address}: {r.code} {r.text}" for r in result.refused)
    if result.status == "sent":
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.error = f"Refused: {refusals}" if refusals else ""
        delivery.save()
        _mark_sent(invoice=invoice, delivery=delivery)
        return AttemptOutcome(status=delivery.status, retry=False)
    delivery.error = result.error or refusals
    retry = result.retryable and delivery.attempts < MAX_DELIVERY_ATTEMPTS
    if result.status == "bounced":
        delivery.status = DeliveryStatus.BOUNCED
    elif not retry:
        delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(delivery.attempts)) if retry else None
    delivery.save()
    return AttemptOutcome(status=delivery.status, retry=retry)


def _mark_sent(*, invoice: Invoice, delivery: InvoiceDelivery) -> None:
    invoice = invoice_lock(invoice)
    first = invoice.state == State.ISSUED
    if first:
        invoice.state = State.SENT
    invoice.sent_at = delivery.sent_at
    invoice.save(update_fields=["state", "sent_at", "updated_at"])
    event_record(
        company=invoice.company,
        type=EventType.INVOICE_SENT,
        data=invoice_event_data(invoice)
        | {"state": invoice.state, "delivery_id": delivery.public_id, "to": delivery.to},
    )


def delivery_give_up(*, delivery_id: int, reason: str) -> None:
    """Mark a delivery failed for good (its task ran out of attempts or time)."""
    InvoiceDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.FAILED, error=reason, updated_at=timezone.now()
    )


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: 1, 2, 4, 8 minutes (capped by EMAIL_RETRY_MAX_DELAY)."""
    return min(60 * 2 ** max(attempts - 1, 0), getattr(settings, "EMAIL_RETRY_MAX_DELAY", 3600))


def deliveries_sweep() -> list[int]:
    """Queue again the deliveries whose task was lost (a broker or worker gone): those still queued
    DELIVERY_SWEEP_GRACE_SECONDS after they were due. Returns their ids."""
    now = timezone.now()
    due = now - timedelta(seconds=settings.DELIVERY_SWEEP_GRACE_SECONDS)
    lost = list(
        InvoiceDelivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lt=due).values_list(
            "pk", flat=True
        )[:500]
    )
    # Due again from now: the next sweep leaves them to the task queued here.
    InvoiceDelivery.objects.filter(pk__in=lost).update(next_attempt_at=now, updated_at=now)
    from invoices.tasks import send_invoice

    enqueue_each_on_commit(send_invoice, lost)
    return lost
