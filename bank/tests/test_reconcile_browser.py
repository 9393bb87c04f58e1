"""In a real browser: a manual match offers only invoices in the line's currency, the closest in amount
first; matching pays the invoice, and undoing the confirmed match puts it back to suggested."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from bank.models import MatchState, PaymentMatch
from bank.statements.tests.builders import Line, mt940_message
from bank.tests.test_reconcile_api import invoice
from dashboard.tests.test_csp_browser import Problems, log_in
from dashboard.tests.tour import tour_owner
from invoices.models import Invoice, PaymentStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000


@pytest.fixture
def owner(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI: the reconciliation runs before its page opens
    return tour_owner()


def test_a_manual_match_offers_only_invoices_in_the_lines_currency_and_undo_keeps_it(
    live_server, owner, page: Page, tmp_path
):
    page.set_default_timeout(TIMEOUT_MS)
    company = owner.memberships.get().company
    # A bare transfer of 255.00 EUR: no number, no name, no exact amount, so the engine leaves it alone.
    near = invoice(company, "sales", "EUR-NEAR", "Globex GmbH", "250.00")
    invoice(company, "sales", "EUR-NEXT", "Initech Ltd", "262.00")
    invoice(company, "sales", "EUR-FAR", "Hooli Inc", "900.00")
    invoice(company, "sales", "MYR-EXACT", "Kedai Maju", "255.00", currency="MYR")
    invoice(company, "purchase", "BILL-EXACT", "Acme Trading BV", "255.00")  # money in never pays a bill
    statement = tmp_path / "march.sta"
    statement.write_bytes(
        mt940_message([Line(date(2026, 3, 12), Decimal("255.00"), "Transfer", "J SMITH", "NONREF")]).encode()
    )
    problems = Problems(page)
    log_in(page, live_server.url, owner.username)

    page.goto(f"{live_server.url}/bank/upload")
    page.set_input_files("#id_file", str(statement))
    page.get_by_role("button", name="Upload and read").click()
    page.get_by_role("button", name="Run reconciliation").click()
    expect(page.locator("#reconciliation-status")).to_have_text("Completed")
    line = page.locator("#unmatched-transactions tbody tr")
    expect(line).to_have_count(1)
    line.get_by_role("link", name="Find a match").click()

    offered = page.locator("#candidates tbody tr")
    expect(offered).to_have_count(3)
    expect(offered.nth(0)).to_contain_text("EUR-NEAR")
    expect(offered.nth(1)).to_contain_text("EUR-NEXT")
    expect(offered.nth(2)).to_contain_text("EUR-FAR")
    expect(page.locator("#candidates")).not_to_contain_text("MYR")
    expect(page.locator("#candidates")).not_to_contain_text("BILL-EXACT")
    expect(page.locator("#candidates input[type=radio]:checked")).to_have_count(0)  # 5.00 off, nothing named

    page.get_by_label("EUR-NEAR").check()
    page.get_by_role("button", name="Match", exact=True).click()

    expect(page.get_by_text("Matched to EUR-NEAR.")).to_be_visible()
    confirmed = page.locator("#confirmed-matches tr[data-state='confirmed']")
    expect(confirmed).to_have_count(1)
    expect(confirmed).to_contain_text("EUR-NEAR")
    expect(confirmed).to_contain_text("Paid")
    assert Invoice.objects.get(pk=near.pk).payment_status == PaymentStatus.PAID
    # The Match form posted and the reconciliation page was loaded again: htmx, deferred, must have run on
    # it before Undo is clicked, or Undo posts as a plain form and reloads the page.
    page.wait_for_load_state()

    page.evaluate("() => { window.stillThisPage = true; }")
    confirmed.get_by_role("button", name="Undo").click()

    expect(page.get_by_text("Match undone: it is a suggestion again")).to_be_visible()
    assert page.evaluate("() => window.stillThisPage") is True  # swapped in by htmx, not reloaded
    suggested = page.locator("#suggested-matches tr[data-state='suggested']")
    expect(suggested).to_have_count(1)
    expect(suggested).to_contain_text("EUR-NEAR")
    expect(suggested).to_contain_text("Unpaid")
    assert PaymentMatch.objects.get().state == MatchState.SUGGESTED
    assert Invoice.objects.get(pk=near.pk).payment_status == PaymentStatus.UNPAID
    # htmx makes the forms it swapped in post through it only when they settle (after its settle delay);
    # until then their htmx-added / htmx-settling classes are on, and Confirm would reload the page.
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)

    suggested.get_by_role("button", name="Confirm").click()  # and back, again without a reload

    expect(page.locator("#confirmed-matches tr[data-state='confirmed']")).to_contain_text("EUR-NEAR")
    expect(page.locator("#suggested-matches tr[data-state='suggested']")).to_have_count(0)
    assert page.evaluate("() => window.stillThisPage") is True
    assert Invoice.objects.get(pk=near.pk).payment_status == PaymentStatus.PAID
    assert problems.seen == []
