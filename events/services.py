"""Recording domain events. Call inside the transaction that makes the change the event reports."""

from typing import Any

from django.db import transaction

from companies.models import Company
from events.models import Event


def event_record(*, company: Company, type: str, data: dict[str, Any]) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it reports")
    return Event.objects.create(company=company, type=type, data=data)


def events_record(*, company: Company, type: str, data: list[dict[str, Any]]) -> list[Event]:
    """Record many events of one type at once (a reconciliation paying a thousand invoices)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_record must run inside the transaction of the change it reports")
    return Event.objects.bulk_create([Event(company=company, type=type, data=item) for item in data], batch_size=2000)
