"""The page walk: in a real browser, every dashboard page, with about fifty invoices present, at a desktop
(1366x900) and a phone (390x844) size, has no horizontal overflow, no console or script error, no request
leaving this machine and no accessibility violation of WCAG 2.1 AA as axe-core finds them.

Every finding of the walk is collected first and asserted at the end, so one run lists them all.
A second test keeps the walk complete: every page route of the dashboard has an address on the tour.
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve
from django.urls.exceptions import Resolver404
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, expect

from accounts.services import totp_confirm, totp_setup_start
from bank.models import BankImportJob, ImportStatus
from buyers.tests.factories import BuyerFactory
from companies.models import Membership
from dashboard import urls as dashboard_urls
from dashboard.tests.tour import PASSWORD, PUBLIC_PAGES, tour_owner, tour_pages
from invoices.issuing.services import invoice_issue
from invoices.models import Invoice, Status
from invoices.tests.factories import purchase_invoice, sales_invoice
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT_MS = 20_000
VIEWPORTS = {"1366x900": {"width": 1366, "height": 900}, "390x844": {"width": 390, "height": 844}}
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
MISSING_PAGE = "/no-such-page/"  # on the tour to show the 404 page: its own 404 is no finding
# The Django admin and Swagger UI are not dashboard pages (their markup is Django's and Swagger's, not
# ours to fix), so axe and the overflow check leave them out; they are still checked for console
# errors and for requests leaving the machine.
NOT_DASHBOARD = ("/admin/", "/api/v1/docs")
# Dashboard routes that answer with a file or a redirect rather than a page: nothing to walk.
NOT_PAGES = {
    "invoice-document",  # the uploaded original
    "invoice-preview",  # a draft's PDF
    "invoice-pdf",
    "invoice-ubl",
    "invoice-cii",
    "company-logo",  # an image
    "invoice-page-image",  # an image of a document's page (the review page that shows them is walked)
    "integration-callback",  # where the provider's sign-in sends the browser back: a redirect
    "bank-transactions-export",  # a CSV download
    "invoice-upload-status",  # JSON the upload page polls
    # The two-factor page in its "on" state: the tour's owner has it off (this address redirects them),
    # so the test of a user with two-factor login walks it.
    "two-factor-disable",
}


def add_invoices(user: Any) -> list[str]:
    """About fifty purchase and sales invoices in every state and a few currencies, with amounts large
    enough to be grouped; and the addresses of a few more pages that only exist with them."""
    company = Membership.objects.get(user=user).company
    # Their events would be delivered to the tour's webhook, out of this machine: not what is tested here.
    WebhookEndpoint.objects.filter(company=company).update(active=False)
    buyers = [BuyerFactory.create(company=company, name=f"Pelanggan {n} Sdn Bhd") for n in range(3)]
    statuses = [Status.PROCESSED, Status.NEEDS_REVIEW, Status.FAILED, Status.PROCESSING]
    currencies = ["GBP", "EUR", "JPY", "MYR", "KWD"]
    for n in range(25):
        currency = currencies[n % len(currencies)]
        invoice = purchase_invoice(
            company,
            number=f"SUP-{n:04d}",
            supplier=f"Supplier {n % 7} Trading Co",
            currency=currency,
            invoice_date=date(2026, 1, 1) + timedelta(days=n * 3),
            due_date=date(2026, 2, 1) + timedelta(days=n * 3),
            line_items=[{"description": "Goods", "quantity": Decimal(n + 1), "unit_price": Decimal("1234")}],
        )
        Invoice.objects.filter(pk=invoice.pk).update(status=statuses[n % len(statuses)])
    for n in range(15):
        sales_invoice(
            company,
            buyer=buyers[n % len(buyers)],
            invoice_date=date(2026, 3, 1) + timedelta(days=n),
            line_items=[{"description": "Service", "quantity": Decimal(1), "unit_price": Decimal(987654) + n}],
        )
    drafts = [sales_invoice(company, buyer=buyers[n % len(buyers)], draft=True) for n in range(5)]
    for draft in drafts[:3]:
        invoice_issue(invoice=draft)
    failed_import = BankImportJob.objects.create(
        company=company,
        status=ImportStatus.FAILED,
        file=ContentFile(b"not a statement", name="broken.sta"),
        file_name="broken.sta",
        file_sha256="0" * 64,
        failure_reason="The file is not a bank statement this service reads.",
    )
    WebhookEndpoint.objects.filter(company=company).update(active=True)
    return [f"/bank/imports/{failed_import.public_id}/"]


class Findings:
    """Everything wrong the walk sees on one page or another."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.where = ""

    def watch(self, page: Page, viewport: str) -> None:
        page.on("console", lambda message: self._console(viewport, message))
        page.on("pageerror", lambda error: self.add(viewport, f"script error: {error}"))
        page.on("request", lambda request: self._request(viewport, request))
        page.on("response", lambda response: self._response(viewport, response))

    def add(self, viewport: str, finding: str) -> None:
        self.seen.append(f"[{viewport}] {self.where}: {finding}")

    def _console(self, viewport: str, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource"):
            if urlsplit(source).path == MISSING_PAGE:
                return  # the 404 page itself
            # Playwright reports no request for the favicon, so only this message tells of its 404.
            self.add(viewport, f"console error: {message.text} ({source})")
        else:
            self.add(viewport, f"console error: {message.text}")

    def _response(self, viewport: str, response: Response) -> None:
        expected = response.request.is_navigation_request() and urlsplit(response.url).path == MISSING_PAGE
        if response.status >= 400 and not expected:
            self.add(viewport, f"{response.status} from {response.request.method} {response.url}")

    def _request(self, viewport: str, request: Request) -> None:
        address = urlsplit(request.url)
        if address.scheme in ("data", "blob", "about"):
            return
        if address.hostname not in LOCAL_HOSTS:
            self.add(viewport, f"request leaving the machine: {request.method} {request.url}")


# The outermost elements sticking out to the right of the viewport: where an overflow comes from.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const wide = [...document.body.querySelectorAll('*')].filter((el) => {
    const right = el.getBoundingClientRect().right;
    if (right <= width + 1) return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (up.getBoundingClientRect().right > width + 1) return false;
      if (getComputedStyle(up).overflowX !== 'visible') return false;
    }
    return true;
  });
  return {scroll: document.documentElement.scrollWidth, width,
          wide: wide.slice(0, 4).map((el) => name(el) + ' (' + Math.round(el.getBoundingClientRect().right) + 'px)')};
}"""

AXE_SCRIPT = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map((v) => ({id: v.id, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
                                          count: v.nodes.length}));
}"""


def check_page(page: Page, findings: Findings, viewport: str, url: str) -> None:
    if url.startswith(NOT_DASHBOARD):
        return
    overflow = page.evaluate(OVERFLOW_SCRIPT)
    if overflow:
        findings.add(
            viewport, f"overflow: page {overflow['scroll']}px wide in {overflow['width']}px, from {overflow['wide']}"
        )
    page.evaluate(AXE_SOURCE)  # evaluate is not subject to the page's CSP; a script tag would be
    for violation in page.evaluate(AXE_SCRIPT, AXE_TAGS):
        findings.add(viewport, f"axe {violation['id']} ({violation['count']}x): {' | '.join(violation['targets'])}")


def visit(page: Page, findings: Findings, base_url: str, url: str) -> None:
    findings.where = url
    page.goto(f"{base_url}{url}", wait_until="load")
    if url == "/api/v1/docs":  # Swagger UI draws itself and fetches the schema: let it finish
        expect(page.locator(".opblock").first).to_be_visible()


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def new_context(browser: Browser, viewport: str) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORTS[viewport])  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def owner(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the reconciliation runs before its page opens
    return tour_owner()


@pytest.mark.browser
def test_every_page_fits_the_screen_loads_cleanly_and_passes_axe_at_desktop_and_phone_sizes(
    live_server, owner, browser: Browser
):
    pages = tour_pages(owner) + add_invoices(owner)
    findings = Findings()
    cookies: list[Any] = []

    for viewport in VIEWPORTS:
        context = new_context(browser, viewport)
        page = context.new_page()
        findings.watch(page, viewport)
        for url in PUBLIC_PAGES:
            visit(page, findings, live_server.url, url)
            check_page(page, findings, viewport, url)
        if cookies:  # logged in once, for the first size; the other reuses the session
            context.add_cookies(cookies)
        else:
            findings.where = "/login/ (logging in)"
            log_in(page, live_server.url, owner.username)
            cookies = context.cookies()
        for url in pages:
            visit(page, findings, live_server.url, url)
            check_page(page, findings, viewport, url)
        context.close()

    assert findings.seen == [], "\n".join(["The walk found:", *findings.seen])


@pytest.mark.browser
def test_the_menu_button_opens_the_collapsed_navigation_on_a_phone(live_server, owner, browser: Browser):
    context = new_context(browser, "390x844")
    page = context.new_page()
    log_in(page, live_server.url, owner.username)
    menu = page.get_by_role("button", name="Menu")
    settings_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
    expect(settings_link).to_be_hidden()

    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    settings_link.click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    context.close()


@pytest.mark.browser
def test_htmx_runs_from_our_origin_with_a_configuration_the_policy_allows(live_server, owner, browser: Browser):
    context = new_context(browser, "1366x900")
    page = context.new_page()
    findings = Findings()
    findings.watch(page, "1366x900")
    log_in(page, live_server.url, owner.username)

    config = page.evaluate(
        "() => [htmx.version, htmx.config.allowEval, htmx.config.allowScriptTags, htmx.config.includeIndicatorStyles]"
    )
    headers = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))")

    assert config[0].startswith("2.")
    assert config[1:] == [False, False, False]
    assert headers["X-CSRFToken"] == page.evaluate("() => document.querySelector('[name=csrfmiddlewaretoken]').value")
    assert findings.seen == []
    context.close()


def _routes(patterns: list[Any], prefix: str = "") -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.name or "", pattern.callback))
    return found


def _methods(view: Any) -> list[str] | None:
    """The methods a view is limited to by Django's require_http_methods (require_POST...), if any:
    the decorator keeps them in its closure."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_page_route_of_the_dashboard_is_on_the_walk(owner):
    """A page added to the dashboard without an address on the tour would escape the walk above."""
    addresses = tour_pages(owner) + add_invoices(owner)
    walked = set()
    for address in addresses:
        try:
            walked.add(resolve(urlsplit(address).path).view_name)
        except Resolver404:
            continue
    pages = {
        f"dashboard:{name}"
        for _route, name, view in _routes(dashboard_urls.urlpatterns)
        if "GET" in (_methods(view) or ["GET"]) and name not in NOT_PAGES
    }

    assert "dashboard:settings" in pages  # the walk of the routes found them
    assert sorted(pages - walked) == []
    route_names = {name for _route, name, _view in _routes(dashboard_urls.urlpatterns)}
    assert NOT_PAGES - route_names == set()  # the list of routes left out names no route that is gone


@pytest.mark.browser
def test_the_pages_of_a_user_with_two_factor_login_pass_the_same_checks(live_server, owner, browser: Browser):
    """The code step of the login and the two-factor page in its "on" state, which the tour's owner
    (two-factor off) never sees."""
    device = totp_setup_start(user=owner)
    totp_confirm(user=owner, code=f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    findings = Findings()

    for viewport in VIEWPORTS:
        context = new_context(browser, viewport)
        page = context.new_page()
        findings.watch(page, viewport)
        findings.where = "/login/ (password)"
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", owner.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/login/code/**")
        findings.where = "/login/code/"
        check_page(page, findings, viewport, "/login/code/")
        context.close()
    context = new_context(browser, "1366x900")
    context.add_cookies(_logged_in_cookies(live_server.url, owner))
    for viewport, size in VIEWPORTS.items():
        page = context.new_page()
        page.set_viewport_size(size)  # type: ignore[arg-type]
        findings.watch(page, viewport)
        for url in ("/account/two-factor/", "/account/two-factor/disable"):
            visit(page, findings, live_server.url, url)
            assert urlsplit(page.url).path == url  # the page itself, not a login or a redirect
            check_page(page, findings, viewport, url)
        page.close()
    context.close()

    assert findings.seen == [], "\n".join(["The walk found:", *findings.seen])


def _logged_in_cookies(base_url: str, user: Any) -> list[Any]:
    """A session cookie of the user, logged in with both factors, as the test client makes one."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return [{"name": "sessionid", "value": session, "url": base_url}]
