"""Recording domain events. Call inside the transaction that makes the change the event reports."""

from typing import Any

from django.db import transaction

from companies.models import Company
from events.models import Event


def event_record(*, company: Company, type: str, data: dict[str, Any]) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it reports")
    return Event.objects.create(company=company, type=type, data=data)
