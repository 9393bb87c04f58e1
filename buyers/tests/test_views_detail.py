"""The buyer pages of the dashboard: the list links to each buyer, whose page lists its invoices;
editors create and edit buyers through the services; viewers only read; Bob never sees Alice's buyers."""

from decimal import Decimal

import pytest
from django.test import Client

from buyers.models import Buyer
from buyers.tests.factories import BuyerFactory
from companies.models import Company, Role
from companies.tests.factories import MembershipFactory
from invoices.models import Invoice
from invoices.tests.factories import purchase_invoice, sales_invoice

pytestmark = pytest.mark.django_db

NEW = "/buyers/new"


def logged_in(company: Company, role: str = Role.ACCOUNTANT) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def detail(buyer: Buyer) -> str:
    return f"/buyers/{buyer.public_id}/"


def edit(buyer: Buyer) -> str:
    return f"/buyers/{buyer.public_id}/edit"


@pytest.fixture
def buyer(alice) -> Buyer:
    return BuyerFactory.create(company=alice, name="Tan Holdings Sdn Bhd", tax_id="C20880050010", country="MY")


FORM = {
    "name": "Smith Widgets Ltd",
    "tax_id": "GB980780684",
    "registration_number": "01234567",
    "email": "ap@smith.example",
    "phone": "+44 20 7946 0000",
    "contact_name": "Jane Smith",
    "address_line1": "1 High Street",
    "address_line2": "",
    "city": "London",
    "state": "",
    "postal_code": "EC1A 1BB",
    "country": "gb",
    "notes": "",
    "wants_ubl": "on",
}


def test_the_buyer_list_links_each_buyer_to_its_page(alice, buyer):
    page = logged_in(alice, Role.VIEWER).get("/buyers/")

    assert page.status_code == 200
    assert detail(buyer).encode() in page.content


def test_the_buyer_page_lists_its_sales_invoices_with_state_total_and_amount_due(alice, buyer):
    issued = sales_invoice(
        alice,
        buyer=buyer,
        invoice_number="INV-2026-00042",
        line_items=[{"description": "Audit", "quantity": Decimal(1), "unit_price": Decimal("1000.00")}],
    )
    draft = sales_invoice(alice, buyer=buyer, draft=True)
    other = sales_invoice(alice, invoice_number="INV-2026-00099")  # to another buyer

    page = logged_in(alice, Role.VIEWER).get(detail(buyer))

    assert page.status_code == 200
    shown = {invoice.pk for invoice in page.context["page"].object_list}
    assert shown == {issued.pk, draft.pk}
    content = page.content.decode()
    assert "INV-2026-00042" in content
    assert f"/invoices/{issued.public_id}/" in content
    assert f"/invoices/{draft.public_id}/" in content
    assert "1,080.00" in content or "1080.00" in content  # the total with 8% tax, and still all due
    assert "Draft" in content
    assert other.invoice_number not in content
    assert Invoice.objects.filter(buyer=buyer).count() == 2


def test_the_buyer_page_says_so_when_it_has_no_invoices(alice, buyer):
    purchase_invoice(alice, number="P-1", supplier="Someone")

    page = logged_in(alice, Role.VIEWER).get(detail(buyer))

    assert b"No invoices to this buyer yet." in page.content


def test_an_accountant_adds_a_buyer_and_lands_on_its_page(alice):
    response = logged_in(alice).post(NEW, FORM)

    buyer = Buyer.objects.get(company=alice, name="Smith Widgets Ltd")
    assert response.status_code == 302
    assert response["Location"] == detail(buyer)
    assert (buyer.tax_id, buyer.country, buyer.wants_ubl) == ("GB980780684", "GB", True)


def test_the_new_buyer_form_shows_the_services_refusal_on_the_field(alice):
    response = logged_in(alice).post(NEW, {**FORM, "tax_id": "GB123"})

    assert response.status_code == 200
    assert "tax_id" in response.context["form"].errors
    assert not Buyer.objects.filter(company=alice).exists()


def test_an_accountant_edits_a_buyer(alice, buyer):
    client = logged_in(alice)
    assert client.get(edit(buyer)).status_code == 200

    response = client.post(edit(buyer), {**FORM, "name": "Tan Holdings Berhad", "tax_id": "", "wants_ubl": ""})

    assert response.status_code == 302
    buyer.refresh_from_db()
    assert (buyer.name, buyer.tax_id, buyer.city, buyer.wants_ubl) == ("Tan Holdings Berhad", "", "London", False)


def test_a_viewer_reads_the_buyer_but_cannot_create_or_edit_one(alice, buyer):
    client = logged_in(alice, Role.VIEWER)

    page = client.get(detail(buyer))
    assert page.status_code == 200
    assert edit(buyer).encode() not in page.content
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, FORM).status_code == 403
    assert client.post(edit(buyer), {**FORM, "name": "Changed"}).status_code == 403
    buyer.refresh_from_db()
    assert buyer.name == "Tan Holdings Sdn Bhd"
    assert Buyer.objects.filter(company=alice).count() == 1


def test_bob_cannot_open_or_edit_alices_buyer(alice, bob, buyer):
    client = logged_in(bob, Role.OWNER)

    assert client.get(detail(buyer)).status_code == 404
    assert client.get(edit(buyer)).status_code == 404
    assert client.post(edit(buyer), {**FORM, "name": "Bob's now"}).status_code == 404
    buyer.refresh_from_db()
    assert buyer.name == "Tan Holdings Sdn Bhd"


def test_the_buyer_form_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)

    assert client.post(NEW, FORM).status_code == 403
    assert not Buyer.objects.filter(company=alice).exists()
