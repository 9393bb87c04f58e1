"""The dashboard's invoice list: sorting, filters in the URL, empty states, page size, payment status, and
bulk actions (approve, delete, CSV export) that reach only the company's own invoices."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buyers.tests.factories import BuyerFactory
from companies.models import Company, Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.exports import csv_safe
from invoices.models import Invoice, PaymentStatus, Source, State, Status
from invoices.tests.factories import purchase_invoice, sales_invoice

pytestmark = pytest.mark.django_db


def member(company: Company, role: str = Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def company() -> Company:
    return CompanyFactory.create(name="Alice Trading")


@pytest.fixture
def owner(company) -> Client:
    return member(company)


def numbers(response) -> list[str]:
    return [invoice.invoice_number for invoice in response.context["rows"]]


def needs_review(company: Company, number: str, **kwargs) -> Invoice:
    invoice = purchase_invoice(company, number=number, **kwargs)
    invoice.source, invoice.status = Source.UPLOAD, Status.NEEDS_REVIEW
    invoice.review_reasons = [{"code": "low_confidence", "field": "due_date", "message": "Due date read at 0.40."}]
    invoice.save()
    return invoice


def test_the_list_sorts_by_total_both_ways_and_ignores_an_unknown_sort(company, owner):
    for number, price in [("P-1", "30.00"), ("P-2", "10.00"), ("P-3", "20.00")]:
        purchase_invoice(
            company,
            number=number,
            line_items=[{"description": "Box", "quantity": Decimal(1), "unit_price": Decimal(price)}],
        )

    assert numbers(owner.get("/invoices/?sort=total")) == ["P-2", "P-3", "P-1"]
    assert numbers(owner.get("/invoices/?sort=-total")) == ["P-1", "P-3", "P-2"]
    assert owner.get("/invoices/?sort=company__name").status_code == 200


def test_the_sort_link_of_the_current_column_reverses_it_and_keeps_the_filters(company, owner):
    purchase_invoice(company, number="P-1")

    content = owner.get("/invoices/?sort=number&direction=purchase").content.decode()

    assert 'aria-sort="ascending"' in content
    assert "?sort=-number&amp;direction=purchase" in content or "?direction=purchase&amp;sort=-number" in content


def test_sorting_by_party_orders_buyers_and_suppliers_together(company, owner):
    purchase_invoice(company, number="P-1", supplier="Zeta Supplies")
    sales_invoice(company, buyer=BuyerFactory.create(company=company, name="Alpha Buyer"), invoice_number="S-1")

    assert numbers(owner.get("/invoices/?sort=party")) == ["S-1", "P-1"]


def test_filters_that_match_nothing_say_so_with_a_way_to_clear_them(company, owner):
    purchase_invoice(company, number="P-1")

    content = owner.get("/invoices/?search=nothing-like-this").content.decode()

    assert "No invoices match these filters" in content
    assert "No invoices yet" not in content
    assert 'href="/invoices/"' in content


def test_a_company_without_invoices_is_offered_upload_and_new_invoice_not_the_api(owner):
    content = owner.get("/invoices/").content.decode()

    assert "No invoices yet" in content
    assert 'href="/invoices/upload"' in content
    assert 'href="/invoices/new"' in content
    assert "POST /api" not in content


def test_a_bad_filter_is_named_by_its_label(company, owner):
    content = owner.get("/invoices/?date_from=01/04/2026").content.decode()

    assert "From date: Enter the date as YYYY-MM-DD." in content
    assert "date_from:" not in content


def test_the_page_size_is_chosen_from_25_50_or_100(company, owner):
    for n in range(30):
        purchase_invoice(company, number=f"P-{n}")

    assert len(owner.get("/invoices/").context["rows"]) == 25
    assert len(owner.get("/invoices/?per_page=50").context["rows"]) == 30
    assert len(owner.get("/invoices/?per_page=100000").context["rows"]) == 25


def test_invoices_without_a_number_show_draft_or_no_number_not_their_id(company, owner):
    draft = sales_invoice(company, draft=True)
    received = purchase_invoice(company, number="")

    content = owner.get("/invoices/").content.decode()

    assert "Draft" in content
    assert "(no number)" in content
    assert f">{draft.public_id}<" not in content
    assert f">{received.public_id}<" not in content


def test_each_row_shows_its_payment_status_and_the_overdue_filter_finds_the_late_ones(company, owner):
    today = timezone.localdate()
    late = purchase_invoice(company, number="LATE", due_date=today - timedelta(days=3), invoice_date=date(2026, 1, 1))
    purchase_invoice(company, number="LATER", due_date=today + timedelta(days=30), invoice_date=date(2026, 1, 1))
    paid = purchase_invoice(company, number="PAID", due_date=today - timedelta(days=3), invoice_date=date(2026, 1, 1))
    Invoice.objects.filter(pk=paid.pk).update(payment_status=PaymentStatus.PAID, amount_paid=paid.total)

    response = owner.get("/invoices/")
    payments = {invoice.invoice_number: invoice.payment.label for invoice in response.context["rows"]}

    assert payments == {"LATE": "Overdue", "LATER": "Unpaid", "PAID": "Paid"}
    assert numbers(owner.get("/invoices/?payment_status=overdue")) == [late.invoice_number]
    assert numbers(owner.get("/invoices/?payment_status=paid")) == ["PAID"]


def test_a_sales_invoice_shows_its_buyer_as_the_party(company, owner):
    buyer = BuyerFactory.create(company=company, name="Kedai Maju")
    sales_invoice(company, buyer=buyer)

    content = owner.get("/invoices/").content.decode()

    assert f'href="/buyers/{buyer.public_id}/">Kedai Maju</a>' in content


def test_the_api_filters_still_answer_as_before(company):
    """The list's own parameters (sort, per_page, overdue) are not the API's."""
    from rest_framework.test import APIClient

    from tokens.services import token_issue

    purchase_invoice(company, number="P-1")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(company=company, name='t', scopes=['invoices:read']).raw}")

    assert api.get("/api/v1/invoices?payment_status=overdue").status_code == 400
    assert api.get("/api/v1/invoices?ordering=-total").status_code == 200


# --- Bulk actions ---


def test_bulk_approve_approves_what_agrees_and_says_why_the_rest_was_refused(company, owner):
    fine = needs_review(company, "OK-1")
    wrong = needs_review(company, "BAD-1")
    Invoice.objects.filter(pk=wrong.pk).update(total=Decimal("999.00"))
    done = purchase_invoice(company, number="DONE-1")

    response = owner.post(
        "/invoices/bulk", {"action": "approve", "ids": [fine.public_id, wrong.public_id, done.public_id]}, follow=True
    )

    texts = [str(message) for message in response.context["messages"]]
    assert texts[0] == "1 invoice approved. 1 skipped (not waiting for review)."
    assert texts[1].startswith("1 refused: Correct these before approving:")
    fine.refresh_from_db()
    wrong.refresh_from_db()
    assert (fine.status, wrong.status) == (Status.PROCESSED, Status.NEEDS_REVIEW)


def test_bulk_delete_deletes_drafts_and_received_invoices_but_refuses_issued_ones(company, owner):
    draft = sales_invoice(company, draft=True)
    received = purchase_invoice(company, number="P-1")
    issued = sales_invoice(company)
    Invoice.objects.filter(pk=issued.pk).update(state=State.ISSUED)  # as issuing leaves it, without its files

    response = owner.post(
        "/invoices/bulk",
        {"action": "delete", "ids": [draft.public_id, received.public_id, issued.public_id], "query": "sort=total"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/invoices/?sort=total"
    assert list(Invoice.objects.values_list("pk", flat=True)) == [issued.pk]


def test_bulk_actions_on_another_companys_invoices_do_nothing(company, owner):
    theirs = purchase_invoice(CompanyFactory.create(name="Bob Imports"), number="BOB-1")

    owner.post("/invoices/bulk", {"action": "delete", "ids": [theirs.public_id]})
    export = owner.post("/invoices/bulk", {"action": "export", "ids": [theirs.public_id]})

    assert Invoice.objects.filter(pk=theirs.pk).exists()
    assert "BOB-1" not in b"".join(export.streaming_content).decode()


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_viewer_cannot_act_in_bulk_nor_sees_the_checkboxes(company, role):
    invoice = purchase_invoice(company, number="P-1")
    viewer = member(company, role)

    assert viewer.post("/invoices/bulk", {"action": "delete", "ids": [invoice.public_id]}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert 'id="bulk-form"' not in viewer.get("/invoices/").content.decode()


def test_the_bulk_form_needs_its_csrf_token(company):
    invoice = purchase_invoice(company, number="P-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=company, role=Role.OWNER).user)

    assert client.post("/invoices/bulk", {"action": "delete", "ids": [invoice.public_id]}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_publishing_to_a_provider_that_is_not_connected_is_not_offered_nor_done(company, owner):
    invoice = purchase_invoice(company, number="P-1")

    assert "Publish to" not in owner.get("/invoices/").content.decode()
    response = owner.post("/invoices/bulk", {"action": "publish:quickbooks", "ids": [invoice.public_id]}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Choose an action for the selected invoices."]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))


def test_export_writes_the_selected_invoices_with_formulas_made_inert(company, owner):
    chosen = purchase_invoice(company, number="P-1", supplier='=HYPERLINK("http://evil")')
    purchase_invoice(company, number="P-2")

    rows = read_csv(owner.post("/invoices/bulk", {"action": "export", "ids": [chosen.public_id]}))

    assert rows[0][:3] == ["id", "number", "direction"]
    assert len(rows) == 2
    assert rows[1][1] == "P-1"
    assert rows[1][4] == '\'=HYPERLINK("http://evil")'
    assert rows[1][11] == "120.00"


def test_export_of_all_matching_invoices_follows_the_filters_not_the_selection(company, owner):
    for n in range(3):
        purchase_invoice(company, number=f"ACME-{n}", supplier="Acme")
    purchase_invoice(company, number="OTHER-1", supplier="Other")
    purchase_invoice(CompanyFactory.create(), number="ACME-BOB", supplier="Acme")

    rows = read_csv(owner.post("/invoices/bulk", {"action": "export", "scope": "all", "query": "supplier=acme"}))

    assert sorted(row[1] for row in rows[1:]) == ["ACME-0", "ACME-1", "ACME-2"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("Acme", "Acme"), (None, "")],
)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(value, cell):
    assert csv_safe(value) == cell


def test_the_list_makes_the_same_few_queries_for_5_or_60_invoices(company, owner, django_assert_max_num_queries):
    for n in range(60):
        sales_invoice(company) if n % 2 else purchase_invoice(company, number=f"P-{n}")

    with django_assert_max_num_queries(12):
        response = owner.get("/invoices/?per_page=100&sort=party")

    assert len(response.context["rows"]) == 60


def test_the_next_page_link_keeps_the_sort_the_filters_and_the_page_size(company, owner):
    for n in range(30):
        purchase_invoice(company, number=f"P-{n:02d}", supplier="Acme")

    content = owner.get("/invoices/?supplier=acme&sort=number&per_page=25").content.decode()

    assert 'href="?supplier=acme&amp;sort=number&amp;per_page=25&amp;page=2"' in content
