"""The dashboard's Users and Settings › Collecting pages: company isolation, managers write and others
read, CSRF on every form, the credential-page link shown once with a working token, the callback
and the origins that may frame the credential page."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collecting.models import CollectorUser, Credential, CredentialState, CustomerSettings
from collecting.services import (
    collector_user_create,
    credential_create,
    customer_frame_ancestors_set,
    origin_parse,
    user_token_user,
)
from collecting.tests.test_user_page import DEMO, SECRET_PASSWORD
from companies.models import Role
from companies.tests.factories import MembershipFactory
from webhooks.models import Delivery
from webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<code id="user-page-link">(http://testserver/api/v1/user\?token=([0-9a-f]{128}))</code>')


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    from collecting.collectors import REGISTRY

    monkeypatch.setitem(REGISTRY, DEMO.key, DEMO)


def page_for(company, role=Role.OWNER, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def user_with_credential(company, remote_id: str = "cust-42", **fields: Any) -> tuple[CollectorUser, Credential]:
    user = collector_user_create(company=company, remote_id=remote_id, locale="fr", email="jeanne@example.fr")
    credential = credential_create(
        user=user,
        collector="demo",
        params={"host": "imap.example.fr", "user": "jeanne", "password": SECRET_PASSWORD},
        note="Boîte compta",
    )
    if fields:
        Credential.objects.filter(pk=credential.pk).update(**fields)
        credential.refresh_from_db()
    return user, credential


def test_the_users_page_lists_the_companys_users_with_their_credentials(alice, bob):
    now = timezone.now()
    user, _ = user_with_credential(
        alice, state=CredentialState.ERROR, message="Login refused by the server.", last_collect_at=now
    )
    user_with_credential(bob, remote_id="bob-customer")

    response = page_for(alice, Role.VIEWER).get("/collecting/users/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-user="{user.public_id}"' in page
    assert "cust-42" in page
    assert "jeanne@example.fr" in page
    assert "Demo mailbox" in page
    assert "Boîte compta" in page
    assert 'data-state="error"' in page
    assert "Login refused by the server." in page
    assert now.strftime("%Y-%m-%d %H:%M") in page
    assert '<span class="invoice-count">0</span> invoices collected' in page
    assert "bob-customer" not in page
    assert SECRET_PASSWORD not in page
    assert "imap.example.fr" not in page


def test_a_manager_adds_a_user_by_remote_id_and_locale(alice):
    client = page_for(alice, Role.ADMIN)

    response = client.post("/collecting/users/", {"remote_id": " new-7 ", "locale": "fr", "email": "n@example.fr"})

    assert response.status_code == 302
    user = CollectorUser.objects.get(company=alice)
    assert (user.remote_id, user.locale, user.email) == ("new-7", "fr", "n@example.fr")
    assert "User new-7 created." in client.get("/collecting/users/").content.decode()
    # The same remote_id again is the same user (seed 003), in the language given last.
    client.post("/collecting/users/", {"remote_id": "new-7", "locale": "en"})
    assert CollectorUser.objects.get(company=alice).locale == "en"


def test_an_unknown_locale_is_refused_on_the_form(alice):
    response = page_for(alice).post("/collecting/users/", {"remote_id": "x", "locale": "de"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CollectorUser.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_a_member_who_cannot_manage_reads_but_cannot_change_anything(alice, role):
    user, credential = user_with_credential(alice)
    client = page_for(alice, role)

    page = client.get("/collecting/users/").content.decode()
    assert "cust-42" in page
    assert "Add user" not in page
    assert "Remove user" not in page
    assert "Credential-page link" not in page

    for url in [
        "/collecting/users/",
        f"/collecting/users/{user.public_id}/link",
        f"/collecting/users/{user.public_id}/delete",
        f"/collecting/users/{user.public_id}/credentials/{credential.public_id}/delete",
        "/settings/collecting",
        "/settings/collecting/test",
    ]:
        assert client.post(url, {"remote_id": "sneaky", "locale": "en", "callback": ""}).status_code == 403, url
    assert list(CollectorUser.objects.values_list("remote_id", flat=True)) == ["cust-42"]
    assert Credential.objects.count() == 1
    assert user.tokens.count() == 0


def test_another_companys_user_and_credential_are_not_found(alice, bob):
    user, credential = user_with_credential(bob)
    client = page_for(alice)

    for url in [
        f"/collecting/users/{user.public_id}/link",
        f"/collecting/users/{user.public_id}/delete",
        f"/collecting/users/{user.public_id}/credentials/{credential.public_id}/delete",
    ]:
        assert client.post(url).status_code == 404, url
    # Alice's own user with Bob's credential id: still not found.
    mine = collector_user_create(company=alice, remote_id="mine", locale="en")
    assert (
        client.post(f"/collecting/users/{mine.public_id}/credentials/{credential.public_id}/delete").status_code == 404
    )
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert user.tokens.count() == 0


def test_every_form_needs_its_csrf_token(alice):
    user, credential = user_with_credential(alice)
    client = page_for(alice, enforce_csrf_checks=True)

    for url in [
        "/collecting/users/",
        f"/collecting/users/{user.public_id}/link",
        f"/collecting/users/{user.public_id}/delete",
        f"/collecting/users/{user.public_id}/credentials/{credential.public_id}/delete",
        "/settings/collecting",
        "/settings/collecting/test",
    ]:
        assert client.post(url, {"remote_id": "x", "locale": "en"}).status_code == 403, url
    assert CollectorUser.objects.count() == 1
    assert Credential.objects.count() == 1


def test_the_credential_page_link_is_shown_once_with_a_working_token(alice):
    user, _ = user_with_credential(alice)
    client = page_for(alice)

    response = client.post(f"/collecting/users/{user.public_id}/link")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    found = LINK.search(response.content.decode())
    assert found is not None
    token = found.group(2)
    assert user_token_user(token=token) == user
    assert 'data-copy="#user-page-link"' in response.content.decode()
    assert token not in client.get("/collecting/users/").content.decode()
    # Each link is a fresh token.
    again = LINK.search(client.post(f"/collecting/users/{user.public_id}/link").content.decode())
    assert again is not None
    assert again.group(2) != token


def test_a_manager_removes_a_credential_then_the_user(alice):
    user, credential = user_with_credential(alice)
    other = credential_create(user=user, collector="demo", params={"host": "h", "user": "u", "password": "p"})
    client = page_for(alice)

    response = client.post(f"/collecting/users/{user.public_id}/credentials/{credential.public_id}/delete")
    assert response.status_code == 302
    assert list(Credential.objects.values_list("pk", flat=True)) == [other.pk]

    response = client.post(f"/collecting/users/{user.public_id}/delete")
    assert response.status_code == 302
    assert not CollectorUser.objects.exists()
    assert not Credential.objects.exists()
    assert "User cust-42 removed" in client.get("/collecting/users/").content.decode()


def test_settings_links_to_users_and_to_the_collecting_settings(alice):
    page = page_for(alice, Role.VIEWER).get("/settings/").content.decode()

    assert '<a href="/collecting/users/"' in page
    assert '<a href="/settings/collecting"' in page


# Settings › Collecting ---------------------------------------------------------------------------------


def test_a_manager_saves_the_callback_and_the_origins_that_may_frame_the_page(alice):
    client = page_for(alice)

    response = client.post(
        "/settings/collecting",
        {
            "callback": "https://93.184.216.34/invoisx",
            "frame_ancestors": "https://App.Alice.example/\nhttps://b.example:8443",
        },
    )

    assert response.status_code == 302
    settings = CustomerSettings.objects.get(company=alice)
    assert settings.callback == "https://93.184.216.34/invoisx"
    assert settings.frame_ancestors == "https://app.alice.example https://b.example:8443"
    page = client.get("/settings/collecting").content.decode()
    assert "https://93.184.216.34/invoisx" in page
    assert "https://app.alice.example\nhttps://b.example:8443" in page


def test_an_origin_that_is_not_one_saves_nothing(alice):
    customer_frame_ancestors_set(company=alice, frame_ancestors="https://kept.example")
    client = page_for(alice)

    response = client.post(
        "/settings/collecting",
        {"callback": "https://93.184.216.34/new", "frame_ancestors": "https://ok.example https://evil.example/path"},
    )

    assert response.status_code == 200
    assert "is not an origin" in response.content.decode()
    settings = CustomerSettings.objects.get(company=alice)
    assert settings.callback == ""
    assert settings.frame_ancestors == "https://kept.example"


def test_a_private_callback_is_refused(alice):
    response = page_for(alice).post("/settings/collecting", {"callback": "https://10.0.0.5/x", "frame_ancestors": ""})

    assert response.status_code == 200
    assert "private" in response.content.decode()
    assert not CustomerSettings.objects.filter(company=alice).exclude(callback="").exists()


def test_a_viewer_sees_the_settings_read_only(alice):
    customer_frame_ancestors_set(company=alice, frame_ancestors="https://app.alice.example")

    page = page_for(alice, Role.VIEWER).get("/settings/collecting").content.decode()

    assert "https://app.alice.example" in page
    assert "disabled" in page
    assert 'action="/settings/collecting"' not in page
    assert "Send a test invoice" not in page


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://app.example.com", "https://app.example.com"),
        ("HTTPS://App.Example.com:8443/", "https://app.example.com:8443"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("https://[::1]:3000", "https://[::1]:3000"),
        ("https://*.example.com", None),
        ("https://app.example.com/embed", None),
        ("https://app.example.com?x=1", None),
        ("https://user:pw@app.example.com", None),
        ("https://app.example.com; script-src *", None),
        ("'self'", None),
        ("javascript:alert(1)", None),
        ("ftp://files.example.com", None),
        ("https://app.example.com:99999", None),
        ("https://", None),
    ],
)
def test_only_origins_go_into_frame_ancestors(value, origin):
    assert origin_parse(value) == origin


def test_frame_ancestors_are_set_from_a_list_without_duplicates_and_cleared_with_nothing(alice):
    settings = customer_frame_ancestors_set(
        company=alice, frame_ancestors=["https://a.example", "https://A.example/", "https://b.example"]
    )
    assert settings.frame_ancestors == "https://a.example https://b.example"

    assert customer_frame_ancestors_set(company=alice, frame_ancestors="").frame_ancestors == ""


def test_the_test_button_sends_the_fake_invoice_and_reports_its_delivery(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.COLLECTING_TEST_CALLBACK_WAIT_SECONDS = 0
    client = page_for(alice)
    with Receiver() as receiver:
        client.post("/settings/collecting", {"callback": receiver.url, "frame_ancestors": ""})
        assert "Send a test invoice" in client.get("/settings/collecting").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/settings/collecting/test", follow=True)

    [request] = receiver.requests
    delivery = Delivery.objects.get(public_id=request.headers["webhook-id"])
    assert f"Test invoice sent as delivery {delivery.public_id}" in response.content.decode()


def test_the_test_button_says_why_nothing_was_sent(alice):
    response = page_for(alice).post("/settings/collecting/test", follow=True)

    assert "The test invoice was not sent: Set a callback URL first." in response.content.decode()
