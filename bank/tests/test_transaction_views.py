"""The lists of bank lines and statements: filters in the address, sorting, page size, the two empty
states, each line's match and the invoice it paid, CSV export (safe from formulas), reconciling several
statements at once, and company isolation."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from bank.models import BankStatement, BankTransaction, MatchState, PaymentMatch, Reconciliation
from bank.paging import paged_uncounted
from bank.statements.tests.builders import Line, mt940_message
from bank.tests.test_reconcile_api import invoice
from bank.tests.test_views import page_for, upload
from bank.transaction_list import safe_cell

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/bank/transactions/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def alice_page(alice):
    return page_for(alice)


@pytest.fixture
def ledger(alice):
    return {
        "exact": invoice(alice, "sales", "INV-2026-0101", "Acme Trading BV", "1210.00"),
        "guess": invoice(alice, "sales", "INV-2026-0106", "Umbrella Corp", "99.00"),
        "coffee": invoice(alice, "purchase", "C-77", "Bean There Ltd", "5.60"),
    }


@pytest.fixture
def statement(alice_page, ledger) -> BankStatement:
    upload(alice_page)
    return BankStatement.objects.get()


@pytest.fixture
def reconciled(alice_page, statement) -> Reconciliation:
    alice_page.post(f"/bank/statements/{statement.public_id}/reconcile", {})
    return Reconciliation.objects.get()


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def rows(page: str) -> int:
    return page.count('name="ids" value="txn_')


def test_every_line_is_listed_with_its_state_and_the_invoice_it_paid(alice_page, reconciled, ledger):
    page = alice_page.get(LIST).content.decode()

    assert rows(page) == 3
    assert f"/invoices/{ledger['exact'].public_id}/" in page  # INV-2026-0101 was paid by the first line
    assert "suggestion</span>" in page  # the 99.00 line waits for a decision
    assert "Costa Coffee" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=matched", 1),
        ("state=unmatched", 2),
        ("state=suggested", 1),
        ("direction=out", 1),
        ("currency=eur", 3),
        ("currency=MYR", 0),
        ("date_from=2026-03-10&date_to=2026-03-20", 1),
        ("amount_min=50&amount_max=100", 1),
        ("q=coffee", 1),
    ],
)
def test_the_filters_narrow_the_list(alice_page, reconciled, query, expected):
    page = alice_page.get(f"{LIST}?{query}").content.decode()

    assert rows(page) == expected


def test_a_statement_filter_lists_only_its_lines(alice_page, statement):
    upload(
        alice_page, mt940_message([Line(date(2026, 4, 2), Decimal("7.00"), "April", "X", "NONREF")]).encode(), "a.sta"
    )
    april = BankStatement.objects.exclude(pk=statement.pk).get()

    assert rows(alice_page.get(f"{LIST}?statement={statement.public_id}").content.decode()) == 3
    assert rows(alice_page.get(f"{LIST}?statement={april.public_id}").content.decode()) == 1
    assert rows(alice_page.get(LIST).content.decode()) == 4


def test_sorting_by_amount_orders_the_lines_and_keeps_the_filters(alice_page, statement):
    page = alice_page.get(f"{LIST}?sort=amount&direction=in").content.decode()

    assert page.index("J SMITH") < page.index("Acme Trading BV")
    assert "sort=-amount" in page
    assert "direction=in" in page
    descending = alice_page.get(f"{LIST}?sort=-amount").content.decode()
    assert descending.index("Acme Trading BV") < descending.index("Costa Coffee")


def test_the_page_size_is_chosen_in_the_address(alice_page, statement):
    page = alice_page.get(f"{LIST}?size=25").content.decode()

    assert '<option value="25" selected>' in page
    assert rows(alice_page.get(f"{LIST}?size=7").content.decode()) == 3  # an unknown size falls back


def test_no_results_for_the_filters_is_not_nothing_yet(alice_page, statement, bob):
    filtered = alice_page.get(f"{LIST}?q=nothing-like-this").content.decode()
    empty = page_for(bob).get(LIST).content.decode()

    assert 'id="no-results"' in filtered
    assert 'id="nothing-yet"' not in filtered
    assert 'id="nothing-yet"' in empty
    assert 'id="no-results"' not in empty


def test_a_bad_filter_is_named_by_its_label(alice_page, statement):
    page = alice_page.get(f"{LIST}?date_from=01/03/2026").content.decode()

    assert "From: Enter a valid date." in page
    assert 'id="no-results"' in page


def test_the_list_takes_the_same_queries_for_many_lines(alice_page, reconciled, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        alice_page.get(LIST)


def test_the_filtered_lines_export_as_csv(alice_page, reconciled, ledger):
    response = alice_page.get("/bank/transactions/export.csv?state=matched")

    table = csv_table(response)
    assert response["Content-Type"].startswith("text/csv")
    assert table[0][:3] == ["id", "date", "amount"]
    assert len(table) == 2
    assert table[1][2] == "1210.00"
    assert table[1][9] == "INV-2026-0101"


def test_the_selected_lines_export_as_csv_and_only_the_companys(alice_page, statement, bob):
    coffee = BankTransaction.objects.get(amount=Decimal("-2.80"))

    response = alice_page.post("/bank/transactions/export.csv", {"ids": [coffee.public_id]})
    bobs = page_for(bob).post("/bank/transactions/export.csv", {"ids": [coffee.public_id]})

    assert len(csv_table(response)) == 2
    assert len(csv_table(bobs)) == 1  # the header


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(text):
    assert safe_cell(text) == f"'{text}"
    assert safe_cell("Payment INV-1") == "Payment INV-1"


def test_bob_sees_none_of_alices_lines(bob, statement):
    page = page_for(bob).get(f"{LIST}?statement={statement.public_id}").content.decode()

    assert rows(page) == 0


def test_the_statements_list_sorts_and_searches(alice_page, statement):
    upload(
        alice_page, mt940_message([Line(date(2026, 4, 2), Decimal("7.00"), "April", "X", "NONREF")]).encode(), "a.sta"
    )

    by_lines = alice_page.get("/bank/?sort=lines").content.decode()
    searched = alice_page.get("/bank/?q=march").content.decode()
    nothing = alice_page.get("/bank/?q=zzz").content.decode()

    assert by_lines.index("a.sta") < by_lines.index("march.sta")
    assert "march.sta" in searched
    assert "a.sta" not in searched
    assert 'id="no-results"' in nothing


def test_the_selected_statements_are_reconciled(alice_page, statement):
    response = alice_page.post("/bank/reconcile", {"ids": [statement.public_id]})

    run = Reconciliation.objects.get()
    assert response["Location"] == f"/bank/reconciliations/{run.public_id}/"
    assert PaymentMatch.objects.filter(reconciliation=run).exclude(state=MatchState.REJECTED).exists()


def test_a_viewer_cannot_reconcile_from_the_list(alice, statement):
    response = page_for(alice, role="viewer").post("/bank/reconcile", {"ids": [statement.public_id]})

    assert response.status_code == 403
    assert not Reconciliation.objects.exists()


def test_a_text_search_is_paged_without_counting(rf):
    first = paged_uncounted(rf.get("/bank/transactions/?q=x"), list(range(5)), size=2)
    last = paged_uncounted(rf.get("/bank/transactions/?q=x&page=3"), list(range(5)), size=2)

    assert first.object_list == [0, 1]
    assert first.next_url == "?q=x&page=2"
    assert not first.previous_url
    assert last.object_list == [4]
    assert not last.next_url
    assert last.previous_url == "?q=x&page=2"


def test_a_search_shows_its_lines(alice_page, statement):
    page = alice_page.get(f"{LIST}?q=Payment").content.decode()

    assert rows(page) == 1
    assert "Export all matching (CSV)" in page


def test_exporting_nothing_goes_back_to_the_list_and_never_to_another_site(alice_page, statement):
    back = alice_page.post("/bank/transactions/export.csv", {"back": "/bank/transactions/?state=matched"})
    away = alice_page.post("/bank/transactions/export.csv", {"back": "https://evil.example/"})
    sneaky = alice_page.post("/bank/transactions/export.csv", {"back": "//evil.example/"})

    assert back["Location"] == "/bank/transactions/?state=matched"
    assert away["Location"] == "/bank/transactions/"
    assert sneaky["Location"] == "/bank/transactions/"
