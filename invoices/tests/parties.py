"""The seller and buyer of a sales invoice, as fixtures: Alice's company as a German seller with
everything EN 16931 asks of one, and a French buyer of hers. Registered for every test by
`pytest_plugins` in the root conftest.py; a module's own `seller` or `buyer` fixture wins over these.
`sales_draft` makes a draft between them."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from buyers.models import Buyer
from companies.models import Company
from companies.services import company_profile_update
from invoices.models import Invoice
from invoices.services import invoice_create


def sales_draft(seller: Company, buyer: Buyer, **changes: Any) -> Invoice:
    """A EUR draft of two lines (1,000.00 at 19% and 100.00 at 7%), with `changes` to any field."""
    fields: dict[str, Any] = {
        "currency": "EUR",
        "invoice_date": date(2026, 12, 1),
        "line_items": [
            {"description": "Consulting", "quantity": Decimal(10), "unit_price": Decimal(100), "tax_rate": Decimal(19)},
            {"description": "Manual", "quantity": Decimal(2), "unit_price": Decimal(50), "tax_rate": Decimal(7)},
        ],
    } | changes
    return invoice_create(company=seller, buyer=buyer, **fields)


@pytest.fixture
def seller(alice: Company) -> Company:
    return company_profile_update(
        company=alice,
        legal_name="Alice Trading GmbH",
        tax_id="DE136695976",
        address_line1="Friedrichstraße 10",
        city="Berlin",
        postal_code="10117",
        country="DE",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        email="billing@alice.example",
    )


@pytest.fixture
def buyer(seller: Company) -> Buyer:
    return Buyer.objects.create(
        company=seller,
        name="Atelier Lumière SARL",
        tax_id="FR40303265045",
        country="FR",
        address_line1="12 rue de la Paix",
        city="Paris",
        email="compta@lumiere.example",
    )
