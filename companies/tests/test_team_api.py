"""The team API: members and invitations of the token's company only, scopes, the last-owner rule,
who may change owners, and bad input answered 400 naming the field."""

import re

import pytest
from django.core import mail

from companies.models import Invitation, Membership, Role
from companies.tests.factories import MembershipFactory, UserFactory
from invoisx.tests.envelope import error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/team/members"
INVITATIONS = "/api/v1/team/invitations"
MEMBER_FIELDS = {"id", "username", "email", "name", "role", "joined_at"}
INVITATION_FIELDS = {
    "id",
    "email",
    "role",
    "status",
    "invited_by",
    "expires_at",
    "accepted_at",
    "revoked_at",
    "created_at",
}
LINK = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def owner(alice) -> Membership:
    return MembershipFactory.create(
        company=alice, role=Role.OWNER, user=UserFactory.create(username="olivia", email="olivia@alice.example")
    )


@pytest.fixture
def accountant(alice) -> Membership:
    return MembershipFactory.create(
        company=alice, role=Role.ACCOUNTANT, user=UserFactory.create(username="adam", email="adam@alice.example")
    )


@pytest.fixture
def bob_owner(bob) -> Membership:
    return MembershipFactory.create(company=bob, role=Role.OWNER, user=UserFactory.create(username="bobby"))


def member_url(membership: Membership | str) -> str:
    return f"{MEMBERS}/{membership if isinstance(membership, str) else membership.public_id}"


def role_of(membership: Membership) -> str:
    return Membership.objects.get(pk=membership.pk).role


# Reading


def test_it_lists_the_companys_members_with_their_roles(alice_api, owner, accountant, bob_owner):
    data = success_data(alice_api.get(MEMBERS))

    assert [(row["username"], row["role"]) for row in data["members"]] == [("olivia", "owner"), ("adam", "accountant")]
    assert set(data["members"][0]) == MEMBER_FIELDS
    assert data["members"][0]["id"].startswith("mem_")
    assert data["members"][0]["email"] == "olivia@alice.example"
    assert data["pagination"] == {"page": 1, "limit": 20, "total": 2, "total_pages": 1}


def test_bobs_token_never_sees_alices_members(bob_api, owner, bob_owner):
    data = success_data(bob_api.get(MEMBERS))

    assert [row["username"] for row in data["members"]] == ["bobby"]


def test_the_member_list_is_paginated(alice, alice_api, owner, accountant):
    data = success_data(alice_api.get(MEMBERS, {"limit": 1, "page": 2}))

    assert [row["username"] for row in data["members"]] == ["adam"]
    assert data["pagination"]["total_pages"] == 2
    assert "limit" in validation_details(alice_api.get(MEMBERS, {"limit": 0}))


# Changing roles


def test_it_changes_a_members_role(alice_api, owner, accountant):
    data = success_data(alice_api.patch(member_url(accountant), {"role": "viewer"}, format="json"))

    assert data["role"] == "viewer"
    assert role_of(accountant) == Role.VIEWER


def test_the_last_owner_cannot_be_demoted(alice_api, owner, accountant):
    error = error_of(alice_api.patch(member_url(owner), {"role": "admin"}, format="json"), 409, "conflict")

    assert "at least one owner" in error["message"]
    assert role_of(owner) == Role.OWNER


def test_an_owner_can_be_demoted_while_another_owner_remains(alice, alice_api, owner):
    second = MembershipFactory.create(company=alice, role=Role.OWNER)

    success_data(alice_api.patch(member_url(owner), {"role": "admin"}, format="json"))

    assert role_of(owner) == Role.ADMIN
    error_of(alice_api.patch(member_url(second), {"role": "admin"}, format="json"), 409, "conflict")
    assert role_of(second) == Role.OWNER


def test_a_token_made_by_an_admin_cannot_make_or_unmake_owners(alice, make_client, owner, accountant):
    admin = MembershipFactory.create(company=alice, role=Role.ADMIN)
    MembershipFactory.create(company=alice, role=Role.OWNER)
    api = make_client(alice, created_by=admin.user)

    error_of(api.patch(member_url(accountant), {"role": "owner"}, format="json"), 409, "conflict")
    error_of(api.patch(member_url(owner), {"role": "viewer"}, format="json"), 409, "conflict")
    error_of(api.delete(member_url(owner)), 409, "conflict")
    assert role_of(accountant) == Role.ACCOUNTANT
    assert role_of(owner) == Role.OWNER
    success_data(api.patch(member_url(accountant), {"role": "viewer"}, format="json"))


def test_a_token_whose_maker_is_no_longer_a_manager_changes_nothing(alice, make_client, owner, accountant):
    api = make_client(alice, created_by=accountant.user)

    error_of(api.patch(member_url(owner), {"role": "viewer"}, format="json"), 409, "conflict")
    error_of(api.post(INVITATIONS, {"email": "x@alice.example", "role": "viewer"}, format="json"), 409, "conflict")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "role"),
        ({"role": "superuser"}, "role"),
        ({"role": ""}, "role"),
        ({"role": None}, "role"),
        ({"role": ["admin"]}, "role"),
        ({"role": "x" * 10_000}, "role"),
        ({"role": "admin", "company": "cmp_x"}, "company"),
    ],
)
def test_it_rejects_a_bad_role_naming_the_field(alice_api, accountant, body, field):
    assert field in validation_details(alice_api.patch(member_url(accountant), body, format="json"))
    assert role_of(accountant) == Role.ACCOUNTANT


def test_bobs_token_cannot_change_or_remove_alices_members(bob_api, owner, accountant):
    error_of(bob_api.patch(member_url(accountant), {"role": "viewer"}, format="json"), 404, "resource_not_found")
    error_of(bob_api.delete(member_url(accountant)), 404, "resource_not_found")

    assert role_of(accountant) == Role.ACCOUNTANT


@pytest.mark.parametrize("member_id", ["mem_nosuchmember00", "1", "x" * 500])
def test_an_unknown_member_is_a_404(alice_api, member_id):
    error_of(alice_api.patch(member_url(member_id), {"role": "viewer"}, format="json"), 404, "resource_not_found")
    error_of(alice_api.delete(member_url(member_id)), 404, "resource_not_found")


# Removing


def test_it_removes_a_member_and_keeps_the_user(alice_api, owner, accountant):
    data = success_data(alice_api.delete(member_url(accountant)))

    assert data == {"deleted": True, "id": accountant.public_id}
    assert not Membership.objects.filter(pk=accountant.pk).exists()
    assert accountant.user.__class__.objects.filter(pk=accountant.user.pk).exists()


def test_the_last_owner_cannot_be_removed(alice_api, owner):
    error_of(alice_api.delete(member_url(owner)), 409, "conflict")

    assert Membership.objects.filter(pk=owner.pk).exists()


# Invitations


def test_it_invites_by_email_and_sends_the_link(alice, alice_api, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(INVITATIONS, {"email": " New@Example.COM ", "role": "accountant"}, format="json")

    data = success_data(response, 201)
    assert set(data) == INVITATION_FIELDS
    assert data["id"].startswith("ivt_")
    assert (data["email"], data["role"], data["status"]) == ("new@example.com", "accountant", "pending")
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert alice.name in mail.outbox[0].subject
    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    token = found.group(1)
    stored = Invitation.objects.get(public_id=data["id"])
    assert token not in str(Invitation.objects.filter(pk=stored.pk).values().get())  # only its hash is kept
    assert "link" not in response.json()["data"]
    assert token not in response.content.decode()


def test_inviting_the_same_address_again_revokes_the_open_invitation(alice_api, owner):
    first = success_data(
        alice_api.post(INVITATIONS, {"email": "new@example.com", "role": "viewer"}, format="json"), 201
    )
    second = success_data(
        alice_api.post(INVITATIONS, {"email": "new@example.com", "role": "admin"}, format="json"), 201
    )

    statuses = {row["id"]: row["status"] for row in success_data(alice_api.get(INVITATIONS))["invitations"]}
    assert statuses == {first["id"]: "revoked", second["id"]: "pending"}


def test_inviting_a_member_is_a_conflict(alice_api, owner):
    error = error_of(
        alice_api.post(INVITATIONS, {"email": "OLIVIA@alice.example", "role": "viewer"}, format="json"), 409, "conflict"
    )

    assert "already a member" in error["message"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "viewer"}, "email"),
        ({"email": "not-an-email", "role": "viewer"}, "email"),
        ({"email": "", "role": "viewer"}, "email"),
        ({"email": None, "role": "viewer"}, "email"),
        ({"email": "a" * 150 + "@example.com", "role": "viewer"}, "email"),
        ({"email": "x@example.com"}, "role"),
        ({"email": "x@example.com", "role": "king"}, "role"),
        ({"email": "x@example.com", "role": "viewer", "link": "https://evil.example"}, "link"),
    ],
)
def test_it_rejects_a_bad_invitation_naming_the_field(alice_api, owner, body, field):
    assert field in validation_details(alice_api.post(INVITATIONS, body, format="json"))
    assert not Invitation.objects.exists()


def test_bobs_token_never_sees_or_revokes_alices_invitations(alice_api, bob_api, owner):
    data = success_data(alice_api.post(INVITATIONS, {"email": "new@example.com", "role": "viewer"}, format="json"), 201)

    assert success_data(bob_api.get(INVITATIONS))["invitations"] == []
    error_of(bob_api.delete(f"{INVITATIONS}/{data['id']}"), 404, "resource_not_found")
    assert Invitation.objects.get(public_id=data["id"]).status == "pending"


def test_it_revokes_an_invitation(alice_api, owner):
    data = success_data(alice_api.post(INVITATIONS, {"email": "new@example.com", "role": "viewer"}, format="json"), 201)

    revoked = success_data(alice_api.delete(f"{INVITATIONS}/{data['id']}"))

    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"]
    error_of(alice_api.delete(f"{INVITATIONS}/ivt_nosuchinvite00"), 404, "resource_not_found")


def test_only_an_owners_token_invites_an_owner(alice, make_client, owner):
    admin = MembershipFactory.create(company=alice, role=Role.ADMIN)

    error_of(
        make_client(alice, created_by=admin.user).post(
            INVITATIONS, {"email": "o@x.example", "role": "owner"}, format="json"
        ),
        409,
        "conflict",
    )
    success_data(
        make_client(alice, created_by=owner.user).post(
            INVITATIONS, {"email": "o@x.example", "role": "owner"}, format="json"
        ),
        201,
    )


# Scopes


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("get", MEMBERS, "team:read"),
        ("patch", f"{MEMBERS}/mem_x", "team:write"),
        ("delete", f"{MEMBERS}/mem_x", "team:write"),
        ("get", INVITATIONS, "team:read"),
        ("post", INVITATIONS, "team:write"),
        ("delete", f"{INVITATIONS}/ivt_x", "team:write"),
    ],
)
def test_each_operation_needs_its_scope(alice, make_client, owner, method, path, scope):
    without = make_client(alice, scopes=[s for s in ALL_SCOPES if s != scope])

    error = error_of(
        getattr(without, method)(path, {"role": "viewer"}, format="json"), 403, "insufficient_scope", "FORBIDDEN"
    )

    assert error["details"]["required_scope"] == scope


def test_team_read_does_not_allow_changes(alice, make_client, owner, accountant):
    reader = make_client(alice, scopes=["team:read"])

    error_of(
        reader.patch(member_url(accountant), {"role": "viewer"}, format="json"), 403, "insufficient_scope", "FORBIDDEN"
    )
    success_data(reader.get(MEMBERS))


def test_the_team_api_needs_a_token(client, owner):
    error_of(client.get(MEMBERS), 401, "authentication_required", "UNAUTHORIZED")
