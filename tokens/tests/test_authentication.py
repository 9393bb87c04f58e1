"""Bearer-token authentication: the 401 and 403 answers of both seeds, revocation, expiry, usage."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from tokens.format import checksum
from tokens.models import ApiToken
from tokens.services import token_revoke

pytestmark = pytest.mark.django_db

BUYERS = "/api/v1/buyers"


def assert_error(response, status_code: int, code: str, error_code: str) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error_code"] == error_code
    assert body["message"]
    assert body["error"]["message"] == body["message"]
    assert body["error"]["docs_url"].endswith(f"/{code}")
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    return body


def bearer(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_it_accepts_a_valid_token(alice_api):
    response = alice_api.get(BUYERS)

    assert response.status_code == 200, response.content
    assert response.json()["success"] is True


def test_it_asks_for_authentication_when_the_header_is_missing(db):
    response = APIClient().get(BUYERS)

    assert_error(response, 401, "authentication_required", "UNAUTHORIZED")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_rejects_a_token_that_does_not_exist(db):
    body = "A" * 10 + "B" * 32
    unknown = f"sk_live_{body}{checksum(body)}"  # well formed, valid checksum, never issued

    assert_error(bearer(f"Bearer {unknown}").get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_rejects_a_token_whose_secret_is_wrong(alice_api):
    raw = alice_api.raw_token
    lookup = raw[len("sk_live_") : len("sk_live_") + 10]
    body = lookup + "Z" * 32  # the real token's lookup part, with another secret and a valid checksum
    forged = f"sk_live_{body}{checksum(body)}"
    assert forged != raw

    assert_error(bearer(f"Bearer {forged}").get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


@pytest.mark.parametrize(
    "header",
    [
        "Basic x",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "garbage",
        "Bearer garbage",
        "Bearer sk_live_",
        "Bearer sk_live_short",
        "Bearer sk_prod_AAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBCCCCCC",
        "Token sk_live_AAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBCCCCCC",
        "Bearer sk_live_é",
        "Bearer a b c",
    ],
)
def test_it_rejects_a_malformed_authorization_header(db, header):
    assert_error(bearer(header).get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_rejects_a_token_with_a_bad_checksum(alice_api):
    raw = alice_api.raw_token
    last = raw[-1]
    tampered = raw[:-1] + ("a" if last != "a" else "b")

    assert_error(bearer(f"Bearer {tampered}").get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_rejects_a_token_with_extra_characters(alice_api):
    response = bearer(f"Bearer {alice_api.raw_token}x").get(BUYERS)

    assert_error(response, 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_accepts_the_bearer_scheme_in_any_case(alice_api):
    response = bearer(f"bearer {alice_api.raw_token}").get(BUYERS)

    assert response.status_code == 200, response.content


def test_it_rejects_a_revoked_token(alice_api):
    token_revoke(token=alice_api.token)

    assert_error(alice_api.get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_revocation_is_effective_on_the_very_next_request(alice_api):
    assert alice_api.get(BUYERS).status_code == 200

    token_revoke(token=ApiToken.objects.get(pk=alice_api.token.pk))

    assert_error(alice_api.get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_rejects_an_expired_token(alice, make_client):
    client = make_client(alice, expires_at=timezone.now() + timedelta(days=1))
    assert client.get(BUYERS).status_code == 200

    ApiToken.objects.filter(pk=client.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(client.get(BUYERS), 401, "token_expired", "TOKEN_EXPIRED")


def test_it_accepts_a_token_that_has_not_expired_yet(alice, make_client):
    client = make_client(alice, expires_at=timezone.now() + timedelta(minutes=5))

    assert client.get(BUYERS).status_code == 200


def test_a_revoked_token_that_has_also_expired_is_just_invalid(alice, make_client):
    client = make_client(alice, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=client.token.pk).update(
        expires_at=timezone.now() - timedelta(days=1), revoked_at=timezone.now()
    )

    assert_error(client.get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_it_denies_a_company_id_the_token_is_not_linked_to(alice_api, bob):
    response = alice_api.get(BUYERS, HTTP_X_COMPANY_ID=bob.public_id)

    assert_error(response, 403, "company_access_denied", "COMPANY_ACCESS_DENIED")


def test_it_denies_a_company_id_that_does_not_exist(alice_api):
    response = alice_api.get(BUYERS, HTTP_X_COMPANY_ID="cmp_doesnotexist00")

    assert_error(response, 403, "company_access_denied", "COMPANY_ACCESS_DENIED")


def test_it_accepts_the_tokens_own_company_id(alice_api, alice):
    response = alice_api.get(BUYERS, HTTP_X_COMPANY_ID=alice.public_id)

    assert response.status_code == 200, response.content


def test_it_forbids_a_token_without_the_required_scope(alice, make_client):
    client = make_client(alice, scopes=["invoices:read"])

    body = assert_error(client.get(BUYERS), 403, "insufficient_scope", "FORBIDDEN")
    assert body["error"]["details"]["required_scope"] == "buyers:read"


def test_a_read_scope_does_not_grant_writes(alice, make_client):
    client = make_client(alice, scopes=["buyers:read"])

    assert client.get(BUYERS).status_code == 200
    assert_error(client.post(BUYERS, {"name": "Tan"}, format="json"), 403, "insufficient_scope", "FORBIDDEN")


def test_it_records_when_a_token_was_last_used(alice_api):
    assert alice_api.token.last_used_at is None
    before = timezone.now()

    alice_api.get(BUYERS)

    token = ApiToken.objects.get(pk=alice_api.token.pk)
    assert token.last_used_at is not None
    assert before <= token.last_used_at <= timezone.now()


def test_it_does_not_rewrite_last_used_more_than_once_a_minute(alice_api):
    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=alice_api.token.pk).update(last_used_at=recent)

    alice_api.get(BUYERS)
    alice_api.get(BUYERS)

    assert ApiToken.objects.get(pk=alice_api.token.pk).last_used_at == recent


def test_it_rewrites_last_used_once_the_minute_has_passed(alice_api):
    stale = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=alice_api.token.pk).update(last_used_at=stale)

    alice_api.get(BUYERS)

    last_used_at = ApiToken.objects.get(pk=alice_api.token.pk).last_used_at
    assert last_used_at is not None
    assert last_used_at > stale


def test_a_revoked_token_does_not_record_use(alice_api):
    token_revoke(token=alice_api.token)

    alice_api.get(BUYERS)

    assert ApiToken.objects.get(pk=alice_api.token.pk).last_used_at is None


def test_test_tokens_start_with_sk_test_and_work(alice, make_client):
    client = make_client(alice, is_test=True)

    assert client.raw_token.startswith("sk_test_")
    assert client.token.is_test is True
    assert client.token.prefix.startswith("sk_test_")
    assert client.get(BUYERS).status_code == 200


def test_a_live_token_cannot_be_replayed_as_a_test_token(alice_api):
    raw = alice_api.raw_token
    as_test = "sk_test_" + raw[len("sk_live_") :]

    assert_error(bearer(f"Bearer {as_test}").get(BUYERS), 401, "invalid_api_key", "UNAUTHORIZED")


def test_the_token_secret_is_never_stored(alice_api):
    raw = alice_api.raw_token
    secret = raw[len(alice_api.token.prefix) :]
    row = ApiToken.objects.filter(pk=alice_api.token.pk).values().get()

    assert row["prefix"] == raw[: len("sk_live_") + 10]
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    for value in row.values():
        assert raw not in str(value)
        assert secret not in str(value)


def test_the_raw_token_appears_in_no_column_of_the_database_row(alice_api):
    raw = alice_api.raw_token
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [alice_api.token.pk])  # noqa: S608
        stored = cursor.fetchone()

    assert stored is not None
    assert not any(raw in str(value) for value in stored)
    assert not any(raw[18:50] in str(value) for value in stored)  # nor the secret part alone
