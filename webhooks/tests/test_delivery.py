"""Sending deliveries to a real HTTP receiver on 127.0.0.1: the signature as a receiver checks it, seed
001's retry schedule walked with a controlled clock, the final failure, the manual retry, no redirects,
answers and errors logged per attempt, the lease, and the address checks at delivery time."""

import json
import socket
import threading
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from events.models import Event
from webhooks.delivery import _claim, delivery_attempt, retry_delay
from webhooks.models import AttemptStatus, Delivery, DeliveryAttempt, DeliveryStatus
from webhooks.services import delivery_retry
from webhooks.tests.factories import INVOICE_DATA, endpoint, record
from webhooks.tests.receiver import Receiver, verify

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
SCHEDULE = [60, 300, 1800, 7200, 43200]


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receivers listen on 127.0.0.1
    settings.WEBHOOKS_RETRY_JITTER = 0.0
    settings.WEBHOOKS_RETRY_SCHEDULE = SCHEDULE
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5.0


def made(delivery: Delivery, now: datetime | None = None) -> DeliveryAttempt:
    """The attempt that was due and was made."""
    attempt = delivery_attempt(delivery_id=delivery.pk, now=now)
    assert attempt is not None
    return attempt


def reload(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def test_a_delivery_is_signed_so_the_receiver_can_verify_it_and_carries_seed_001s_payload(alice):
    with Receiver([200]) as receiver:
        created = endpoint(alice, receiver.url)
        [delivery] = record(alice)
        now = timezone.now()
        attempt = made(delivery, now=now)

    assert attempt.status == AttemptStatus.SUCCEEDED
    [request] = receiver.requests
    assert request.path == "/hooks/invoisx"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("InvoisX-Webhooks/")
    assert request.headers["webhook-id"] == delivery.public_id
    assert request.headers["webhook-timestamp"] == str(int(now.timestamp()))
    payload = verify(secret=created.secret, headers=request.headers, body=request.body, now=int(now.timestamp()))
    event = Event.objects.get(pk=delivery.event_id)
    assert payload == {
        "event": "invoice.processed",
        "timestamp": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": INVOICE_DATA,
        "webhook_id": event.public_id,
    }
    delivery = reload(delivery)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.completed_at == now
    assert delivery.next_attempt_at is None
    assert delivery.last_response_status == 200


def test_a_body_signed_with_another_secret_or_altered_fails_verification(alice):
    with Receiver([200]) as receiver:
        created = endpoint(alice, receiver.url)
        [delivery] = record(alice)
        now = timezone.now()
        delivery_attempt(delivery_id=delivery.pk, now=now)
    [request] = receiver.requests
    other = endpoint(alice, receiver.url).secret
    with pytest.raises(AssertionError, match="signature"):
        verify(secret=other, headers=request.headers, body=request.body, now=int(now.timestamp()))
    with pytest.raises(AssertionError, match="signature"):
        verify(secret=created.secret, headers=request.headers, body=request.body + b" ", now=int(now.timestamp()))


def test_failed_attempts_are_retried_on_seed_001s_schedule_with_the_same_webhook_id(alice):
    with Receiver([500, 503, 200]) as receiver:
        created = endpoint(alice, receiver.url)
        [delivery] = record(alice)
        start = timezone.now()

        first = made(delivery, now=start)
        assert first.status == AttemptStatus.FAILED
        assert first.response_status == 500
        assert first.error == "The endpoint answered 500."
        assert reload(delivery).next_attempt_at == start + timedelta(minutes=1)

        assert delivery_attempt(delivery_id=delivery.pk, now=start + timedelta(seconds=59)) is None  # not due yet
        second_at = start + timedelta(minutes=1)
        assert made(delivery, now=second_at).response_status == 503
        assert reload(delivery).next_attempt_at == second_at + timedelta(minutes=5)

        third_at = second_at + timedelta(minutes=5)
        assert made(delivery, now=third_at).status == AttemptStatus.SUCCEEDED

    assert len(receiver.requests) == 3
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    for request, sent_at in zip(receiver.requests, [start, second_at, third_at], strict=True):
        assert request.headers["webhook-timestamp"] == str(int(sent_at.timestamp()))
        verify(secret=created.secret, headers=request.headers, body=request.body, now=int(sent_at.timestamp()))
    delivery = reload(delivery)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts_count == 3
    assert [a.status for a in delivery.attempts.all()] == ["failed", "failed", "succeeded"]
    assert [a.response_status for a in delivery.attempts.all()] == [500, 503, 200]


def test_after_the_fifth_retry_fails_the_delivery_is_failed_and_a_manual_retry_delivers_it(alice):
    with Receiver([500] * 6 + [204]) as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice)
        now = timezone.now()
        for number, wait in enumerate([0, *SCHEDULE], start=1):
            now += timedelta(seconds=wait)
            assert made(delivery, now=now).status == AttemptStatus.FAILED
            if number <= len(SCHEDULE):
                assert reload(delivery).next_attempt_at == now + timedelta(seconds=SCHEDULE[number - 1])

        delivery = reload(delivery)
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts_count == 6  # the first attempt and five retries
        assert delivery.completed_at == now
        assert delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(days=7)) is None  # nothing more

        delivery_retry(delivery=delivery)
        assert reload(delivery).status == DeliveryStatus.PENDING
        assert made(delivery).status == AttemptStatus.SUCCEEDED

    assert len(receiver.requests) == 7
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    delivery = reload(delivery)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.number for a in delivery.attempts.all()] == [1, 2, 3, 4, 5, 6, 7]


def test_a_manual_retry_that_fails_again_leaves_the_delivery_failed(alice):
    with Receiver([500]) as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice)
        now = timezone.now()
        for wait in [0, *SCHEDULE]:
            now += timedelta(seconds=wait)
            delivery_attempt(delivery_id=delivery.pk, now=now)
        delivery_retry(delivery=reload(delivery))
        assert made(delivery).status == AttemptStatus.FAILED
    assert reload(delivery).status == DeliveryStatus.FAILED
    assert reload(delivery).attempts_count == 7


def test_the_retry_delay_has_jitter_within_the_setting(settings):
    settings.WEBHOOKS_RETRY_JITTER = 0.1
    delays = {delay.total_seconds() for _ in range(50) if (delay := retry_delay(attempt_number=1))}
    assert all(54 <= delay <= 66 for delay in delays)
    assert len(delays) > 1
    assert retry_delay(attempt_number=6) is None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(alice):
    with Receiver([302], location="http://127.0.0.1:1/elsewhere") as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice)
        attempt = made(delivery)
    assert len(receiver.requests) == 1
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.response_status == 302
    assert attempt.error == "Redirects are not followed."
    assert reload(delivery).status == DeliveryStatus.PENDING


def test_the_answer_is_logged_up_to_one_kilobyte(alice):
    with Receiver([200], body=b"x" * 5000) as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice)
        attempt = made(delivery)
    assert attempt.response_body == "x" * 1024
    assert attempt.duration_ms is not None


def test_a_connection_refused_is_logged_and_retried(alice):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: the connection is refused
        endpoint(alice, f"http://127.0.0.1:{port}/hook")
        [delivery] = record(alice)
        now = timezone.now()
        attempt = made(delivery, now=now)
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.response_status is None
    assert "NewConnectionError" in attempt.error
    assert reload(delivery).next_attempt_at == now + MINUTE


def test_a_receiver_slower_than_the_timeout_fails_the_attempt(alice, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    release = threading.Event()
    try:
        with Receiver([200], hold=release) as receiver:
            endpoint(alice, receiver.url)
            [delivery] = record(alice)
            attempt = made(delivery)
            release.set()
    finally:
        release.set()
    assert attempt.status == AttemptStatus.FAILED
    assert "ReadTimeoutError" in attempt.error
    assert reload(delivery).status == DeliveryStatus.PENDING


def test_two_workers_never_claim_the_same_attempt_and_a_dead_workers_attempt_is_taken_over(alice, settings):
    settings.WEBHOOKS_LEASE_SECONDS = 120
    endpoint(alice)
    [delivery] = record(alice)
    now = timezone.now()
    first = _claim(delivery_id=delivery.pk, now=now)
    assert first is not None
    assert _claim(delivery_id=delivery.pk, now=now) is None
    assert _claim(delivery_id=delivery.pk, now=now + timedelta(seconds=119)) is None

    # The first worker died without recording anything; once its lease is over the next one goes on.
    second = _claim(delivery_id=delivery.pk, now=now + timedelta(seconds=120))
    assert second is not None
    assert second.attempt.number == 2
    abandoned = reload(delivery).attempts.get(number=1)
    assert abandoned.status == AttemptStatus.ABANDONED
    assert "worker stopped" in abandoned.error


def test_an_endpoint_resolving_to_a_private_address_at_delivery_time_is_refused(alice, settings, monkeypatch):
    with Receiver([200]) as receiver:
        endpoint(alice, f"https://hooks.example.com:{receiver.port}/x")
        [delivery] = record(alice)
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        # The name now points at the receiver on loopback (DNS changed after the endpoint was saved).
        monkeypatch.setattr(socket, "getaddrinfo", _resolves_to("127.0.0.1"))
        attempt = made(delivery)
    assert receiver.requests == []
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.error.startswith("Refused: The host hooks.example.com resolves to 127.0.0.1")


def test_the_connection_goes_to_the_checked_address_with_the_urls_host_name(alice, monkeypatch):
    with Receiver([200]) as receiver:
        endpoint(alice, f"http://receiver.example:{receiver.port}/hooks")
        [delivery] = record(alice)
        monkeypatch.setattr(socket, "getaddrinfo", _resolves_to("127.0.0.1"))
        attempt = made(delivery)
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert receiver.requests[0].headers["host"] == f"receiver.example:{receiver.port}"


def test_the_signing_secret_never_reaches_the_logs(alice, caplog):
    caplog.set_level("DEBUG")
    with Receiver([500]) as receiver:
        created = endpoint(alice, receiver.url)
        [delivery] = record(alice)
        delivery_attempt(delivery_id=delivery.pk)
    assert created.secret not in caplog.text
    assert created.secret.removeprefix("whsec_") not in caplog.text
    assert delivery.public_id in caplog.text


def test_a_delivery_whose_endpoint_was_deleted_meanwhile_is_skipped(alice):
    created = endpoint(alice)
    [delivery] = record(alice)
    created.endpoint.delete()
    assert delivery_attempt(delivery_id=delivery.pk) is None


def test_the_body_sent_is_the_json_payload_byte_for_byte(alice):
    with Receiver([200]) as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice, data={"id": "inv_1", "supplier": "Société Générale"})
        delivery_attempt(delivery_id=delivery.pk)
    body = receiver.requests[0].body
    assert json.loads(body)["data"]["supplier"] == "Société Générale"
    assert int(receiver.requests[0].headers["content-length"]) == len(body)


def _resolves_to(address: str):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo
