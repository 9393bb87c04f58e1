"""In a real browser: add a webhook endpoint, send a test event to a real receiver that fails it and be
told so, see the delivery and its attempt in the log, retry it, see it delivered with a valid signature
and the endpoint's health in the list, then delete the endpoint after confirming."""

import time

import pytest
from playwright.sync_api import Page, expect

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from webhooks.tests.receiver import Receiver, verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 20_000


@pytest.fixture
def owner():
    company = CompanyFactory(name="Webhook Trading")
    return MembershipFactory(company=company, role=Role.OWNER).user


def test_add_an_endpoint_send_a_test_event_see_it_fail_and_retry_it(live_server, owner, page: Page, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI: the attempt runs in the request, on commit
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    page.set_default_timeout(TIMEOUT_MS)

    with Receiver([500, 200]) as receiver:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", owner.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.get_by_role("link", name="Settings", exact=True).click()
        page.get_by_role("link", name="Webhooks", exact=True).click()
        page.get_by_role("link", name="Add endpoint").click()
        page.fill("#id_url", receiver.url)
        page.fill("#id_description", "Our ERP")
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.locator("#new-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        page.get_by_role("link", name="Done").click()

        page.get_by_role("button", name="Send test event").click()
        expect(page.locator(".notice-error")).to_contain_text("Failed: The endpoint answered 500.")
        expect(page.locator(".notice-success")).to_have_count(0)
        row = page.locator("tr[data-delivery]")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-status", "pending")
        expect(row).to_contain_text("webhook.test")
        expect(row).to_contain_text("500")
        page.get_by_text("1 attempt").click()
        expect(page.locator("tr[data-attempt='1']")).to_contain_text("The endpoint answered 500.")

        row.get_by_role("button", name="Retry now").click()
        expect(page.get_by_text("sent again")).to_be_visible()
        expect(page.locator("tr[data-delivery]")).to_have_attribute("data-status", "succeeded")
        expect(page.locator("tr[data-delivery] .delivery-status")).to_have_text("Succeeded")
        expect(page.locator("tr[data-delivery]").get_by_role("button", name="Retry now")).to_have_count(0)

        page.get_by_role("link", name="Settings", exact=True).click()
        page.get_by_role("link", name="Webhooks", exact=True).click()
        expect(page.locator("td.webhook-health")).to_contain_text("Delivered: 200")
        expect(page.locator("td.webhook-counts")).to_contain_text("1 delivered")
        expect(page.locator("td.webhook-counts")).to_contain_text("1 failed")
        page.get_by_role("link", name=receiver.url).click()
        page.get_by_role("link", name="Delete endpoint…").click()
        expect(page.get_by_role("heading", name="Delete this webhook endpoint?")).to_be_visible()
        page.get_by_role("button", name="Delete endpoint").click()
        expect(page.get_by_text("deleted")).to_be_visible()
        expect(page.locator("tr[data-endpoint]")).to_have_count(0)

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    payload = verify(secret=secret, headers=second.headers, body=second.body, now=int(time.time()))
    assert payload["event"] == "webhook.test"
