"""Settings › Webhooks pages: add (secret shown once), edit, test (and what it got back), delivery log,
retry, endpoint health in the list, delete after a confirmation; managers only, CSRF on every form,
company isolation."""

import re
import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies.models import Role
from companies.tests.factories import MembershipFactory
from webhooks import sending
from webhooks.models import AttemptStatus, Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint
from webhooks.tests.factories import endpoint, record
from webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<code id="new-secret">(whsec_[A-Za-z0-9+/=]+)</code>')
PUBLIC_URL = "https://93.184.216.34/hooks"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


def page_for(company, role=Role.OWNER, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def alice_page(alice) -> Client:
    return page_for(alice)


@pytest.fixture
def failed(alice) -> Delivery:
    endpoint(alice)
    [delivery] = record(alice)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    return Delivery.objects.select_related("endpoint").get(pk=delivery.pk)


def test_adding_an_endpoint_shows_the_secret_once(alice_page):
    response = alice_page.post(
        "/settings/webhooks/new", {"url": PUBLIC_URL, "description": "ERP", "events": ["invoice.paid"], "active": "on"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    shown = SECRET.search(response.content.decode())
    assert shown is not None
    secret = shown.group(1)
    created = WebhookEndpoint.objects.get()
    assert created.event_types == ["invoice.paid"]
    for page in ["/settings/webhooks/", f"/settings/webhooks/{created.public_id}/"]:
        content = alice_page.get(page).content.decode()
        assert created.url in content
        assert secret not in content


def test_a_private_url_is_refused_on_the_form(alice_page):
    response = alice_page.post("/settings/webhooks/new", {"url": "https://192.168.0.10/x", "all_events": "on"})
    assert response.status_code == 200
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_choosing_no_event_is_refused(alice_page):
    response = alice_page.post("/settings/webhooks/new", {"url": PUBLIC_URL})
    assert "Choose at least one event" in response.content.decode()


def unreachable(**kwargs) -> sending.Outcome:
    return sending.Outcome(response_status=None, response_body="", error="Refused: no network in tests.", duration_ms=1)


def test_an_endpoint_is_edited_tested_and_its_failed_delivery_retried(alice_page, failed, monkeypatch):
    monkeypatch.setattr(sending, "post", unreachable)
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    response = alice_page.post(page, {"url": PUBLIC_URL, "all_events": "on"})  # "active" unticked: paused
    assert response.status_code == 302
    failed.endpoint.refresh_from_db()
    assert failed.endpoint.active is False

    alice_page.post(f"{page}test")
    assert failed.endpoint.deliveries.filter(event__type="webhook.test").count() == 1

    content = alice_page.get(page).content.decode()
    assert f'data-delivery="{failed.public_id}" data-status="failed"' in content
    alice_page.post(f"/settings/webhooks/deliveries/{failed.public_id}/retry")
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING


def test_rotating_and_deleting(alice_page, failed):
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    assert SECRET.search(alice_page.post(f"{page}rotate-secret").content.decode())
    assert alice_page.post(f"{page}delete").status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_deleting_asks_for_confirmation_first(alice_page, failed):
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    assert f'href="{page}delete"' in alice_page.get(page).content.decode()

    confirmation = alice_page.get(f"{page}delete")

    content = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "Delete this webhook endpoint?" in content
    assert "its 1 delivery" in content
    assert WebhookEndpoint.objects.exists()
    response = alice_page.post(f"{page}delete")
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert "deleted" in alice_page.get(response["Location"]).content.decode()


def test_a_test_event_shows_that_it_was_delivered_with_the_answer_and_time(alice, alice_page, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    with Receiver([200]) as receiver:
        hook = endpoint(alice, url=receiver.url).endpoint

        response = alice_page.post(f"/settings/webhooks/{hook.public_id}/test", follow=True)

    content = response.content.decode()
    assert len(receiver.requests) == 1
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert f"Delivered: 200 in {attempt.duration_ms} ms." in content
    assert 'class="notice notice-success"' in content


def test_a_test_event_that_failed_says_why_in_the_error_colour(alice, alice_page, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    hook = endpoint(alice, url="https://hooks.example.invalid/x").endpoint

    content = alice_page.post(f"/settings/webhooks/{hook.public_id}/test", follow=True).content.decode()

    assert "Failed: The host hooks.example.invalid could not be resolved" in content
    assert 'class="notice notice-error"' in content
    assert "notice-success" not in content
    assert DeliveryAttempt.objects.get().status == AttemptStatus.FAILED


def test_the_list_shows_each_endpoints_last_result_and_its_last_day_without_a_query_per_endpoint(alice, alice_page):
    def attempts(hook, *results):
        [delivery] = record(alice, data={"n": hook.pk, "i": len(results)})
        for number, (status, code, error, hours_ago) in enumerate(results, start=1):
            DeliveryAttempt.objects.create(
                delivery=delivery,
                number=number,
                status=status,
                response_status=code,
                error=error,
                duration_ms=84,
                started_at=timezone.now() - timedelta(hours=hours_ago),
            )

    ok = endpoint(alice, url="https://93.184.216.34/ok").endpoint
    attempts(ok, (AttemptStatus.FAILED, 500, "The endpoint answered 500.", 30), (AttemptStatus.SUCCEEDED, 200, "", 1))
    content_one = alice_page.get("/settings/webhooks/")
    with CaptureQueriesContext(connection) as one:
        alice_page.get("/settings/webhooks/")
    WebhookEndpoint.objects.filter(pk=ok.pk).update(event_types=["invoice.paid"])  # the next events skip it
    bad = endpoint(alice, url="https://93.184.216.34/bad").endpoint
    attempts(bad, (AttemptStatus.FAILED, None, "NewConnectionError: refused", 2))
    endpoint(alice, url="https://93.184.216.34/new")

    with CaptureQueriesContext(connection) as three:
        content = alice_page.get("/settings/webhooks/").content.decode()

    assert content_one.status_code == 200
    assert len(three) == len(one)
    assert 'data-health="ok"' in content
    assert "Delivered: 200</span> in 84 ms" in content
    assert 'data-health="failed"' in content
    assert "Failed: NewConnectionError: refused" in content
    assert 'data-health="none"' in content
    assert "1 delivered" in content  # the failure 30 hours ago is outside the last day
    assert "0 failed" in content
    assert "1 failed" in content


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_members_who_cannot_manage_are_refused(alice, role, failed):
    client = page_for(alice, role)
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    for response in [
        client.get("/settings/webhooks/"),
        client.get("/settings/webhooks/new"),
        client.post("/settings/webhooks/new", {"url": PUBLIC_URL, "all_events": "on"}),
        client.get(page),
        client.post(f"{page}test"),
        client.get(f"{page}delete"),
        client.post(f"{page}delete"),
        client.post(f"/settings/webhooks/deliveries/{failed.public_id}/retry"),
    ]:
        assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 1
    assert "/settings/webhooks/" not in client.get("/settings/").content.decode()


def test_bob_cannot_reach_alices_endpoint_or_delivery(bob, failed):
    client = page_for(bob)
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    for response in [
        client.get(page),
        client.post(page, {"url": PUBLIC_URL, "all_events": "on"}),
        client.post(f"{page}test"),
        client.post(f"{page}rotate-secret"),
        client.get(f"{page}delete"),
        client.post(f"{page}delete"),
        client.post(f"/settings/webhooks/deliveries/{failed.public_id}/retry"),
    ]:
        assert response.status_code == 404
    assert failed.endpoint.url not in client.get("/settings/webhooks/").content.decode()
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED


def test_forms_without_the_csrf_token_are_refused(alice, failed):
    client = page_for(alice, enforce_csrf_checks=True)
    page = f"/settings/webhooks/{failed.endpoint.public_id}/"
    for path in [
        "/settings/webhooks/new",
        page,
        f"{page}test",
        f"/settings/webhooks/deliveries/{failed.public_id}/retry",
    ]:
        assert client.post(path, {"url": PUBLIC_URL, "all_events": "on"}).status_code == 403
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
    assert "csrfmiddlewaretoken" in client.get(page).content.decode()


def test_the_manager_finds_the_webhooks_in_settings(alice_page):
    assert '<a href="/settings/webhooks/">Webhooks</a>' in alice_page.get("/settings/").content.decode()
