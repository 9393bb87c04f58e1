"""Writes for buyers from a copy loaded earlier: the stored row is what gets changed."""

import pytest

from buyers.models import Buyer
from buyers.services import buyer_delete, buyer_update
from buyers.tests.factories import BuyerFactory
from invoisx.errors import RESOURCE_NOT_FOUND
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db


def test_an_update_from_a_stale_copy_keeps_what_another_update_changed_meanwhile(alice):
    buyer = BuyerFactory.create(company=alice, name="Acme Trading", email="ap@acme.example")
    stale = Buyer.objects.get(pk=buyer.pk)
    buyer_update(buyer=Buyer.objects.get(pk=buyer.pk), email="invoices@acme.example")

    saved = buyer_update(buyer=stale, name="Acme Trading Sdn Bhd")

    assert (saved.name, saved.email) == ("Acme Trading Sdn Bhd", "invoices@acme.example")
    assert Buyer.objects.values_list("name", "email").get(pk=buyer.pk) == (
        "Acme Trading Sdn Bhd",
        "invoices@acme.example",
    )


def test_updating_or_deleting_a_buyer_deleted_meanwhile_is_not_found(alice):
    buyer = BuyerFactory.create(company=alice)
    stale = Buyer.objects.get(pk=buyer.pk)
    buyer_delete(buyer=buyer)

    with raises_domain_error(RESOURCE_NOT_FOUND):
        buyer_update(buyer=stale, name="Too late")
    with raises_domain_error(RESOURCE_NOT_FOUND):
        buyer_delete(buyer=stale)
