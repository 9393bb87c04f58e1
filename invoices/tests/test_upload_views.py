"""The upload page takes several files at once, and answers the state of each upload's extraction."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from companies.models import Company, Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Invoice, Status
from invoices.tests.factories import purchase_invoice
from invoices.tests.test_extract_api import ubl_invoice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _eager_with_media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def company() -> Company:
    return CompanyFactory.create(name="Alice Trading")


def member(company: Company, role: str = Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def test_the_picker_takes_several_files_of_the_accepted_kinds(company):
    content = member(company).get("/invoices/upload").content.decode()

    assert 'type="file" name="file" id="id_file" multiple accept=".pdf,.png,.jpg,.jpeg,.xml,' in content
    assert "js/upload.js" in content


def test_several_files_posted_without_the_script_each_get_a_row_with_their_outcome(company):
    files = [
        SimpleUploadedFile("one.xml", ubl_invoice(number="A-1")),
        SimpleUploadedFile("two.xml", ubl_invoice(number="A-2", total="1400.00")),
        SimpleUploadedFile("notes.txt", b"not an invoice at all"),
    ]

    response = member(company).post("/invoices/upload", {"file": files})

    content = response.content.decode()
    assert response.status_code == 200
    assert Invoice.objects.count() == 2
    for invoice in Invoice.objects.all():
        assert f'href="/invoices/{invoice.public_id}/"' in content
    assert "notes.txt" in content
    assert "Unsupported file type" in content
    assert "Needs review" in content


def test_the_script_gets_each_upload_as_json_with_where_to_follow_it(company):
    response = member(company).post(
        "/invoices/upload", {"file": SimpleUploadedFile("one.xml", ubl_invoice())}, HTTP_ACCEPT="application/json"
    )

    invoice = Invoice.objects.get()
    assert response.json() | {"message": ""} == {
        "id": invoice.public_id,
        "url": f"/invoices/{invoice.public_id}/",
        "status_url": f"/invoices/{invoice.public_id}/status",
        "duplicate": False,
        "status": "processed",
        "label": "Processed",
        "done": True,
        "number": "UBL-1001",
        "message": "",
    }


def test_a_refused_file_is_answered_to_the_script_with_its_reason(company):
    response = member(company).post(
        "/invoices/upload",
        {"file": SimpleUploadedFile("notes.txt", b"not an invoice")},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert "Unsupported file type" in response.json()["errors"][0]


def test_posting_no_file_asks_for_one(company):
    response = member(company).post("/invoices/upload", {})

    assert response.status_code == 400
    assert "Choose a file to upload." in response.content.decode()


def test_the_status_says_whether_extraction_is_still_running_and_why_it_failed(company):
    invoice = purchase_invoice(company, number="P-1")
    Invoice.objects.filter(pk=invoice.pk).update(status=Status.PROCESSING)
    client = member(company, Role.VIEWER)

    running = client.get(f"/invoices/{invoice.public_id}/status").json()
    Invoice.objects.filter(pk=invoice.pk).update(status=Status.FAILED, failure_reason="The PDF is encrypted.")
    failed = client.get(f"/invoices/{invoice.public_id}/status")

    assert (running["status"], running["done"]) == ("processing", False)
    assert failed.json()["message"] == "The PDF is encrypted."
    assert failed["Cache-Control"] == "no-store"


def test_another_companys_invoice_has_no_status_here(company):
    theirs = purchase_invoice(CompanyFactory.create(name="Bob Imports"), number="B-1")

    assert member(company).get(f"/invoices/{theirs.public_id}/status").status_code == 404


def test_a_viewer_cannot_upload(company):
    viewer = member(company, Role.VIEWER)

    response = viewer.post("/invoices/upload", {"file": SimpleUploadedFile("one.xml", ubl_invoice())})

    assert response.status_code == 403
    assert not Invoice.objects.exists()
