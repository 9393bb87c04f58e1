"""The review page, the review queue, page images and the invoice page's payment and parties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buyers.tests.factories import BuyerFactory
from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.intake import invoice_upload
from invoices.issuing.services import invoice_issue
from invoices.models import Invoice, Source, Status
from invoices.services import invoice_create, invoice_delete
from invoices.tests.factories import purchase_invoice, sales_invoice
from invoices.tests.review_documents import UBL, mismatched_invoice_pdf
from invoices.tests.test_issuing_views import seller_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI, whose workers serve another database
    return MembershipFactory.create(role=Role.OWNER)


@pytest.fixture
def client_of(clerk):
    client = Client()
    client.force_login(clerk.user)
    return client


def _upload(company, data: bytes, name: str, django_capture_on_commit_callbacks) -> Invoice:
    with django_capture_on_commit_callbacks(execute=True):
        upload = invoice_upload(company=company, file=SimpleUploadedFile(name, data))
    upload.invoice.refresh_from_db()
    return upload.invoice


def test_an_uploaded_pdf_whose_lines_disagree_waits_for_review_with_its_boxes(
    clerk, client_of, django_capture_on_commit_callbacks
):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)

    assert invoice.status == Status.NEEDS_REVIEW
    assert {"line_items_mismatch"} <= {reason["code"] for reason in invoice.review_reasons}
    assert invoice.field_boxes["subtotal"]["page"] == 1
    page = client_of.get(f"/invoices/{invoice.public_id}/").content.decode()
    assert 'class="field-box" data-field="subtotal"' in page
    assert "Line items sum to" in page
    assert f"/invoices/{invoice.public_id}/pages/1.png" in page


def test_a_pdf_page_is_drawn_as_a_png_once_and_then_read_back(clerk, client_of, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)

    first = client_of.get(f"/invoices/{invoice.public_id}/pages/1.png")
    again = client_of.get(f"/invoices/{invoice.public_id}/pages/1.png")

    assert first.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert again.content == first.content
    assert client_of.get(f"/invoices/{invoice.public_id}/pages/2.png").status_code == 404


def test_another_companys_page_image_and_document_are_not_found(clerk, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)
    stranger = Client()
    stranger.force_login(MembershipFactory.create().user)

    assert stranger.get(f"/invoices/{invoice.public_id}/pages/1.png").status_code == 404
    assert stranger.get(f"/invoices/{invoice.public_id}/document?download=1").status_code == 404


def test_the_original_downloads_as_an_attachment_under_its_name(clerk, client_of, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "march.pdf", django_capture_on_commit_callbacks)

    response = client_of.get(f"/invoices/{invoice.public_id}/document?download=1")

    assert response["Content-Disposition"].startswith("attachment;")
    assert "march.pdf" in response["Content-Disposition"]


def _post(client, invoice, action, **changes):
    page = client.get(f"/invoices/{invoice.public_id}/")
    form = page.context["form"]
    lines = page.context["lines"]
    data = {"action": action}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
        data[f"initial-{field.html_name}"] = data[field.html_name]
    for key, value in lines.management_form.initial.items():
        data[f"lines-{key}"] = value
    for line in lines.forms:
        for field in line:
            value = field.value()
            data[field.html_name] = "" if value is None else value
    data.update(changes)
    return client.post(f"/invoices/{invoice.public_id}/", data)


def test_saving_a_correction_does_not_approve(clerk, client_of, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)

    response = _post(client_of, invoice, "save", notes="Checked")

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.notes == "Checked"
    assert invoice.status == Status.NEEDS_REVIEW


def test_approving_while_the_figures_disagree_is_refused_with_the_reasons(
    clerk, client_of, django_capture_on_commit_callbacks
):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)

    response = _post(client_of, invoice, "approve")

    assert response.status_code == 409
    assert "Correct these before approving" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW


def test_correcting_the_subtotal_and_approving_processes_the_invoice(
    clerk, client_of, django_capture_on_commit_callbacks
):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)

    response = _post(client_of, invoice, "approve", subtotal="150.00")

    assert response.status_code == 302, response.content.decode()[:3000]
    invoice.refresh_from_db()
    assert invoice.status == Status.PROCESSED
    assert invoice.subtotal == Decimal("150.00")


def test_save_and_next_opens_the_next_oldest_invoice_in_the_queue(clerk, client_of, django_capture_on_commit_callbacks):
    first = _upload(clerk.company, mismatched_invoice_pdf("INV-1"), "a.pdf", django_capture_on_commit_callbacks)
    second = _upload(clerk.company, mismatched_invoice_pdf("INV-2"), "b.pdf", django_capture_on_commit_callbacks)

    response = _post(client_of, first, "next")

    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{second.public_id}/"


def test_line_items_are_edited_added_and_removed(clerk, client_of, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)
    lines = list(invoice.lines.order_by("position"))
    assert len(lines) == 2

    response = _post(
        client_of,
        invoice,
        "save",
        **{
            "lines-0-unit_price": "90.00",
            "lines-0-amount": "90.00",
            "lines-1-DELETE": "on",
            "lines-2-description": "Stapler",
            "lines-2-quantity": "2",
            "lines-2-unit_price": "25.00",
            "lines-2-amount": "",
            "lines-TOTAL_FORMS": "3",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    invoice.refresh_from_db()
    assert [(line.description, line.amount) for line in invoice.lines.order_by("position")] == [
        ("Paper A4 box", Decimal("90.00")),
        ("Stapler", Decimal("50.00")),
    ]
    assert invoice.status == Status.NEEDS_REVIEW


def test_a_viewer_sees_the_invoice_read_only_and_cannot_post(clerk, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)
    viewer = Client()
    viewer.force_login(MembershipFactory.create(company=clerk.company, role=Role.VIEWER).user)

    page = viewer.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert 'name="action" value="approve"' not in page
    assert "disabled" in page
    assert viewer.post(f"/invoices/{invoice.public_id}/", {"action": "approve"}).status_code == 403


def test_the_queue_lists_invoices_waiting_oldest_first_with_their_reasons(clerk, client_of):
    company = clerk.company
    older = purchase_invoice(company, number="OLD-1")
    newer = purchase_invoice(company, number="NEW-1")
    done = purchase_invoice(company, number="DONE-1")
    for invoice, age in ((older, 3), (newer, 1)):
        Invoice.objects.filter(pk=invoice.pk).update(
            status=Status.NEEDS_REVIEW,
            source=Source.UPLOAD,
            review_reasons=[
                {"code": "low_confidence", "field": "total", "message": f"Doubt about {invoice.invoice_number}"}
            ],
            created_at=timezone.now() - timedelta(days=age),
        )
    purchase_invoice(CompanyFactory.create(), number="OTHER-1")

    page = client_of.get("/review/").content.decode()

    assert page.index("OLD-1") < page.index("NEW-1")
    assert "Doubt about OLD-1" in page
    assert done.invoice_number not in page
    assert "OTHER-1" not in page


def test_an_empty_queue_says_so(client_of):
    assert "Nothing waits for review" in client_of.get("/review/").content.decode()


def test_a_recorded_sales_invoice_shows_its_buyer_linked(clerk, client_of):
    buyer = BuyerFactory.create(company=clerk.company, name="Kedai Runcit Maju")
    invoice = sales_invoice(clerk.company, buyer=buyer)

    page = client_of.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert f'<a href="/buyers/{buyer.public_id}/">Kedai Runcit Maju</a>' in page
    assert 'name="supplier_name"' not in page


def test_an_unpaid_invoice_past_its_due_date_shows_overdue(clerk, client_of):
    invoice = purchase_invoice(clerk.company, number="LATE-1", due_date=date(2026, 4, 15))

    page = client_of.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert "Unpaid, overdue" in page


def test_an_xml_einvoice_is_shown_readable_not_as_xml(clerk, client_of, django_capture_on_commit_callbacks):
    invoice = _upload(clerk.company, UBL, "ubl.xml", django_capture_on_commit_callbacks)

    page = client_of.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert 'id="einvoice"' in page
    for shown in ("Seller GmbH", "Buyer BV", "Gearbox service", "DE89370400440532013000", "REF-9"):
        assert shown in page
    assert "&lt;cbc:" not in page
    assert "?download=1" in page


def test_an_issued_invoice_page_shows_its_payment_and_links_its_buyer(clerk, client_of):
    company = seller_profile(clerk.company)
    buyer = BuyerFactory.create(company=company, name="Atelier Lumière SARL", country="FR", tax_id="FR40303265045")
    draft = invoice_create(
        company=company,
        buyer=buyer,
        currency="EUR",
        line_items=[
            {"description": "Design", "quantity": Decimal(1), "unit_price": Decimal(100), "tax_rate": Decimal(20)}
        ],
    )
    issued = invoice_issue(invoice=draft)

    page = client_of.get(f"/invoices/{issued.public_id}/").content.decode()

    assert 'id="payment"' in page
    assert 'id="payment-status">Unpaid' in page
    assert f'href="/buyers/{buyer.public_id}/" id="invoice-buyer"' in page


def test_deleting_an_invoice_deletes_its_cached_page_images(
    clerk, client_of, tmp_path, django_capture_on_commit_callbacks
):
    invoice = _upload(clerk.company, mismatched_invoice_pdf(), "a.pdf", django_capture_on_commit_callbacks)
    client_of.get(f"/invoices/{invoice.public_id}/pages/1.png")
    assert list((tmp_path / "page-images" / invoice.document_sha256).iterdir())

    with django_capture_on_commit_callbacks(execute=True):
        invoice_delete(invoice=invoice)

    assert not list((tmp_path / "page-images" / invoice.document_sha256).iterdir())
