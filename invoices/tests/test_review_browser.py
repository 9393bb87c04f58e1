"""In a real browser: reviewing an invoice whose figures disagree, a sales invoice's buyer, and a payment
shown on the invoice it paid."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from bank.models import BankStatement, MatchState, PaymentMatch
from bank.reconciliations import match_confirm, reconciliation_start
from bank.services import statement_import
from bank.statements.tests.builders import Line, mt940_message
from buyers.tests.factories import BuyerFactory
from companies.models import Membership
from dashboard.tests.test_csp_browser import Problems, log_in
from dashboard.tests.tour import tour_owner
from invoices.intake import invoice_upload
from invoices.models import Status
from invoices.tests.factories import purchase_invoice, sales_invoice
from invoices.tests.review_documents import mismatched_invoice_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000


@pytest.fixture
def owner(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return tour_owner()


@pytest.fixture
def company(owner):
    return Membership.objects.get(user=owner).company


def test_reviewing_an_invoice_whose_lines_disagree_with_its_subtotal(live_server, owner, company, page: Page):
    first = invoice_upload(company=company, file=SimpleUploadedFile("first.pdf", mismatched_invoice_pdf("INV-1")))
    second = invoice_upload(company=company, file=SimpleUploadedFile("second.pdf", mismatched_invoice_pdf("INV-2")))
    first.invoice.refresh_from_db()
    assert first.invoice.status == Status.NEEDS_REVIEW
    page.set_default_timeout(TIMEOUT_MS)
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)

    page.goto(f"{live_server.url}/review/")
    page.get_by_role("link", name="Review the oldest").click()
    page.wait_for_url(f"**/invoices/{first.invoice.public_id}/")
    expect(page.locator("#review-reasons")).to_contain_text("Line items sum to 150.00 but the subtotal is 140.00")
    box = page.locator('rect.field-box[data-field="subtotal"]')
    expect(box).to_have_count(1)
    expect(page.get_by_role("img", name="Page 1 of the uploaded document")).to_be_visible()
    expect(box).not_to_have_class("field-box highlight")

    page.get_by_label("Subtotal", exact=True).focus()
    expect(box).to_have_class("field-box highlight")
    expect(page.locator("#conf-subtotal")).to_be_visible()
    page.get_by_label("Subtotal", exact=True).fill("150.00")
    page.get_by_role("button", name="Approve").click()

    expect(page.locator("#invoice-status")).to_have_text("Processed")
    page.get_by_role("link", name="Next in queue").click()
    page.wait_for_url(f"**/invoices/{second.invoice.public_id}/")
    expect(page.locator("#invoice-status")).to_have_text("Needs review")
    assert problems.seen == []


def test_clicking_a_field_box_focuses_its_field(live_server, owner, company, page: Page):
    upload = invoice_upload(company=company, file=SimpleUploadedFile("a.pdf", mismatched_invoice_pdf()))
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/invoices/{upload.invoice.public_id}/")

    page.locator('rect.field-box[data-field="total"]').click()

    expect(page.get_by_label("Total", exact=True)).to_be_focused()


def test_a_review_reason_links_to_its_field(live_server, owner, company, page: Page):
    upload = invoice_upload(company=company, file=SimpleUploadedFile("a.pdf", mismatched_invoice_pdf()))
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/invoices/{upload.invoice.public_id}/")

    page.locator('#review-reasons a[data-focus-field="subtotal"]').click()

    expect(page.get_by_label("Subtotal", exact=True)).to_be_focused()
    expect(page.locator('rect.field-box[data-field="subtotal"]')).to_have_class("field-box highlight")


def test_a_recorded_sales_invoice_shows_its_buyer(live_server, owner, company, page: Page):
    buyer = BuyerFactory.create(company=company, name="Kedai Runcit Maju")
    invoice = sales_invoice(company, buyer=buyer)
    page.set_default_timeout(TIMEOUT_MS)
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)

    page.goto(f"{live_server.url}/invoices/{invoice.public_id}/")
    page.get_by_role("link", name="Kedai Runcit Maju").click()

    page.wait_for_url(f"**/buyers/{buyer.public_id}/")
    assert problems.seen == []


def test_a_payment_shows_on_the_invoice_after_reconciliation(live_server, owner, company, page: Page):
    invoice = purchase_invoice(company, number="P-77", currency="EUR", due_date=date(2026, 4, 30))
    assert invoice.total == Decimal("120.00")
    statement_file = mt940_message(
        [Line(date(2026, 4, 3), Decimal("-120.00"), "Invoice P-77", "Acme Supplies Ltd", "P-77")]
    ).encode()
    statement_import(company=company, file=SimpleUploadedFile("april.sta", statement_file))
    statement = BankStatement.objects.get(company=company)
    reconciliation_start(company=company, statement=statement)
    for match in PaymentMatch.objects.filter(company=company, state=MatchState.SUGGESTED):
        match_confirm(match=match, actor="test")
    assert PaymentMatch.objects.filter(company=company, state=MatchState.CONFIRMED).count() == 1
    page.set_default_timeout(TIMEOUT_MS)
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)

    page.goto(f"{live_server.url}/invoices/{invoice.public_id}/")
    expect(page.locator("#payment-status")).to_have_text("Paid")
    page.locator("#payments").get_by_role("link", name=f"Statement {statement.public_id}").click()

    page.wait_for_url(f"**/bank/statements/{statement.public_id}/")
    assert problems.seen == []
