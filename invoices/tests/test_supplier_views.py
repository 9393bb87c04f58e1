"""Supplier pages: the list with what is owed to each (per currency), a supplier with its invoices, and
creating and editing a supplier; all within the member's company."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from companies.models import Company, Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Invoice, PaymentStatus, Supplier
from invoices.tests.factories import SupplierFactory, purchase_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    return CompanyFactory.create(name="Alice Trading")


def member(company: Company, role: str = Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def test_the_list_shows_what_is_owed_to_each_supplier_per_currency(company):
    purchase_invoice(company, number="P-1", supplier="Acme")  # 120.00 GBP
    purchase_invoice(company, number="P-2", supplier="Acme", currency="EUR")
    paid = purchase_invoice(company, number="P-3", supplier="Acme")
    Invoice.objects.filter(pk=paid.pk).update(payment_status=PaymentStatus.PAID, amount_paid=paid.total)
    purchase_invoice(company, number="P-4", supplier="Umbrella")

    response = member(company).get("/suppliers/")

    acme = next(row for row in response.context["rows"] if row.name == "Acme")
    assert acme.open_count == 2
    assert [(owed.currency, owed.amount) for owed in acme.owed] == [
        ("EUR", Decimal("120.00")),
        ("GBP", Decimal("120.00")),
    ]
    assert "Umbrella" in response.content.decode()


def test_the_list_searches_sorts_and_says_when_nothing_matches(company):
    SupplierFactory.create(company=company, name="Beta Ltd")
    SupplierFactory.create(company=company, name="Alpha Ltd", tax_id="GB123")
    client = member(company)

    assert [row.name for row in client.get("/suppliers/?sort=-name").context["rows"]] == ["Beta Ltd", "Alpha Ltd"]
    assert [row.name for row in client.get("/suppliers/?search=gb12").context["rows"]] == ["Alpha Ltd"]
    assert "No suppliers match" in client.get("/suppliers/?search=zzz").content.decode()


def test_the_detail_shows_the_suppliers_invoices_and_what_is_overdue(company):
    invoice = purchase_invoice(
        company, number="P-1", supplier="Acme", due_date=timezone.localdate() - timedelta(days=5)
    )

    supplier = Supplier.objects.get(company=company, name="Acme")

    content = member(company).get(f"/suppliers/{supplier.public_id}/").content.decode()

    assert f'href="/invoices/{invoice.public_id}/"' in content
    assert "120.00 GBP (120.00 overdue)" in content
    assert "Overdue" in content


def test_a_supplier_is_created_and_edited(company):
    client = member(company)

    response = client.post("/suppliers/new", {"name": " Acme ", "address": "1 Road", "tax_id": "GB1"})
    supplier = Supplier.objects.get(company=company)
    assert response["Location"] == f"/suppliers/{supplier.public_id}/"
    client.post(f"/suppliers/{supplier.public_id}/edit", {"name": "Acme Ltd", "address": "2 Road", "tax_id": "GB1"})

    supplier.refresh_from_db()
    assert (supplier.name, supplier.address, supplier.tax_id) == ("Acme Ltd", "2 Road", "GB1")


def test_two_suppliers_cannot_share_a_tax_id(company):
    SupplierFactory.create(company=company, name="Acme", tax_id="GB1")

    response = member(company).post("/suppliers/new", {"name": "Other", "tax_id": "gb1"})

    assert response.status_code == 200
    assert "Another supplier already has this tax id." in response.content.decode()


def test_another_companys_supplier_is_not_found(company):
    theirs = SupplierFactory.create(company=CompanyFactory.create(name="Bob Imports"))
    client = member(company)

    assert client.get(f"/suppliers/{theirs.public_id}/").status_code == 404
    assert client.post(f"/suppliers/{theirs.public_id}/edit", {"name": "Mine now"}).status_code == 404
    assert theirs.name not in client.get("/suppliers/").content.decode()


def test_a_viewer_reads_suppliers_but_cannot_create_or_edit_them(company):
    supplier = SupplierFactory.create(company=company)
    viewer = member(company, Role.VIEWER)

    assert viewer.get("/suppliers/").status_code == 200
    assert viewer.get(f"/suppliers/{supplier.public_id}/").status_code == 200
    assert viewer.post("/suppliers/new", {"name": "X"}).status_code == 403
    assert viewer.get(f"/suppliers/{supplier.public_id}/edit").status_code == 403


def test_the_list_sums_in_the_database_not_per_supplier(company, django_assert_max_num_queries):
    for n in range(30):
        purchase_invoice(company, number=f"P-{n}", supplier=f"Supplier {n}")
    client = member(company)

    with django_assert_max_num_queries(10):
        response = client.get("/suppliers/?per_page=50")

    assert len(response.context["rows"]) == 30
