"""In a real browser: an owner invites a new accountant in Settings › Team, who opens the emailed link
in a fresh browser, sets a password and lands logged in, then logs in again with it and works with
the role given; and a user turns on TOTP two-factor login and logs in with a code (a wrong one is
refused, a recovery code works once)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from companies.models import Membership, Role
from companies.tests.factories import CompanyFactory, MembershipFactory, UserFactory
from dashboard.tests.tour import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000
NEW_PASSWORD = "purple elephant rides bicycles"
LINK = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]+/)")


@pytest.fixture
def owner(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    company = CompanyFactory.create(name="Browser Trading Sdn Bhd")
    user = UserFactory.create(username="olivia", email="olivia@browser.example")
    MembershipFactory.create(company=company, user=user, role=Role.OWNER)
    return user


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    # Away from the password form (to the dashboard, or the code step), with the new page's scripts run.
    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to InvoisX")).to_be_visible()


def test_an_invited_accountant_sets_a_password_and_logs_in_with_that_role(
    live_server, owner, page: Page, browser: Browser
):
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/settings/team/")
    page.get_by_label("Email address").fill("new@browser.example")
    page.get_by_label("Accountant").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to new@browser.example as Accountant.")).to_be_visible()
    expect(page.locator("#team-invitations")).to_contain_text("new@browser.example")

    assert [message.to for message in mail.outbox] == [["new@browser.example"]]
    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    invitee_context = browser.new_context()
    invitee = invitee_context.new_page()
    invitee.set_default_timeout(TIMEOUT_MS)
    invitee.goto(f"{live_server.url}{found.group(1)}")
    expect(invitee.get_by_role("heading", name="Join Browser Trading Sdn Bhd")).to_be_visible()
    expect(invitee.get_by_text("You are invited as Accountant")).to_be_visible()
    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("The password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set password and join").click()

    expect(invitee.get_by_text("Welcome to Browser Trading Sdn Bhd.")).to_be_visible()
    assert invitee.url == f"{live_server.url}/"
    log_out(invitee)
    log_in(invitee, live_server.url, "new@browser.example", NEW_PASSWORD)
    expect(invitee.get_by_role("button", name="Log out")).to_be_visible()
    membership = Membership.objects.get(user__username="new@browser.example")
    assert membership.role == Role.ACCOUNTANT
    invitee.goto(f"{live_server.url}/settings/team/")
    expect(invitee.locator(f'tr[data-member="{membership.public_id}"]')).to_contain_text("Accountant")
    expect(invitee.locator("#invite-form")).to_have_count(0)  # an accountant does not manage the team
    expect(invitee.get_by_role("link", name="Settings › API Tokens")).to_have_count(0)
    tokens_page = invitee.goto(f"{live_server.url}/settings/api-tokens/")
    assert tokens_page is not None
    assert tokens_page.status == 403
    invitee_context.close()

    page.reload()
    expect(page.locator("#team-members")).to_contain_text("new@browser.example")
    expect(page.locator("#team-invitations")).not_to_contain_text("new@browser.example")


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_user_turns_on_totp_and_logs_in_with_a_code_then_a_recovery_code_once(live_server, owner, page: Page):
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Turn on two-factor login").click()
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=owner)
    assert secret  # what an app would read from the QR code
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Two-factor login is on")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    # The code just used may not be used again; the next login needs a new time step's code.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.get_by_role("link", name="Done").click()
    log_out(page)

    log_in(page, live_server.url, "olivia")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.goto(f"{live_server.url}/settings/team/")
    assert page.url.startswith(f"{live_server.url}/login/")  # not logged in yet
    log_in(page, live_server.url, "olivia")
    page.get_by_label("Code").fill("000000" if current_code(device) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    log_out(page)

    for attempt in range(2):
        log_in(page, live_server.url, "olivia")
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Verify").click()
        if attempt == 0:
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            log_out(page)
        else:
            expect(page.get_by_text("That code is not right.")).to_be_visible()
