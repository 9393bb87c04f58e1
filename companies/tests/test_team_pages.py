"""Settings › Team and the invitation link's page: managers change the team, others read it; a link
works once, expires, and logs the invitee in with the role they were given."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from companies.models import Invitation, Membership, Role
from companies.team import invitation_create
from companies.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "purple elephant rides bicycles"
TEAM = "/settings/team/"
LINK = re.compile(r"http://testserver(/invitations/[A-Za-z0-9_-]+/)")


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


def member(company, role: str, username: str) -> Membership:
    return MembershipFactory.create(
        company=company, role=role, user=UserFactory.create(username=username, email=f"{username}@example.com")
    )


def client_of(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def owner(alice) -> Membership:
    return member(alice, Role.OWNER, "olivia")


def invite(owner: Membership, email: str = "new@example.com", role: str = Role.ACCOUNTANT) -> str:
    sent = invitation_create(
        company=owner.company, email=email, role=role, invited_by=owner.user, base_url="http://testserver/"
    )
    found = LINK.search(sent.link)
    assert found is not None
    return found.group(1)


def test_the_team_page_lists_members_and_describes_the_roles(owner, alice, bob):
    member(alice, Role.VIEWER, "vera")
    member(bob, Role.OWNER, "bobby")

    page = client_of(owner).get(TEAM).content.decode()

    assert "olivia" in page
    assert "vera" in page
    assert "bobby" not in page
    assert "Reads everything in the company; changes nothing." in page
    assert 'id="invite-form"' in page


def test_a_viewer_reads_the_team_but_gets_no_controls(owner, alice):
    viewer = member(alice, Role.VIEWER, "vera")
    client = client_of(viewer)

    page = client.get(TEAM).content.decode()

    assert "olivia" in page
    assert 'id="invite-form"' not in page
    assert "Save role" not in page
    assert client.post(TEAM, {"email": "x@example.com", "role": "viewer"}).status_code == 403
    assert (
        client.post(f"/settings/team/members/{owner.public_id}/role", {f"{owner.public_id}-role": "viewer"}).status_code
        == 403
    )
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER


def test_an_owner_invites_by_email_from_the_team_page(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(owner).post(TEAM, {"email": "New@Example.com", "role": "accountant"})

    assert response.status_code == 302
    assert Invitation.objects.get().email == "new@example.com"
    assert mail.outbox[0].to == ["new@example.com"]
    assert LINK.search(str(mail.outbox[0].body))


def test_an_admin_is_not_offered_the_owner_role_and_cannot_post_it(owner, alice):
    admin = member(alice, Role.ADMIN, "adele")
    client = client_of(admin)

    assert 'value="owner"' not in client.get(TEAM).content.decode().split('id="invite-form"')[1].split("</form>")[0]
    assert client.post(TEAM, {"email": "x@example.com", "role": "owner"}).status_code == 400
    assert not Invitation.objects.exists()


def test_the_role_is_changed_per_row(owner, alice):
    accountant = member(alice, Role.ACCOUNTANT, "adam")

    response = client_of(owner).post(
        f"/settings/team/members/{accountant.public_id}/role", {f"{accountant.public_id}-role": "viewer"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(pk=accountant.pk).role == Role.VIEWER


def test_the_last_owner_keeps_the_role_and_is_told_why(owner):
    client = client_of(owner)

    response = client.post(
        f"/settings/team/members/{owner.public_id}/role", {f"{owner.public_id}-role": "viewer"}, follow=True
    )

    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER


def test_removing_asks_for_confirmation_first(owner, alice):
    accountant = member(alice, Role.ACCOUNTANT, "adam")
    client = client_of(owner)
    url = f"/settings/team/members/{accountant.public_id}/remove"

    assert "Remove adam?" in client.get(url).content.decode()
    assert Membership.objects.filter(pk=accountant.pk).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=accountant.pk).exists()


def test_another_companys_member_is_a_404(owner, bob):
    bobs = member(bob, Role.VIEWER, "bobby")
    client = client_of(owner)

    assert client.get(f"/settings/team/members/{bobs.public_id}/remove").status_code == 404
    assert (
        client.post(f"/settings/team/members/{bobs.public_id}/role", {f"{bobs.public_id}-role": "owner"}).status_code
        == 404
    )
    assert Membership.objects.get(pk=bobs.pk).role == Role.VIEWER


def test_an_invitation_is_revoked_from_the_team_page(owner):
    path = invite(owner)
    invitation = Invitation.objects.get()

    client_of(owner).post(f"/settings/team/invitations/{invitation.public_id}/revoke")

    assert Invitation.objects.get().status == "revoked"
    assert Client().get(path).status_code == 410


def test_the_invitee_sets_a_password_and_is_logged_in_with_the_role(owner, alice):
    path = invite(owner)
    client = Client()

    page = client.get(path)
    assert page.status_code == 200
    assert alice.name in page.content.decode()
    assert "Accountant" in page.content.decode()
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = Membership.objects.get(user__username="new@example.com")
    assert (membership.company, membership.role) == (alice, Role.ACCOUNTANT)
    assert client.get("/").status_code == 200  # logged in
    assert Client().login(username="new@example.com", password=NEW_PASSWORD)
    assert client.get(path).status_code == 410  # once


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(owner):
    path = invite(owner)
    client = Client()

    assert client.post(path, {"password1": "12345678", "password2": "12345678"}).status_code == 400
    assert client.post(path, {"password1": NEW_PASSWORD, "password2": "something else"}).status_code == 400
    assert not Membership.objects.filter(user__username="new@example.com").exists()
    assert Invitation.objects.get().status == "pending"


def test_an_expired_link_answers_410(owner):
    path = invite(owner)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user__username="new@example.com").exists()


def test_an_unknown_link_answers_404():
    assert Client().get("/invitations/not-a-real-token/").status_code == 404


def test_an_existing_user_with_the_address_joins_with_a_button(owner, bob):
    existing = member(bob, Role.OWNER, "newcomer")
    path = invite(owner, email="newcomer@example.com", role=Role.VIEWER)
    client = client_of(existing)

    assert client.post(path).status_code == 302

    assert Membership.objects.get(user=existing.user, company=owner.company).role == Role.VIEWER


def test_a_logged_in_user_with_another_address_cannot_take_the_invitation(owner, bob):
    other = member(bob, Role.OWNER, "someone")
    path = invite(owner)

    response = client_of(other).post(path)

    assert response.status_code == 400
    assert not Membership.objects.filter(user=other.user, company=owner.company).exists()
    assert Invitation.objects.get().status == "pending"
