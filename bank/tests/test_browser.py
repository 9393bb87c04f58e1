"""Upload a statement, run a reconciliation, confirm a suggested match in a real browser, then see the
invoice paid through the API."""

import re
from datetime import date
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import Page, expect

from bank.statements.tests.builders import Line, mt940_message
from bank.tests.test_reconcile_api import invoice
from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from tokens.services import token_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 20_000


@pytest.fixture
def owner():
    company = CompanyFactory(name="Reconcile Trading")
    return MembershipFactory(company=company, role=Role.OWNER).user


def test_upload_reconcile_and_confirm_then_the_invoice_is_paid_in_the_api(
    live_server, owner, page: Page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    page.set_default_timeout(TIMEOUT_MS)
    company = owner.memberships.get().company
    sure = invoice(company, "sales", "INV-2026-0101", "Acme Trading BV", "1210.00")
    guess = invoice(company, "sales", "INV-2026-0106", "Umbrella Corp", "99.00")
    statement = tmp_path / "march.sta"
    statement.write_bytes(
        mt940_message(
            [
                Line(date(2026, 3, 3), Decimal("1210.00"), "Payment INV-2026-0101", "Acme Trading BV", "NONREF"),
                Line(date(2026, 3, 12), Decimal("99.00"), "Thanks", "J SMITH", "NONREF"),
            ]
        ).encode()
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Bank", exact=True).click()
    page.get_by_role("link", name="Upload statement").click()
    page.set_input_files("#id_file", str(statement))
    page.get_by_role("button", name="Upload and read").click()
    expect(page.get_by_text("Imported 2 new transactions.")).to_be_visible()

    page.get_by_role("button", name="Run reconciliation").click()
    expect(page.locator("#reconciliation-status")).to_have_text("Completed")
    page.wait_for_load_state()  # the reconciliation page's htmx has run: Confirm posts through it
    # The payment quoting INV-2026-0101 was confirmed on its own; the bare 99.00 waits for a person.
    suggestion = page.locator("tr[data-state='suggested']")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("INV-2026-0106")
    expect(suggestion).to_contain_text(re.compile("amount equals the open amount", re.IGNORECASE))
    suggestion.get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("Match confirmed")).to_be_visible()
    expect(page.locator("tr[data-state='suggested']")).to_have_count(0)
    expect(page.locator("tr[data-state='confirmed']")).to_have_count(2)

    raw = token_issue(company=company, name="check", scopes=["invoices:read"]).raw
    for paid in (guess, sure):
        response = requests.get(
            f"{live_server.url}/api/v1/invoices/{paid.public_id}",
            headers={"Authorization": f"Bearer {raw}", "Connection": "close"},
            timeout=15,
        )
        payment = response.json()["data"]["payment"]
        assert payment["status"] == "paid"
        assert payment["amount_due"] == 0.0
