"""Reads for the review queue and the invoice page: what waits for a person, and what paid an invoice."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from bank.models import MatchAllocation, MatchState
from companies.models import Company
from integrations.models import Connection, Publication
from invoices.models import Direction, Invoice, PaymentStatus, Status

# What a person must look at: the reader's doubts or disagreeing figures, and documents it could not read.
QUEUE_STATUSES = (Status.NEEDS_REVIEW, Status.FAILED)


def review_queue(*, company: Company) -> QuerySet[Invoice]:
    """The company's invoices waiting for a person, oldest first (served by the company + status index)."""
    return (
        Invoice.objects.filter(company=company, status__in=QUEUE_STATUSES)
        .only(
            "public_id",
            "status",
            "direction",
            "supplier_name",
            "invoice_number",
            "document_name",
            "total",
            "currency",
            "review_reasons",
            "failure_reason",
            "created_at",
        )
        .order_by("created_at", "pk")
    )


def review_queue_next(*, company: Company, after: Invoice) -> Invoice | None:
    """The next invoice of the queue after `after` (the oldest one if none is younger), never `after` itself."""
    queue = review_queue(company=company).exclude(pk=after.pk)
    younger = queue.filter(Q(created_at__gt=after.created_at) | Q(created_at=after.created_at, pk__gt=after.pk))
    return younger.first() or queue.first()


@dataclass(frozen=True)
class Payment:
    """One confirmed bank line's part in paying an invoice."""

    date: date
    amount: Decimal
    write_off: Decimal
    description: str
    statement_id: str
    transaction_currency: str
    transaction_amount: Decimal


@dataclass(frozen=True)
class PaymentDetail:
    status: str  # PaymentStatus value
    label: str
    paid: Decimal
    written_off: Decimal
    credited: Decimal
    due: Decimal
    due_date: date | None
    overdue_days: int  # 0 when not overdue
    payments: list[Payment]


def invoice_payment_detail(invoice: Invoice, *, today: date | None = None) -> PaymentDetail:
    """What has been paid of `invoice`, by which confirmed bank lines, and whether the rest is overdue."""
    today = today or timezone.localdate()
    allocations = (
        MatchAllocation.objects.filter(invoice=invoice, match__state=MatchState.CONFIRMED)
        .select_related("match__transaction__statement")
        .order_by("match__transaction__date", "pk")
    )
    payments = [
        Payment(
            date=allocation.match.transaction.date,
            amount=allocation.amount,
            write_off=allocation.write_off,
            description=allocation.match.transaction.counterparty or allocation.match.transaction.description,
            statement_id=allocation.match.transaction.statement.public_id,
            transaction_currency=allocation.match.transaction.currency,
            transaction_amount=allocation.match.transaction.amount,
        )
        for allocation in allocations
    ]
    due = invoice.amount_due
    overdue = 0
    if invoice.due_date and due > 0 and invoice.due_date < today:
        overdue = (today - invoice.due_date).days
    return PaymentDetail(
        status=invoice.payment_status,
        label=PaymentStatus(invoice.payment_status).label,
        paid=invoice.amount_paid,
        written_off=invoice.amount_written_off,
        credited=invoice.amount_credited,
        due=due,
        due_date=invoice.due_date,
        overdue_days=overdue,
        payments=payments,
    )


@dataclass(frozen=True)
class PublishTarget:
    provider: str
    label: str
    connected: bool
    needs_reconnect: bool
    publication: Publication | None


def invoice_publish_targets(invoice: Invoice) -> list[PublishTarget]:
    """The accounting systems the company is connected to, with this invoice's publication to each."""
    if invoice.direction != Direction.PURCHASE:
        return []
    connections = list(Connection.objects.filter(company_id=invoice.company_id).order_by("provider"))
    if not connections:
        return []
    publications = {p.target: p for p in Publication.objects.filter(invoice=invoice, sandbox=False)}
    return [
        PublishTarget(
            provider=connection.provider,
            label=connection.get_provider_display(),
            connected=True,
            needs_reconnect=connection.needs_reconnect,
            publication=publications.get(connection.provider),
        )
        for connection in connections
    ]
