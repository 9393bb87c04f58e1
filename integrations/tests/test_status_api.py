"""`GET /api/v1/integrations/status`, the token encryption, and the admin pages of connections."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from integrations.models import Connection, Provider
from integrations.tests.conftest import connect
from invoisx.tests.envelope import error_of, success_data

STATUS = "/api/v1/integrations/status"


def test_the_status_of_a_company_with_nothing_connected(alice_api):
    assert success_data(alice_api.get(STATUS)) == {
        "quickbooks": {"connected": False, "company_name": None, "last_sync": None},
        "xero": {"connected": False, "company_name": None, "last_sync": None},
    }


def test_the_status_shows_the_connected_company_and_last_sync_as_in_the_seed(alice_api, alice, qb):
    connection = connect(alice, qb, Provider.QUICKBOOKS)
    Connection.objects.filter(pk=connection.pk).update(last_sync_at=datetime(2026, 4, 14, 10, 0, tzinfo=UTC))

    assert success_data(alice_api.get(STATUS)) == {
        "quickbooks": {
            "connected": True,
            "company_name": "Alice Trading (QuickBooks)",
            "last_sync": "2026-04-14T10:00:00Z",
        },
        "xero": {"connected": False, "company_name": None, "last_sync": None},
    }


def test_bob_does_not_see_alices_connections(bob_api, alice, qb):
    connect(alice, qb, Provider.QUICKBOOKS)
    assert success_data(bob_api.get(STATUS))["quickbooks"]["connected"] is False


def test_the_status_needs_settings_read(alice, make_client):
    client = make_client(alice, scopes=["invoices:read", "publish:qb"])
    error_of(client.get(STATUS), 403, "insufficient_scope", "FORBIDDEN")


def test_the_status_needs_a_token(db):
    error_of(Client().get(STATUS), 401, "authentication_required", "UNAUTHORIZED")


# Admin


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.com", "x-operator-password-1")


def test_the_admin_shows_connections_without_their_tokens(operator, alice, qb):
    connection = connect(alice, qb, Provider.QUICKBOOKS)
    client = Client()
    client.force_login(operator)

    listing = client.get("/admin/integrations/connection/").content.decode()
    detail = client.get(f"/admin/integrations/connection/{connection.pk}/change/").content.decode()

    assert "Alice Trading (QuickBooks)" in listing
    for page in (listing, detail):
        assert connection.access_token not in page
        assert connection.refresh_token not in page
        assert connection.access_token_encrypted not in page
        assert connection.refresh_token_encrypted not in page


def test_staff_see_only_their_companies_connections_in_the_admin(alice, bob, qb, django_user_model):
    from django.contrib.auth.models import Permission

    from companies.tests.factories import MembershipFactory

    connect(bob, qb, Provider.QUICKBOOKS)
    staff = MembershipFactory.create(company=alice).user
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_connection"))
    client = Client()
    client.force_login(staff)

    listing = client.get("/admin/integrations/connection/")
    assert listing.status_code == 200
    assert "Bob Imports" not in listing.content.decode()
