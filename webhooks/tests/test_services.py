"""Events fanned out to subscribed endpoints in the transaction of the change, queued on commit; the
sweep that queues what is due; secrets at rest; test events; the address rules for endpoint URLs."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from events.models import Event, EventType
from events.services import event_record, events_record
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, VALIDATION_ERROR
from invoisx.tests.domain_errors import raises_domain_error
from webhooks.delivery import deliveries_due
from webhooks.destinations import address_is_public
from webhooks.models import Delivery, DeliveryStatus, WebhookEndpoint
from webhooks.services import (
    delivery_retry,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_update,
    webhook_test_send,
)
from webhooks.signing import secret_decrypt
from webhooks.tests.factories import INVOICE_DATA, endpoint, record

pytestmark = pytest.mark.django_db


def test_an_event_gets_a_delivery_for_each_active_subscribed_endpoint_of_its_company(alice, bob):
    every = endpoint(alice).endpoint
    processed_only = endpoint(alice, event_types=["invoice.processed"]).endpoint
    endpoint(alice, event_types=["bank.reconciled"])  # not subscribed
    endpoint(alice, active=False)  # paused
    endpoint(bob)  # another company

    deliveries = record(alice, EventType.INVOICE_PROCESSED)

    assert {d.endpoint for d in deliveries} == {every, processed_only}
    assert all(d.company == alice and d.status == DeliveryStatus.PENDING for d in deliveries)
    assert [d.endpoint for d in record(alice, EventType.BUYER_CREATED, {"id": "byr_1"})] == [every]


def test_deliveries_are_queued_only_once_the_change_commits(alice, django_capture_on_commit_callbacks):
    endpoint(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        event_record(company=alice, type=EventType.INVOICE_CREATED, data={"id": "inv_1"})
        assert callbacks == []
    assert len(callbacks) == 1


def test_a_rolled_back_change_leaves_neither_event_nor_delivery(alice):
    endpoint(alice)

    def change_that_fails() -> None:
        with transaction.atomic():
            event_record(company=alice, type=EventType.INVOICE_CREATED, data={"id": "inv_1"})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_many_events_at_once_fan_out_in_bulk(alice, django_assert_max_num_queries):
    endpoint(alice)
    endpoint(alice, event_types=["invoice.paid"])
    # A handful of INSERT batches (SQLite's parameter limit makes them small), never a query per row.
    with transaction.atomic(), django_assert_max_num_queries(20):
        events = events_record(
            company=alice, type=EventType.INVOICE_PAID, data=[{"id": f"inv_{n}"} for n in range(300)]
        )
    assert Delivery.objects.filter(event__in=events).count() == 600


def test_the_secret_is_stored_encrypted_and_decrypts_to_what_was_shown(alice):
    created = endpoint(alice)
    assert created.secret.startswith("whsec_")
    assert len(created.secret) == len("whsec_") + 44  # base64 of 32 bytes
    assert created.secret not in created.endpoint.secret_encrypted
    assert secret_decrypt(created.endpoint.secret_encrypted) == created.secret


def test_a_test_event_goes_to_that_endpoint_only(alice):
    tested = endpoint(alice).endpoint
    endpoint(alice)
    delivery = webhook_test_send(endpoint=tested)
    assert delivery.event.type == EventType.WEBHOOK_TEST
    assert delivery.event.data["endpoint_id"] == tested.public_id
    assert list(Delivery.objects.filter(event=delivery.event)) == [delivery]


def test_a_succeeded_delivery_cannot_be_retried(alice):
    endpoint(alice)
    [delivery] = record(alice)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SUCCEEDED)
    delivery.refresh_from_db()
    with raises_domain_error(CONFLICT):
        delivery_retry(delivery=delivery)


def test_a_delivery_being_sent_cannot_be_retried(alice):
    endpoint(alice)
    [delivery] = record(alice)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() + timedelta(minutes=1))
    with raises_domain_error(CONFLICT, match="being sent"):
        delivery_retry(delivery=delivery)


def test_the_sweep_queues_due_deliveries_whose_message_may_be_lost(alice, settings):
    settings.WEBHOOKS_REQUEUE_SECONDS = 300
    endpoint(alice)
    now = timezone.now()
    [fresh] = record(alice)  # queued on commit just now
    [retry_due] = record(alice)
    [retry_later] = record(alice)
    [held] = record(alice)
    Delivery.objects.filter(pk=retry_due.pk).update(next_attempt_at=now - timedelta(seconds=1), enqueued_at=None)
    Delivery.objects.filter(pk=retry_later.pk).update(next_attempt_at=now + timedelta(hours=1), enqueued_at=None)
    Delivery.objects.filter(pk=held.pk).update(enqueued_at=None, claimed_until=now + timedelta(minutes=1))

    assert deliveries_due(now=now) == [retry_due.pk]
    assert deliveries_due(now=now) == []  # marked as queued
    # Five minutes on, a message that was never taken (Redis restarted) is queued again.
    later = now + timedelta(seconds=301)
    assert set(deliveries_due(now=later)) == {fresh.pk, retry_due.pk, held.pk}


def test_the_sweep_command_queues_and_on_the_embedded_default_sends(alice, settings):
    from django.core.management import call_command

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    from webhooks.tests.receiver import Receiver

    with Receiver([200]) as receiver:
        endpoint(alice, receiver.url)
        [delivery] = record(alice)
        Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=None)
        call_command("webhooks_sweep")
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[ff02::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 around 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 around 169.254.169.254
        "https://localhost/hook",
        "https://2130706433/hook",  # 127.0.0.1 written as a number
        "http://93.184.216.34/hook",  # plain http
        "ftp://93.184.216.34/hook",
        "https://user:pass@93.184.216.34/hook",
        "https:///hook",
        "https://93.184.216.34:99999/hook",
        "not a url",
    ],
)
def test_private_addresses_and_unsafe_urls_are_refused(alice, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with raises_domain_error(VALIDATION_ERROR) as refused:
        endpoint_create(company=alice, url=url)
    assert set(refused.value.details) == {"url"}


def test_public_addresses_are_accepted(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in ["https://93.184.216.34/hook", "https://[2606:2800:220:1::]/hook", "https://8.8.8.8:8443/x?y=1"]:
        assert endpoint_create(company=alice, url=url).endpoint.url == url


def test_allow_private_accepts_local_receivers(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert endpoint_create(company=alice, url="http://127.0.0.1:8080/hook").endpoint.active


def test_an_update_is_checked_like_a_create(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    created = endpoint(alice)
    with raises_domain_error(VALIDATION_ERROR):
        endpoint_update(endpoint=created.endpoint, url="https://10.0.0.1/")
    created.endpoint.refresh_from_db()
    assert created.endpoint.url == "https://93.184.216.34/hooks"


def test_ipv4_mapped_ipv6_is_judged_by_its_ipv4_address():
    import ipaddress

    assert not address_is_public(ipaddress.ip_address("::ffff:192.168.0.1"))
    assert address_is_public(ipaddress.ip_address("::ffff:93.184.216.34"))


def test_unknown_event_types_are_refused_and_star_means_every_event(alice):
    with raises_domain_error(VALIDATION_ERROR) as refused:
        endpoint(alice, event_types=["invoice.processed", "invoice.exploded"])
    assert set(refused.value.details) == {"events"}
    with raises_domain_error(VALIDATION_ERROR):
        endpoint(alice, event_types=["webhook.test"])
    with raises_domain_error(VALIDATION_ERROR):
        endpoint(alice, event_types=[])
    assert endpoint(alice, event_types=["invoice.paid", "*"]).endpoint.event_types == ["*"]


def test_event_record_payload_is_seed_001s_format(alice):
    endpoint(alice)
    [delivery] = record(alice)
    assert set(delivery.event.payload()) == {"event", "timestamp", "data", "webhook_id"}
    assert delivery.event.payload()["data"] == INVOICE_DATA


# Changes from a copy loaded earlier


def test_an_update_from_a_stale_copy_keeps_what_another_update_changed_meanwhile(alice):
    created = endpoint(alice, description="ERP")
    stale = WebhookEndpoint.objects.get(pk=created.endpoint.pk)
    endpoint_update(endpoint=WebhookEndpoint.objects.get(pk=stale.pk), active=False)

    saved = endpoint_update(endpoint=stale, description="ERP (production)")

    assert (saved.active, saved.description) == (False, "ERP (production)")
    assert WebhookEndpoint.objects.values_list("active", "description").get(pk=stale.pk) == (False, "ERP (production)")


def test_an_update_from_a_stale_copy_keeps_a_secret_rotated_meanwhile(alice):
    created = endpoint(alice)
    stale = WebhookEndpoint.objects.get(pk=created.endpoint.pk)
    rotated = endpoint_rotate_secret(endpoint=WebhookEndpoint.objects.get(pk=stale.pk))

    endpoint_update(endpoint=stale, description="ERP")

    assert secret_decrypt(WebhookEndpoint.objects.get(pk=stale.pk).secret_encrypted) == rotated.secret


def test_changing_an_endpoint_deleted_meanwhile_is_not_found(alice):
    stale = endpoint(alice).endpoint
    WebhookEndpoint.objects.filter(pk=stale.pk).delete()

    with raises_domain_error(RESOURCE_NOT_FOUND):
        endpoint_update(endpoint=stale, active=False)
    with raises_domain_error(RESOURCE_NOT_FOUND):
        endpoint_rotate_secret(endpoint=stale)
