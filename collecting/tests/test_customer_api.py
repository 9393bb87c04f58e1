"""Seed 003's customer endpoints, with a company token: the customer, its users, their credentials.

Alice's company is the customer; Bob's must see none of it (404), a token without the collectors
scopes gets a 403, and no token a 401. Answers are seed 003's bare objects, errors the platform's.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from collecting.models import CollectedDocument, CollectorUser, Credential, CredentialState, UserToken
from collecting.services import collector_user_create, credential_create, customer_update, user_token_user
from collecting.tests.fakes import fake_portal  # noqa: F401 - a fixture
from companies.models import Company

pytestmark = pytest.mark.usefixtures("fake_portal")

PARAMS = {"login": "alice@shop", "password": "hunter2-very-secret"}
LOCALE_MESSAGE = 'Locale "de" not supported. Available locales are: en, fr.'


def a_user(company: Company, remote_id: str = "A1B2C3D4", locale: str = "fr") -> CollectorUser:
    return collector_user_create(company=company, remote_id=remote_id, locale=locale)


def a_credential(user: CollectorUser) -> Credential:
    return credential_create(user=user, collector="fake_portal", params=PARAMS, note="Shop account")


def a_document(credential: Credential, name: str = "invoice.pdf") -> CollectedDocument:
    return CollectedDocument.objects.create(
        credential=credential,
        company=credential.company,
        source_key=name,
        sha256=name.ljust(64, "0"),
        file_name=name,
        mimetype="application/pdf",
    )


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code


@pytest.fixture
def reader(alice, make_client) -> APIClient:
    return make_client(alice, scopes=["collectors:read"])


@pytest.fixture
def no_collectors(alice, make_client) -> APIClient:
    return make_client(alice, scopes=["invoices:read", "invoices:write"])


# GET / POST /customer


def test_the_customer_is_the_company_with_its_callback_as_a_bare_object(alice, alice_api):
    customer_update(company=alice, callback="https://path.to/callback")

    response = alice_api.get("/api/v1/customer")

    assert response.status_code == 200
    assert response.json() == {"name": "Alice Trading Sdn Bhd", "callback": "https://path.to/callback"}


def test_a_customer_without_a_callback_answers_an_empty_one(alice_api):
    assert alice_api.get("/api/v1/customer").json() == {"name": "Alice Trading Sdn Bhd", "callback": ""}


def test_post_customer_changes_the_name_and_the_callback(alice, alice_api):
    response = alice_api.post(
        "/api/v1/customer", {"name": "Alice Trading Bhd", "callback": "https://hooks.example.com/ic"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"name": "Alice Trading Bhd", "callback": "https://hooks.example.com/ic"}
    alice.refresh_from_db()
    assert alice.name == "Alice Trading Bhd"


def test_post_customer_with_only_a_callback_keeps_the_name(alice_api):
    response = alice_api.post("/api/v1/customer", {"callback": "https://hooks.example.com/ic"}, format="json")

    assert response.json() == {"name": "Alice Trading Sdn Bhd", "callback": "https://hooks.example.com/ic"}


def test_an_empty_callback_stops_the_sending(alice, alice_api):
    customer_update(company=alice, callback="https://path.to/callback")

    response = alice_api.post("/api/v1/customer", {"callback": ""}, format="json")

    assert response.json()["callback"] == ""


@pytest.mark.parametrize(
    "callback",
    ["http://hooks.example.com/ic", "https://127.0.0.1/ic", "https://10.0.0.5/ic", "ftp://hooks.example.com", "nope"],
)
def test_a_callback_must_be_a_public_https_url(alice_api, settings, callback):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    response = alice_api.post("/api/v1/customer", {"callback": callback}, format="json")

    assert_error(response, 400, "validation_error")
    assert "callback" in response.json()["error"]["details"]
    assert alice_api.get("/api/v1/customer").json()["callback"] == ""


def test_a_callback_on_127_0_0_1_is_allowed_where_private_webhooks_are(alice_api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True

    response = alice_api.post("/api/v1/customer", {"callback": "http://127.0.0.1:8765/ic"}, format="json")

    assert response.json()["callback"] == "http://127.0.0.1:8765/ic"


def test_a_name_another_company_has_is_a_conflict(alice_api, bob):
    response = alice_api.post("/api/v1/customer", {"name": bob.name}, format="json")

    assert_error(response, 409, "conflict")


def test_an_unknown_customer_field_is_named(alice_api):
    response = alice_api.post("/api/v1/customer", {"callbak": "https://hooks.example.com"}, format="json")

    assert_error(response, 400, "validation_error")
    assert "callbak" in response.json()["error"]["details"]


# POST /user


def test_post_user_creates_the_user_and_answers_it_with_a_fresh_token(alice, alice_api):
    response = alice_api.post(
        "/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr", "email": "ana@client.example"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    user = CollectorUser.objects.get(company=alice)
    assert set(body) == {"id", "remote_id", "locale", "email", "created_at", "token"}
    assert body["id"] == user.public_id
    assert body["id"].startswith("usr_")
    assert (body["remote_id"], body["locale"], body["email"]) == ("A1B2C3D4", "fr", "ana@client.example")
    assert len(body["token"]) == 128
    assert user_token_user(token=body["token"]) == user


def test_a_repeated_post_user_creates_no_other_user_but_gives_a_new_token(alice, alice_api):
    first = alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr"}, format="json").json()

    second = alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "en"}, format="json").json()

    assert CollectorUser.objects.filter(company=alice).count() == 1
    assert second["id"] == first["id"]
    assert second["locale"] == "en"
    assert second["token"] != first["token"]
    assert user_token_user(token=first["token"]) is not None  # the first stays valid until it expires
    assert user_token_user(token=second["token"]) is not None


def test_the_same_remote_id_at_two_customers_is_two_users(alice_api, bob_api):
    first = alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr"}, format="json").json()
    second = bob_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr"}, format="json").json()

    assert first["id"] != second["id"]


def test_a_locale_other_than_en_or_fr_is_refused_with_seed_003s_message(alice_api):
    response = alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "de"}, format="json")

    assert_error(response, 400, "validation_error")
    assert response.json()["message"] == LOCALE_MESSAGE
    assert response.json()["error"]["details"] == {"locale": [LOCALE_MESSAGE]}
    assert not CollectorUser.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "fr"}, "remote_id"),
        ({"remote_id": "   ", "locale": "fr"}, "remote_id"),
        ({"remote_id": "A1"}, "locale"),
        ({"remote_id": "A1", "locale": "fr", "email": "not an address"}, "email"),
        ({"remote_id": ["A1"], "locale": "fr"}, "remote_id"),
    ],
)
def test_a_bad_user_is_a_400_naming_the_field(alice_api, body, field):
    response = alice_api.post("/api/v1/user", body, format="json")

    assert_error(response, 400, "validation_error")
    assert field in response.json()["error"]["details"]


# DELETE /user


def test_delete_user_removes_it_with_its_credentials_documents_and_tokens(alice, alice_api):
    user = a_user(alice)
    credential = a_credential(user)
    a_document(credential)
    alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr"}, format="json")
    other = a_credential(a_user(alice, remote_id="KEEP"))

    response = alice_api.delete("/api/v1/user", {"remote_id": "A1B2C3D4"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"deleted": True, "remote_id": "A1B2C3D4"}
    assert not CollectorUser.objects.filter(pk=user.pk).exists()
    assert list(Credential.objects.all()) == [other]
    assert not CollectedDocument.objects.exists()
    assert not UserToken.objects.filter(user_id=user.pk).exists()


def test_delete_user_takes_the_remote_id_in_the_query_too(alice, alice_api):
    a_user(alice)

    response = alice_api.delete("/api/v1/user?remote_id=A1B2C3D4")

    assert response.status_code == 200, response.content
    assert not CollectorUser.objects.exists()


def test_delete_user_without_a_remote_id_names_it(alice_api):
    assert_error(alice_api.delete("/api/v1/user", {}, format="json"), 400, "validation_error")


def test_deleting_an_unknown_user_is_a_404(alice_api):
    assert_error(alice_api.delete("/api/v1/user", {"remote_id": "nobody"}, format="json"), 404, "resource_not_found")


def test_another_customer_cannot_delete_the_user(alice, bob_api):
    a_user(alice)

    response = bob_api.delete("/api/v1/user", {"remote_id": "A1B2C3D4"}, format="json")

    assert_error(response, 404, "resource_not_found")
    assert CollectorUser.objects.filter(company=alice).exists()


# GET /users


def test_get_users_lists_the_customers_users_page_by_page(alice, bob, alice_api):
    for number in range(3):
        a_user(alice, remote_id=f"R{number}")
    a_user(bob, remote_id="BOB")

    response = alice_api.get("/api/v1/users?limit=2")

    assert response.status_code == 200
    body = response.json()
    assert [user["remote_id"] for user in body["users"]] == ["R0", "R1"]
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 3, "total_pages": 2}
    assert set(body["users"][0]) == {"id", "remote_id", "locale", "email", "created_at"}
    assert [user["remote_id"] for user in alice_api.get("/api/v1/users?page=2&limit=2").json()["users"]] == ["R2"]


# GET /user/{id}/credentials


def test_get_user_credentials_lists_them_without_their_params(alice, alice_api):
    user = a_user(alice)
    credential = a_credential(user)
    a_document(credential)
    a_document(credential, "receipt.jpg")
    a_credential(a_user(alice, remote_id="OTHER"))

    response = alice_api.get(f"/api/v1/user/{user.public_id}/credentials")

    assert response.status_code == 200
    [answered] = response.json()
    assert set(answered) == {
        "id",
        "collector",
        "note",
        "state",
        "message",
        "last_collect_timestamp",
        "next_collect_timestamp",
        "download_from_timestamp",
        "invoices",
        "created_at",
    }
    assert answered["id"] == credential.public_id
    assert (answered["collector"], answered["note"], answered["state"]) == ("fake_portal", "Shop account", "collecting")
    assert answered["invoices"] == 2
    assert answered["last_collect_timestamp"] is None
    assert credential.next_collect_at is not None
    assert answered["next_collect_timestamp"] == int(credential.next_collect_at.timestamp() * 1000)
    assert "hunter2" not in response.content.decode()
    assert "alice@shop" not in response.content.decode()


def test_another_customers_user_has_no_credentials_to_show(alice, bob_api):
    user = a_user(alice)
    a_credential(user)

    assert_error(bob_api.get(f"/api/v1/user/{user.public_id}/credentials"), 404, "resource_not_found")


# DELETE /user/{id}/credential/{id}


def test_delete_user_credential_removes_it_and_what_it_collected(alice, alice_api):
    user = a_user(alice)
    credential = a_credential(user)
    a_document(credential)

    response = alice_api.delete(f"/api/v1/user/{user.public_id}/credential/{credential.public_id}")

    assert response.status_code == 200
    assert response.json() == {"deleted": True, "id": credential.public_id}
    assert not Credential.objects.exists()
    assert not CollectedDocument.objects.exists()


def test_a_credential_is_reached_only_through_its_own_user(alice, alice_api):
    credential = a_credential(a_user(alice))
    someone_else = a_user(alice, remote_id="OTHER")

    response = alice_api.delete(f"/api/v1/user/{someone_else.public_id}/credential/{credential.public_id}")

    assert_error(response, 404, "resource_not_found")
    assert Credential.objects.exists()


def test_another_customer_cannot_delete_a_credential(alice, bob_api):
    user = a_user(alice)
    credential = a_credential(user)

    response = bob_api.delete(f"/api/v1/user/{user.public_id}/credential/{credential.public_id}")

    assert_error(response, 404, "resource_not_found")
    assert Credential.objects.exists()


# POST /user/{id}/credential/{id}/collect


def test_collect_makes_the_credential_due_now_and_tries_a_disconnected_one_again(alice, alice_api):
    user = a_user(alice)
    credential = a_credential(user)
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.DISCONNECTED, next_collect_at=timezone.now() + timedelta(days=7), login_failures=2
    )

    response = alice_api.post(f"/api/v1/user/{user.public_id}/credential/{credential.public_id}/collect")

    assert response.status_code == 202, response.content
    assert response.json()["state"] == "collecting"  # queued at once
    credential.refresh_from_db()
    assert credential.next_collect_at is not None
    assert credential.next_collect_at <= timezone.now()
    assert credential.login_failures == 0


def test_another_customer_cannot_collect_a_credential(alice, bob_api):
    user = a_user(alice)
    credential = a_credential(user)

    response = bob_api.post(f"/api/v1/user/{user.public_id}/credential/{credential.public_id}/collect")

    assert_error(response, 404, "resource_not_found")


# Scopes and authentication

READS = ["/api/v1/customer", "/api/v1/users", "/api/v1/user/{user}/credentials"]
WRITES: list[tuple[str, str, dict[str, str] | None]] = [
    ("post", "/api/v1/customer", {"callback": ""}),
    ("post", "/api/v1/user", {"remote_id": "NEW", "locale": "en"}),
    ("delete", "/api/v1/user", {"remote_id": "A1B2C3D4"}),
    ("delete", "/api/v1/user/{user}/credential/{credential}", None),
    ("post", "/api/v1/user/{user}/credential/{credential}/collect", None),
]


def _paths(alice: Company) -> dict[str, str]:
    user = a_user(alice)
    return {"user": user.public_id, "credential": a_credential(user).public_id}


@pytest.mark.parametrize("path", READS)
def test_reading_needs_the_collectors_read_scope(alice, no_collectors, reader, path):
    url = path.format(**_paths(alice))

    assert_error(no_collectors.get(url), 403, "insufficient_scope")
    assert reader.get(url).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_changing_needs_the_collectors_write_scope(alice, reader, method, path, body):
    url = path.format(**_paths(alice))

    response = getattr(reader, method)(url, body, format="json")

    assert_error(response, 403, "insufficient_scope")
    assert CollectorUser.objects.count() == 1
    assert Credential.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path", "body"), [*[("get", path, None) for path in READS], *WRITES], ids=lambda value: str(value)
)
def test_every_customer_endpoint_needs_a_token(alice, method, path, body):
    url = path.format(**_paths(alice))

    response = getattr(APIClient(), method)(url, body, format="json")

    assert_error(response, 401, "authentication_required")


def test_a_revoked_or_wrong_token_is_a_401(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_" + "x" * 48)

    assert_error(client.get("/api/v1/customer"), 401, "invalid_api_key")


def test_a_user_token_is_no_customer_bearer(alice, alice_api):
    token = alice_api.post("/api/v1/user", {"remote_id": "A1B2C3D4", "locale": "fr"}, format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_error(client.get("/api/v1/customer"), 401, "invalid_api_key")
    assert_error(APIClient().get(f"/api/v1/customer?token={token}"), 401, "authentication_required")


def test_answers_are_bare_and_errors_are_enveloped(alice, alice_api):
    assert "success" not in alice_api.get("/api/v1/customer").json()
    assert "success" not in alice_api.get("/api/v1/users").json()
    error = alice_api.post("/api/v1/user", {"locale": "fr"}, format="json").json()
    assert error["success"] is False
    assert set(error) == {"success", "message", "error_code", "error", "meta"}


def test_customer_answers_carry_the_api_headers(alice_api):
    response = alice_api.get("/api/v1/customer")

    assert response["X-Request-ID"]
    assert response["X-RateLimit-Remaining"]
