"""Seed 003's user endpoints, with `?token=`: the credential page, the collectors, the user's own
credentials; and the tokens themselves (30 minutes, then 401; one user's token reaches nothing of
another's, in the same company or another).
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from collecting import views
from collecting.models import CollectedDocument, CollectorUser, Credential, CredentialState
from collecting.services import (
    PARAMS_PURPOSE,
    TWO_FA_PURPOSE,
    collector_user_create,
    credential_create,
    credential_params,
    user_token_issue,
)
from collecting.tests.fakes import fake_portal  # noqa: F401 - a fixture
from companies.models import Company
from invoisx.encryption import decrypt

pytestmark = pytest.mark.usefixtures("fake_portal")

PARAMS = {"login": "alice@shop", "password": "hunter2-very-secret"}


def a_user(company: Company, remote_id: str = "A1B2C3D4") -> CollectorUser:
    return collector_user_create(company=company, remote_id=remote_id, locale="fr")


def a_credential(user: CollectorUser) -> Credential:
    return credential_create(user=user, collector="fake_portal", params=PARAMS, note="Shop account")


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code


@pytest.fixture
def ana(alice) -> CollectorUser:
    return a_user(alice)


@pytest.fixture
def token(ana) -> str:
    return user_token_issue(user=ana)


@pytest.fixture
def client() -> APIClient:
    client = APIClient()
    client.raise_request_exception = False
    return client


def move_clock(monkeypatch: pytest.MonkeyPatch, to: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: to)


# Every user endpoint, by method and path; {credential} is the user's own credential.
USER_ENDPOINTS = [
    ("get", "/api/v1/user", None),
    ("get", "/api/v1/credentials", None),
    ("post", "/api/v1/credential", {"collector": "fake_portal", "params": PARAMS}),
    ("delete", "/api/v1/credential/{credential}", None),
    ("post", "/api/v1/credential/{credential}/2fa", {"code": "123456"}),
    ("post", "/api/v1/credential/{credential}/collect", None),
]


def call(client: APIClient, method: str, path: str, body: object, token: str | None, credential: Credential):
    url = path.format(credential=credential.public_id)
    if token is not None:
        url += f"?token={token}"
    return getattr(client, method)(url, body, format="json")


# GET /user?token=


def test_the_user_page_is_served_for_the_tokens_user(ana, token, client, monkeypatch):
    seen = []

    def page(request, user):
        seen.append(user)
        return HttpResponse("<!doctype html><title>Vos identifiants</title>", content_type="text/html")

    monkeypatch.setattr(views, "user_page", page)

    response = client.get(f"/api/v1/user?token={token}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Vos identifiants" in response.content
    assert seen == [ana]


def test_the_user_page_needs_no_bearer_and_takes_none(alice, token, client, make_client):
    customer = make_client(alice)

    assert_error(customer.get("/api/v1/user"), 401, "authentication_required")
    assert customer.get(f"/api/v1/user?token={token}").status_code == 200


# GET /collectors


def test_the_collectors_are_public_and_listed_with_their_params_in_english_by_default(client):
    response = client.get("/api/v1/collectors")

    assert response.status_code == 200
    [portal] = [collector for collector in response.json() if collector["id"] == "fake_portal"]
    assert portal["name"] == "Fake portal"
    assert [param["name"] for param in portal["params"]] == ["login", "password", "port"]
    password = portal["params"][1]
    assert (password["label"], password["type"], password["secret"], password["mandatory"]) == (
        "Password",
        "password",
        True,
        True,
    )
    assert portal["params"][2]["default"] == 443


def test_the_collectors_speak_french_when_asked(client):
    response = client.get("/api/v1/collectors?locale=fr")

    [portal] = [collector for collector in response.json() if collector["id"] == "fake_portal"]
    assert portal["name"] == "Portail factice"
    assert portal["params"][1]["label"] == "Mot de passe"


def test_the_collectors_in_another_locale_are_a_400_naming_it(client):
    response = client.get("/api/v1/collectors?locale=de")

    assert_error(response, 400, "validation_error")
    assert response.json()["message"] == 'Locale "de" not supported. Available locales are: en, fr.'
    assert "locale" in response.json()["error"]["details"]


# GET /credentials


def test_get_credentials_lists_the_users_own_without_params(alice, ana, token, client):
    own = a_credential(ana)
    a_credential(a_user(alice, remote_id="SOMEONE-ELSE"))

    response = client.get(f"/api/v1/credentials?token={token}")

    assert response.status_code == 200
    assert [credential["id"] for credential in response.json()] == [own.public_id]
    assert "hunter2" not in response.content.decode()
    assert "params" not in response.json()[0]


# POST /credential


def test_post_credential_adds_one_sealed_and_due_now(ana, token, client):
    response = client.post(
        f"/api/v1/credential?token={token}",
        {"collector": "fake_portal", "params": {**PARAMS, "port": "8443"}, "note": "My shop"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    credential = Credential.objects.get(user=ana)
    assert body["id"] == credential.public_id
    assert (body["collector"], body["note"], body["state"], body["invoices"]) == (
        "fake_portal",
        "My shop",
        "collecting",  # queued at once
        0,
    )
    assert body["next_collect_timestamp"] is not None
    assert "hunter2" not in response.content.decode()
    assert "hunter2" not in credential.params_sealed
    assert json.loads(decrypt(credential.params_sealed, purpose=PARAMS_PURPOSE))["password"] == "hunter2-very-secret"
    assert credential_params(credential) == {**PARAMS, "port": 8443}


def test_post_credential_keeps_the_download_from_time_it_is_given(ana, token, client):
    from_ms = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)

    response = client.post(
        f"/api/v1/credential?token={token}",
        {"collector": "fake_portal", "params": PARAMS, "download_from_timestamp": from_ms},
        format="json",
    )

    assert response.json()["download_from_timestamp"] == from_ms
    assert Credential.objects.get(user=ana).download_from == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_new_credential_pushes_only_documents_from_now_on_by_default(token, client):
    before = timezone.now()

    body = client.post(
        f"/api/v1/credential?token={token}", {"collector": "fake_portal", "params": PARAMS}, format="json"
    ).json()

    assert body["download_from_timestamp"] >= int(before.timestamp() * 1000)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"collector": "fake_portal", "params": {"password": "x"}}, "params.login"),
        ({"collector": "fake_portal", "params": {**PARAMS, "port": "eighty"}}, "params.port"),
        ({"collector": "fake_portal", "params": {**PARAMS, "host": "x"}}, "params.host"),
        ({"collector": "fake_portal", "params": {**PARAMS, "login": 42}}, "params.login"),
        ({"collector": "no_such_collector", "params": PARAMS}, "collector"),
        ({"collector": "fake_portal", "params": "login=alice"}, "params"),
        ({"collector": "fake_portal"}, "params"),
        ({"collector": "fake_portal", "params": PARAMS, "download_from_timestamp": -1}, "download_from_timestamp"),
        ({"collector": "fake_portal", "params": PARAMS, "secret": "x"}, "secret"),
    ],
)
def test_a_bad_credential_is_a_400_naming_the_field_and_stores_nothing(token, client, body, field):
    response = client.post(f"/api/v1/credential?token={token}", body, format="json")

    assert_error(response, 400, "validation_error")
    assert field in response.json()["error"]["details"], response.json()
    assert not Credential.objects.exists()


# DELETE /credential/{id}


def test_delete_credential_removes_the_users_own(ana, token, client):
    credential = a_credential(ana)
    CollectedDocument.objects.create(
        credential=credential, company=credential.company, source_key="k", sha256="0" * 64, file_name="a.pdf"
    )

    response = client.delete(f"/api/v1/credential/{credential.public_id}?token={token}")

    assert response.status_code == 200
    assert response.json() == {"deleted": True, "id": credential.public_id}
    assert not Credential.objects.exists()
    assert not CollectedDocument.objects.exists()


# POST /credential/{id}/2fa


def test_a_code_is_taken_while_the_collector_waits_for_it(ana, token, client):
    credential = a_credential(ana)
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.TWO_FA_WAITING, two_fa_until=timezone.now() + timedelta(minutes=5)
    )

    response = client.post(
        f"/api/v1/credential/{credential.public_id}/2fa?token={token}", {"code": "123456"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "2fa_waiting"
    credential.refresh_from_db()
    assert "123456" not in credential.two_fa_code_sealed
    assert decrypt(credential.two_fa_code_sealed, purpose=TWO_FA_PURPOSE) == "123456"


def test_a_code_for_a_credential_that_waits_for_none_is_a_conflict(ana, token, client):
    credential = a_credential(ana)

    response = client.post(
        f"/api/v1/credential/{credential.public_id}/2fa?token={token}", {"code": "123456"}, format="json"
    )

    assert_error(response, 409, "conflict")


def test_a_code_must_be_given(ana, token, client):
    credential = a_credential(ana)

    response = client.post(f"/api/v1/credential/{credential.public_id}/2fa?token={token}", {}, format="json")

    assert_error(response, 400, "validation_error")
    assert "code" in response.json()["error"]["details"]


# POST /credential/{id}/collect


def test_collect_makes_the_users_credential_due_now(ana, token, client):
    credential = a_credential(ana)
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.OK, next_collect_at=timezone.now() + timedelta(days=3)
    )

    response = client.post(f"/api/v1/credential/{credential.public_id}/collect?token={token}")

    assert response.status_code == 202
    assert response.json()["next_collect_timestamp"] <= int(timezone.now().timestamp() * 1000)


# Tokens: fresh, expired, unknown, missing, another user's


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS)
def test_every_user_endpoint_answers_a_fresh_token(ana, token, client, method, path, body, monkeypatch):
    monkeypatch.setattr(views, "user_page", lambda request, user: HttpResponse("page"))
    credential = a_credential(ana)
    if path.endswith("2fa"):
        Credential.objects.filter(pk=credential.pk).update(
            state=CredentialState.TWO_FA_WAITING, two_fa_until=timezone.now() + timedelta(minutes=5)
        )

    response = call(client, method, path, body, token, credential)

    assert response.status_code in (200, 201, 202), response.content


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS)
def test_a_token_29_minutes_old_still_works_and_one_30_minutes_old_is_a_401(
    ana, token, client, method, path, body, monkeypatch
):
    credential = a_credential(ana)
    monkeypatch.setattr(views, "user_page", lambda request, user: HttpResponse("page"))
    issued_by = timezone.now()
    move_clock(monkeypatch, issued_by + timedelta(minutes=29))
    assert call(client, "get", "/api/v1/credentials", None, token, credential).status_code == 200

    move_clock(monkeypatch, issued_by + timedelta(minutes=30))
    response = call(client, method, path, body, token, credential)

    assert_error(response, 401, "invalid_api_key")
    assert "expired" in response.json()["message"]
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_a_token_issued_31_minutes_ago_is_expired(ana, client):
    old = user_token_issue(user=ana, now=timezone.now() - timedelta(minutes=31))

    assert_error(client.get(f"/api/v1/credentials?token={old}"), 401, "invalid_api_key")


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS)
def test_an_unknown_token_is_a_401(ana, client, method, path, body):
    response = call(client, method, path, body, "f" * 128, a_credential(ana))

    assert_error(response, 401, "invalid_api_key")


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS)
def test_no_token_is_a_401_even_with_the_customers_bearer(alice, ana, make_client, method, path, body):
    customer = make_client(alice)

    response = call(customer, method, path, body, None, a_credential(ana))

    assert_error(response, 401, "authentication_required")
    assert Credential.objects.count() == 1


def test_an_empty_token_is_a_401(client):
    assert_error(client.get("/api/v1/credentials?token="), 401, "invalid_api_key")


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS[3:])
def test_a_token_reaches_no_other_users_credential_in_its_company(alice, token, client, method, path, body):
    theirs = a_credential(a_user(alice, remote_id="SOMEONE-ELSE"))

    response = call(client, method, path, body, token, theirs)

    assert_error(response, 404, "resource_not_found")
    assert Credential.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(("method", "path", "body"), USER_ENDPOINTS[3:])
def test_a_token_of_another_companys_user_reaches_nothing(ana, bob, client, method, path, body):
    alices = a_credential(ana)
    bobs_token = user_token_issue(user=a_user(bob))

    response = call(client, method, path, body, bobs_token, alices)

    assert_error(response, 404, "resource_not_found")
    assert Credential.objects.filter(pk=alices.pk).exists()


def test_a_token_of_another_companys_user_lists_only_its_own(ana, bob, client):
    a_credential(ana)
    bobs_token = user_token_issue(user=a_user(bob))

    assert client.get(f"/api/v1/credentials?token={bobs_token}").json() == []


def test_a_deleted_users_token_is_a_401(alice, ana, token, client, make_client):
    make_client(alice).delete("/api/v1/user", {"remote_id": ana.remote_id}, format="json")

    assert_error(client.get(f"/api/v1/credentials?token={token}"), 401, "invalid_api_key")


def test_user_endpoints_are_rate_limited_and_traced_like_the_rest(token, client):
    response = client.get(f"/api/v1/credentials?token={token}")

    assert response["X-Request-ID"]
    assert int(response["X-RateLimit-Remaining"]) >= 0
    assert response["X-RateLimit-Limit"]
