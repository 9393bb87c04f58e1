"""With STORAGE_URL set, every stored file goes to an S3 bucket and none to the local disk.

The bucket lives in a real S3-compatible server on 127.0.0.1 (moto's server mode, which `.ci/run` starts
and names in S3_TEST_ENDPOINT_URL); each test has a bucket of its own (`s3_bucket`, invoisx/tests/s3.py).
The storage setting is built from a STORAGE_URL exactly as `invoisx/settings.py` builds it, and MEDIA_ROOT
points at a folder that must still not exist when the test ends. Tasks run eagerly, in the test.
"""

import csv
import io
import logging
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from storages.backends.s3 import S3Storage

from bank.models import BankStatement
from bank.statements.tests.builders import LINES, mt940_message
from companies.models import Company, Role
from companies.tests.factories import MembershipFactory
from invoices.issuing.tests.api_setup import create_buyer, create_draft, invoice_url, issue, set_profile
from invoices.models import Invoice, IssuedDocument, Status
from invoices.tests.review_documents import mismatched_invoice_pdf
from invoices.tests.test_extract_api import ubl_invoice
from invoisx.storage import default_storage_setting
from invoisx.tests.envelope import success_data
from invoisx.tests.s3 import ACCESS_KEY, SECRET_KEY, keys, object_bytes, storage_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture
def bucket(settings, media_root, s3_bucket: str) -> str:
    """A fresh bucket, made the default storage through a STORAGE_URL; tasks run in the test."""
    default = default_storage_setting(environ={"STORAGE_URL": storage_url(s3_bucket)})
    settings.STORAGES = {**settings.STORAGES, "default": default}
    settings.CELERY_TASK_ALWAYS_EAGER = True  # under CI the workers serve another database
    settings.EXTRACTION_WAIT_SECONDS = 5
    return s3_bucket


def nothing_written_under(media_root: Path) -> bool:
    return not media_root.exists() or not any(media_root.rglob("*"))


def member() -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(role=Role.OWNER).user)
    return client


def downloaded(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_bucket_is_the_default_storage(bucket):
    assert isinstance(default_storage, S3Storage)
    assert default_storage.bucket_name == bucket


def test_an_invoice_uploaded_through_the_api_is_stored_in_the_bucket_and_extracted_from_it(
    bucket, media_root, alice_api
):
    document = ubl_invoice(number="S3-API-1")

    response = alice_api.post("/api/v1/invoices/extract", {"file": SimpleUploadedFile("s3.xml", document)})

    data = success_data(response, 200)
    invoice = Invoice.objects.get(public_id=data["id"])
    assert (invoice.status, invoice.invoice_number) == (Status.PROCESSED, "S3-API-1")
    assert keys(bucket) == [invoice.document.name]
    assert invoice.document.name.startswith("invoices/")
    assert object_bytes(bucket, invoice.document.name) == document
    assert nothing_written_under(media_root)


def test_an_invoice_uploaded_through_the_dashboard_is_extracted_from_the_bucket_and_downloads_unchanged(
    bucket, media_root
):
    client = member()
    document = mismatched_invoice_pdf("S3-DASH-1")

    client.post("/invoices/upload", {"file": [SimpleUploadedFile("march.pdf", document)]})

    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.invoice_number) == (Status.NEEDS_REVIEW, "S3-DASH-1")
    assert invoice.document.name in keys(bucket)
    assert object_bytes(bucket, invoice.document.name) == document
    original = client.get(f"/invoices/{invoice.public_id}/document?download=1")
    assert "march.pdf" in original["Content-Disposition"]
    assert downloaded(original) == document
    assert nothing_written_under(media_root)


def test_a_page_image_is_drawn_once_into_the_bucket_and_read_back_from_it(bucket, media_root):
    client = member()
    client.post("/invoices/upload", {"file": [SimpleUploadedFile("a.pdf", mismatched_invoice_pdf())]})
    invoice = Invoice.objects.get()

    first = downloaded(client.get(f"/invoices/{invoice.public_id}/pages/1.png"))
    second = downloaded(client.get(f"/invoices/{invoice.public_id}/pages/1.png"))

    images = [key for key in keys(bucket) if key.startswith(f"page-images/{invoice.document_sha256}/")]
    assert len(images) == 1
    assert first == second == object_bytes(bucket, images[0])
    assert nothing_written_under(media_root)


def test_two_uploads_of_the_same_file_name_keep_two_objects(bucket, alice_api):
    for number in ("S3-SAME-1", "S3-SAME-2"):
        upload = SimpleUploadedFile("invoice.xml", ubl_invoice(number=number))
        success_data(alice_api.post("/api/v1/invoices/extract", {"file": upload}), 200)

    stored = {invoice.invoice_number: invoice.document.name for invoice in Invoice.objects.all()}
    assert len(set(stored.values())) == 2
    assert keys(bucket) == sorted(stored.values())
    assert b"S3-SAME-1" in object_bytes(bucket, stored["S3-SAME-1"])


def test_deleting_an_uploaded_invoice_deletes_its_object(bucket, alice_api):
    data = success_data(
        alice_api.post("/api/v1/invoices/extract", {"file": SimpleUploadedFile("d.xml", ubl_invoice())})
    )
    assert len(keys(bucket)) == 1

    success_data(alice_api.delete(f"/api/v1/invoices/{data['id']}"))

    assert keys(bucket) == []


def test_a_bank_statement_upload_is_stored_in_the_bucket_and_imported_from_it(bucket, media_root, alice_api):
    statement = mt940_message(LINES).encode()

    data = success_data(
        alice_api.post("/api/v1/bank/extract", {"file": SimpleUploadedFile("march.sta", statement)}), 200
    )

    assert data["transactions_count"] == len(LINES)
    stored = BankStatement.objects.get(public_id=data["id"]).file.name
    assert stored.startswith("bank/statements/")
    assert stored in keys(bucket)
    assert object_bytes(bucket, stored) == statement
    assert nothing_written_under(media_root)


def test_an_issued_invoices_pdf_is_stored_in_the_bucket_and_served_from_it(bucket, media_root, alice_api):
    set_profile(alice_api)
    draft = create_draft(alice_api, buyer_id=create_buyer(alice_api)["id"])

    issued = issue(alice_api, draft["id"])

    stored = IssuedDocument.objects.get(invoice__public_id=issued["id"]).pdf.name
    assert stored.startswith("issued/")
    assert stored in keys(bucket)
    served = alice_api.get(invoice_url(issued["id"], "pdf"))
    assert served.status_code == 200
    assert served.content == object_bytes(bucket, stored)
    assert served.content.startswith(b"%PDF")
    assert nothing_written_under(media_root)


def test_a_company_logo_is_stored_in_the_bucket_served_from_it_and_its_old_object_deleted(bucket, media_root, alice):
    client = Client()
    client.force_login(MembershipFactory.create(company=alice, role=Role.ADMIN).user)

    for colour in ("#c0392b", "#2980b9"):
        image = io.BytesIO()
        Image.new("RGB", (40, 20), colour).save(image, "PNG")
        client.post(
            "/settings/company/logo/upload", {"logo": SimpleUploadedFile("logo.png", image.getvalue(), "image/png")}
        )

    logo = Company.objects.get(pk=alice.pk).logo.name
    assert keys(bucket) == [logo]
    assert downloaded(client.get("/settings/company/logo")) == object_bytes(bucket, logo)
    assert nothing_written_under(media_root)


def test_an_export_of_invoices_kept_in_the_bucket_writes_nothing_to_disk(bucket, media_root):
    client = member()
    client.post("/invoices/upload", {"file": [SimpleUploadedFile("e.xml", ubl_invoice(number="S3-EXP-1"))]})
    invoice = Invoice.objects.get()

    response = client.post("/invoices/bulk", {"action": "export", "ids": [invoice.public_id]})

    rows = list(csv.DictReader(io.StringIO(downloaded(response).decode())))
    assert [row["number"] for row in rows] == ["S3-EXP-1"]
    assert nothing_written_under(media_root)


def test_the_secret_key_never_reaches_the_logs_even_at_debug_level(bucket, alice_api, caplog):
    caplog.set_level(logging.DEBUG)

    upload = SimpleUploadedFile("log.xml", ubl_invoice(number="S3-LOG-1"))
    success_data(alice_api.post("/api/v1/invoices/extract", {"file": upload}), 200)

    assert f"Credential={ACCESS_KEY}/" in caplog.text  # boto3 logged its signed requests
    assert SECRET_KEY not in caplog.text


def test_without_storage_url_or_a_bucket_name_files_stay_on_the_local_disk():
    assert default_storage_setting(environ={}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
