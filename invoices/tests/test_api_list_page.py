"""The invoices list page: the same answer per invoice as the detail, in a fixed number of queries."""

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from buyers.tests.factories import BuyerFactory
from invoices.models import AllowanceCharge, Invoice, InvoiceLine
from invoices.tests.test_api import INVOICES, create, sales_body, seed_001, url
from invoisx.tests.envelope import success_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_buyer(alice):
    return BuyerFactory(company=alice, name="Tan Holdings Sdn Bhd", tax_id="C20880050010")


def list_queries(client: Any) -> int:
    return len(list_sql(client))


def list_sql(client: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        success_data(client.get(INVOICES))
    return [query["sql"] for query in queries]


def reads(sql: list[str], model: type[Model]) -> int:
    """The queries that read rows of `model` (not those that only ask whether some exist)."""
    return sum(statement.startswith(f'SELECT "{model._meta.db_table}".') for statement in sql)


def test_each_listed_invoice_reads_as_its_detail_without_the_text(alice_api, alices_buyer):
    purchase = create(alice_api, seed_001())
    sale = create(alice_api, sales_body(alices_buyer, notes="Thanks"))

    listed = {row["id"]: row for row in success_data(alice_api.get(INVOICES))["invoices"]}

    for invoice in (purchase, sale):
        detail = success_data(alice_api.get(url(invoice["id"])))
        assert listed[invoice["id"]] == {key: value for key, value in detail.items() if key != "text"}


def test_a_page_of_many_invoices_takes_as_many_queries_as_a_page_of_one(alice_api, alices_buyer):
    create(alice_api, seed_001(invoice_number="INV-1"))
    one = list_queries(alice_api)

    for number in range(2, 6):
        create(alice_api, seed_001(invoice_number=f"INV-{number}"))
        create(alice_api, sales_body(alices_buyer))

    assert list_queries(alice_api) == one


def test_a_page_asks_for_lines_and_discounts_only_when_one_of_its_invoices_has_any(alice_api):
    header_only = create(alice_api, seed_001(invoice_number="INV-1", line_items=[]))
    assert not InvoiceLine.objects.filter(invoice__public_id=header_only["id"]).exists()

    sql = list_sql(alice_api)
    assert (reads(sql, InvoiceLine), reads(sql, AllowanceCharge)) == (0, 0)

    create(alice_api, seed_001(invoice_number="INV-2"))
    sql = list_sql(alice_api)
    assert (reads(sql, InvoiceLine), reads(sql, AllowanceCharge)) == (1, 0)

    discounted = Invoice.objects.get(public_id=header_only["id"])
    AllowanceCharge.objects.create(invoice=discounted, position=1, is_charge=False, amount="5.00", reason="Early")
    sql = list_sql(alice_api)
    assert (reads(sql, InvoiceLine), reads(sql, AllowanceCharge)) == (1, 1)
    listed = {row["id"]: row for row in success_data(alice_api.get(INVOICES))["invoices"]}
    detail = success_data(alice_api.get(url(header_only["id"])))
    assert listed[header_only["id"]] == {key: value for key, value in detail.items() if key != "text"}
    assert [discount["reason"] for discount in listed[header_only["id"]]["discounts"]] == ["Early"]
