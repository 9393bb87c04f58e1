"""Make API calls, then read them on the Usage page in a real browser: meters, charts, the table."""

import pytest
import requests
from playwright.sync_api import Page, expect

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from tokens.services import token_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 20_000
CALLS = 7


def test_api_calls_show_on_the_usage_page(live_server, page: Page):
    page.set_default_timeout(TIMEOUT_MS)
    company = CompanyFactory.create(name="Usage Trading", plan="starter")
    owner = MembershipFactory.create(company=company, role=Role.VIEWER).user
    token = token_issue(company=company, name="browser", scopes=["buyers:read"]).raw
    for _ in range(CALLS):
        response = requests.get(
            f"{live_server.url}/api/v1/buyers", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 200, response.text

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Usage", exact=True).click()

    expect(page.get_by_role("heading", name="Usage")).to_be_visible()
    api_meter = page.get_by_role("progressbar", name="API calls")
    expect(api_meter).to_have_attribute("value", str(CALLS))
    expect(api_meter).to_have_attribute("max", "5000")
    expect(page.get_by_role("progressbar", name="Invoices processed")).to_have_attribute("value", "0")
    expect(page.get_by_role("img", name="API calls per day")).to_be_visible()
    expect(page.get_by_role("img", name="Invoices processed per day")).to_be_visible()

    page.get_by_text("The numbers by day").click()
    total = page.get_by_role("row", name="Total")
    expect(total).to_be_visible()
    expect(total.get_by_role("cell").first).to_have_text(str(CALLS))
