"""Deleting invoices in the Django admin goes through the service, as the API and the dashboard do."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from invoices.models import Invoice
from invoices.tests.factories import purchase_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client, settings, tmp_path) -> Client:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


def with_document(invoice: Invoice) -> str:
    invoice.document.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    assert default_storage.exists(invoice.document.name)
    return invoice.document.name


def test_deleting_an_invoice_in_the_admin_deletes_its_stored_document(
    alice, operator, django_capture_on_commit_callbacks
):
    invoice = purchase_invoice(alice)
    document = with_document(invoice)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(f"/admin/invoices/invoice/{invoice.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not default_storage.exists(document)


def test_the_delete_action_deletes_the_documents_and_keeps_a_paid_invoice(
    alice, operator, django_capture_on_commit_callbacks
):
    unpaid, paid = purchase_invoice(alice, number="P-1"), purchase_invoice(alice, number="P-2")
    unpaid_document, paid_document = with_document(unpaid), with_document(paid)
    Invoice.objects.filter(pk=paid.pk).update(amount_paid=Decimal("10.00"))

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            "/admin/invoices/invoice/",
            {"action": "delete_selected", "_selected_action": [unpaid.pk, paid.pk], "post": "yes"},
        )

    assert list(Invoice.objects.values_list("pk", flat=True)) == [paid.pk]
    assert not default_storage.exists(unpaid_document)
    assert default_storage.exists(paid_document)
