"""Sending deliveries: claim one, make the attempt, record it, and schedule the next or give up.

At least once, never silently lost: the delivery row in the database is the truth, a Celery message
only a nudge. A worker claims a delivery with a compare-and-set that also sets a lease
(`claimed_until`), so two workers never send the same attempt; a worker that dies mid-attempt leaves
the lease to run out, and the sweep queues the delivery again. The receiver may then get the same
message twice, always with the same `webhook-id`, which is what it deduplicates on.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from invoisx import exactjson
from webhooks import sending
from webhooks.models import AttemptStatus, Delivery, DeliveryAttempt, DeliveryStatus, EndpointKind
from webhooks.signing import secret_decrypt, signature

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    attempt: DeliveryAttempt
    lease_until: datetime


def retry_delay(*, attempt_number: int) -> timedelta | None:
    """How long after failed attempt `attempt_number` the next one is due; None after the last retry.

    Seed 001's schedule (1 min, 5 min, 30 min, 2 h, 12 h by default), each stretched or shrunk by up
    to WEBHOOKS_RETRY_JITTER so that deliveries failing together do not all return together.
    """
    schedule: list[int] = settings.WEBHOOKS_RETRY_SCHEDULE
    if attempt_number > len(schedule):
        return None
    jitter: float = settings.WEBHOOKS_RETRY_JITTER
    seconds = schedule[attempt_number - 1] * random.uniform(1 - jitter, 1 + jitter)  # noqa: S311 (not security)
    return timedelta(seconds=seconds)


def delivery_body(delivery: Delivery) -> bytes:
    """The exact bytes that are signed and sent: seed 001's payload of the event, amounts as exact
    decimals; to a collecting callback, seed 003's body for the event, built when it is sent (it
    carries the collected document, which events do not keep)."""
    if delivery.endpoint.kind == EndpointKind.COLLECTING_CALLBACK:
        from collecting.api.callbacks import callback_payload  # collecting builds on webhooks, not the reverse

        return exactjson.dumps(callback_payload(delivery.event)).encode()
    return exactjson.dumps(delivery.event.payload()).encode()


def delivery_headers(*, delivery: Delivery, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": sending.USER_AGENT,
        "webhook-id": delivery.public_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret=secret, message_id=delivery.public_id, timestamp=timestamp, body=body),
    }


def _claim(*, delivery_id: int, now: datetime) -> Claim | None:
    """Take the delivery for one attempt if it is pending, due and nobody holds it."""
    lease_until = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    with transaction.atomic():
        claimed = (
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .update(claimed_until=lease_until, attempts_count=F("attempts_count") + 1)
        )
        if not claimed:
            return None
        delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
        # An attempt still "sending" belonged to a worker that died before it could record the answer.
        delivery.attempts.filter(status=AttemptStatus.SENDING).update(
            status=AttemptStatus.ABANDONED, error="The worker stopped before the answer was recorded; sent again."
        )
        attempt = DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts_count, started_at=now)
    return Claim(delivery=delivery, attempt=attempt, lease_until=lease_until)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> DeliveryAttempt | None:
    """Make the next attempt of a delivery if it is due; None if it is not (or another worker has it).

    `now` is the time of the attempt (tests pass it to walk through the retry schedule).
    """
    now = now or timezone.now()
    claim = _claim(delivery_id=delivery_id, now=now)
    if claim is None:
        return None
    delivery, attempt = claim.delivery, claim.attempt
    body = delivery_body(delivery)
    timestamp = int(now.timestamp())
    headers = delivery_headers(
        delivery=delivery, secret=secret_decrypt(delivery.endpoint.secret_encrypted), body=body, timestamp=timestamp
    )
    # No transaction or row lock is held while waiting for the receiver.
    outcome = sending.post(
        url=delivery.endpoint.url, headers=headers, body=body, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS
    )
    _record(claim=claim, outcome=outcome, now=now)
    attempt.refresh_from_db()
    return attempt


def _record(*, claim: Claim, outcome: sending.Outcome, now: datetime) -> None:
    delivery, attempt = claim.delivery, claim.attempt
    changes: dict[str, object] = {
        "claimed_until": None,
        "last_response_status": outcome.response_status,
    }
    if outcome.succeeded:
        changes.update(status=DeliveryStatus.SUCCEEDED, next_attempt_at=None, completed_at=now)
    else:
        delay = retry_delay(attempt_number=attempt.number)
        if delay is None:
            changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None, completed_at=now)
        else:
            # enqueued_at cleared: the sweep queues the delivery when the retry is due.
            changes.update(next_attempt_at=now + delay, enqueued_at=None)
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.SENDING).update(
            status=AttemptStatus.SUCCEEDED if outcome.succeeded else AttemptStatus.FAILED,
            duration_ms=outcome.duration_ms,
            response_status=outcome.response_status,
            response_body=outcome.response_body,
            error=outcome.error,
        )
        # Only while the lease is still ours: past it, another worker may have taken the delivery.
        Delivery.objects.filter(pk=delivery.pk, claimed_until=claim.lease_until).update(**changes)
    logger.info(
        "webhook delivery %s attempt %s: %s",
        delivery.public_id,
        attempt.number,
        "delivered" if outcome.succeeded else (outcome.error or "failed"),
    )


def deliveries_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Mark as queued, and return, the deliveries whose attempt is due but that no queued message will
    bring: first attempts whose message was lost (Redis restarted), retries that came due, and
    deliveries left by a dead worker once its lease ran out."""
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.WEBHOOKS_REQUEUE_SECONDS)
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=requeue_before))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids
