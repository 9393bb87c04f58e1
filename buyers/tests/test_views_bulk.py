"""The buyers list's bulk actions: a CSV of the selected buyers or of all matching the search (formulas
made inert, open invoices and what each owes per currency), and deleting the selected, where a buyer with
invoices is kept; only the company's own buyers, only by editors."""

import csv
import io

import pytest
from django.test import Client

from buyers.models import Buyer
from buyers.tests.factories import BuyerFactory
from companies.models import Company, Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoices.tests.factories import sales_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    return CompanyFactory.create(name="Alice Trading")


def member(company: Company, role: str = Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="buyers-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_export_writes_the_selected_buyers_with_what_each_owes_per_currency_and_formulas_made_inert(company):
    maju = BuyerFactory.create(
        company=company, name='=HYPERLINK("http://evil")', tax_id="C123", city="Ipoh", address_line1="1 Jalan"
    )
    sales_invoice(company, buyer=maju)  # 1080.00 MYR
    sales_invoice(company, buyer=maju, currency="SGD")
    sales_invoice(company, buyer=maju, draft=True)  # a draft owes nothing
    BuyerFactory.create(company=company, name="Not chosen")

    rows = read_csv(member(company).post("/buyers/bulk", {"action": "export", "ids": [maju.public_id]}))

    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == '\'=HYPERLINK("http://evil")'
    assert (row["id"], row["email"], row["tax id"], row["country"]) == (maju.public_id, maju.email, "C123", "MY")
    assert (row["address line 1"], row["city"]) == ("1 Jalan", "Ipoh")
    assert (row["open invoices"], row["owed MYR"], row["owed SGD"]) == ("2", "1080.00", "1080.00")


def test_export_of_all_matching_follows_the_search_and_the_sort_not_the_selection(company):
    for name in ("Acme B", "Acme A", "Other"):
        BuyerFactory.create(company=company, name=name)
    BuyerFactory.create(company=CompanyFactory.create(), name="Acme of Bob")

    response = member(company).post(
        "/buyers/bulk", {"action": "export", "scope": "all", "query": "search=acme&sort=-name", "ids": ["byr_x"]}
    )

    assert [row["name"] for row in read_csv(response)] == ["Acme B", "Acme A"]


def test_bulk_delete_deletes_buyers_without_invoices_and_keeps_those_with_them(company):
    unused = BuyerFactory.create_batch(2, company=company)
    invoiced = BuyerFactory.create(company=company, name="Invoiced")
    sales_invoice(company, buyer=invoiced)

    response = member(company).post(
        "/buyers/bulk",
        {"action": "delete", "ids": [b.public_id for b in [*unused, invoiced]], "query": "sort=-name"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/buyers/?sort=-name"
    assert list(Buyer.objects.values_list("name", flat=True)) == ["Invoiced"]


def test_the_delete_message_counts_both(company):
    keep = BuyerFactory.create(company=company)
    sales_invoice(company, buyer=keep)
    gone = BuyerFactory.create(company=company)

    response = member(company).post(
        "/buyers/bulk", {"action": "delete", "ids": [keep.public_id, gone.public_id]}, follow=True
    )

    assert messages_of(response) == ["Buyers: 1 deleted, 1 kept: has invoices."]


def test_bulk_actions_on_another_companys_buyers_select_nothing(company):
    theirs = BuyerFactory.create(company=CompanyFactory.create(name="Bob Imports"), name="Bob Buyer")
    owner = member(company)

    deleted = owner.post("/buyers/bulk", {"action": "delete", "ids": [theirs.public_id]}, follow=True)
    exported = owner.post("/buyers/bulk", {"action": "export", "ids": [theirs.public_id]})

    assert Buyer.objects.filter(pk=theirs.pk).exists()
    assert messages_of(deleted) == ["Buyers: 0 deleted."]
    assert read_csv(exported) == []


def test_a_viewer_gets_403_on_the_bulk_post_and_sees_no_checkboxes(company):
    buyer = BuyerFactory.create(company=company)
    viewer = member(company, Role.VIEWER)

    assert viewer.post("/buyers/bulk", {"action": "delete", "ids": [buyer.public_id]}).status_code == 403
    assert viewer.post("/buyers/bulk", {"action": "export", "scope": "all"}).status_code == 403
    assert Buyer.objects.filter(pk=buyer.pk).exists()
    content = viewer.get("/buyers/").content.decode()
    assert 'id="bulk-form"' not in content
    assert "row-select" not in content


def test_the_bulk_form_needs_its_csrf_token_and_a_post(company):
    buyer = BuyerFactory.create(company=company)
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=company, role=Role.OWNER).user)

    assert client.post("/buyers/bulk", {"action": "delete", "ids": [buyer.public_id]}).status_code == 403
    assert client.get("/buyers/bulk").status_code == 405
    assert Buyer.objects.filter(pk=buyer.pk).exists()


def test_no_selection_or_no_action_is_said_and_changes_nothing(company):
    buyer = BuyerFactory.create(company=company)
    owner = member(company)

    assert messages_of(owner.post("/buyers/bulk", {"action": "delete"}, follow=True)) == [
        "Select at least one buyer first."
    ]
    assert messages_of(owner.post("/buyers/bulk", {"ids": [buyer.public_id]}, follow=True)) == [
        "Choose an action for the selected buyers."
    ]
    assert Buyer.objects.filter(pk=buyer.pk).exists()


def test_every_row_has_a_labelled_checkbox_in_the_bulk_form(company):
    BuyerFactory.create(company=company, name="Maju")

    content = member(company).get("/buyers/?search=maju").content.decode()

    assert 'id="bulk-form"' in content
    assert 'aria-label="Select every buyer on this page"' in content
    assert "Select Maju</label>" in content
    assert 'name="query" value="search=maju"' in content
    assert "Export all 1 matching the search" in content


def test_the_list_with_checkboxes_makes_a_few_queries_for_60_buyers(company, django_assert_max_num_queries):
    for n in range(60):
        buyer = BuyerFactory.create(company=company, name=f"B{n:02d}")
        if n % 3 == 0:
            sales_invoice(company, buyer=buyer)
    owner = member(company)

    with django_assert_max_num_queries(10):
        response = owner.get("/buyers/?per_page=100")

    assert len(response.context["rows"]) == 60
    assert response.content.decode().count('class="row-select"') == 60


def test_exporting_all_buyers_sums_what_is_owed_per_chunk_not_per_buyer(company, django_assert_max_num_queries):
    for n in range(30):
        sales_invoice(company, buyer=BuyerFactory.create(company=company, name=f"B{n:02d}"))
    owner = member(company)

    with django_assert_max_num_queries(10):
        rows = read_csv(owner.post("/buyers/bulk", {"action": "export", "scope": "all"}))

    assert len(rows) == 30
    assert {row["owed MYR"] for row in rows} == {"1080.00"}
