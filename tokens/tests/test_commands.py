"""`manage.py createtoken`: prints the token alone, and the token it prints works."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from tokens.models import ApiToken
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db

BUYERS = "/api/v1/buyers"


def createtoken(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createtoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def only_line(output: str) -> str:
    lines = output.splitlines()
    assert len(lines) == 1, output
    return lines[0]


def api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_it_prints_only_the_token_and_the_token_authenticates(alice):
    out, _ = createtoken("--company", alice.name, "--name", "CI")

    raw = only_line(out)
    assert raw == out.strip()
    assert raw.startswith("sk_live_")
    assert len(raw) == 56
    response = api(raw).get(BUYERS)
    assert response.status_code == 200, response.content


def test_the_token_belongs_to_the_named_company(alice, bob):
    raw = only_line(createtoken("--company", bob.name, "--name", "CI")[0])

    token = ApiToken.objects.get()
    assert token.company == bob
    assert token.name == "CI"
    assert raw.startswith(token.prefix)


def test_it_finds_the_company_by_its_public_id(alice):
    only_line(createtoken("--company", alice.public_id, "--name", "CI")[0])

    assert ApiToken.objects.get().company == alice


def test_it_grants_every_scope_when_none_are_given(alice):
    createtoken("--company", alice.name, "--name", "CI")

    assert ApiToken.objects.get().scopes == list(ALL_SCOPES)


def test_it_grants_only_the_scopes_given(alice):
    raw = only_line(createtoken("--company", alice.name, "--name", "CI", "--scopes", "invoices:read buyers:read")[0])

    assert ApiToken.objects.get().scopes == ["buyers:read", "invoices:read"]
    client = api(raw)
    assert client.get(BUYERS).status_code == 200
    assert client.post(BUYERS, {"name": "Tan"}, format="json").status_code == 403


def test_it_accepts_comma_separated_scopes(alice):
    createtoken("--company", alice.name, "--name", "CI", "--scopes", "buyers:read,buyers:write")

    assert ApiToken.objects.get().scopes == ["buyers:read", "buyers:write"]


def test_it_refuses_an_unknown_scope(alice):
    with pytest.raises(CommandError, match="buyers:admin"):
        createtoken("--company", alice.name, "--name", "CI", "--scopes", "buyers:admin")

    assert not ApiToken.objects.exists()


def test_it_sets_the_expiry_in_days(alice):
    before = timezone.now()

    createtoken("--company", alice.name, "--name", "CI", "--expires-days", "30")

    expires_at = ApiToken.objects.get().expires_at
    assert expires_at is not None
    assert before + timedelta(days=30) <= expires_at <= timezone.now() + timedelta(days=30)


def test_a_token_without_expires_days_never_expires(alice):
    createtoken("--company", alice.name, "--name", "CI")

    assert ApiToken.objects.get().expires_at is None


@pytest.mark.parametrize("days", ["0", "-5"])
def test_it_refuses_an_expiry_that_is_not_in_the_future(alice, days):
    with pytest.raises(CommandError):
        createtoken("--company", alice.name, "--name", "CI", "--expires-days", days)

    assert not ApiToken.objects.exists()


def test_it_issues_a_test_token(alice):
    raw = only_line(createtoken("--company", alice.name, "--name", "CI", "--test")[0])

    assert raw.startswith("sk_test_")
    assert ApiToken.objects.get().is_test is True
    assert api(raw).get(BUYERS).status_code == 200


def test_it_refuses_an_unknown_company(alice):
    with pytest.raises(CommandError, match="Nobody Ltd"):
        createtoken("--company", "Nobody Ltd", "--name", "CI")

    assert not ApiToken.objects.exists()


def test_it_refuses_an_empty_name(alice):
    with pytest.raises(CommandError):
        createtoken("--company", alice.name, "--name", "   ")

    assert not ApiToken.objects.exists()


def test_it_needs_a_company_and_a_name(alice):
    with pytest.raises(CommandError):
        createtoken("--name", "CI")
    with pytest.raises(CommandError):
        createtoken("--company", alice.name)
