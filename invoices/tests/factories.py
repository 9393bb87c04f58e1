"""factory_boy factories for suppliers and invoices (built through the service, so totals hold)."""

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from buyers.tests.factories import BuyerFactory
from companies.models import Company
from companies.tests.factories import CompanyFactory
from invoices.models import Invoice, Supplier
from invoices.services import invoice_create


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    tax_id = ""


def purchase_invoice(
    company: Company, *, number: str = "P-1", supplier: str = "Acme Supplies Ltd", **kwargs: Any
) -> Invoice:
    fields: dict[str, Any] = {
        "currency": "GBP",
        "invoice_date": date(2026, 4, 1),
        "line_items": [{"description": "Widget", "quantity": Decimal(2), "unit_price": Decimal("50.00")}],
        "totals": {"tax_rate": Decimal(20)},
    } | kwargs
    return invoice_create(company=company, supplier={"name": supplier}, invoice_number=number, **fields)


def sales_invoice(company: Company, *, buyer: Any = None, draft: Any = False, **kwargs: Any) -> Invoice:
    """A sales invoice recorded with the next INV-YYYY-NNNNN number of its company, or a `draft` (no number)."""
    fields: dict[str, Any] = {
        "currency": "MYR",
        "invoice_date": date(2026, 4, 2),
        "line_items": [{"description": "Consulting", "quantity": Decimal(1), "unit_price": Decimal("1000.00")}],
        "totals": {"tax_rate": Decimal(8)},
    } | kwargs
    if not draft and not fields.get("invoice_number"):
        year = fields["invoice_date"].year if fields.get("invoice_date") else 2026
        taken = set(Invoice.objects.filter(company=company, direction="sales").values_list("invoice_number", flat=True))
        fields["invoice_number"] = next(
            number for n in range(1, 100_000) if (number := f"INV-{year}-{n:05d}") not in taken
        )
    return invoice_create(company=company, buyer=buyer or BuyerFactory.create(company=company), **fields)
