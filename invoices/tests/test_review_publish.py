"""Publishing a purchase invoice from its page to a connected accounting system (the fake QuickBooks)."""

import pytest
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory
from integrations import transport
from integrations.models import Provider, Publication, PublicationStatus
from integrations.tests.conftest import bill, connect
from integrations.tests.fakes import FakeQuickBooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def qb(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    settings.INTEGRATIONS_CONNECT_SANDBOX = False
    monkeypatch.setattr(transport, "sleep", lambda seconds: None)
    fake = FakeQuickBooks().start()
    fake.configure(settings)
    yield fake
    fake.stop()


@pytest.fixture
def owner():
    membership = MembershipFactory.create(role=Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    client.company = membership.company  # type: ignore[attr-defined]
    return client


def test_a_purchase_invoice_page_offers_no_publishing_without_a_connection(owner):
    invoice = bill(owner.company, document=False)

    page = owner.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert 'id="publishing"' not in page


def test_publishing_from_the_page_creates_the_bill_and_shows_it_published(owner, qb):
    connect(owner.company, qb, Provider.QUICKBOOKS)
    invoice = bill(owner.company)
    page = owner.get(f"/invoices/{invoice.public_id}/").content.decode()
    assert "Publish to QuickBooks" in page

    response = owner.post(f"/invoices/{invoice.public_id}/publish/quickbooks", follow=True)

    publication = Publication.objects.get(invoice=invoice)
    assert publication.status == PublicationStatus.PUBLISHED
    assert "Published to QuickBooks Online." in response.content.decode()
    assert f"/invoices/{invoice.public_id}/publish/quickbooks" not in response.content.decode()


def test_a_viewer_cannot_publish(owner, qb):
    connect(owner.company, qb, Provider.QUICKBOOKS)
    invoice = bill(owner.company)
    viewer = Client()
    viewer.force_login(MembershipFactory.create(company=owner.company, role=Role.VIEWER).user)

    assert viewer.post(f"/invoices/{invoice.public_id}/publish/quickbooks").status_code == 403
    assert not Publication.objects.exists()


def test_publishing_another_companys_invoice_is_not_found(owner, qb):
    invoice = bill(MembershipFactory.create().company)

    assert owner.post(f"/invoices/{invoice.public_id}/publish/quickbooks").status_code == 404


def test_publishing_to_an_unconnected_provider_says_so(owner):
    invoice = bill(owner.company)

    response = owner.post(f"/invoices/{invoice.public_id}/publish/xero", follow=True)

    assert "Not published to Xero: Xero is not connected." in response.content.decode()
