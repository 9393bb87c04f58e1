"""Settings › Webhooks pages: add (secret shown once), edit, test, delivery log, retry; managers only,
CSRF on every form, company isolation."""

import re

import pytest
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory
from webhooks.models import Delivery, DeliveryStatus, WebhookEndpoint
from webhooks.tests.factories import endpoint, record

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<code id="new-secret">(whsec_[A-Za-z0-9+/=]+)</code>')
PUBLIC_URL = "https://93.184.216.34/hooks"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


def test_an_endpoint_is_edited_tested_and_its_failed_delivery_retried(alice_page, failed):
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
