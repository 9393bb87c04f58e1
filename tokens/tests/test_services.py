"""Issuing, revoking and touching tokens; the token format; seed 000's permissions as scopes."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from companies.tests.factories import UserFactory
from tokens.format import CHECKSUM_LENGTH, LOOKUP_LENGTH, SECRET_LENGTH, parse_prefix
from tokens.models import ApiToken
from tokens.scopes import ALL_SCOPES, SIMPLE_PERMISSIONS, scopes_for_permissions
from tokens.services import token_issue, token_revoke, token_touch

pytestmark = pytest.mark.django_db

TOKEN_LENGTH = len("sk_live_") + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH


def issue(company, **kwargs):
    fields = {"name": "Production Integration", "scopes": ["buyers:read"]} | kwargs
    return token_issue(company=company, **fields)


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# Validation


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_it_refuses_a_token_without_a_name(alice, name):
    with pytest.raises(ValidationError) as excinfo:
        issue(alice, name=name)

    assert error_fields(excinfo) == {"name"}
    assert not ApiToken.objects.exists()


def test_it_refuses_a_name_longer_than_100_characters(alice):
    with pytest.raises(ValidationError) as excinfo:
        issue(alice, name="x" * 101)

    assert error_fields(excinfo) == {"name"}


def test_it_trims_the_name(alice):
    assert issue(alice, name="  Testing  ").token.name == "Testing"


def test_it_refuses_an_unknown_scope_and_names_it(alice):
    with pytest.raises(ValidationError) as excinfo:
        issue(alice, scopes=["buyers:read", "buyers:admin"])

    assert error_fields(excinfo) == {"scopes"}
    assert "buyers:admin" in excinfo.value.message_dict["scopes"][0]
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_without_scopes(alice):
    with pytest.raises(ValidationError) as excinfo:
        issue(alice, scopes=[])

    assert error_fields(excinfo) == {"scopes"}


@pytest.mark.parametrize("ago", [timedelta(seconds=1), timedelta(days=1), timedelta(days=365)])
def test_it_refuses_an_expiry_in_the_past(alice, ago):
    with pytest.raises(ValidationError) as excinfo:
        issue(alice, expires_at=timezone.now() - ago)

    assert error_fields(excinfo) == {"expires_at"}
    assert not ApiToken.objects.exists()


def test_it_accepts_an_expiry_in_the_future(alice):
    expires_at = timezone.now() + timedelta(days=30)

    assert issue(alice, expires_at=expires_at).token.expires_at == expires_at


def test_a_token_without_expiry_never_expires(alice):
    token = issue(alice).token

    assert token.expires_at is None
    assert token.is_active


def test_it_stores_scopes_in_canonical_order_without_duplicates(alice):
    token = issue(alice, scopes=["invoices:read", "buyers:write", "buyers:read", "invoices:read"]).token

    assert token.scopes == ["buyers:read", "buyers:write", "invoices:read"]


def test_it_records_the_company_and_who_created_the_token(alice):
    user = UserFactory()

    token = issue(alice, created_by=user).token

    assert token.company == alice
    assert token.created_by == user
    assert token.public_id.startswith("tok_")


# Format


def test_a_live_token_has_the_documented_format(alice):
    issued = issue(alice)
    raw = issued.raw

    assert raw.startswith("sk_live_")
    assert len(raw) == TOKEN_LENGTH == 56
    assert re.fullmatch(r"sk_live_[A-Za-z0-9]{48}", raw)
    assert parse_prefix(raw) == issued.token.prefix == raw[: len("sk_live_") + LOOKUP_LENGTH]
    assert issued.token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert issued.token.is_test is False


def test_a_test_token_starts_with_sk_test(alice):
    issued = issue(alice, is_test=True)

    assert issued.raw.startswith("sk_test_")
    assert len(issued.raw) == TOKEN_LENGTH
    assert parse_prefix(issued.raw) == issued.token.prefix
    assert issued.token.prefix.startswith("sk_test_")
    assert issued.token.is_test is True


def test_every_token_is_different(alice):
    raws = {issue(alice).raw for _ in range(20)}

    assert len(raws) == 20
    assert len({raw[:18] for raw in raws}) == 20


def test_the_checksum_catches_a_single_changed_character(alice):
    raw = issue(alice).raw

    for position in range(len("sk_live_"), len(raw)):
        replacement = "0" if raw[position] != "0" else "1"
        assert parse_prefix(raw[:position] + replacement + raw[position + 1 :]) is None


@pytest.mark.parametrize(
    "text",
    ["", "sk_live_", "sk_live_abc", "pk_live_" + "A" * 48, "sk_live_" + "A" * 47, "sk_live_" + "A" * 49, "hello"],
)
def test_parse_prefix_rejects_text_that_is_not_a_token(text):
    assert parse_prefix(text) is None


# Revoke and touch


def test_revoking_a_token_makes_it_inactive(alice):
    token = issue(alice).token

    token_revoke(token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active


def test_revoking_twice_keeps_the_first_revocation_time(alice):
    token = issue(alice).token
    token_revoke(token=token)
    first = token.revoked_at

    token_revoke(token=token)

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_touch_writes_at_most_once_per_precision_window(alice):
    token = issue(alice).token
    token_touch(token=token, precision_seconds=60)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None

    token_touch(token=ApiToken.objects.get(pk=token.pk), precision_seconds=60)

    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


# Seed 000's permissions


def test_read_grants_every_read_scope():
    assert scopes_for_permissions(["read"]) == [scope for scope in ALL_SCOPES if scope.endswith(":read")]


def test_create_and_update_grant_write_scopes_but_no_read_or_delete():
    for permission in ("create", "update"):
        scopes = scopes_for_permissions([permission])
        assert "buyers:write" in scopes
        assert "invoices:write" in scopes
        assert not any(scope.endswith((":read", ":delete")) for scope in scopes)


def test_delete_grants_the_delete_scopes():
    assert scopes_for_permissions(["delete"]) == ["buyers:delete", "invoices:delete"]


def test_all_four_permissions_grant_every_scope():
    assert scopes_for_permissions(["create", "read", "update", "delete"]) == list(ALL_SCOPES)


def test_no_permission_grants_no_scope():
    assert scopes_for_permissions([]) == []


def test_permissions_map_only_onto_known_scopes_in_canonical_order():
    for permission in SIMPLE_PERMISSIONS:
        scopes = scopes_for_permissions([permission])
        assert scopes == [scope for scope in ALL_SCOPES if scope in scopes]
        assert set(scopes) <= set(ALL_SCOPES)


def test_permission_order_and_repeats_do_not_change_the_scopes():
    assert scopes_for_permissions(["update", "read", "read"]) == scopes_for_permissions(["read", "update"])
