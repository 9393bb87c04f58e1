"""The team services on their own: invitation links (hashed, once, expiring, revocable), accepting as a
new or an existing user, and the owner rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from companies.models import Invitation, Membership, Role
from companies.team import (
    hash_invitation_token,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from companies.tests.factories import MembershipFactory, UserFactory
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple elephant rides bicycles"


@pytest.fixture(autouse=True)
def _invitations_last_three_days(settings):
    settings.TEAM_INVITATION_TTL_HOURS = 72


@pytest.fixture
def owner(alice) -> Membership:
    return MembershipFactory.create(company=alice, role=Role.OWNER)


def invited(owner: Membership, email: str = "new@example.com", role: str = Role.VIEWER) -> str:
    sent = invitation_create(
        company=owner.company, email=email, role=role, invited_by=owner.user, base_url="https://app.example/"
    )
    return sent.link.rstrip("/").rsplit("/", 1)[-1]


def test_the_link_is_built_from_the_base_url_and_only_its_hash_is_stored(owner, settings):
    token = invited(owner)

    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_invitation_token(token)
    assert token not in str(Invitation.objects.values().get())
    assert abs(invitation.expires_at - invitation.created_at - timedelta(hours=72)) < timedelta(seconds=5)
    settings.TEAM_INVITATION_BASE_URL = "https://invoices.example.com"
    sent = invitation_create(
        company=owner.company,
        email="b@example.com",
        role=Role.VIEWER,
        invited_by=owner.user,
        base_url="http://ignored/",
    )
    assert sent.link.startswith("https://invoices.example.com/invitations/")


def test_a_link_works_once(owner):
    token = invited(owner)

    membership = invitation_accept(token=token, password=NEW_PASSWORD)

    assert (membership.user.username, membership.user.email, membership.role) == (
        "new@example.com",
        "new@example.com",
        Role.VIEWER,
    )
    with pytest.raises(DomainError) as error:
        invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == CONFLICT


@pytest.mark.parametrize("spoil", ["expire", "revoke"])
def test_an_expired_or_revoked_link_makes_nobody(owner, spoil):
    token = invited(owner)
    if spoil == "expire":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        invitation_revoke(invitation=Invitation.objects.get(), revoked_by=owner.user)

    with pytest.raises(DomainError) as error:
        invitation_accept(token=token, password=NEW_PASSWORD)

    assert error.value.code == CONFLICT
    assert not User.objects.filter(username="new@example.com").exists()


def test_an_unknown_token_is_not_found():
    with pytest.raises(DomainError) as error:
        invitation_accept(token="nope", password=NEW_PASSWORD)

    assert error.value.code == RESOURCE_NOT_FOUND


def test_a_weak_password_is_refused_by_djangos_validators(owner):
    token = invited(owner)

    with pytest.raises(ValidationError) as error:
        invitation_accept(token=token, password="new@example.com")

    assert "password" in error.value.message_dict
    assert Invitation.objects.get().status == "pending"


def test_an_address_with_an_account_must_log_in_to_accept(owner, bob):
    existing = MembershipFactory.create(company=bob, user=UserFactory.create(username="nina", email="New@Example.com"))
    token = invited(owner)

    with pytest.raises(DomainError):
        invitation_accept(token=token, password=NEW_PASSWORD)
    membership = invitation_accept(token=token, user=existing.user)

    assert (membership.company, membership.role) == (owner.company, Role.VIEWER)


def test_an_accepted_invitation_cannot_be_revoked(owner):
    token = invited(owner)
    invitation_accept(token=token, password=NEW_PASSWORD)

    with pytest.raises(DomainError) as error:
        invitation_revoke(invitation=Invitation.objects.get())

    assert error.value.code == CONFLICT


def test_only_an_owner_makes_an_owner_and_the_last_one_stays(owner, alice):
    admin = MembershipFactory.create(company=alice, role=Role.ADMIN)
    viewer = MembershipFactory.create(company=alice, role=Role.VIEWER)

    with pytest.raises(DomainError):
        membership_role_change(membership=viewer, role=Role.OWNER, changed_by=admin.user)
    with pytest.raises(DomainError):
        membership_remove(membership=owner, removed_by=owner.user)
    with pytest.raises(DomainError):
        membership_role_change(membership=owner, role=Role.ADMIN, changed_by=owner.user)
    membership_role_change(membership=viewer, role=Role.OWNER, changed_by=owner.user)
    membership_remove(membership=owner, removed_by=viewer.user)

    assert list(Membership.objects.filter(company=alice, role=Role.OWNER)) == [viewer]
