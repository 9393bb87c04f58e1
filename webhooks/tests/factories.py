"""Building webhook endpoints and deliveries for tests through the services, as the product does."""

from django.db import transaction

from companies.models import Company
from events.models import EventType
from events.services import event_record
from webhooks.models import Delivery
from webhooks.services import EndpointWithSecret, endpoint_create

INVOICE_DATA = {
    "id": "inv_8xKp2mNq",
    "status": "processed",
    "invoice_number": "INV-2026-0042",
    "supplier": "Acme Supplies Ltd",
    "total": 1332.0,
    "currency": "GBP",
}


def endpoint(company: Company, url: str = "https://93.184.216.34/hooks", **kwargs) -> EndpointWithSecret:
    return endpoint_create(company=company, url=url, **kwargs)


def record(company: Company, type: str = EventType.INVOICE_PROCESSED, data: dict | None = None) -> list[Delivery]:
    """Record an event as a service does, inside a transaction; the deliveries it fanned out to."""
    with transaction.atomic():
        event = event_record(company=company, type=type, data=data or INVOICE_DATA)
    return list(Delivery.objects.filter(event=event).order_by("pk"))
