"""Event data keeps amounts as exact decimals in the database, SQLite (text) and PostgreSQL (jsonb) alike."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from events.models import Event, EventType
from events.services import event_record

pytestmark = pytest.mark.django_db

AMOUNTS = {"total": Decimal("99999999999999.99"), "jpy": Decimal("1000"), "bhd": Decimal("1.230"), "count": 3}


def test_event_data_keeps_exact_decimals_through_the_database(alice):
    with transaction.atomic():
        recorded = event_record(company=alice, type=EventType.INVOICE_CREATED, data=AMOUNTS)

    loaded = Event.objects.get(pk=recorded.pk).data

    assert loaded == AMOUNTS
    assert [str(loaded[name]) for name in ("total", "jpy", "bhd")] == ["99999999999999.99", "1000", "1.230"]
    with connection.cursor() as cursor:
        cast = "::text" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT data{cast} FROM events_event WHERE id = %s", [recorded.pk])  # noqa: S608
        [stored] = cursor.fetchone() or [""]
    assert '"total": 99999999999999.99' in stored or '"total":99999999999999.99' in stored
    assert "1.230" in stored


def test_the_payload_of_a_stored_event_carries_its_exact_decimals(alice):
    with transaction.atomic():
        recorded = event_record(company=alice, type=EventType.INVOICE_CREATED, data=AMOUNTS)

    data = Event.objects.get(pk=recorded.pk).payload()["data"]

    assert isinstance(data, dict)
    assert data["total"] == Decimal("99999999999999.99")
