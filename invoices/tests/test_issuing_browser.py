"""Issue a sales invoice in a real browser: a draft with two tax rates made in the editor (its totals
worked out as the user types), previewed, issued, sent (the email reaches the test SMTP server with
the signed PDF) and downloaded, the download still carrying its intact signature."""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from buyers.tests.factories import BuyerFactory
from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import DeliveryStatus, Invoice, State
from invoices.tests.test_issuing_views import seller_profile
from signing.pades import verify_pdf
from signing.verification import PdfVerification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 30_000


@pytest.fixture
def owner():
    company = seller_profile(CompanyFactory.create(name="Nordlicht Handels"))
    BuyerFactory.create(
        company=company,
        name="Atelier Lumière SARL",
        country="FR",
        tax_id="FR40303265045",
        email="compta@atelier.example",
        address_line1="12 rue de la Paix",
        city="Paris",
        postal_code="75002",
    )
    return MembershipFactory.create(company=company, role=Role.OWNER).user


def verified(pdf: bytes) -> PdfVerification:
    """`verify_pdf` in a thread of its own: pyHanko's validation runs its own asyncio loop, which it
    cannot start in this thread, where Playwright's sync API keeps one running."""

    def verify() -> PdfVerification:
        try:
            return verify_pdf(pdf)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(verify).result()


def fill_line(page: Page, index: int, *, description: str, quantity: str, unit_price: str, rate: str) -> None:
    page.fill(f"[name=lines-{index}-description]", description)
    page.fill(f"[name=lines-{index}-quantity]", quantity)
    page.fill(f"[name=lines-{index}-unit_price]", unit_price)
    page.select_option(f"[name=lines-{index}-tax_category]", "S")
    page.fill(f"[name=lines-{index}-tax_rate]", rate)


def test_create_preview_issue_send_and_download_a_signed_invoice(
    live_server, owner, page: Page, settings, tmp_path, smtp_server
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    page.set_default_timeout(TIMEOUT_MS)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name="New invoice").click()
    page.wait_for_url("**/invoices/new")  # the editor's script works out the totals once the page has loaded
    expect(page.locator("[name=currency]")).to_have_value("EUR")
    page.select_option("[name=buyer]", label="Atelier Lumière SARL")
    page.fill("[name=purchase_order]", "PO-4711")

    fill_line(page, 0, description="Consulting", quantity="3", unit_price="100.00", rate="19")
    expect(page.locator("#live-total")).to_have_text("357.00")
    page.get_by_role("button", name="Add line").click()
    fill_line(page, 1, description="Handbook", quantity="2", unit_price="14.99", rate="7")

    # 300.00 + 29.98; tax 57.00 at 19% and 2.0986 → 2.10 at 7%, each category rounded on its own base.
    expect(page.locator("#live-line-total")).to_have_text("329.98")
    expect(page.locator("#live-tax-total")).to_have_text("59.10")
    expect(page.locator("#live-total")).to_have_text("389.08")
    expect(page.locator("#live-taxes tr")).to_have_count(2)
    expect(page.locator("#live-taxes tr[data-rate='7']")).to_contain_text("2.10")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("#invoice-state")).to_have_text("Draft")
    expect(page.locator("#total-total")).to_have_text("389.08 EUR")
    invoice = Invoice.objects.get(company__name="Nordlicht Handels")
    assert invoice.state == State.DRAFT

    preview = page.get_by_role("link", name="Preview PDF")
    answer = page.request.get(f"{live_server.url}{preview.get_attribute('href')}")
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    assert not verified(answer.body()).valid  # a preview is never signed

    page.get_by_role("button", name="Issue").click()
    expect(page.locator("#invoice-state")).to_have_text("Issued")
    invoice.refresh_from_db()
    assert invoice.invoice_number
    expect(page.get_by_text(f"Invoice {invoice.invoice_number} issued.")).to_be_visible()

    page.get_by_role("link", name="Send").click()
    expect(page.locator("[name=to]")).to_have_value("compta@atelier.example")
    page.fill("[name=cc]", "einkauf@nordlicht.example")
    page.get_by_role("button", name="Send invoice").click()

    mail = smtp_server.wait_for(1)[0]
    assert set(mail.rcpt_tos) == {"compta@atelier.example", "einkauf@nordlicht.example"}
    attachments = mail.attachments()
    pdfs = [content for name, (kind, content) in attachments.items() if kind == "application/pdf"]
    assert len(pdfs) == 1, attachments.keys()
    emailed = verified(pdfs[0])
    assert emailed.valid, emailed.problems
    assert emailed.invoice_id == invoice.public_id

    expect(page.locator("#invoice-state")).to_have_text("Sent")
    expect(page.locator("#deliveries")).to_contain_text("compta@atelier.example")
    expect(page.locator("#deliveries")).to_contain_text("Sent")
    assert invoice.deliveries.get().status == DeliveryStatus.SENT

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert re.fullmatch(r"[\w.-]+\.pdf", download.suggested_filename)
    downloaded = Path(download.path()).read_bytes()
    verification = verified(downloaded)
    assert verification.valid, verification.problems
    assert verification.invoice_id == invoice.public_id
    assert verification.signed_by == "Nordlicht Handels GmbH"
    assert downloaded == pdfs[0]


def test_the_editors_totals_are_exact_and_equal_the_servers(live_server, owner, page: Page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/invoices/new")
    page.select_option("[name=buyer]", label="Atelier Lumière SARL")

    # 1.005 is 1.00499999999999989... as a float: float arithmetic would round it down to 1.00.
    fill_line(page, 0, description="Screws", quantity="1", unit_price="1.005", rate="19")
    expect(page.locator("[data-rows=lines] [data-row] output[data-net]").first).to_have_text("1.01")
    page.get_by_role("button", name="Add line").click()
    fill_line(page, 1, description="Bolts", quantity="3", unit_price="0.1", rate="19.0")
    page.get_by_role("button", name="Add line").click()
    page.fill("[name=lines-2-description]", "Export manual")
    page.fill("[name=lines-2-unit_price]", "10")
    page.select_option("[name=lines-2-tax_category]", "Z")
    expect(page.locator("[name=lines-2-tax_rate]")).to_have_value("0")
    page.get_by_role("button", name="Add discount or charge").click()
    page.select_option("[name=items-0-kind]", "discount")
    page.fill("[name=items-0-reason]", "Loyalty")
    page.fill("[name=items-0-amount]", "0.31")
    page.fill("[name=items-0-tax_rate]", "19")

    # S 19%: 1.01 + 0.30 − 0.31 = 1.00 → 0.19 (19 and 19.0 are one rate); Z: 10.00 → 0.
    expect(page.locator("#live-taxes tr")).to_have_count(2)
    expect(page.locator("#live-subtotal")).to_have_text("11.00")
    expect(page.locator("#live-tax-total")).to_have_text("0.19")
    expect(page.locator("#live-total")).to_have_text("11.19")

    # Removing the first line numbers the rest again, and the totals follow.
    page.locator("[data-rows=lines] [data-remove-row]").first.click()
    expect(page.locator("[name=lines-0-description]")).to_have_value("Bolts")
    expect(page.locator("#live-total")).to_have_text("9.99")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#total-total")).to_have_text("9.99 EUR")
    invoice = Invoice.objects.get(company__name="Nordlicht Handels")
    assert [line.description for line in invoice.lines.all()] == ["Bolts", "Export manual"]
