"""Publishing a processed purchase invoice to QuickBooks (a Bill) or Xero (an ACCPAY invoice).

Synchronous, inside the API request, by design: it is at most five short calls (find or create the
supplier, find the expense account, create the bill, attach the document), each with a timeout of
INTEGRATIONS_HTTP_TIMEOUT and a bounded number of retries, and a rate limit that asks for a longer
wait than INTEGRATIONS_MAX_RETRY_AFTER_SECONDS is handed straight back as a 503 with Retry-After.
All of them together get INTEGRATIONS_PUBLISH_DEADLINE_SECONDS (below gunicorn's worker timeout):
past it the publish ends with a 504 `provider_timeout` and its claim released, never with a worker
killed mid-publish whose claim would block republishing for INTEGRATIONS_PUBLISH_STALE_SECONDS.
The caller gets seed 001's answer (the bill's id) or the provider's own error in one round trip,
which a queued task with wait-or-202 would only delay: nothing here is CPU-bound work.

Exactly one bill per invoice, target and mode (sandbox or live): the Publication row is claimed
(created, or taken over by compare-and-set when it failed or its claimer died) before any call to
the provider. A second publish returns the first result, or 409 publish_in_progress while the
first is under way. Each step's result (contact, bill, attachment) is saved as soon as it exists,
so a retry after a failure resumes where it stopped instead of creating a second bill; requests that
create carry an idempotency key for the answer lost between the provider and our save.
"""

from datetime import timedelta
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from companies.models import Company
from events.models import EventType
from events.services import event_record
from integrations import quickbooks, transport, xero
from integrations.client import ApiClient
from integrations.models import Connection, Provider, Publication, PublicationStatus
from invoices.models import Direction, Invoice, Status
from invoices.services import invoice_event_data
from invoisx.errors import (
    INTEGRATION_NOT_CONNECTED,
    INTEGRATION_RECONNECT_REQUIRED,
    INVOICE_NOT_PUBLISHABLE,
    PUBLISH_IN_PROGRESS,
    DomainError,
)

PUBLISH_IN_PROGRESS_MESSAGE = "This invoice is being published to this target right now. Try again in a moment."
PUBLISHERS: dict[str, ModuleType] = {Provider.QUICKBOOKS: quickbooks, Provider.XERO: xero}


def invoice_publish(*, company: Company, invoice: Invoice, target: str, sandbox: bool = False) -> Publication:
    """The invoice's publication to `target`: made now, or the one made before."""
    label = Provider(target).label
    if invoice.company_id != company.pk:
        raise ValueError("invoice of another company")  # callers look invoices up within the company
    if invoice.direction != Direction.PURCHASE:
        raise DomainError(
            code=INVOICE_NOT_PUBLISHABLE,
            message="Only purchase invoices (from suppliers) can be published; this is a sales invoice.",
            details={"invoice_id": ["Not a purchase invoice."]},
        )
    if invoice.status != Status.PROCESSED:
        raise DomainError(
            code=INVOICE_NOT_PUBLISHABLE,
            message=f"Only processed invoices can be published; this one is {invoice.get_status_display().lower()}.",
            details={"invoice_id": [f"Status is {invoice.status}."]},
        )
    publication = Publication.objects.filter(invoice=invoice, target=target, sandbox=sandbox).first()
    if publication is not None and publication.status == PublicationStatus.PUBLISHED:
        return publication  # no call to the provider, not even to check the connection
    connection = Connection.objects.filter(company=company, provider=target).first()
    if connection is None:
        raise DomainError(
            code=INTEGRATION_NOT_CONNECTED, message=f"{label} is not connected. Connect it in Settings › Integrations."
        )
    if connection.needs_reconnect:
        raise DomainError(
            code=INTEGRATION_RECONNECT_REQUIRED,
            message=f"The {label} connection has expired. Reconnect {label} in Settings › Integrations.",
        )

    publication, claimed = _claim(company=company, invoice=invoice, target=target, sandbox=sandbox)
    if not claimed:
        return publication
    try:
        with transport.deadline(settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS):
            _publish(publication, invoice=invoice, client=ApiClient(connection, sandbox=sandbox))
    except DomainError as error:
        Publication.objects.filter(pk=publication.pk).update(
            status=PublicationStatus.FAILED, failure_reason=error.message
        )
        raise
    return _record_published(publication, invoice=invoice, connection=connection)


def _claim(*, company: Company, invoice: Invoice, target: str, sandbox: bool) -> tuple[Publication, bool]:
    """(publication, True) when this call may publish; (the published one, False) when it is done."""
    now = timezone.now()
    try:
        with transaction.atomic():
            created = Publication.objects.create(
                company=company, invoice=invoice, target=target, sandbox=sandbox, claimed_at=now, attempts=1
            )
        return created, True
    except IntegrityError:
        pass  # someone published or is publishing it: look at how far they got
    existing = Publication.objects.get(invoice=invoice, target=target, sandbox=sandbox)
    if existing.status == PublicationStatus.PUBLISHED:
        return existing, False
    stale = existing.claimed_at < now - timedelta(seconds=settings.INTEGRATIONS_PUBLISH_STALE_SECONDS)
    if existing.status == PublicationStatus.PUBLISHING and not stale:
        raise DomainError(code=PUBLISH_IN_PROGRESS, message=PUBLISH_IN_PROGRESS_MESSAGE)
    # Compare-and-set on what we read: of two callers retrying a failed publish, one wins.
    taken = Publication.objects.filter(pk=existing.pk, status=existing.status, claimed_at=existing.claimed_at).update(
        status=PublicationStatus.PUBLISHING, claimed_at=now, failure_reason="", attempts=F("attempts") + 1
    )
    if not taken:
        raise DomainError(code=PUBLISH_IN_PROGRESS, message=PUBLISH_IN_PROGRESS_MESSAGE)
    existing.refresh_from_db()
    return existing, True


def _remember(publication: Publication, **fields: Any) -> None:
    """Save one step's result at once, so a later attempt does not repeat the step."""
    Publication.objects.filter(pk=publication.pk).update(**fields)
    for name, value in fields.items():
        setattr(publication, name, value)


def _publish(publication: Publication, *, invoice: Invoice, client: ApiClient) -> None:
    publisher = PUBLISHERS[publication.target]
    key = publication.public_id
    if not publication.external_contact_id:
        _remember(publication, external_contact_id=publisher.contact_ensure(client, invoice, key=key))
    if not publication.external_id:
        external_id = publisher.bill_create(client, invoice, contact_id=publication.external_contact_id, key=key)
        _remember(publication, external_id=external_id)
    if invoice.document and not publication.attachment_id:
        attachment_id = publisher.document_attach(client, invoice, external_id=publication.external_id, key=key)
        _remember(publication, attachment_id=attachment_id or "-")


def _record_published(publication: Publication, *, invoice: Invoice, connection: Connection) -> Publication:
    now = timezone.now()
    with transaction.atomic():
        publication.status = PublicationStatus.PUBLISHED
        publication.published_at = now
        publication.failure_reason = ""
        publication.save(update_fields=["status", "published_at", "failure_reason", "updated_at"])
        Connection.objects.filter(pk=connection.pk).update(last_sync_at=now)
        event_record(
            company=invoice.company,
            type=EventType.INVOICE_PUBLISHED,
            data=invoice_event_data(invoice)
            | {
                "target": publication.target,
                "external_id": publication.external_id,
                "published_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sandbox": publication.sandbox,
            },
        )
    return publication
