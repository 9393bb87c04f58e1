"""Publishing selected invoices from the list to a connected QuickBooks, against the fake QuickBooks server."""

import pytest
from django.test import Client

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from integrations import transport
from integrations.models import Provider, Publication, PublicationStatus
from integrations.tests.conftest import connect
from integrations.tests.fakes import FakeQuickBooks
from invoices.tests.factories import purchase_invoice, sales_invoice

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


def test_selected_invoices_are_published_and_the_ones_that_cannot_be_are_counted_with_why(qb):
    company = CompanyFactory.create(name="Alice Trading")
    connect(company, qb, Provider.QUICKBOOKS)
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=Role.ACCOUNTANT).user)
    bills = [purchase_invoice(company, number=f"P-{n}") for n in range(2)]
    sale = sales_invoice(company)

    assert "Publish to QuickBooks Online" in client.get("/invoices/").content.decode()
    response = client.post(
        "/invoices/bulk",
        {"action": "publish:quickbooks", "ids": [bills[0].public_id, bills[1].public_id, sale.public_id]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == [
        "2 invoices published to QuickBooks Online.",
        "1 refused: Only purchase invoices (from suppliers) can be published; this is a sales invoice.",
    ]
    assert Publication.objects.filter(status=PublicationStatus.PUBLISHED).count() == 2
    assert len(qb.bills) == 2


def test_a_batch_past_its_time_starts_no_more_publishes_and_says_to_publish_the_rest_again(qb, settings):
    settings.INTEGRATIONS_PUBLISH_DEADLINE_SECONDS = 0
    company = CompanyFactory.create(name="Alice Trading")
    connect(company, qb, Provider.QUICKBOOKS)
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=Role.OWNER).user)
    invoice = purchase_invoice(company, number="P-1")

    response = client.post("/invoices/bulk", {"action": "publish:quickbooks", "ids": [invoice.public_id]}, follow=True)

    assert [str(message) for message in response.context["messages"]][1] == (
        "1 refused: Not started: the batch took too long. Select the rest and publish again."
    )
    assert not Publication.objects.exists()
