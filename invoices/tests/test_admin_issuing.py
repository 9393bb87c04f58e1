"""The admin and issuing: an issued invoice is view-only, the lifecycle is never set by hand, and the
signing admins show no private key."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from companies.tests.factories import UserFactory
from invoices.models import Invoice, State
from invoices.tests.factories import sales_invoice
from signing.models import EnvelopeKey, SigningCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def change_url(invoice: Invoice) -> str:
    return f"/admin/invoices/invoice/{invoice.pk}/change/"


def test_an_issued_invoices_admin_page_is_view_only_and_refuses_a_post(root, alice):
    invoice = sales_invoice(alice, invoice_number="INV-2026-00007", notes="As issued")
    Invoice.objects.filter(pk=invoice.pk).update(state=State.ISSUED, issued_at=timezone.now())

    page = root.get(change_url(invoice))
    response = root.post(change_url(invoice), {"notes": "Changed afterwards", "total": "1.00"})

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["adminform"].form.fields  # every field shown read-only
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert (invoice.notes, invoice.state) == ("As issued", State.ISSUED)
    assert root.post(f"/admin/invoices/invoice/{invoice.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_recorded_invoice_stays_editable_but_not_its_lifecycle(root, alice):
    invoice = sales_invoice(alice, invoice_number="INV-2026-00008")

    page = root.get(change_url(invoice))

    fields = page.context["adminform"].form.fields
    assert "notes" in fields
    assert not {"state", "issued_at", "series", "document_type", "preceding_invoice"} & set(fields)


def test_the_signing_admins_show_no_private_key(root, alice):
    certificate = SigningCertificate.objects.create(
        company=alice,
        certificate_pem="-----BEGIN CERTIFICATE-----",
        private_key_encrypted="sealed-private-key-material",
        fingerprint_sha256="ab" * 32,
        subject="CN=Alice",
        not_valid_before=timezone.now(),
        not_valid_after=timezone.now() + datetime.timedelta(days=1),
        source="generated",
    )
    key = EnvelopeKey.objects.create(
        company=alice,
        kid="kid-1",
        public_jwk={"kty": "EC"},
        private_jwk_encrypted="sealed-jwk",
        valid_from=timezone.now(),
    )

    pages = [
        root.get("/admin/signing/signingcertificate/"),
        root.get(f"/admin/signing/signingcertificate/{certificate.pk}/change/"),
        root.get("/admin/signing/envelopekey/"),
        root.get(f"/admin/signing/envelopekey/{key.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200] * 4
    for page in pages:
        assert b"sealed-private-key-material" not in page.content
        assert b"sealed-jwk" not in page.content
        assert b"private" not in page.content.lower().replace(b"privacy", b"")
