"""The invoice list in a real browser: sorting by a column heading, selecting every row and acting on them."""

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from buyers.tests.factories import BuyerFactory
from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from dashboard.tests.test_csp_browser import Problems, log_in
from invoices.models import Invoice
from invoices.tests.factories import purchase_invoice, sales_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000


def test_sort_select_every_row_and_delete_them_after_confirming(live_server, page: Page):
    page.set_default_timeout(TIMEOUT_MS)
    company = CompanyFactory.create(name="List Trading")
    owner = MembershipFactory.create(company=company, role=Role.OWNER).user
    for number in ("P-2", "P-1", "P-3"):
        purchase_invoice(company, number=number)
    issued = sales_invoice(company)
    Invoice.objects.filter(pk=issued.pk).update(state="issued")
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/invoices/")

    page.get_by_role("link", name="Number", exact=True).click()
    # The sorted list is a new page: list.js, which counts the selection, runs when it has loaded.
    page.wait_for_url(re.compile(r"/invoices/\?(.*&)?sort=number(&|$)"))
    expect(page.locator("tbody tr td:nth-child(2)")).to_have_text(["INV-2026-00001", "P-1", "P-2", "P-3"])
    page.get_by_role("checkbox", name="Select every invoice on this page").check()
    expect(page.locator("#bulk-count")).to_have_text("4 selected")
    page.get_by_label("With the selected invoices").select_option("delete")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("3 invoices deleted.")).to_be_visible()
    expect(page.get_by_text("was issued and cannot be deleted")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert "sort=number" in page.url
    assert problems.seen == []


def test_select_every_buyer_and_delete_them_after_confirming_keeps_the_invoiced_one(live_server, page: Page):
    page.set_default_timeout(TIMEOUT_MS)
    company = CompanyFactory.create(name="Party Trading")
    owner = MembershipFactory.create(company=company, role=Role.OWNER).user
    BuyerFactory.create_batch(2, company=company)
    sales_invoice(company, buyer=BuyerFactory.create(company=company, name="Invoiced Buyer"))
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/buyers/")

    page.get_by_role("checkbox", name="Select every buyer on this page").check()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.get_by_label("With the selected buyers").select_option("delete")
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("Buyers: 2 deleted, 1 kept: has invoices.")).to_be_visible()
    assert questions == ["Delete 3 buyer(s)? A buyer with invoices is kept."]
    expect(page.locator("#buyer-table tbody tr")).to_have_count(1)
    assert problems.seen == []
