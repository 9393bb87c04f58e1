"""A change page saved minutes after it was opened writes only what its operator changed.

The admin form carries the values the page showed (hidden initials), so whatever another person,
a payment or a revocation wrote since the page was opened survives the save.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from buyers.tests.factories import BuyerFactory
from invoices.models import Invoice
from invoices.services import invoice_update
from invoices.tests.factories import sales_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


class _FormInputs(HTMLParser):
    """The name/value pairs a browser would post for the page's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name", "")
        if tag == "input" and name and attr.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = attr.get("value", "")
        elif tag == "input" and name and attr.get("type") == "checkbox" and "checked" in attr:
            self.data[name] = attr.get("value", "on")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attr:
            self.data[self._select] = attr.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def page_fields(client: Client, url: str) -> dict[str, str]:
    parser = _FormInputs()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_a_stale_invoice_page_keeps_the_correction_made_since_it_was_opened(alice, operator):
    invoice = sales_invoice(
        alice,
        buyer=BuyerFactory.create(company=alice),
        invoice_number="S-1",
        line_items=[{"description": "Work", "quantity": Decimal(1), "unit_price": Decimal("100.00")}],
    )
    url = f"/admin/invoices/invoice/{invoice.pk}/change/"
    page = page_fields(operator, url)

    invoice_update(invoice=invoice, notes="checked by finance")  # someone else, meanwhile
    page["invoice_number"] = "S-1-A"  # what this operator changed
    response = operator.post(url, page)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.invoice_number == "S-1-A"
    assert stored.notes == "checked by finance"


def test_an_unchanged_page_saved_late_writes_nothing(alice, operator):
    buyer = BuyerFactory.create(company=alice, name="Kedai Maju")
    url = f"/admin/buyers/buyer/{buyer.pk}/change/"
    page = page_fields(operator, url)

    type(buyer).objects.filter(pk=buyer.pk).update(name="Kedai Maju Sdn Bhd")
    response = operator.post(url, page)

    assert response.status_code == 302
    assert type(buyer).objects.get(pk=buyer.pk).name == "Kedai Maju Sdn Bhd"
