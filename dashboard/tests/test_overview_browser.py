"""In a real browser, on a desktop and on a phone: the overview's figures, charts and checklist fit the
screen (tables scroll inside their container), and its links lead where they say."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from dashboard.tests.tour import PASSWORD
from invoices.tests.factories import purchase_invoice, sales_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000
# Anything inside the page's content wider than the window, tables excepted (they scroll in their wrap).
OVERFLOWING = """() => Array.from(document.querySelectorAll('main *'))
    .filter(e => !e.closest('.table-wrap'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def owner():
    company = CompanyFactory.create(name="Overview Trading Sdn Bhd")
    today = date.today()
    for days_late in (0, 12, 45, 75, 120):
        due = today - timedelta(days=days_late)
        sales_invoice(company, invoice_date=due - timedelta(days=30), due_date=due)
        purchase_invoice(
            company, number=f"P-{days_late}", currency="MYR", invoice_date=due - timedelta(days=30), due_date=due
        )
    return MembershipFactory.create(company=company, role=Role.OWNER).user


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_overview_fits_the_screen_and_links_to_the_work(live_server, owner, page: Page, width, height):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Receivables due")).to_be_visible()
    expect(page.locator("#aging tr[data-direction='sales'] td[data-bucket='d61_90']")).to_contain_text("1,080.00")
    expect(page.get_by_role("img", name="Due by age (MYR)")).to_be_visible()
    expect(page.get_by_role("img", name="Invoiced and received, last 6 months (MYR)")).to_be_visible()
    assert page.evaluate(OVERFLOWING) == []

    page.get_by_role("link", name="Import a bank statement").click()
    expect(page).to_have_url(f"{live_server.url}/bank/upload")
