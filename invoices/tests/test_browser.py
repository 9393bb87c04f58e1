"""Upload, review and correct an invoice in a real browser, then see the correction in the API."""

import io
import re

import pytest
import requests
from playwright.sync_api import Page, expect
from pypdf import PdfWriter

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Invoice
from invoices.tests.test_extract_api import ubl_invoice
from tokens.services import token_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 20_000


def facturx_pdf() -> bytes:
    """A one-page PDF carrying its invoice as an attached e-invoice XML, built here."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", ubl_invoice(number="FX-7001", total="1400.00"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def owner():
    company = CompanyFactory(name="Review Trading")
    return MembershipFactory(company=company, role=Role.OWNER).user


def test_upload_review_and_correct_an_invoice_then_read_it_through_the_api(
    live_server, owner, page: Page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    page.set_default_timeout(TIMEOUT_MS)
    document = tmp_path / "supplier-invoice.pdf"
    document.write_bytes(facturx_pdf())

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name="Upload invoice").click()
    page.wait_for_url("**/invoices/upload")
    page.set_input_files("#id_file", str(document))
    # Choosing the file uploads it; its row links to the invoice once it is read.
    page.locator("#upload-rows").get_by_role("link", name="Open FX-7001").click()

    # The totals do not add up (1110 + 222 is not 1400), so the invoice waits for review.
    expect(page.locator("#invoice-status")).to_have_text("Needs review")
    expect(page.locator("#id_invoice_number")).to_have_value("FX-7001")
    expect(page.locator("#id_supplier_name")).to_have_value("Acme Supplies Ltd")
    expect(page.get_by_role("img", name="Page 1 of the uploaded document")).to_be_visible()

    page.fill("#id_total", "1332.00")
    page.get_by_role("button", name="Save corrections").click()

    expect(page.get_by_text("Corrections saved.")).to_be_visible()
    expect(page.locator("#invoice-status")).to_have_text("Processed")
    expect(page.locator(".changes")).to_contain_text(re.compile(r"totals\.total: 1400\.00 → 1332\.00"))

    invoice = Invoice.objects.get(invoice_number="FX-7001")
    raw = token_issue(company=invoice.company, name="check", scopes=["invoices:read"]).raw
    response = requests.get(
        f"{live_server.url}/api/v1/invoices/{invoice.public_id}",
        headers={"Authorization": f"Bearer {raw}", "Connection": "close"},
        timeout=15,
    )
    data = response.json()["data"]
    assert data["status"] == "processed"
    assert data["totals"]["total"] == 1332.0
    assert data["supplier"]["name"] == "Acme Supplies Ltd"
