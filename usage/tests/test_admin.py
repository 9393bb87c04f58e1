"""The admin shows staff only their own companies' usage, and nobody may write it by hand."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory, UserFactory
from usage.models import UsageDay

CHANGELIST = "/admin/usage/usageday/"


@pytest.fixture
def alice_staff(alice) -> Client:
    user = MembershipFactory.create(
        company=alice, role=Role.ADMIN, user=UserFactory.create(username="alice-staff")
    ).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_usageday", "change_usageday"]))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def both_companies_usage(alice, bob):
    UsageDay.objects.create(company=alice, date=date(2026, 4, 1), api_calls=11)
    UsageDay.objects.create(company=bob, date=date(2026, 4, 1), api_calls=22)


def test_staff_see_only_their_companys_rows(alice, alice_staff, both_companies_usage):
    response = alice_staff.get(CHANGELIST)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [(row.company_id, row.api_calls) for row in rows] == [(alice.pk, 11)]
    assert "Bob Imports Ltd" not in response.content.decode()


def test_another_companys_row_is_not_found(bob, alice_staff, both_companies_usage):
    row = UsageDay.objects.get(company=bob)

    response = alice_staff.get(f"{CHANGELIST}{row.pk}/change/")

    # The admin answers an id outside its queryset as it answers an unknown one: back to the index.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "doesn’t exist" in alice_staff.get(response["Location"]).content.decode()


def test_counters_cannot_be_written_by_hand(alice, alice_staff, both_companies_usage):
    row = UsageDay.objects.get(company=alice)

    alice_staff.post(f"{CHANGELIST}{row.pk}/change/", {"company": alice.pk, "date": "2026-04-01", "api_calls": 0})

    row.refresh_from_db()
    assert row.api_calls == 11
    assert alice_staff.get(f"{CHANGELIST}add/").status_code == 403
