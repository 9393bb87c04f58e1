"""Reads for tenancy: which companies a staff user may see, and with which role."""

from typing import Any

from django.db.models import QuerySet

from companies.models import Company, Membership


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("company")


def company_ids_for_user(*, user: Any) -> QuerySet[Company, int]:
    return Company.objects.filter(memberships__user=user).values_list("pk", flat=True)
