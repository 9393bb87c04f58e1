"""Dashboard pages for invoices: upload, review and corrections, the document, and who may see them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Invoice, Status
from invoices.services import invoice_update
from invoices.tests.test_extract_api import ubl_invoice

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _eager_with_media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True


def member(company_name: str, role: str = Role.OWNER) -> Client:
    membership = MembershipFactory.create(company=CompanyFactory(name=company_name), role=role)
    client = Client()
    client.force_login(membership.user)
    return client


def upload(client: Client, data: bytes | None = None, **headers):
    file = SimpleUploadedFile("invoice.xml", data or ubl_invoice(total="1400.00"))
    return client.post("/invoices/upload", {"file": file}, **headers)


def test_an_upload_opens_the_review_page_of_the_new_invoice():
    alice = member("Alice Trading")

    response = upload(alice)

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{invoice.public_id}/"
    page = alice.get(response["Location"])
    assert page.status_code == 200
    assert b"Needs review" in page.content
    assert b'class="field low-confidence"' not in page.content  # an e-invoice is read exactly


def test_the_review_page_says_why_the_invoice_needs_review():
    alice = member("Alice Trading")

    page = alice.get(upload(alice)["Location"])

    assert b'id="review-reasons"' in page.content
    assert "Subtotal 1,110.00 + tax 222.00 = 1,332.00, but the total is 1,400.00." in page.content.decode()


def test_the_review_page_of_a_duplicate_links_the_invoice_received_first():
    alice = member("Alice Trading")
    first = alice.get(upload(alice, ubl_invoice())["Location"])
    assert b'id="review-reasons"' not in first.content

    page = alice.get(upload(alice, ubl_invoice() + b"<!-- sent again -->")["Location"])

    earlier = Invoice.objects.order_by("pk").first()
    assert earlier is not None
    assert f'href="/invoices/{earlier.public_id}/"' in page.content.decode()
    assert f"already received as {earlier.public_id}" in page.content.decode()


def test_the_upload_answers_json_for_the_progress_script():
    alice = member("Alice Trading")

    response = upload(alice, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["url"] == f"/invoices/{Invoice.objects.get().public_id}/"


def test_a_bad_file_is_refused_on_the_upload_page_and_nothing_is_stored():
    alice = member("Alice Trading")

    response = upload(alice, b"not an invoice at all")

    assert response.status_code == 200
    assert b"Unsupported file type" in response.content
    assert not Invoice.objects.exists()


def test_saving_corrections_marks_the_invoice_processed_and_records_the_user():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()
    form = alice.get(f"/invoices/{invoice.public_id}/").context["form"]
    data = {name: value if value is not None else "" for name, value in form.initial.items()}
    data["total"] = "1332.00"

    response = alice.post(f"/invoices/{invoice.public_id}/", data)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSED
    assert invoice.total == Decimal("1332.00")
    change = invoice.changes.get(field="totals.total")
    assert change.changed_by_user is not None


def posted_as_shown(form) -> dict[str, str]:
    """What a browser posts from the review page: each field's value and the value it was shown with."""
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = data[field.html_initial_name] = "" if value is None else str(value)
    return data


def test_the_review_page_carries_the_values_it_showed():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()

    page = alice.get(f"/invoices/{invoice.public_id}/")

    assert b'name="initial-notes"' in page.content
    assert b'name="initial-invoice_number"' in page.content


def test_saving_a_page_loaded_before_another_correction_keeps_that_correction():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()
    data = posted_as_shown(alice.get(f"/invoices/{invoice.public_id}/").context["form"])
    invoice_update(invoice=invoice, notes="checked by finance")  # by someone else, after the page loaded
    data["invoice_number"] = "INV-2026-0043"

    response = alice.post(f"/invoices/{invoice.public_id}/", data)

    assert response.status_code == 302
    assert Invoice.objects.values_list("notes", "invoice_number").get() == ("checked by finance", "INV-2026-0043")
    assert [change.field for change in invoice.changes.order_by("pk")] == ["notes", "invoice_number"]


def test_a_viewer_can_read_the_review_page_but_not_save_or_upload():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()
    viewer = Client()
    viewer.force_login(MembershipFactory.create(company=invoice.company, role=Role.VIEWER).user)

    assert viewer.get(f"/invoices/{invoice.public_id}/").status_code == 200
    assert viewer.post(f"/invoices/{invoice.public_id}/", {"total": "1"}).status_code == 403
    assert viewer.get("/invoices/upload").status_code == 403


def test_another_company_sees_neither_the_review_page_nor_the_document():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()
    bob = member("Bob Imports")

    assert bob.get(f"/invoices/{invoice.public_id}/").status_code == 404
    assert bob.get(f"/invoices/{invoice.public_id}/document").status_code == 404
    assert alice.get(f"/invoices/{invoice.public_id}/document").status_code == 200


def test_the_document_is_served_inline_to_the_same_origin_only_and_sandboxed():
    alice = member("Alice Trading")
    upload(alice)
    invoice = Invoice.objects.get()

    response = alice.get(f"/invoices/{invoice.public_id}/document")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline;")


def test_the_upload_form_needs_its_csrf_token():
    membership = MembershipFactory.create(company=CompanyFactory(name="Alice Trading"), role=Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)

    assert upload(client).status_code == 403
    assert not Invoice.objects.exists()
