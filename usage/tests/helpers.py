"""Helpers for usage tests: a frozen clock and invoices received at a given time."""

from datetime import datetime

from companies.models import Company
from invoices.models import Direction, Invoice, Source

_sequence = iter(range(10**9))


def received(company: Company, at: datetime, *, source: str = Source.UPLOAD, counts: bool = True) -> Invoice:
    """An invoice as `invoice_upload` leaves it, received at `at`."""
    invoice = Invoice.objects.create(
        company=company,
        direction=Direction.PURCHASE,
        source=source,
        currency="GBP",
        document_sha256=f"{next(_sequence):064d}",
        counts_towards_usage=counts,
    )
    Invoice.objects.filter(pk=invoice.pk).update(created_at=at)
    return invoice
