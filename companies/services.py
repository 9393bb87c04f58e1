"""Writes for tenancy: creating companies and adding staff to them."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from companies.models import Company, Membership, Role
from companies.plans import PlanName


@transaction.atomic
def company_create(*, name: str, plan: str = PlanName.STARTER) -> Company:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A company needs a name."]})
    if plan not in PlanName.values:
        raise ValidationError({"plan": [f"Unknown plan '{plan}'. Choose one of: {', '.join(PlanName.values)}."]})
    if Company.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [f"A company named '{name}' already exists."]})
    return Company.objects.create(name=name, plan=plan)


@transaction.atomic
def membership_grant(*, user: AbstractBaseUser, company: Company, role: str = Role.VIEWER) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, company=company, defaults={"role": role})
    return membership
