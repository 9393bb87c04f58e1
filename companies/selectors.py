"""Reads for tenancy: which companies a staff user may see, and with which role."""

from typing import Any

from django.db.models import QuerySet

from companies.models import Company, Invitation, Membership


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("company")


def company_ids_for_user(*, user: Any) -> QuerySet[Company, int]:
    return Company.objects.filter(memberships__user=user).values_list("pk", flat=True)


def team_members(*, company: Company) -> QuerySet[Membership]:
    """The company's members, oldest first, with their users (one query)."""
    return Membership.objects.filter(company=company).select_related("user").order_by("created_at", "pk")


def team_member_get(*, company: Company, public_id: str) -> Membership | None:
    return Membership.objects.filter(company=company, public_id=public_id).select_related("user", "company").first()


def team_invitations(*, company: Company, open_only: bool = False) -> QuerySet[Invitation]:
    """The company's invitations, newest first; `open_only`: neither accepted nor revoked (maybe expired)."""
    invitations = Invitation.objects.filter(company=company).select_related("invited_by").order_by("-created_at", "-pk")
    if open_only:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return invitations


def team_invitation_get(*, company: Company, public_id: str) -> Invitation | None:
    return Invitation.objects.filter(company=company, public_id=public_id).select_related("company").first()
