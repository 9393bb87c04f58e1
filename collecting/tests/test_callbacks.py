"""`GET /api/v1/test_callback` and the callback's place in the webhook machinery."""

import base64
import time

import pytest
from django.db import transaction

from collecting.callbacks import callback_endpoint, callback_secret
from collecting.services import collector_user_create, customer_update
from events.models import Event, EventType
from events.services import event_record
from webhooks.models import Delivery, DeliveryStatus, EndpointKind
from webhooks.services import endpoint_create
from webhooks.tests.receiver import Receiver, verify

URL = "/api/v1/test_callback"


@pytest.fixture(autouse=True)
def _tasks_and_receivers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    # The tests' transaction commits after the answer: nothing to wait for, but where it really commits.
    settings.COLLECTING_TEST_CALLBACK_WAIT_SECONDS = 0


def test_the_test_callback_sends_seed_003s_fake_invoice_signed_to_the_callback(
    alice, alice_api, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        customer_update(company=alice, callback=receiver.url)
        collector_user_create(company=alice, remote_id="FIRST", locale="en")
        collector_user_create(company=alice, remote_id="SECOND", locale="fr")
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_api.get(URL)

    assert response.status_code == 200, response.content
    [request] = receiver.requests
    body = verify(
        secret=callback_secret(company=alice), headers=request.headers, body=request.body, now=int(time.time())
    )
    assert body["type"] == "invoice"
    assert body["collector"] == "sliced_invoices"
    assert body["remote_id"] == "FIRST"
    assert body["invoice"]["id"] == "INV-3337"
    assert body["invoice"]["amount"] == "$93.50"
    assert body["invoice"]["mimetype"] == "application/pdf"
    assert base64.b64decode(body["invoice"]["data"]).startswith(b"%PDF-")
    assert request.headers["webhook-id"] == response.json()["delivery_id"]


def test_the_answer_is_a_bare_object_saying_how_the_delivery_went(transactional_db, alice, alice_api, settings):
    settings.COLLECTING_TEST_CALLBACK_WAIT_SECONDS = 10
    with Receiver(statuses=[503]) as receiver:
        customer_update(company=alice, callback=receiver.url)
        response = alice_api.get(URL)  # really committed: the delivery is made before the answer

    answer = response.json()
    assert set(answer) == {
        "delivery_id",
        "callback",
        "status",
        "attempts",
        "response_status",
        "error",
        "next_attempt_at",
    }
    assert answer["callback"] == receiver.url
    assert answer["status"] == DeliveryStatus.PENDING  # retried on the webhook schedule
    assert answer["attempts"] == 1
    assert answer["response_status"] == 503
    assert answer["error"] == "The endpoint answered 503."
    assert answer["next_attempt_at"] is not None


def test_the_remote_id_is_test_when_the_customer_has_no_user(alice, alice_api, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        customer_update(company=alice, callback=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            alice_api.get(URL)

    assert (
        verify(
            secret=callback_secret(company=alice),
            headers=receiver.requests[0].headers,
            body=receiver.requests[0].body,
            now=int(time.time()),
        )["remote_id"]
        == "test"
    )


def test_without_a_callback_the_test_is_refused_naming_it(alice_api):
    response = alice_api.get(URL)

    assert response.status_code == 400
    assert response.json()["message"] == "Set a callback URL first."


def test_the_test_callback_needs_the_collectors_write_scope(alice, make_client):
    response = make_client(alice, scopes=["collectors:read"]).get(URL)

    assert response.status_code == 403


def test_the_test_callback_needs_a_token(client):
    assert client.get(URL).status_code == 401


def test_a_company_sends_to_its_own_callback_only(alice, bob, bob_api, django_capture_on_commit_callbacks):
    with Receiver() as alices, Receiver() as bobs:
        customer_update(company=alice, callback=alices.url)
        customer_update(company=bob, callback=bobs.url)
        with django_capture_on_commit_callbacks(execute=True):
            bob_api.get(URL)

    assert alices.requests == []
    assert len(bobs.requests) == 1


def test_the_callback_endpoint_follows_the_customer_callback_and_is_not_a_webhook_subscriber(
    alice, alice_api, django_capture_on_commit_callbacks
):
    customer_update(company=alice, callback="https://example.com/first")
    endpoint = callback_endpoint(company=alice)
    assert endpoint is not None
    assert endpoint.kind == EndpointKind.COLLECTING_CALLBACK
    customer_update(company=alice, callback="https://example.com/second")
    assert callback_endpoint(company=alice) == endpoint
    moved = callback_endpoint(company=alice)
    assert moved is not None
    assert moved.url == "https://example.com/second"
    endpoint_create(company=alice, url="https://example.com/hooks", event_types=["*"])

    assert [e["url"] for e in alice_api.get("/api/v1/webhooks").json()["data"]["webhooks"]] == [
        "https://example.com/hooks"
    ]

    with transaction.atomic():
        event_record(
            company=alice,
            type=EventType.COLLECTOR_CREDENTIAL_DISCONNECTED,
            data={"credential_id": "crd_x", "collector": "fake", "remote_id": "R", "user_id": "usr_x", "message": "m"},
        )
    # Fanned out to the subscribed webhook only; the callback gets only what collecting sends it.
    assert [d.endpoint.url for d in Delivery.objects.filter(company=alice)] == ["https://example.com/hooks"]
    assert Event.objects.filter(company=alice).count() == 1


def test_the_callback_secret_is_kept_and_signs_every_delivery(alice):
    customer_update(company=alice, callback="https://example.com/cb")

    first = callback_secret(company=alice)

    assert first.startswith("whsec_")
    assert callback_secret(company=alice) == first
