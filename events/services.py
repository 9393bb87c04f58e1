"""Recording domain events. Call inside the transaction that makes the change the event reports.

Each event is handed to webhook delivery in the same transaction (a delivery row per subscribed
endpoint), so the change, its event and its deliveries are committed together or not at all; the
deliveries are queued for sending when that transaction commits.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from events.models import Event
from invoisx.retention import delete_in_batches, retention_cutoff
from webhooks.services import deliveries_fan_out


def event_record(*, company: Company, type: str, data: dict[str, Any]) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it reports")
    event = Event.objects.create(company=company, type=type, data=data)
    deliveries_fan_out(events=[event])
    return event


def events_record(*, company: Company, type: str, data: list[dict[str, Any]]) -> list[Event]:
    """Record many events of one type at once (a reconciliation paying a thousand invoices)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_record must run inside the transaction of the change it reports")
    events = Event.objects.bulk_create([Event(company=company, type=type, data=item) for item in data], batch_size=2000)
    deliveries_fan_out(events=events)
    return events


def events_purge(*, now: datetime | None = None) -> int:
    """Delete the events older than EVENTS_RETENTION_DAYS that no webhook delivery refers to any more
    (deliveries are purged on their own retention, first); how many went."""
    cutoff = retention_cutoff(days=settings.EVENTS_RETENTION_DAYS, now=now or timezone.now())
    if cutoff is None:
        return 0
    return delete_in_batches(Event.objects.filter(created_at__lt=cutoff, webhook_deliveries__isnull=True))
