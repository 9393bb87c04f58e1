"""The suppliers list's bulk actions and `supplier_delete`: a CSV of the selected suppliers or of all
matching the search, and deleting the selected, where a supplier with invoices is kept; only the company's
own suppliers, only by editors."""

import csv
import io

import pytest
from django.test import Client

from companies.models import Company, Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices import party_bulk
from invoices.models import Invoice, PaymentStatus, Supplier
from invoices.suppliers import supplier_delete
from invoices.tests.factories import SupplierFactory, purchase_invoice
from invoisx.errors import CONFLICT, DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    return CompanyFactory.create(name="Alice Trading")


def member(company: Company, role: str = Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="suppliers-' in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_supplier_delete_deletes_a_supplier_without_invoices():
    supplier = SupplierFactory.create()

    supplier_delete(supplier=supplier)

    assert not Supplier.objects.filter(pk=supplier.pk).exists()


def test_supplier_delete_refuses_a_supplier_with_invoices_and_says_why(company):
    supplier = purchase_invoice(company, supplier="Acme").supplier
    assert supplier is not None

    with pytest.raises(DomainError) as refusal:
        supplier_delete(supplier=supplier)

    assert refusal.value.code == CONFLICT
    assert refusal.value.message == "This supplier has invoices and cannot be deleted."
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_export_writes_the_selected_suppliers_with_what_is_owed_per_currency_and_formulas_made_inert(company):
    purchase_invoice(company, number="P-1", supplier="@SUM(A1)")  # 120.00 GBP
    purchase_invoice(company, number="P-2", supplier="@SUM(A1)", currency="EUR")
    paid = purchase_invoice(company, number="P-3", supplier="@SUM(A1)")
    Invoice.objects.filter(pk=paid.pk).update(payment_status=PaymentStatus.PAID, amount_paid=paid.total)
    purchase_invoice(company, number="P-4", supplier="Umbrella", currency="USD")
    chosen = Supplier.objects.get(name="@SUM(A1)")
    Supplier.objects.filter(pk=chosen.pk).update(tax_id="GB123", address="-1 Road\nLondon")

    rows = read_csv(member(company).post("/suppliers/bulk", {"action": "export", "ids": [chosen.public_id]}))

    assert rows == [
        {
            "id": chosen.public_id,
            "name": "'@SUM(A1)",
            "tax id": "GB123",
            "address": "'-1 Road\nLondon",
            "open invoices": "2",
            "owed EUR": "120.00",
            "owed GBP": "120.00",
        }
    ]


def test_export_of_all_matching_follows_the_search_across_chunks_and_stays_in_the_company(company, monkeypatch):
    monkeypatch.setattr(party_bulk, "CHUNK", 2)
    for n in range(5):
        purchase_invoice(company, number=f"P-{n}", supplier=f"Acme {n}")
    SupplierFactory.create(company=company, name="Other")
    SupplierFactory.create(company=CompanyFactory.create(), name="Acme of Bob")

    rows = read_csv(
        member(company).post("/suppliers/bulk", {"action": "export", "scope": "all", "query": "search=acme"})
    )

    assert [row["name"] for row in rows] == [f"Acme {n}" for n in range(5)]
    assert {row["owed GBP"] for row in rows} == {"120.00"}


def test_bulk_delete_deletes_suppliers_without_invoices_and_keeps_those_with_them(company):
    unused = SupplierFactory.create_batch(2, company=company)
    invoiced = purchase_invoice(company, supplier="Invoiced").supplier

    response = member(company).post(
        "/suppliers/bulk",
        {"action": "delete", "ids": [s.public_id for s in [*unused, invoiced]], "query": "search=e"},
        follow=True,
    )

    assert response.redirect_chain == [("/suppliers/?search=e", 302)]
    assert messages_of(response) == ["Suppliers: 2 deleted, 1 kept: has invoices."]
    assert list(Supplier.objects.values_list("name", flat=True)) == ["Invoiced"]


def test_bulk_actions_on_another_companys_suppliers_select_nothing(company):
    theirs = SupplierFactory.create(company=CompanyFactory.create(name="Bob Imports"), name="Bob Supplier")
    owner = member(company)

    deleted = owner.post("/suppliers/bulk", {"action": "delete", "ids": [theirs.public_id]}, follow=True)
    exported = owner.post("/suppliers/bulk", {"action": "export", "ids": [theirs.public_id]})

    assert Supplier.objects.filter(pk=theirs.pk).exists()
    assert messages_of(deleted) == ["Suppliers: 0 deleted."]
    assert read_csv(exported) == []


def test_a_viewer_gets_403_on_the_bulk_post_and_sees_no_checkboxes(company):
    supplier = SupplierFactory.create(company=company)
    viewer = member(company, Role.VIEWER)

    assert viewer.post("/suppliers/bulk", {"action": "delete", "ids": [supplier.public_id]}).status_code == 403
    assert viewer.post("/suppliers/bulk", {"action": "export", "scope": "all"}).status_code == 403
    assert Supplier.objects.filter(pk=supplier.pk).exists()
    assert 'id="bulk-form"' not in viewer.get("/suppliers/").content.decode()


def test_the_bulk_form_needs_its_csrf_token(company):
    supplier = SupplierFactory.create(company=company)
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=company, role=Role.OWNER).user)

    assert client.post("/suppliers/bulk", {"action": "delete", "ids": [supplier.public_id]}).status_code == 403
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_more_than_the_batch_limit_is_refused_before_deleting_any(company):
    supplier = SupplierFactory.create(company=company)
    ids = [supplier.public_id] + [f"sup_{n}" for n in range(party_bulk.BATCH_LIMIT)]

    response = member(company).post("/suppliers/bulk", {"action": "delete", "ids": ids}, follow=True)

    assert messages_of(response) == [f"Select at most {party_bulk.BATCH_LIMIT} suppliers at once."]
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_every_row_has_a_labelled_checkbox_in_the_bulk_form(company, django_assert_max_num_queries):
    for n in range(30):
        purchase_invoice(company, number=f"P-{n}", supplier=f"S{n:02d}")
    owner = member(company)

    with django_assert_max_num_queries(10):
        content = owner.get("/suppliers/?per_page=50").content.decode()

    assert 'aria-label="Select every supplier on this page"' in content
    assert "Select S07</label>" in content
    assert content.count('class="row-select"') == 30
    assert "Export all 30 matching" in content
