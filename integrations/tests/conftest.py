"""Fixtures for the integrations tests: the fake providers, connections made with their tokens,
publishable invoices, and control of the time retries would wait."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from integrations import transport
from integrations.models import Connection, Provider
from integrations.tests.fakes import FakeQuickBooks, FakeXero
from invoices.models import Invoice
from invoices.tests.factories import purchase_invoice

PDF = b"%PDF-1.4\n% a supplier's invoice\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INTEGRATIONS_BACKOFF_SECONDS = 0.5
    settings.INTEGRATIONS_MAX_ATTEMPTS = 3
    settings.INTEGRATIONS_MAX_RETRY_AFTER_SECONDS = 5.0
    settings.INTEGRATIONS_HTTP_TIMEOUT = 5.0
    settings.INTEGRATIONS_CONNECT_SANDBOX = False


@pytest.fixture(autouse=True)
def waits(monkeypatch) -> list[float]:
    """The seconds retries asked to wait, recorded instead of slept through."""
    waited: list[float] = []
    monkeypatch.setattr(transport, "sleep", waited.append)
    return waited


@pytest.fixture
def qb(settings):
    fake = FakeQuickBooks().start()
    fake.configure(settings)
    yield fake
    fake.stop()


@pytest.fixture
def xero(settings):
    fake = FakeXero().start()
    fake.configure(settings)
    yield fake
    fake.stop()


def connect(company, fake, provider: str, *, expires_in: int = 3600) -> Connection:
    """A connection holding tokens the fake knows, as the dashboard flow would have stored them."""
    tokens = fake.issue_tokens()
    external_id = fake.realm_id if provider == Provider.QUICKBOOKS else fake.tenant_id
    name = fake.company_name if provider == Provider.QUICKBOOKS else fake.tenant_name
    connection = Connection(
        company=company, provider=provider, external_company_id=external_id, external_company_name=name
    )
    connection.set_tokens(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=expires_in,
        refresh_expires_in=None,
    )
    connection.save()
    return connection


def expire(connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(access_token_expires_at=timezone.now() - timedelta(minutes=1))


@pytest.fixture
def qb_connection(alice, qb) -> Connection:
    return connect(alice, qb, Provider.QUICKBOOKS)


@pytest.fixture
def xero_connection(alice, xero) -> Connection:
    return connect(alice, xero, Provider.XERO)


def bill(
    company, *, supplier: str = "Acme Supplies Ltd", number: str = "INV-2026-0042", document: bool = True, **kwargs: Any
) -> Invoice:
    """A processed purchase invoice like seed 001's example, with its original PDF."""
    fields: dict[str, Any] = {
        "currency": "GBP",
        "line_items": [
            {"description": "Widget A", "quantity": Decimal(50), "unit_price": Decimal("12.00")},
            {"description": "Widget B", "quantity": Decimal(20), "unit_price": Decimal("25.50")},
        ],
        "totals": {"tax_rate": Decimal(20)},
    } | kwargs
    from datetime import date

    fields.setdefault("due_date", date(2026, 5, 1))
    invoice = purchase_invoice(company, number=number, supplier=supplier, **fields)
    if document:
        invoice.document.save("acme-0042.pdf", ContentFile(PDF), save=False)
        invoice.document_name = "acme-0042.pdf"
        invoice.document_kind = "pdf"
        invoice.document_sha256 = "0" * 63 + str(invoice.pk % 10)
        invoice.save()
    return invoice


@pytest.fixture
def invoice(alice) -> Invoice:
    return bill(alice)
