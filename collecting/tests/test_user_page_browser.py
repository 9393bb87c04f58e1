"""The credential page in a real browser, inside an iframe of a page on another origin (the customer's
product, served here by a tiny http.server on 127.0.0.1): shown in English and in French when the
customer's settings allow that origin, refused by the browser when they do not, and a credential
added through it.

The page is opened at `GET /api/v1/user?token=` when that route serves it, else at the test-only
route of test_user_page (the same `user_page` behind the same token check)."""

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import FrameLocator, Locator, Page, expect

from collecting.models import CollectorUser, Credential
from collecting.services import (
    collector_user_create,
    credential_params,
    customer_frame_ancestors_set,
    user_token_issue,
)
from collecting.tests.test_user_page import DEMO, SECRET_DEFAULT, TEST_PAGE
from companies.tests.factories import CompanyFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("collecting.tests.test_user_page"),
]

TIMEOUT_MS = 20_000
PASSWORD = "s3cret-imap-password"


@pytest.fixture(autouse=True)
def _demo_collector(monkeypatch):
    from collecting.collectors import REGISTRY

    monkeypatch.setitem(REGISTRY, DEMO.key, DEMO)


@contextmanager
def customer_site(frame_src: str) -> Iterator[str]:
    """A page on http://127.0.0.1:<port> that embeds `frame_src`; yields the page's address."""
    html = (
        "<!doctype html><html><head><title>Customer app</title></head><body><h1>Customer app</h1>"
        f'<iframe id="invoisx" title="Invoice sources" src="{frame_src}" width="1000" height="900"></iframe>'
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def credential_page_url(live_server, user: CollectorUser) -> str:
    """The product's own route once it serves the page (collecting.api.user), else the test route."""
    token = user_token_issue(user=user)
    real = f"{live_server.url}/api/v1/user?token={token}"
    try:
        with urllib.request.urlopen(real, timeout=10) as answer:  # noqa: S310 - our own live server
            if answer.status == 200 and answer.headers.get("Content-Type", "").startswith("text/html"):
                return real
    except urllib.error.HTTPError:
        pass
    return f"{live_server.url}{TEST_PAGE}?token={token}"


@pytest.fixture
def company():
    return CompanyFactory.create(name="Frame Trading")


def embed(page: Page, live_server, company, *, locale: str, allow: bool, body) -> None:
    user = collector_user_create(company=company, remote_id=f"remote-{locale}", locale=locale)
    src = credential_page_url(live_server, user)
    with customer_site(src) as origin:
        customer_frame_ancestors_set(company=company, frame_ancestors=origin if allow else "https://elsewhere.example")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(origin)
        page.wait_for_load_state("load")
        body(page.frame_locator("#invoisx"), user)


def demo_field(frame: FrameLocator, label: str) -> Locator:
    """The demo collector's field with this label (other installed collectors have fields of the same name)."""
    return frame.get_by_label(label, exact=False).and_(frame.locator("[name^='demo-']"))


@pytest.mark.parametrize(
    ("locale", "title", "add", "choose", "server", "password"),
    [
        ("en", "Your invoice sources", "Add a source", "Demo mailbox", "Server", "Password"),
        ("fr", "Vos sources de factures", "Ajouter une source", "Boîte de démonstration", "Serveur", "Mot de passe"),
    ],
)
def test_the_credential_page_shows_in_the_users_language_inside_the_customers_iframe(
    live_server, company, page: Page, locale, title, add, choose, server, password
):
    def check(frame: FrameLocator, user: CollectorUser) -> None:
        expect(frame.locator("h1")).to_have_text(title)
        expect(frame.locator("html")).to_have_attribute("lang", locale)
        expect(frame.get_by_role("heading", name=add)).to_be_visible()
        expect(demo_field(frame, server)).to_be_hidden()
        frame.locator("#collector-choice").select_option(label=choose)
        expect(demo_field(frame, server)).to_be_visible()
        expect(demo_field(frame, password)).to_have_value("")
        expect(frame.locator("#credential-form button[type=submit]")).to_be_enabled()

    embed(page, live_server, company, locale=locale, allow=True, body=check)


def test_the_browser_refuses_the_page_in_an_iframe_of_an_origin_the_customer_did_not_name(
    live_server, company, page: Page
):
    def check(frame: FrameLocator, user: CollectorUser) -> None:
        expect(page.locator("h1")).to_have_text("Customer app")
        expect(frame.locator("#collecting-user")).to_have_count(0)

    embed(page, live_server, company, locale="en", allow=False, body=check)


def test_a_credential_is_added_through_the_iframe(live_server, company, page: Page):
    try:
        resolve("/api/v1/credential")
    except Resolver404:
        pytest.skip("POST /api/v1/credential is not routed on this branch (collecting.api.user, helper collapi)")

    def add(frame: FrameLocator, user: CollectorUser) -> None:
        frame.locator("#collector-choice").select_option("demo")
        demo_field(frame, "Server").fill("imap.frame.example")
        demo_field(frame, "User name").fill("ap@frame.example")
        demo_field(frame, "Password").fill(PASSWORD)
        frame.get_by_label("Name (optional)").fill("Accounts payable")
        frame.get_by_role("button", name="Connect").click()
        row = frame.locator("tr[data-credential]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Demo mailbox")
        expect(row).to_contain_text("Accounts payable")
        expect(frame.locator("html")).not_to_contain_text(PASSWORD)

    embed(page, live_server, company, locale="en", allow=True, body=add)

    credential = Credential.objects.get(user__company=company)
    assert credential.collector == "demo"
    assert PASSWORD not in credential.params_sealed
    assert credential_params(credential) == {
        "host": "imap.frame.example",
        "port": 993,
        "user": "ap@frame.example",
        "password": PASSWORD,
        "security": "tls",
        "mark_read": True,
        "key": SECRET_DEFAULT,  # the default of an untouched secret: applied by the collector, never shown
    }
