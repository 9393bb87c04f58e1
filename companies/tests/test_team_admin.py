"""The Django admin keeps the team's last-owner rule: a company's last owner is neither demoted nor deleted there."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from companies.models import Membership, Role
from companies.tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", "op@example.com", "x" * 20))
    return client


def _change(client: Client, membership: Membership, role: str) -> int:
    return client.post(
        f"/admin/companies/membership/{membership.pk}/change/",
        {"user": membership.user_id, "company": membership.company_id, "role": role},
    ).status_code


def test_the_last_owner_is_not_demoted_in_the_admin(operator):
    owner = MembershipFactory.create(company=CompanyFactory.create(), role=Role.OWNER)

    status = _change(operator, owner, Role.VIEWER)

    assert status == 200  # the form again, with the error
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_an_owner_with_another_owner_beside_them_is_demoted_in_the_admin(operator):
    company = CompanyFactory.create()
    owner = MembershipFactory.create(company=company, role=Role.OWNER)
    MembershipFactory.create(company=company, role=Role.OWNER)

    assert _change(operator, owner, Role.VIEWER) == 302
    owner.refresh_from_db()
    assert owner.role == Role.VIEWER


def test_the_last_owner_is_not_deleted_in_the_admin(operator):
    owner = MembershipFactory.create(company=CompanyFactory.create(), role=Role.OWNER)

    response = operator.post(f"/admin/companies/membership/{owner.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_the_bulk_delete_keeps_each_company_an_owner(operator):
    company = CompanyFactory.create()
    owners = [MembershipFactory.create(company=company, role=Role.OWNER) for _ in range(2)]
    viewer = MembershipFactory.create(company=company, role=Role.VIEWER)

    operator.post(
        "/admin/companies/membership/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [m.pk for m in [*owners, viewer]]},
    )

    assert Membership.objects.filter(company=company, role=Role.OWNER).count() == 1
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_the_user_who_is_a_companys_last_owner_is_not_deleted_in_the_admin(operator):
    owner = MembershipFactory.create(company=CompanyFactory.create(), role=Role.OWNER)

    response = operator.post(f"/admin/auth/user/{owner.user_id}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()
