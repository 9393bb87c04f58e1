"""Retention: what is past its period goes, everything else stays. Time is injected as `now`.

Logs have a retention by default (Idempotency-Key answers, finished webhook deliveries, events nothing
refers to any more, expired sessions); business records (invoice corrections, daily usage counters)
are kept unless a retention is configured.
"""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from events.services import events_purge
from idempotency.models import IdempotentRequest
from idempotency.services import idempotent_requests_purge
from invoices.models import InvoiceChange
from invoices.services import invoice_changes_purge
from invoices.tests.factories import purchase_invoice
from invoisx.purge import expired_records_purge
from usage.models import UsageDay
from usage.services import usage_days_purge
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.services import deliveries_purge
from webhooks.tests.factories import endpoint, record

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-06-30T12:00:00+00:00")


def key(company, name: str, created: datetime) -> IdempotentRequest:
    claim = IdempotentRequest.objects.create(
        company=company, key=name, method="POST", path="/api/v1/invoices", fingerprint="0" * 64, response_status=201
    )
    IdempotentRequest.objects.filter(pk=claim.pk).update(created_at=created)
    return claim


def test_idempotency_keys_are_forgotten_after_their_ttl(alice, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    key(alice, "old", NOW - timedelta(hours=24, seconds=1))
    key(alice, "fresh", NOW - timedelta(hours=23))

    assert idempotent_requests_purge(now=NOW) == 1

    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]


def finished_delivery(company, status: str, completed: datetime | None) -> Delivery:
    delivery = record(company)[0]
    DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=NOW - timedelta(days=60))
    Delivery.objects.filter(pk=delivery.pk).update(status=status, completed_at=completed)
    return delivery


def test_finished_webhook_deliveries_go_with_their_attempts_after_their_retention(alice, settings):
    settings.WEBHOOKS_DELIVERY_RETENTION_DAYS = 30
    endpoint(alice)
    old = NOW - timedelta(days=31)
    finished_delivery(alice, DeliveryStatus.SUCCEEDED, old)
    finished_delivery(alice, DeliveryStatus.FAILED, old)
    recent = finished_delivery(alice, DeliveryStatus.SUCCEEDED, NOW - timedelta(days=29))
    pending = finished_delivery(alice, DeliveryStatus.PENDING, None)

    assert deliveries_purge(now=NOW) == 2

    assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert DeliveryAttempt.objects.count() == 2


def test_webhook_deliveries_are_kept_forever_with_a_retention_of_0(alice, settings):
    settings.WEBHOOKS_DELIVERY_RETENTION_DAYS = 0
    endpoint(alice)
    finished_delivery(alice, DeliveryStatus.SUCCEEDED, NOW - timedelta(days=3650))

    assert deliveries_purge(now=NOW) == 0
    assert Delivery.objects.count() == 1


def test_old_events_go_once_no_delivery_refers_to_them(alice, settings):
    settings.EVENTS_RETENTION_DAYS = 90
    record(alice)  # no endpoint yet: an event without deliveries
    endpoint(alice)
    delivering = record(alice)[0]
    Event.objects.update(created_at=NOW - timedelta(days=91))
    recent = record(alice)[0]
    Event.objects.filter(pk=recent.event_id).update(created_at=NOW - timedelta(days=89))

    assert events_purge(now=NOW) == 1

    assert set(Event.objects.values_list("pk", flat=True)) == {delivering.event_id, recent.event_id}


def test_invoice_corrections_are_kept_unless_a_retention_is_configured(alice, settings):
    invoice = purchase_invoice(alice)
    change = InvoiceChange.objects.create(invoice=invoice, field="notes", old_value="", new_value="checked")
    InvoiceChange.objects.filter(pk=change.pk).update(created_at=NOW - timedelta(days=3650))

    settings.INVOICE_CHANGES_RETENTION_DAYS = 0
    assert invoice_changes_purge(now=NOW) == 0
    assert InvoiceChange.objects.count() == 1

    settings.INVOICE_CHANGES_RETENTION_DAYS = 365 * 7
    assert invoice_changes_purge(now=NOW) == 1
    assert InvoiceChange.objects.count() == 0


def test_usage_counters_are_kept_unless_a_retention_is_configured(alice, settings):
    UsageDay.objects.create(company=alice, date=date(2024, 6, 29), api_calls=10)
    UsageDay.objects.create(company=alice, date=date(2026, 6, 29), api_calls=5)

    settings.USAGE_RETENTION_DAYS = 0
    assert usage_days_purge(now=NOW) == 0

    settings.USAGE_RETENTION_DAYS = 365
    assert usage_days_purge(now=NOW) == 1
    assert list(UsageDay.objects.values_list("date", flat=True)) == [date(2026, 6, 29)]


def test_the_purge_runs_every_retention_and_drops_expired_sessions(alice, settings):
    key(alice, "old", NOW - timedelta(days=2))
    expired = SessionStore()
    expired.set_expiry(1)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    live = SessionStore()
    live.create()

    purged = expired_records_purge(now=NOW)

    assert purged == {
        "idempotency keys": 1,
        "webhook deliveries": 0,
        "events": 0,
        "invoice changes": 0,
        "usage days": 0,
    }
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_purge_command_reports_what_went(alice, capsys):
    key(alice, "old", timezone.now() - timedelta(days=2))

    call_command("purge_expired")

    assert capsys.readouterr().out.strip() == (
        "Purged 1 idempotency keys, 0 webhook deliveries, 0 events, 0 invoice changes, 0 usage days."
    )
