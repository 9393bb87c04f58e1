"""Reads of collecting, always within one company (or one user)."""

from django.db.models import Count, QuerySet

from collecting.models import CollectorUser, Credential
from companies.models import Company
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError


def collector_user_get(*, company: Company, public_id: str) -> CollectorUser:
    user = CollectorUser.objects.filter(company=company, public_id=public_id).first()
    if user is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No user with this id.")
    return user


def collector_users(*, company: Company) -> QuerySet[CollectorUser]:
    return CollectorUser.objects.filter(company=company).annotate(credential_count=Count("credentials"))


def credentials_of(*, user: CollectorUser) -> QuerySet[Credential]:
    return Credential.objects.filter(user=user).annotate(invoice_count=Count("documents"))


def credential_get(*, user: CollectorUser, public_id: str) -> Credential:
    credential = credentials_of(user=user).filter(public_id=public_id).first()
    if credential is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No credential with this id.")
    return credential
