"""Dashboard pages: login, Settings > API Tokens (create, shown once, revoke), roles, company isolation."""

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from buyers.tests.factories import BuyerFactory
from companies.models import Role
from companies.tests.factories import MembershipFactory, UserFactory
from invoices.tests.factories import purchase_invoice
from tokens.models import ApiToken
from tokens.scopes import ALL_SCOPES, scopes_for_permissions
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TOKENS = "/settings/api-tokens/"
CREATE = "/settings/api-tokens/new"
NEW_TOKEN = re.compile(r'<code id="new-token">(sk_(?:live|test)_[A-Za-z0-9]{48})</code>')


def revoke_url(token: ApiToken) -> str:
    return f"/settings/api-tokens/{token.public_id}/revoke"


def member(company, role=Role.OWNER, username=None):
    fields = {"company": company, "role": role}
    if username:
        fields["user"] = UserFactory(username=username)
    return MembershipFactory(**fields).user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def alice_owner(alice):
    return member(alice, username="alice")


@pytest.fixture
def bob_owner(bob):
    return member(bob, username="bob")


@pytest.fixture
def alice_page(alice_owner) -> Client:
    return logged_in(alice_owner)


@pytest.fixture
def bob_page(bob_owner) -> Client:
    return logged_in(bob_owner)


@pytest.fixture
def alice_token(alice):
    return token_issue(company=alice, name="Alice Production", scopes=list(ALL_SCOPES))


def create_token(client: Client, **fields: Any) -> tuple[ApiToken, str, Any]:
    data = {"name": "Production Integration", "expiration": "365", "permissions": ["read"]} | fields
    response = client.post(CREATE, data)
    assert response.status_code == 200, response.content
    match = NEW_TOKEN.search(response.content.decode())
    assert match, response.content.decode()
    raw = match[1]
    return ApiToken.objects.get(prefix=raw[:18]), raw, response


# Login


def test_the_login_page_renders(db):
    response = Client().get("/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert "csrfmiddlewaretoken" in content


def test_a_user_logs_in_with_the_right_password(alice_owner):
    client = Client()

    response = client.post("/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_does_not_log_in(alice_owner):
    client = Client()

    response = client.post("/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/", "/buyers/", "/invoices/", TOKENS, CREATE, "/settings/api-tokens/tok_x/revoke"])
def test_pages_require_a_login(db, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_a_user_without_a_company_gets_403(db):
    client = logged_in(UserFactory())

    assert client.get("/").status_code == 403
    assert client.get(TOKENS).status_code == 403


# API Tokens: list, create, shown once


def test_the_token_list_shows_the_companys_tokens(alice_page, alice_token):
    response = alice_page.get(TOKENS)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alice Production" in content
    assert alice_token.token.prefix in content


def test_the_create_page_renders_the_seed_000_form(alice_page):
    response = alice_page.get(CREATE)

    assert response.status_code == 200
    content = response.content.decode()
    for value in ("30", "90", "365", "custom", "never"):
        assert f'value="{value}"' in content
    for permission in ("create", "read", "update", "delete"):
        assert f'value="{permission}"' in content
    assert 'value="buyers:read"' in content


def test_creating_a_token_shows_it_once_and_it_works(alice_page, alice, alice_owner):
    token, raw, response = create_token(alice_page, name="Production Integration", permissions=["read"])

    assert raw.startswith("sk_live_")
    assert "no-store" in response["Cache-Control"]
    assert token.company == alice
    assert token.name == "Production Integration"
    assert token.created_by == alice_owner
    assert token.scopes == scopes_for_permissions(["read"])
    assert api(raw).get("/api/v1/buyers").status_code == 200


def test_the_list_page_never_shows_the_raw_token(alice_page):
    token, raw, _ = create_token(alice_page)

    content = alice_page.get(TOKENS).content.decode()

    assert token.prefix in content
    assert raw not in content
    assert raw[18:50] not in content
    assert raw not in alice_page.get(CREATE).content.decode()


def test_the_raw_token_is_not_kept_in_the_session(alice_page):
    _, raw, _ = create_token(alice_page)

    assert raw not in str(dict(alice_page.session))


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [
        (["read"], scopes_for_permissions(["read"])),
        (["create"], scopes_for_permissions(["create"])),
        (["update"], scopes_for_permissions(["update"])),
        (["delete"], ["buyers:delete", "invoices:delete"]),
        (["create", "read", "update", "delete"], list(ALL_SCOPES)),
    ],
)
def test_permissions_become_scopes(alice_page, permissions, expected):
    token, _, _ = create_token(alice_page, permissions=permissions)

    assert token.scopes == expected


def test_fine_scopes_can_be_chosen_instead_of_permissions(alice_page):
    token, raw, _ = create_token(alice_page, permissions=[], scopes=["buyers:read", "invoices:write"])

    assert token.scopes == ["buyers:read", "invoices:write"]
    client = api(raw)
    assert client.get("/api/v1/buyers").status_code == 200
    assert client.get("/api/v1/invoices").status_code == 403


def test_a_read_only_token_cannot_write(alice_page):
    _, raw, _ = create_token(alice_page, permissions=["read"])

    assert api(raw).post("/api/v1/buyers", {"name": "Tan"}, format="json").status_code == 403


def test_a_token_needs_a_permission_or_a_scope(alice_page):
    response = alice_page.post(CREATE, {"name": "Nothing", "expiration": "365"})

    assert response.status_code == 200
    assert "Select at least one permission or scope" in response.content.decode()
    assert not NEW_TOKEN.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(alice_page):
    response = alice_page.post(CREATE, {"name": "", "expiration": "365", "permissions": ["read"]})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused(alice_page):
    response = alice_page.post(CREATE, {"name": "X", "expiration": "365", "scopes": ["buyers:admin"]})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [30, 90, 365])
def test_a_token_expires_after_the_chosen_number_of_days(alice_page, days):
    before = timezone.now()

    token, _, _ = create_token(alice_page, expiration=str(days))

    assert token.expires_at is not None
    assert before + timedelta(days=days) <= token.expires_at <= timezone.now() + timedelta(days=days)


def test_a_token_can_never_expire(alice_page):
    token, _, response = create_token(alice_page, expiration="never")

    assert token.expires_at is None
    assert "Never" in response.content.decode()


def test_a_token_can_expire_on_a_custom_date(alice_page):
    day = timezone.localdate() + timedelta(days=10)

    token, _, _ = create_token(alice_page, expiration="custom", expires_on=day.isoformat())

    assert token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == day
    assert token.expires_at >= datetime.combine(day, time(23, 59), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize("expires_on", ["", "2000-01-01", "today"])
def test_a_custom_expiry_must_be_a_future_date(alice_page, expires_on):
    if expires_on == "today":
        expires_on = timezone.localdate().isoformat()

    response = alice_page.post(
        CREATE, {"name": "X", "expiration": "custom", "expires_on": expires_on, "permissions": ["read"]}
    )

    assert response.status_code == 200
    assert not NEW_TOKEN.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_an_unknown_expiry_choice_is_refused(alice_page):
    response = alice_page.post(CREATE, {"name": "X", "expiration": "forever", "permissions": ["read"]})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_a_test_token_can_be_created(alice_page):
    token, raw, _ = create_token(alice_page, is_test="on")

    assert raw.startswith("sk_test_")
    assert token.is_test


# Revoke


def test_revoking_asks_for_confirmation_on_get(alice_page, alice_token):
    response = alice_page.get(revoke_url(alice_token.token))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alice Production" in content
    assert 'method="post"' in content
    assert ApiToken.objects.get(pk=alice_token.token.pk).revoked_at is None
    assert api(alice_token.raw).get("/api/v1/buyers").status_code == 200


def test_revoking_by_post_cuts_off_the_api_at_once(alice_page, alice_token):
    client = api(alice_token.raw)
    assert client.get("/api/v1/buyers").status_code == 200

    response = alice_page.post(revoke_url(alice_token.token))

    assert response.status_code == 302
    assert response["Location"] == TOKENS
    assert ApiToken.objects.get(pk=alice_token.token.pk).revoked_at is not None
    refused = client.get("/api/v1/buyers")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    assert refused.json()["error_code"] == "UNAUTHORIZED"


def test_the_list_shows_a_revoked_token_as_revoked_without_a_revoke_button(alice_page, alice_token):
    alice_page.post(revoke_url(alice_token.token))

    content = alice_page.get(TOKENS).content.decode()

    assert "Revoked" in content
    assert revoke_url(alice_token.token) not in content


def test_bobs_owner_cannot_revoke_alices_token(bob_page, alice_token):
    assert bob_page.get(revoke_url(alice_token.token)).status_code == 404
    assert bob_page.post(revoke_url(alice_token.token)).status_code == 404

    assert ApiToken.objects.get(pk=alice_token.token.pk).revoked_at is None
    assert api(alice_token.raw).get("/api/v1/buyers").status_code == 200


def test_bobs_owner_does_not_see_alices_tokens(bob_page, alice_token):
    content = bob_page.get(TOKENS).content.decode()

    assert "Alice Production" not in content
    assert alice_token.token.prefix not in content


def test_an_unknown_token_id_is_404(alice_page):
    assert alice_page.get("/settings/api-tokens/tok_doesnotexist00/revoke").status_code == 404


# CSRF


def test_creating_a_token_without_the_csrf_token_is_refused(alice_owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice_owner)

    response = client.post(CREATE, {"name": "X", "expiration": "365", "permissions": ["read"]})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_creating_a_token_with_the_csrf_token_is_accepted(alice_owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice_owner)
    client.get(CREATE)
    csrf = client.cookies["csrftoken"].value

    response = client.post(
        CREATE, {"name": "X", "expiration": "365", "permissions": ["read"], "csrfmiddlewaretoken": csrf}
    )

    assert response.status_code == 200
    assert ApiToken.objects.count() == 1


def test_revoking_without_the_csrf_token_is_refused(alice_owner, alice_token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice_owner)

    response = client.post(revoke_url(alice_token.token))

    assert response.status_code == 403
    assert ApiToken.objects.get(pk=alice_token.token.pk).revoked_at is None


# Roles


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_a_member_who_does_not_manage_gets_403_on_token_pages(alice, alice_token, role):
    client = logged_in(member(alice, role=role))

    assert client.get(TOKENS).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "X", "expiration": "365", "permissions": ["read"]}).status_code == 403
    assert client.get(revoke_url(alice_token.token)).status_code == 403
    assert client.post(revoke_url(alice_token.token)).status_code == 403
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_a_viewer_does_not_see_the_token_menu(alice):
    client = logged_in(member(alice, role=Role.VIEWER))

    response = client.get("/")

    assert response.status_code == 200
    assert TOKENS not in response.content.decode()


def test_an_admin_member_may_manage_tokens(alice):
    client = logged_in(member(alice, role=Role.ADMIN))

    assert client.get(TOKENS).status_code == 200
    create_token(client)


def test_a_viewer_may_read_buyers_and_invoices(alice):
    client = logged_in(member(alice, role=Role.VIEWER))

    assert client.get("/buyers/").status_code == 200
    assert client.get("/invoices/").status_code == 200


# Company isolation on pages


def test_the_buyers_page_shows_only_the_companys_buyers(alice, bob, alice_page, bob_page):
    BuyerFactory.create(company=alice, name="Alice Customer Sdn Bhd")
    BuyerFactory.create(company=bob, name="Bob Customer Ltd")

    alice_content = alice_page.get("/buyers/").content.decode()
    bob_content = bob_page.get("/buyers/").content.decode()

    assert "Alice Customer Sdn Bhd" in alice_content
    assert "Bob Customer Ltd" not in alice_content
    assert "Bob Customer Ltd" in bob_content
    assert "Alice Customer Sdn Bhd" not in bob_content


def test_a_buyer_search_does_not_reach_other_companies(alice, bob, alice_page):
    BuyerFactory.create(company=bob, name="Bob Customer Ltd")

    content = alice_page.get("/buyers/?search=Bob+Customer").content.decode()

    assert "Bob Customer Ltd" not in content.replace("“Bob Customer”", "")


def test_the_invoices_page_shows_only_the_companys_invoices(alice, bob, alice_page, bob_page):
    purchase_invoice(alice, number="ALICE-1001", supplier="Alice Paper Supplies")
    purchase_invoice(bob, number="BOB-2002", supplier="Bob Ink Supplies")

    alice_content = alice_page.get("/invoices/").content.decode()
    bob_content = bob_page.get("/invoices/").content.decode()

    assert "ALICE-1001" in alice_content
    assert "BOB-2002" not in alice_content
    assert "Bob Ink Supplies" not in alice_content
    assert "BOB-2002" in bob_content
    assert "ALICE-1001" not in bob_content


def test_the_home_page_counts_only_the_companys_data(alice, bob, alice_page):
    purchase_invoice(bob, number="BOB-2002", supplier="Bob Ink Supplies", invoice_date=date(2026, 4, 1))

    response = alice_page.get("/")

    assert response.status_code == 200
    assert response.context["invoice_count"] == 0
    assert "BOB-2002" not in response.content.decode()


def test_a_member_of_two_companies_sees_the_one_chosen(alice, bob, alice_token):
    user = member(alice, username="carol")
    MembershipFactory(user=user, company=bob, role=Role.OWNER)
    client = logged_in(user)
    client.post("/switch-company", {"company": bob.public_id})

    content = client.get(TOKENS).content.decode()

    assert "Alice Production" not in content
    assert client.get(revoke_url(alice_token.token)).status_code == 404


def test_switching_to_a_company_one_is_not_a_member_of_is_ignored(alice, bob, alice_page, alice_token):
    alice_page.post("/switch-company", {"company": bob.public_id})

    assert "Alice Production" in alice_page.get(TOKENS).content.decode()


# Admin changelists for staff who are not superusers


@pytest.fixture
def alice_staff(alice):
    user = member(alice, role=Role.ADMIN, username="alice-staff")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_apitoken", "change_apitoken", "view_invoice", "change_invoice", "view_buyer"]
        )
    )
    return user


@pytest.fixture
def two_companies_of_data(alice, bob):
    token_issue(company=alice, name="Alice Production", scopes=["buyers:read"])
    token_issue(company=bob, name="Bob Production", scopes=["buyers:read"])
    BuyerFactory.create(company=alice, name="Alice Customer Sdn Bhd")
    BuyerFactory.create(company=bob, name="Bob Customer Ltd")
    purchase_invoice(alice, number="ALICE-1001", supplier="Alice Paper Supplies")
    purchase_invoice(bob, number="BOB-2002", supplier="Bob Ink Supplies")


@pytest.mark.parametrize("changelist", ["/admin/tokens/apitoken/", "/admin/invoices/invoice/", "/admin/buyers/buyer/"])
def test_the_admin_shows_staff_only_their_companys_rows(alice, alice_staff, two_companies_of_data, changelist):
    response = logged_in(alice_staff).get(changelist)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows
    assert {row.company_id for row in rows} == {alice.pk}
    assert response.context["cl"].full_result_count == len(rows)


@pytest.mark.parametrize("changelist", ["/admin/tokens/apitoken/", "/admin/invoices/invoice/", "/admin/buyers/buyer/"])
def test_the_admin_does_not_name_other_companies_to_staff(alice_staff, bob, two_companies_of_data, changelist):
    content = logged_in(alice_staff).get(changelist).content.decode()

    assert "Bob Production" not in content
    assert "Bob Customer Ltd" not in content
    assert "BOB-2002" not in content
    assert bob.name not in content  # not even as a choice of the "By company" filter


def test_the_admin_does_not_open_another_companys_row_for_staff(alice_staff, bob, two_companies_of_data):
    bobs_token = ApiToken.objects.get(company=bob)

    response = logged_in(alice_staff).get(f"/admin/tokens/apitoken/{bobs_token.pk}/change/")

    assert response.status_code in (302, 404)
    assert "Bob Production" not in response.content.decode()


def test_the_admin_shows_a_superuser_every_companys_rows(db, two_companies_of_data):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    response = logged_in(superuser).get("/admin/tokens/apitoken/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2


def test_the_admin_never_shows_a_token_hash(alice, alice_staff):
    issued = token_issue(company=alice, name="Alice Production", scopes=["buyers:read"])

    response = logged_in(alice_staff).get(f"/admin/tokens/apitoken/{issued.token.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert issued.token.key_hash not in content
    assert issued.raw not in content
