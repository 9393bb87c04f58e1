"""Buyers changed, deleted and invoiced at the same time, on PostgreSQL (see `invoisx.tests.races`)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from buyers import services
from buyers.models import Buyer
from buyers.services import buyer_delete
from buyers.tests.factories import BuyerFactory
from invoices import services as invoice_services
from invoices.models import Invoice
from invoices.services import invoice_create
from invoisx.errors import CONFLICT, DomainError
from invoisx.tests.races import Race, postgresql  # noqa: F401


def invoice_for(buyer: Buyer) -> Invoice:
    return invoice_create(
        company=buyer.company,
        buyer=buyer,
        currency="MYR",
        invoice_date=date(2026, 4, 2),
        line_items=[{"description": "Consulting", "quantity": Decimal(1), "unit_price": Decimal("1000.00")}],
    )


def test_two_patches_of_different_fields_both_land(alice, make_client, postgresql, monkeypatch):  # noqa: F811
    buyer = BuyerFactory.create(company=alice, name="Acme Trading", email="ap@acme.example")
    one, other = make_client(alice), make_client(alice)
    url = f"/api/v1/buyers/{buyer.public_id}"
    race = Race(monkeypatch, services, "event_record")

    first, second = race.run(
        lambda: one.patch(url, {"email": "invoices@acme.example"}, format="json"),
        lambda: other.patch(url, {"name": "Acme Trading Sdn Bhd"}, format="json"),
    )

    assert (first.status_code, second.status_code) == (200, 200), (first.content, second.content)
    assert race.second_waited_for_lock
    assert Buyer.objects.values_list("name", "email").get(pk=buyer.pk) == (
        "Acme Trading Sdn Bhd",
        "invoices@acme.example",
    )
    assert second.json()["data"]["email"] == "invoices@acme.example"


def test_a_buyer_being_invoiced_is_not_deleted_under_the_new_invoice(alice, postgresql, monkeypatch):  # noqa: F811
    buyer = BuyerFactory.create(company=alice)
    race = Race(monkeypatch, invoice_services, "event_record")

    first, second = race.run(lambda: invoice_for(buyer), lambda: buyer_delete(buyer=Buyer.objects.get(pk=buyer.pk)))

    assert isinstance(first, Invoice), first
    assert isinstance(second, DomainError), second
    assert second.code == CONFLICT
    assert race.second_waited_for_lock
    assert Invoice.objects.get(pk=first.pk).buyer_id == buyer.pk


def test_an_invoice_for_a_buyer_deleted_meanwhile_is_refused_cleanly(alice, postgresql, monkeypatch):  # noqa: F811
    buyer = BuyerFactory.create(company=alice)
    race = Race(monkeypatch, services, "event_record")

    first, second = race.run(lambda: buyer_delete(buyer=Buyer.objects.get(pk=buyer.pk)), lambda: invoice_for(buyer))

    assert first is None
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"buyer_id": ["No buyer with this id."]}
    assert race.second_waited_for_lock
    assert not Invoice.objects.exists()
    assert not Buyer.objects.filter(pk=buyer.pk).exists()
