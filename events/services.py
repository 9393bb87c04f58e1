"""Recording domain events. Call inside the transaction that makes the change the event reports.

Each event is handed to webhook delivery in the same transaction (a delivery row per subscribed
endpoint), so the change, its event and its deliveries are committed together or not at all; the
deliveries are queued for sending when that transaction commits.
"""

from typing import Any

from django.db import transaction

from companies.models import Company
from events.models import Event
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
