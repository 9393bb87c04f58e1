"""Acting on many invoices at once from the dashboard list: approve, delete, publish.

Each invoice is its own transaction, so one refusal does not undo the others; the outcome counts what
was done and groups the refusals by their reason, for one message to the person who asked.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from companies.models import Company
from integrations.models import Connection
from integrations.publishing import invoice_publish
from invoices.models import Invoice, Status
from invoices.services import invoice_approve, invoice_delete
from invoisx.errors import DomainError

# Publishing calls the provider a few times per invoice, inside the request: keep a batch short.
PUBLISH_BATCH_LIMIT = 25
# Approving and deleting are a few queries each; a page holds at most 100 rows.
BATCH_LIMIT = 200


@dataclass
class BulkOutcome:
    done: int = 0
    skipped: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # reason -> how many

    @property
    def refused_count(self) -> int:
        return sum(self.refused.values())


def _each(invoices: Iterable[Invoice], act: Callable[[Invoice], None]) -> BulkOutcome:
    outcome = BulkOutcome()
    for invoice in invoices:
        try:
            with transaction.atomic():
                act(invoice)
        except DomainError as error:
            outcome.refused[error.message] += 1
        else:
            outcome.done += 1
    return outcome


def invoices_bulk_approve(*, invoices: Iterable[Invoice], approved_by: User) -> BulkOutcome:
    """Approve those waiting for a person (needs review, failed); the others are counted as skipped."""
    waiting, skipped = [], 0
    for invoice in invoices:
        if invoice.status in (Status.NEEDS_REVIEW, Status.FAILED):
            waiting.append(invoice)
        else:
            skipped += 1

    def approve(invoice: Invoice) -> None:
        invoice_approve(invoice=invoice, approved_by=approved_by)

    outcome = _each(waiting, approve)
    outcome.skipped = skipped
    return outcome


def invoices_bulk_delete(*, invoices: Iterable[Invoice]) -> BulkOutcome:
    """Delete drafts and received invoices; issued ones and paid ones are refused by `invoice_delete`."""
    return _each(invoices, lambda invoice: invoice_delete(invoice=invoice))


def publish_targets(*, company: Company) -> list[str]:
    """The providers the company has connected (and not needing a reconnect), to publish to."""
    return [
        connection.provider
        for connection in Connection.objects.filter(company=company).order_by("provider")
        if not connection.needs_reconnect
    ]


def invoices_bulk_publish(*, company: Company, invoices: Iterable[Invoice], target: str) -> BulkOutcome:
    """Publish each to `target` (QuickBooks or Xero); one published before counts as done."""
    outcome = BulkOutcome()
    # All in one request, which must end before the worker's timeout: publishes start only in the first
    # half of one publish's deadline, so the last one started still has its whole deadline.
    starts_until = time.monotonic() + settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS / 2
    for invoice in invoices:
        if time.monotonic() >= starts_until:
            outcome.refused["Not started: the batch took too long. Select the rest and publish again."] += 1
            continue
        # Not in a transaction: the publication keeps each step's result as it is made.
        try:
            invoice_publish(company=company, invoice=invoice, target=target)
        except DomainError as error:
            outcome.refused[error.message] += 1
        else:
            outcome.done += 1
    return outcome
