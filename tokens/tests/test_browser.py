"""Settings > API Tokens in a real browser: log in, create a token, use it, revoke it.

Debian's chromium is driven through pytest-playwright against pytest-django's `live_server`; no
browser is ever downloaded. A screenshot of the page that shows the new token once is left at
/tmp/token_created.png for people to look at.
"""

import re
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from tokens.models import ApiToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SCREENSHOT = "/tmp/token_created.png"  # noqa: S108 -- a fixed place for people to look at, not a secret
RAW_TOKEN = re.compile(r"^sk_live_[A-Za-z0-9]{48}$")
TIMEOUT_MS = 15_000


@pytest.fixture
def owner():
    company = CompanyFactory(name="Browser Test Trading")
    return MembershipFactory(company=company, role=Role.OWNER).user


def api_get(base_url: str, raw_token: str) -> requests.Response:
    # Connection: close, so the live server's request thread ends and closes its database
    # connection now; a kept-alive socket would hold it open and block dropping the test database.
    return requests.get(
        f"{base_url}/api/v1/buyers",
        headers={"Authorization": f"Bearer {raw_token}", "Accept": "application/json", "Connection": "close"},
        timeout=15,
    )


def test_create_use_and_revoke_a_token_in_the_browser(live_server, owner, page: Page):
    page.set_default_timeout(TIMEOUT_MS)

    # Log in through the login page.
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Settings", exact=True)).to_be_visible()

    # Settings > API Tokens > Create New Token.
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API Tokens")).to_be_visible()
    page.get_by_role("link", name="Create New Token").click()
    expect(page.get_by_role("heading", name="Create New Token")).to_be_visible()

    page.fill("#id_name", "Browser integration")
    page.select_option("#id_expiration", "90")
    page.check("input[name=permissions][value=read]")
    page.check("input[name=permissions][value=create]")
    earliest_expiry = (timezone.now() + timedelta(days=90)).date()
    page.get_by_role("button", name="Create Token").click()
    latest_expiry = (timezone.now() + timedelta(days=90)).date()

    # The token is shown once, with the warning that it will not be shown again.
    expect(page.get_by_role("heading", name="Token created: Browser integration")).to_be_visible()
    raw_token = page.locator("#new-token").inner_text().strip()
    assert RAW_TOKEN.match(raw_token), raw_token
    warning = page.locator(".notice-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("copy and save your token now")
    expect(warning).to_contain_text("displayed only once")
    scopes = page.locator(".facts .scope").all_inner_texts()
    assert {"buyers:read", "invoices:read", "buyers:write", "invoices:write"} <= set(scopes)
    assert "buyers:delete" not in scopes
    expiry_text = page.locator(".facts dd").nth(1).inner_text().strip()
    assert expiry_text in {earliest_expiry.isoformat(), latest_expiry.isoformat()}
    page.screenshot(path=SCREENSHOT, full_page=True)

    token = ApiToken.objects.get(name="Browser integration")
    assert raw_token.startswith(token.prefix)
    assert token.key_hash not in raw_token

    # Back on the list: the prefix is listed, the secret is nowhere in the page.
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="API Tokens")).to_be_visible()
    row = page.locator(f"tr[data-token='{token.public_id}']")
    expect(row).to_contain_text("Browser integration")
    expect(row).to_contain_text(token.prefix)
    expect(row).to_contain_text("Active")
    assert raw_token not in page.content()
    assert raw_token[len(token.prefix) :] not in page.content()

    # The token works against the API.
    response = api_get(live_server.url, raw_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert "buyers" in body["data"]
    assert response.headers["X-RateLimit-Limit"]

    # Revoke it in the page: Revoke, then confirm.
    row.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", name="Revoke “Browser integration”?")).to_be_visible()
    expect(page.locator(".notice-warning")).to_contain_text(token.prefix)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_role("status")).to_contain_text("was revoked")
    row = page.locator(f"tr[data-token='{token.public_id}']")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("link", name="Revoke")).to_have_count(0)

    # Revocation is immediate: the very next call is refused.
    response = api_get(live_server.url, raw_token)
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "invalid_api_key"
    assert body["error_code"] == "UNAUTHORIZED"
    token.refresh_from_db()
    assert token.revoked_at is not None
