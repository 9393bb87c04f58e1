"""The reference web portal collector, in Debian's chromium, against a supplier portal on 127.0.0.1
(`portal_server.py`): a login form, a TOTP second factor, a table of invoice PDFs.

The collector runs its browser in a thread of its own, so these tests do not use pytest-playwright's
`page` (whose sync API holds this thread's asyncio loop); they ask the `chromium_path` fixture only
to skip without chromium (and fail under CI=true)."""

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from collecting import runs
from collecting.callbacks import callback_secret
from collecting.collectors import collector_get
from collecting.collectors.base import CollectorError, DocumentRef, Downloaded, LoginFailed, TransientError
from collecting.collectors.demo_portal import DemoPortalCollector
from collecting.collectors.web import AddressGuard
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.services import (
    collector_user_create,
    credential_collect_now,
    credential_create,
    customer_update,
    user_token_issue,
)
from collecting.tests.fake_collector import invoice_pdf
from collecting.tests.portal_server import Portal, PortalInvoice, PortalServer, totp
from invoices.models import Direction, Invoice, Source
from webhooks.tests.receiver import Receiver, verify

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
COLLECTOR = DemoPortalCollector()
# However long a test waits for the run to reach a state, it gives up after this (never a timing assertion).
STATE_WAIT_SECONDS = 60


@pytest.fixture
def chromium(settings, chromium_path):
    """Debian's chromium for the collector (skipped without it, failed under CI=true)."""
    settings.CHROMIUM_PATH = chromium_path
    settings.COLLECTING_WEB_ALLOW_PRIVATE = True  # the portal is on 127.0.0.1


def two_invoices() -> list[PortalInvoice]:
    return [
        PortalInvoice("INV-P1", "2026-11-02", "120.00", invoice_pdf("INV-P1", "120.00", supplier="Portal Supplies")),
        PortalInvoice("INV-P2", "2026-12-01", "80.50", invoice_pdf("INV-P2", "80.50", supplier="Portal Supplies")),
    ]


@pytest.fixture
def portal(chromium):
    with PortalServer(Portal(totp_secret=SECRET, invoices=two_invoices())) as running:
        yield running


def params(server: PortalServer, **changes: str) -> dict:
    given = {"base_url": server.url, "username": server.portal.username, "password": server.portal.password}
    return COLLECTOR.clean_params({**given, **changes})


def current_code() -> str:
    return totp(SECRET)


def no_second_factor() -> str | None:
    raise AssertionError("the portal did not ask for a second factor")


def collect(given: dict, two_factor) -> list[tuple[DocumentRef, Downloaded]]:
    """One collection as the run does it: open (log in), list, download each, finish, close."""
    session = COLLECTOR.open(given, two_factor=two_factor)
    try:
        found = [(ref, session.download(ref)) for ref in session.documents(since=None)]
        session.finish([ref for ref, _ in found])
    finally:
        session.close()
    return found


def test_it_is_registered_with_its_parameters_in_english_and_french():
    collector = collector_get("supplier_portal")
    assert isinstance(collector, DemoPortalCollector)
    english, french = collector.describe("en"), collector.describe("fr")
    assert [p["name"] for p in english["params"]] == ["base_url", "username", "password"]
    assert [p["name"] for p in english["params"] if p["secret"]] == ["password"]
    assert french["name"] == "Portail fournisseur (référence)"


@pytest.mark.parametrize("address", ["file:///etc/passwd", "ftp://portal.example.com", "javascript:alert(1)", "x"])
def test_a_portal_address_that_is_not_http_or_https_is_refused(address):
    with pytest.raises(ValueError, match=r"params\.base_url"):
        COLLECTOR.clean_params({"base_url": address, "username": "u", "password": "p"})


def test_without_the_private_network_setting_the_browser_may_not_load_a_local_address(settings):
    settings.COLLECTING_WEB_ALLOW_PRIVATE = False
    guard = AddressGuard()

    assert "private" in guard.refusal("http://127.0.0.1:8000/login")
    assert "private" in guard.refusal("http://[::1]/")
    assert guard.refusal("file:///etc/passwd")
    assert guard.refusal("https://93.184.215.14/login") == ""


def test_without_the_private_network_setting_a_local_portal_is_not_opened(portal, settings):
    settings.COLLECTING_WEB_ALLOW_PRIVATE = False

    with pytest.raises(CollectorError, match="private"):
        COLLECTOR.open(params(portal), two_factor=current_code)

    assert portal.portal.logins == 0


def test_it_logs_in_passes_the_totp_second_factor_and_downloads_both_pdfs(portal):
    asked = []

    def two_factor() -> str | None:
        asked.append(True)
        return current_code()

    found = collect(params(portal), two_factor)

    assert asked == [True]
    invoices = portal.portal.invoices
    assert [(ref.file_name, downloaded.data, downloaded.mimetype) for ref, downloaded in found] == [
        (invoice.file_name, invoice.pdf, "application/pdf") for invoice in invoices
    ]
    assert [ref.issued_at for ref, _ in found] == [datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)]
    assert [ref.key for ref, _ in found] == ["web:/files/INV-P1.pdf", "web:/files/INV-P2.pdf"]
    assert portal.portal.downloads == ["INV-P1", "INV-P2"]


def test_an_account_without_a_second_factor_is_never_asked_for_one(chromium):
    with PortalServer(Portal(invoices=two_invoices())) as server:
        found = collect(params(server), no_second_factor)

    assert [ref.file_name for ref, _ in found] == ["INV-P1.pdf", "INV-P2.pdf"]


def test_a_wrong_password_is_a_failed_login_with_the_portals_message(portal):
    with pytest.raises(LoginFailed, match="Wrong e-mail or password"):
        COLLECTOR.open(params(portal, password="wrong"), two_factor=no_second_factor)

    assert portal.portal.logins == 0


def test_a_wrong_second_factor_code_is_a_failed_login(portal):
    wrong = str((int(current_code()) + 500_000) % 1_000_000).zfill(6)

    with pytest.raises(LoginFailed, match="second factor"):
        COLLECTOR.open(params(portal), two_factor=lambda: wrong)

    assert portal.portal.downloads == []


def test_no_second_factor_code_in_time_ends_the_run_with_an_error(portal):
    with pytest.raises(CollectorError, match="no code came within 5 minutes") as raised:
        COLLECTOR.open(params(portal), two_factor=lambda: None)

    assert not isinstance(raised.value, LoginFailed)
    assert portal.portal.downloads == []


def test_a_portal_that_does_not_answer_is_a_transient_error(chromium):
    with PortalServer(Portal()) as server:
        gone = server.url

    with pytest.raises(TransientError, match="could not be reached"):
        COLLECTOR.open(
            COLLECTOR.clean_params({"base_url": gone, "username": "u", "password": "p"}), two_factor=no_second_factor
        )


# --- End to end, through the product: the credential API, the run, the intake, the callback --------


@contextmanager
def user_posting_the_code(monkeypatch, *, user, token: str) -> Iterator[list[tuple[str, int]]]:
    """The user, in another thread as in another process: once the run in the block waits for the
    second factor, reads the credential and posts the authenticator's code to
    `POST /api/v1/credential/{id}/2fa`. Yields what it saw and got: [(the credential's state, status)]."""
    run_waits, code_posted = threading.Event(), threading.Event()
    posted: list[tuple[str, int]] = []

    def pause_between_polls(seconds: float) -> None:
        # The run's pause between two looks for the code: it lets the user's thread know it waits, and
        # stays off the database until the code is posted (SQLite's shared cache refuses a read while
        # another connection writes, where PostgreSQL would just wait).
        run_waits.set()
        code_posted.wait(seconds)

    def user_posts_the_code() -> None:
        try:
            if not run_waits.wait(STATE_WAIT_SECONDS):
                return
            waiting = Credential.objects.get(user=user)
            response = APIClient().post(
                f"/api/v1/credential/{waiting.public_id}/2fa?token={token}", {"code": current_code()}, format="json"
            )
            posted.append((waiting.state, response.status_code))
        finally:
            code_posted.set()
            connection.close()

    monkeypatch.setattr(runs, "_wait", pause_between_polls)
    the_user = threading.Thread(target=user_posts_the_code, daemon=True)
    the_user.start()
    try:
        yield posted
    finally:
        run_waits.set()  # a run that never waited: the thread ends
        the_user.join(STATE_WAIT_SECONDS)


@pytest.mark.django_db(transaction=True)
def test_a_credential_for_the_portal_is_collected_with_the_totp_code_posted_through_the_api(
    alice, portal, settings, monkeypatch
):
    """The run waits in `2fa_waiting` until the user posts the code; the two invoices become purchase
    invoices and reach the customer's callback, signed; a second run collects nothing new."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.COLLECTING_TWO_FA_WAIT_SECONDS = STATE_WAIT_SECONDS
    settings.COLLECTING_TWO_FA_POLL_SECONDS = STATE_WAIT_SECONDS
    with Receiver() as receiver:
        customer_update(company=alice, callback=receiver.url)
        user = collector_user_create(company=alice, remote_id="R-77", locale="en")
        token = user_token_issue(user=user)

        with user_posting_the_code(monkeypatch, user=user, token=token) as posted:
            # Eager: the credential is collected at once, in this thread, while the user's thread posts the code.
            credential = credential_create(
                user=user,
                collector="supplier_portal",
                params={"base_url": portal.url, "username": "buyer@example.com", "password": "s3cret-Pa55"},
                download_from=datetime(2026, 1, 1, tzinfo=UTC),
            )

        credential.refresh_from_db()
        assert posted == [(CredentialState.TWO_FA_WAITING, 200)]
        assert (credential.state, credential.message) == (CredentialState.OK, "")
        invoices = Invoice.objects.filter(company=alice).order_by("invoice_number")
        assert [(i.invoice_number, i.total, i.direction, i.source) for i in invoices] == [
            ("INV-P1", Decimal("120.00"), Direction.PURCHASE, Source.COLLECTED),
            ("INV-P2", Decimal("80.50"), Direction.PURCHASE, Source.COLLECTED),
        ]
        documents = CollectedDocument.objects.filter(credential=credential).order_by("file_name")
        assert [(d.file_name, d.pushed) for d in documents] == [("INV-P1.pdf", True), ("INV-P2.pdf", True)]
        secret = callback_secret(company=alice)
        received = [
            verify(secret=secret, headers=r.headers, body=r.body, now=int(time.time())) for r in receiver.requests
        ]

        with user_posting_the_code(monkeypatch, user=user, token=token) as posted_again:
            credential_collect_now(credential=credential)

        credential.refresh_from_db()
        assert posted_again == [(CredentialState.TWO_FA_WAITING, 200)]
        assert credential.state == CredentialState.OK
        assert portal.portal.logins == 2
        assert portal.portal.downloads == ["INV-P1", "INV-P2"]  # known by their keys: not fetched again
        assert Invoice.objects.filter(company=alice).count() == 2
        assert len(receiver.requests) == 2
    received.sort(key=lambda body: body["invoice"]["extracted"]["invoice_number"])
    assert [(b["type"], b["collector"], b["remote_id"]) for b in received] == [
        ("invoice", "supplier_portal", "R-77"),
        ("invoice", "supplier_portal", "R-77"),
    ]
    assert [base64.b64decode(b["invoice"]["data"]) for b in received] == [i.pdf for i in portal.portal.invoices]
    assert [b["invoice"]["extracted"]["totals"]["total"] for b in received] == [120.0, 80.5]
