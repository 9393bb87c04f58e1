"""Dashboard pages for bank statements and reconciliations: upload, run, review, confirm / reject / undo,
manual match, roles, CSRF and company isolation.

`transactional_db`: a run is queued on commit and, with no broker, runs eagerly in the request.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bank import reconciliation_views, services
from bank.models import BankImportJob, BankStatement, BankTransaction, MatchState, PaymentMatch, Reconciliation
from bank.statements.tests.builders import Line, mt940_message
from bank.tests.test_reconcile_api import invoice
from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.models import Invoice, PaymentStatus

pytestmark = pytest.mark.django_db(transaction=True)

LINES = [
    Line(date(2026, 3, 3), Decimal("1210.00"), "Payment INV-2026-0101", "Acme Trading BV", "NONREF"),
    Line(date(2026, 3, 12), Decimal("99.00"), "Thanks", "J SMITH", "NONREF"),
    Line(date(2026, 3, 21), Decimal("-2.80"), "Cafe", "Costa Coffee", "NONREF"),
]


@pytest.fixture(autouse=True)
def _media_and_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI, where REDIS_URL would queue runs for a worker


def page_for(company, role=Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def alice_page(alice) -> Client:
    return page_for(alice)


@pytest.fixture
def ledger(alice) -> dict[str, Invoice]:
    return {
        "exact": invoice(alice, "sales", "INV-2026-0101", "Acme Trading BV", "1210.00"),
        "guess": invoice(alice, "sales", "INV-2026-0106", "Umbrella Corp", "99.00"),
        "coffee": invoice(alice, "purchase", "C-77", "Bean There Ltd", "5.60"),  # two coffees, one paid here
    }


def upload(client: Client, data: bytes = mt940_message(LINES).encode(), name: str = "march.sta"):
    return client.post("/bank/upload", {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def statement(alice_page, ledger) -> BankStatement:
    upload(alice_page)
    return BankStatement.objects.get()


@pytest.fixture
def run(alice_page, statement) -> Reconciliation:
    alice_page.post(f"/bank/statements/{statement.public_id}/reconcile", {})
    return Reconciliation.objects.get()


def review_url(run: Reconciliation) -> str:
    return f"/bank/reconciliations/{run.public_id}/"


def test_uploading_a_statement_opens_it(alice_page, ledger):
    response = upload(alice_page)

    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bank/statements/{statement.public_id}/"
    page = alice_page.get(response["Location"]).content.decode()
    assert "Imported 3 new transactions." in page
    assert "Payment INV-2026-0101" in page
    assert "Adds up" in page
    assert "Run reconciliation" in page
    listing = alice_page.get("/bank/").content.decode()
    assert "march.sta" in listing


def test_a_bad_file_is_refused_on_the_form(alice_page):
    response = upload(alice_page, b"\x00\x01 not a statement", "junk.bin")

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not BankStatement.objects.exists()


def test_running_a_reconciliation_shows_suggestions_and_confirmed_matches(alice_page, run, ledger):
    page = alice_page.get(review_url(run)).content.decode()

    assert run.status == "completed"
    assert "Suggested matches" in page
    assert "INV-2026-0106" in page  # the amount-only guess waits
    assert "amount equals the open amount" in page.lower()
    assert "Undo" in page  # INV-2026-0101 was confirmed automatically
    assert "Confirmed automatically" in page
    assert "Transactions without a match" in page
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))
    assert f"{review_url(run)}lines/{coffee.public_id}/" in page  # its manual match
    assert ledger["coffee"].invoice_number not in page  # the open invoices are not dumped on the page


def test_confirming_a_suggestion_pays_the_invoice(alice_page, run, ledger):
    suggestion = PaymentMatch.objects.get(state=MatchState.SUGGESTED)

    response = alice_page.post(f"{review_url(run)}matches/{suggestion.public_id}/confirm")

    assert response.status_code == 302
    assert Invoice.objects.get(pk=ledger["guess"].pk).payment_status == PaymentStatus.PAID
    suggestion.refresh_from_db()
    assert suggestion.state == MatchState.CONFIRMED
    assert suggestion.decided_by not in ("", "auto")  # the user's name
    assert "Match confirmed" in alice_page.get(review_url(run)).content.decode()


def test_rejecting_a_suggestion_and_undoing_a_confirmed_match(alice_page, run, ledger):
    suggestion = PaymentMatch.objects.get(state=MatchState.SUGGESTED)
    confirmed = PaymentMatch.objects.get(state=MatchState.CONFIRMED)

    alice_page.post(f"{review_url(run)}matches/{suggestion.public_id}/reject")
    alice_page.post(f"{review_url(run)}matches/{confirmed.public_id}/undo")

    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.REJECTED
    assert PaymentMatch.objects.get(pk=confirmed.pk).state == MatchState.SUGGESTED  # not lost
    assert Invoice.objects.get(pk=ledger["exact"].pk).payment_status == PaymentStatus.UNPAID
    page = alice_page.get(review_url(run)).content.decode()
    assert "Match undone: it is a suggestion again" in page
    assert "Rejected and replaced suggestions (1)" in page
    assert page.count('data-state="rejected"') == 1
    assert f'id="match-{confirmed.public_id}" data-state="suggested"' in page


def test_rejecting_a_confirmed_match_undoes_it_for_good(alice_page, run, ledger):
    confirmed = PaymentMatch.objects.get(state=MatchState.CONFIRMED)

    alice_page.post(f"{review_url(run)}matches/{confirmed.public_id}/reject")

    assert PaymentMatch.objects.get(pk=confirmed.pk).state == MatchState.REJECTED
    assert Invoice.objects.get(pk=ledger["exact"].pk).payment_status == PaymentStatus.UNPAID


def test_an_unknown_decision_is_404(alice_page, run):
    match = PaymentMatch.objects.earliest("pk")

    assert alice_page.post(f"{review_url(run)}matches/{match.public_id}/approve").status_code == 404


def test_a_line_is_matched_by_hand(alice_page, run, ledger):
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))
    page = alice_page.get(f"{review_url(run)}lines/{coffee.public_id}/").content.decode()
    assert f'value="{ledger["coffee"].public_id}"' in page  # offered for the coffee line
    assert f'value="{ledger["guess"].public_id}"' not in page  # a sales invoice: money out pays purchases

    response = alice_page.post(
        f"{review_url(run)}match", {"transaction": coffee.public_id, "invoice": ledger["coffee"].public_id}
    )

    assert response.status_code == 302
    assert Invoice.objects.get(pk=ledger["coffee"].pk).payment_status == PaymentStatus.PARTIALLY_PAID
    assert "Matched to C-77." in alice_page.get(review_url(run)).content.decode()


def test_a_refused_manual_match_explains_why(alice_page, run, ledger):
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))

    alice_page.post(
        f"{review_url(run)}match",
        {"transaction": coffee.public_id, "invoice": ledger["coffee"].public_id, "amount": "50.00"},
    )

    assert Invoice.objects.get(pk=ledger["coffee"].pk).payment_status == PaymentStatus.UNPAID
    assert "owes 5.60 EUR" in alice_page.get(f"{review_url(run)}lines/{coffee.public_id}/").content.decode()


def test_confirm_all_confirms_the_waiting_suggestions(alice_page, run, ledger):
    alice_page.post(f"{review_url(run)}confirm-all")

    assert not PaymentMatch.objects.filter(state=MatchState.SUGGESTED).exists()
    assert Invoice.objects.get(pk=ledger["guess"].pk).payment_status == PaymentStatus.PAID


def test_a_viewer_sees_the_review_but_cannot_decide(alice, run):
    viewer = page_for(alice, Role.VIEWER)
    suggestion = PaymentMatch.objects.get(state=MatchState.SUGGESTED)

    page = viewer.get(review_url(run)).content.decode()

    assert "INV-2026-0106" in page
    assert ">Confirm<" not in page
    assert viewer.post(f"{review_url(run)}matches/{suggestion.public_id}/confirm").status_code == 403
    assert viewer.get("/bank/upload").status_code == 403
    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.SUGGESTED


def test_deciding_without_the_csrf_token_is_refused(alice, run):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)
    suggestion = PaymentMatch.objects.get(state=MatchState.SUGGESTED)

    response = client.post(f"{review_url(run)}matches/{suggestion.public_id}/confirm")

    assert response.status_code == 403
    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.SUGGESTED


def test_bob_sees_none_of_alices_bank_pages(bob, run, statement):
    bob_page = page_for(bob)
    suggestion = PaymentMatch.objects.get(state=MatchState.SUGGESTED)

    assert bob_page.get(f"/bank/statements/{statement.public_id}/").status_code == 404
    assert bob_page.get(review_url(run)).status_code == 404
    assert bob_page.post(f"/bank/statements/{statement.public_id}/reconcile").status_code == 404
    assert bob_page.post(f"{review_url(run)}matches/{suggestion.public_id}/confirm").status_code == 404
    assert statement.public_id not in bob_page.get("/bank/").content.decode()
    assert PaymentMatch.objects.get(pk=suggestion.pk).state == MatchState.SUGGESTED


def test_bob_cannot_match_alices_invoice_from_his_review(bob, ledger):
    bob_page = page_for(bob)
    upload(bob_page)
    statement = BankStatement.objects.get(company=bob)
    bob_page.post(f"/bank/statements/{statement.public_id}/reconcile")
    run = Reconciliation.objects.get(company=bob)
    coffee = BankTransaction.objects.get(company=bob, amount=Decimal("-2.80"))

    response = bob_page.post(
        f"{review_url(run)}match", {"transaction": coffee.public_id, "invoice": ledger["coffee"].public_id}
    )

    assert response.status_code == 404
    assert Invoice.objects.get(pk=ledger["coffee"].pk).payment_status == PaymentStatus.UNPAID


def test_a_backwards_date_range_is_refused(alice_page, statement):
    response = alice_page.post(
        f"/bank/statements/{statement.public_id}/reconcile", {"date_from": "2026-03-20", "date_to": "2026-03-01"}
    )

    assert response.status_code == 302
    assert not Reconciliation.objects.exists()
    assert "Must be on or before the end date." in alice_page.get(response["Location"]).content.decode()


def test_a_run_still_processing_refreshes_itself(alice_page, statement, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    alice_page.post(f"/bank/statements/{statement.public_id}/reconcile")

    page = alice_page.get(review_url(Reconciliation.objects.get())).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Matching in the background" in page


@pytest.mark.parametrize("path", ["/bank/", "/bank/upload"])
def test_bank_pages_require_a_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_long_review_is_paged_by_kind(alice_page, run, monkeypatch):
    monkeypatch.setattr(reconciliation_views, "MATCHES_PER_PAGE", 1)
    PaymentMatch.objects.filter(state=MatchState.SUGGESTED).update(state=MatchState.REJECTED)
    for match in PaymentMatch.objects.filter(state=MatchState.REJECTED):
        match.pk = None
        match.public_id = ""
        match.save()  # two rejected rows: two pages of one

    page = alice_page.get(review_url(run)).content.decode()

    assert 'aria-label="Pages of rejected and replaced suggestions"' in page
    assert "decided=2" in page
    assert page.count('data-state="rejected"') == 1


def test_an_import_still_processing_opens_a_page_that_refreshes_until_it_is_done(
    alice, alice_page, monkeypatch, settings
):
    queued: list[int] = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, job_id: queued.append(job_id))
    settings.BANK_IMPORT_WAIT_SECONDS = 0

    response = upload(alice_page)

    job = BankImportJob.objects.get()
    assert response["Location"] == f"/bank/imports/{job.public_id}/"
    page = alice_page.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Processing" in page
    assert page_for(CompanyFactory()).get(response["Location"]).status_code == 404

    services.statement_import_run(job_id=queued[0])

    done = alice_page.get(response["Location"])
    assert done["Location"] == f"/bank/statements/{BankStatement.objects.get().public_id}/"


def test_a_failed_import_shows_why(alice, alice_page, settings):
    settings.BANK_STATEMENT_MAX_ROWS = 2

    response = upload(alice_page)

    assert response.status_code == 200
    assert "more than 2 transactions" in response.content.decode()
    job = BankImportJob.objects.get()
    page = alice_page.get(f"/bank/imports/{job.public_id}/").content.decode()
    assert "The import failed" in page
    assert "more than 2 transactions" in page
