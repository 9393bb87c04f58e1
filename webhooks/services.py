"""Writes for webhook endpoints and deliveries: create, change, rotate, test, fan events out, retry."""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from companies.models import Company
from events.models import Event, EventType
from invoisx.enqueue import enqueue_each, enqueue_each_on_commit
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, VALIDATION_ERROR, DomainError
from invoisx.retention import delete_in_batches, retention_cutoff
from webhooks.delivery import deliveries_due, delivery_attempt
from webhooks.destinations import UnsafeDestination, url_check
from webhooks.models import (
    ALL_EVENTS,
    SUBSCRIBABLE_EVENTS,
    AttemptStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EndpointKind,
    WebhookEndpoint,
)
from webhooks.signing import secret_encrypt, secret_generate

URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 500


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its signing secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def _clean_url(url: str) -> str:
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="The request failed validation.",
            details={"url": [f"Must be at most {URL_MAX_LENGTH} characters."]},
        )
    try:
        url_check(url)
    except UnsafeDestination as refused:
        raise DomainError(
            code=VALIDATION_ERROR, message=f"Invalid value for 'url': {refused}", details={"url": [str(refused)]}
        ) from None
    return url


def _clean_event_types(event_types: Sequence[str]) -> list[str]:
    """Known event types in a stable order; ["*"] for every event."""
    if not event_types:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="The request failed validation.",
            details={"events": ['Name at least one event type, or "*" for every event.']},
        )
    unknown = sorted(set(event_types) - set(SUBSCRIBABLE_EVENTS) - {ALL_EVENTS})
    if unknown:
        raise DomainError(
            code=VALIDATION_ERROR,
            message=f"Invalid value for 'events': unknown event type(s) {', '.join(unknown)}.",
            details={"events": [f"Unknown event type(s): {', '.join(unknown)}."]},
        )
    if ALL_EVENTS in event_types:
        return [ALL_EVENTS]
    return [value for value in SUBSCRIBABLE_EVENTS if value in set(event_types)]


def endpoint_create(
    *,
    company: Company,
    url: str,
    description: str = "",
    event_types: Sequence[str] = (ALL_EVENTS,),
    active: bool = True,
) -> EndpointWithSecret:
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        company=company,
        url=_clean_url(url),
        description=description[:DESCRIPTION_MAX_LENGTH],
        event_types=_clean_event_types(event_types),
        secret_encrypted=secret_encrypt(secret),
        active=active,
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """The endpoint as stored now, its row locked until the transaction ends (call inside one).

    Changes are made to this copy, never to the caller's: saving a copy loaded before another change
    would undo it (a paused endpoint switched back on, an old URL or secret restored).
    """
    locked = WebhookEndpoint.objects.select_for_update(no_key=True).filter(pk=endpoint.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No webhook endpoint with this id.")
    return locked


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Sequence[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. New events are sent by the new settings; deliveries already made stay."""
    endpoint = _locked(endpoint)
    changed = []
    if url is not None:
        endpoint.url = _clean_url(url)
        changed.append("url")
    if description is not None:
        endpoint.description = description[:DESCRIPTION_MAX_LENGTH]
        changed.append("description")
    if event_types is not None:
        endpoint.event_types = _clean_event_types(event_types)
        changed.append("event_types")
    if active is not None:
        endpoint.active = active
        changed.append("active")
    endpoint.save(update_fields=[*changed, "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> EndpointWithSecret:
    """A new secret signs every attempt from now on, retries of older deliveries included.

    Under the endpoint's lock: of two rotations at once, the one shown last is the one stored.
    """
    endpoint = _locked(endpoint)
    secret = secret_generate()
    endpoint.secret_encrypted = secret_encrypt(secret)
    endpoint.save(update_fields=["secret_encrypted", "updated_at"])
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deletes its deliveries too; the events stay in the outbox."""
    with transaction.atomic():
        # Wait for the transactions fanning events out to it (they hold it, see `_held`) and only then
        # collect its deliveries, theirs included; fan-outs that come later no longer find it.
        if WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).exists():
            endpoint.delete()


def _held(endpoints: QuerySet[WebhookEndpoint]) -> list[WebhookEndpoint]:
    """The endpoints, each kept from being deleted until this transaction ends; those deleted meanwhile
    are left out. A delivery's foreign key is checked at commit: without the lock, an endpoint deleted
    between this read and that commit fails the whole change that recorded the event.

    FOR KEY SHARE, not FOR UPDATE: it blocks only deletion, so concurrent fan-outs and edits of the
    endpoint go on. SQLite has no row locks and needs none: its writers hold the whole database.
    """
    if connection.vendor != "postgresql":
        return list(endpoints)
    sql, params = endpoints.query.sql_with_params()
    return list(WebhookEndpoint.objects.raw(f"{sql} FOR KEY SHARE", params))


def deliveries_fan_out(*, events: Iterable[Event]) -> list[Delivery]:
    """A delivery for each event to every active endpoint of its company subscribed to its type.

    Called by `event_record` inside the transaction of the change, so an event and its deliveries are
    committed together or not at all; the deliveries are queued once that transaction commits.
    """
    events = list(events)
    if not events:
        return []
    endpoints_by_company: dict[int, list[WebhookEndpoint]] = {}
    subscribers = WebhookEndpoint.objects.filter(
        company_id__in={e.company_id for e in events}, active=True, kind=EndpointKind.WEBHOOK
    )
    for endpoint in _held(subscribers):
        endpoints_by_company.setdefault(endpoint.company_id, []).append(endpoint)
    now = timezone.now()
    deliveries = [
        Delivery(company_id=event.company_id, endpoint=endpoint, event=event, next_attempt_at=now, enqueued_at=now)
        for event in events
        for endpoint in endpoints_by_company.get(event.company_id, [])
        if endpoint.receives(event.type)
    ]
    if not deliveries:
        return []
    created = Delivery.objects.bulk_create(deliveries, batch_size=2000)
    _queue_on_commit([delivery.pk for delivery in created])
    return created


def webhook_test_send(*, endpoint: WebhookEndpoint) -> Delivery:
    """A `webhook.test` event, delivered to this endpoint only (active or not)."""
    with transaction.atomic():
        if not _held(WebhookEndpoint.objects.filter(pk=endpoint.pk)):
            raise DomainError(code=RESOURCE_NOT_FOUND, message="The webhook endpoint was deleted.")
        event = Event.objects.create(
            company=endpoint.company,
            type=EventType.WEBHOOK_TEST,
            data={"endpoint_id": endpoint.public_id, "message": "A test event sent from InvoisX."},
        )
        return delivery_create(endpoint=endpoint, event=event)


@dataclass(frozen=True)
class TestOutcome:
    """A test event's delivery and how its first attempt ended; `attempt` is None while no answer is recorded."""

    delivery: Delivery
    attempt: DeliveryAttempt | None


def webhook_test_run(*, endpoint: WebhookEndpoint, wait_seconds: float = 5.0) -> TestOutcome:
    """Send a `webhook.test` event and make its first attempt now, from this process, so that whoever
    asked sees what the endpoint answered (the attempt waits for the receiver up to
    WEBHOOKS_TIMEOUT_SECONDS). The delivery is queued as usual too: if a worker claimed it first, wait up
    to `wait_seconds` for the worker's attempt to be recorded. A failed attempt is retried on the usual
    schedule, like any delivery's."""
    delivery = webhook_test_send(endpoint=endpoint)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    deadline = time.monotonic() + wait_seconds
    while attempt is None or attempt.status == AttemptStatus.SENDING:
        attempt = (
            DeliveryAttempt.objects.filter(delivery=delivery)
            .exclude(status=AttemptStatus.SENDING)
            .order_by("number")
            .first()
        )
        if attempt is not None or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    return TestOutcome(delivery=delivery, attempt=attempt)


def delivery_create(*, endpoint: WebhookEndpoint, event: Event) -> Delivery:
    """A delivery of this event to this one endpoint, whatever it subscribes to, queued once the
    transaction commits. Call inside the transaction that recorded the event."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        company=endpoint.company, endpoint=endpoint, event=event, next_attempt_at=now, enqueued_at=now
    )
    _queue_on_commit([delivery.pk])
    return delivery


def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Send a failed or waiting delivery again now. Attempts so far stay in its history; a failed one
    gets one more attempt, a waiting one goes on with the retry schedule if this attempt fails too."""
    now = timezone.now()
    with transaction.atomic():
        changed = (
            Delivery.objects.filter(pk=delivery.pk, status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING])
            .exclude(claimed_until__gt=now)
            .update(status=DeliveryStatus.PENDING, next_attempt_at=now, completed_at=None, enqueued_at=now)
        )
        if not changed:
            delivery.refresh_from_db()
            if delivery.status == DeliveryStatus.SUCCEEDED:
                raise DomainError(code=CONFLICT, message="This delivery already succeeded.")
            raise DomainError(code=CONFLICT, message="This delivery is being sent right now.")
        _queue_on_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def deliveries_sweep() -> int:
    """Queue every delivery that is due and that no queued message will bring; how many were marked to be queued."""
    from webhooks.tasks import deliver_webhook

    ids = deliveries_due()
    enqueue_each(deliver_webhook, ids)  # any the broker would not take are queued by a later sweep
    return len(ids)


def _queue_on_commit(delivery_ids: list[int]) -> None:
    # The change is committed and the delivery is in the database; if the broker is down the sweep
    # queues it later, so a failure to queue must not fail the request that made the change.
    from webhooks.tasks import deliver_webhook

    enqueue_each_on_commit(deliver_webhook, delivery_ids)


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete the deliveries that finished (succeeded, or failed for good) more than
    WEBHOOKS_DELIVERY_RETENTION_DAYS ago, with their attempts; how many went. Pending ones stay."""
    cutoff = retention_cutoff(days=settings.WEBHOOKS_DELIVERY_RETENTION_DAYS, now=now or timezone.now())
    if cutoff is None:
        return 0
    finished = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    return delete_in_batches(Delivery.objects.filter(status__in=finished, completed_at__lt=cutoff))
