"""Writes for the team: invitations (sent by email as one-time links), role changes and removals.

Rules, enforced here for the API and the pages alike:
- A company always keeps at least one owner. The company's owner memberships are locked (SELECT … FOR
  UPDATE) before an owner is demoted or removed, so two concurrent demotions of its last two owners
  cannot both see "one other owner left": the second waits for the first and then sees none.
- Only an owner makes, unmakes, removes or invites an owner. The actor is the user who asks (in the
  dashboard) or the user who created the API token; a token with no creator (made by an operator with
  `manage.py bootstrap` or `createtoken`) acts for the company as an owner would.
- Inviting an address that is already a member is refused (409 conflict). Inviting an address that has
  an open invitation revokes that one and sends a new link (the last email is the one that works).
- An invitation link works once, until TEAM_INVITATION_TTL_HOURS after it was sent, unless revoked.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, Invitation, Membership
from companies.roles import OWNER_ROLES, ROLE_INFO, Role
from companies.tasks import send_user_email
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError

MAX_EMAIL_LENGTH = 254
# The invitee's username is their address: Django's usernames are at most 150 characters.
MAX_INVITED_EMAIL_LENGTH = 150


def hash_invitation_token(raw: str) -> str:
    # ~256 bits of randomness: a fast unsalted hash is enough, there is nothing to brute force.
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_role(role: str) -> None:
    if role not in ROLE_INFO:
        raise ValidationError({"role": [f"Unknown role '{role}'. Choose one of: {', '.join(ROLE_INFO)}."]})


def _check_email(email: str) -> None:
    if not email:
        raise ValidationError({"email": ["Give the address to send the invitation to."]})
    if len(email) > MAX_INVITED_EMAIL_LENGTH:
        raise ValidationError({"email": [f"The address is longer than {MAX_INVITED_EMAIL_LENGTH} characters."]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": ["Enter a valid email address."]}) from None


def _actor_manages_owners(*, company: Company, actor: Any) -> bool:
    if actor is None:
        return True  # an operator's token, or the system
    return Membership.objects.filter(company=company, user=actor, role__in=OWNER_ROLES).exists()


def _refuse_unless_owner(*, company: Company, actor: Any, what: str) -> None:
    if not _actor_manages_owners(company=company, actor=actor):
        raise DomainError(
            code=CONFLICT, message=f"Only an owner can {what}.", details={"role": [f"Only an owner can {what}."]}
        )


def _refuse_unless_manager(*, company: Company, actor: Any) -> None:
    if actor is None:
        return
    membership = Membership.objects.filter(company=company, user=actor).first()
    if membership is None or not membership.can_manage:
        raise DomainError(code=CONFLICT, message="Only an owner or admin manages the team.")


def _lock_owners(company: Company) -> list[Membership]:
    """The company's owner memberships, locked in a fixed order (no deadlock between two callers)."""
    return list(Membership.objects.select_for_update().filter(company=company, role=Role.OWNER).order_by("pk"))


def invitation_link(*, raw_token: str, base_url: str) -> str:
    """The address of the invitation page; `base_url` is TEAM_INVITATION_BASE_URL or the request's own."""
    base = (settings.TEAM_INVITATION_BASE_URL or base_url).rstrip("/")
    return f"{base}{reverse('dashboard:invitation', args=[raw_token])}"


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    link: str  # in the email only; never stored, never answered by the API


@transaction.atomic
def invitation_create(
    *, company: Company, email: str, role: str, invited_by: User | None, base_url: str
) -> SentInvitation:
    """Invite `email` to the company with `role` and queue the email with the link (sent on commit).

    Raises ValidationError (bad address or role) or DomainError CONFLICT (already a member; only an
    owner invites an owner). An open invitation to the same address is revoked and replaced.
    """
    email = normalise_email(email)
    _check_email(email)
    _check_role(role)
    # Invitations of one company are made one at a time: the open-invitation check below holds.
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    _refuse_unless_manager(company=company, actor=invited_by)
    if role in OWNER_ROLES:
        _refuse_unless_owner(company=company, actor=invited_by, what="invite an owner")
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise DomainError(
            code=CONFLICT,
            message=f"{email} is already a member of {company.name}.",
            details={"email": ["Already a member of the company."]},
        )
    now = timezone.now()
    Invitation.objects.filter(company=company, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        role=role,
        token_hash=hash_invitation_token(raw),
        invited_by=invited_by,
        expires_at=now + timedelta(hours=settings.TEAM_INVITATION_TTL_HOURS),
    )
    link = invitation_link(raw_token=raw, base_url=base_url)
    context = {
        "invitation": invitation,
        "company": company,
        "role": ROLE_INFO[role],
        "inviter": invited_by.get_username() if invited_by is not None else "",
        "link": link,
        "hours": settings.TEAM_INVITATION_TTL_HOURS,
    }
    subject = "".join(render_to_string("companies/team_invitation_subject.txt", context).splitlines())
    body = render_to_string("companies/team_invitation_email.txt", context)
    # robust: a broker that is down must not undo the invitation; it can be sent again.
    transaction.on_commit(partial(send_user_email.delay, subject=subject, body=body, to=email), robust=True)
    return SentInvitation(invitation=invitation, link=link)


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link's token names (whatever its status), or None."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("company").filter(token_hash=hash_invitation_token(token)).first()


def _unusable(invitation: Invitation) -> DomainError:
    messages = {
        "accepted": "This invitation has already been used.",
        "revoked": "This invitation was withdrawn.",
        "expired": "This invitation has expired. Ask for a new one.",
    }
    return DomainError(code=CONFLICT, message=messages[invitation.status])


@transaction.atomic
def invitation_accept(*, token: str, password: str | None = None, user: User | None = None) -> Membership:
    """Use an invitation link: once, before it expires.

    With `password`: a new user is made whose username and email are the invited address (Django's
    password validators apply). With `user`: an existing user whose email is the invited address
    joins. Raises DomainError RESOURCE_NOT_FOUND (no such link), CONFLICT (used, revoked, expired,
    another user's invitation, the address already has an account) or ValidationError (password).
    """
    found = invitation_for_token(token=token)
    if found is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="This invitation link is not valid.")
    invitation = Invitation.objects.select_for_update().select_related("company").get(pk=found.pk)
    if not invitation.is_pending:
        raise _unusable(invitation)
    if user is not None:
        if normalise_email(getattr(user, "email", "") or "") != invitation.email:
            raise DomainError(
                code=CONFLICT,
                message=f"This invitation is for {invitation.email}; you are logged in as someone else.",
            )
        member = user
    else:
        if password is None:
            raise ValidationError({"password": ["Choose a password."]})
        if (
            User.objects.filter(email__iexact=invitation.email).exists()
            or User.objects.filter(username__iexact=invitation.email).exists()
        ):
            raise DomainError(
                code=CONFLICT,
                message=f"An account for {invitation.email} exists already: log in, then open the link again.",
            )
        candidate = User(username=invitation.email, email=invitation.email)
        try:
            password_validation.validate_password(password, user=candidate)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        candidate.set_password(password)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:
            raise DomainError(code=CONFLICT, message=f"An account for {invitation.email} exists already.") from None
        member = candidate
    membership, _ = Membership.objects.get_or_create(
        user=member, company=invitation.company, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = member
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User | None = None) -> Invitation:
    """Withdraw an invitation: its link stops working. Used ones cannot be withdrawn (CONFLICT)."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _refuse_unless_manager(company=locked.company, actor=revoked_by)
    if locked.accepted_at is not None:
        raise DomainError(code=CONFLICT, message="This invitation has been accepted: remove the member instead.")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def _last_owner_refusal(what: str) -> DomainError:
    message = f"A company needs at least one owner: make another member an owner before you {what}."
    return DomainError(code=CONFLICT, message=message, details={"role": [message]})


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, changed_by: User | None = None) -> Membership:
    """Give a member another role. The last owner cannot be demoted; only an owner makes or unmakes an owner."""
    _check_role(role)
    company = membership.company
    owners = _lock_owners(company)
    locked = Membership.objects.select_for_update().select_related("user", "company").filter(pk=membership.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No such member.")
    _refuse_unless_manager(company=company, actor=changed_by)
    if locked.role == role:
        return locked
    if role in OWNER_ROLES or locked.role in OWNER_ROLES:
        _refuse_unless_owner(company=company, actor=changed_by, what="make or unmake an owner")
    if locked.role in OWNER_ROLES and not any(owner.pk != locked.pk for owner in owners):
        raise _last_owner_refusal("demote this one")
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User | None = None) -> None:
    """Take a member out of the company (the user account stays). The last owner cannot be removed."""
    company = membership.company
    owners = _lock_owners(company)
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No such member.")
    _refuse_unless_manager(company=company, actor=removed_by)
    if locked.role in OWNER_ROLES:
        _refuse_unless_owner(company=company, actor=removed_by, what="remove an owner")
        if not any(owner.pk != locked.pk for owner in owners):
            raise _last_owner_refusal("remove this one")
    locked.delete()
