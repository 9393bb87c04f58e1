"""The buyers list: sort, search, page size, and each buyer's open invoices and what it owes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

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


def test_each_buyer_shows_its_open_invoices_and_what_it_owes_per_currency(company):
    maju = BuyerFactory.create(company=company, name="Maju")
    sales_invoice(company, buyer=maju)  # 1080.00 MYR
    sales_invoice(company, buyer=maju, currency="SGD")
    sales_invoice(company, buyer=maju, draft=True)  # a draft owes nothing
    BuyerFactory.create(company=company, name="Quiet")

    rows = {row.name: row for row in member(company).get("/buyers/").context["rows"]}

    assert rows["Maju"].open_count == 2
    assert [(o.currency, o.amount) for o in rows["Maju"].owed] == [
        ("MYR", Decimal("1080.00")),
        ("SGD", Decimal("1080.00")),
    ]
    assert (rows["Quiet"].open_count, rows["Quiet"].owed) == (0, [])


def test_the_list_sorts_by_open_invoices_and_searches_email_and_tax_id(company):
    busy = BuyerFactory.create(company=company, name="Busy", email="ap@busy.example")
    BuyerFactory.create(company=company, name="Alpha", tax_id="C123")
    sales_invoice(company, buyer=busy)
    client = member(company)

    assert [row.name for row in client.get("/buyers/?sort=-open").context["rows"]] == ["Busy", "Alpha"]
    assert [row.name for row in client.get("/buyers/?search=busy.example").context["rows"]] == ["Busy"]
    assert [row.name for row in client.get("/buyers/?search=c12").context["rows"]] == ["Alpha"]


def test_rows_open_the_buyer_and_an_empty_search_says_so(company):
    buyer = BuyerFactory.create(company=company, name="Maju")
    client = member(company)

    assert f'data-href="/buyers/{buyer.public_id}/"' in client.get("/buyers/").content.decode()
    assert "No buyers match" in client.get("/buyers/?search=nobody").content.decode()


def test_the_detail_shows_what_the_buyer_owes_and_how_much_is_overdue(company):
    buyer = BuyerFactory.create(company=company, name="Maju")
    sales_invoice(company, buyer=buyer, due_date=timezone.localdate() - timedelta(days=2))

    content = member(company).get(f"/buyers/{buyer.public_id}/").content.decode()

    assert "1,080.00 MYR (1,080.00 overdue)" in content


def test_the_list_counts_in_the_query_not_per_buyer(company, django_assert_max_num_queries):
    for n in range(30):
        sales_invoice(company, buyer=BuyerFactory.create(company=company, name=f"Buyer {n}"))
    client = member(company)

    with django_assert_max_num_queries(10):
        response = client.get("/buyers/?per_page=50")

    assert len(response.context["rows"]) == 30


def test_another_companys_buyers_and_invoices_are_not_counted(company):
    mine = BuyerFactory.create(company=company, name="Maju")
    other = CompanyFactory.create(name="Bob Imports")
    sales_invoice(other, buyer=BuyerFactory.create(company=other, name="Theirs"))

    rows = member(company).get("/buyers/").context["rows"]

    assert [(row.name, row.open_count) for row in rows] == [(mine.name, 0)]
