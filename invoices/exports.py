"""Invoices as CSV, streamed row by row so that exporting 10,000 invoices holds none of them in memory.

A cell a spreadsheet would read as a formula (starting with = + - @, or a tab or carriage return) is
prefixed with a quote: a supplier named "=HYPERLINK(…)" stays text (CSV injection).
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from invoices.models import Invoice
from invoisx.money import round_money

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "id",
    "number",
    "direction",
    "document type",
    "party",
    "party tax id",
    "invoice date",
    "due date",
    "currency",
    "subtotal",
    "tax",
    "total",
    "amount paid",
    "amount due",
    "payment status",
    "status",
    "state",
]


def csv_safe(value: object) -> str:
    """The cell's text, made inert where a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _amount(value: Decimal, currency: str) -> str:
    return str(round_money(value, currency))


def invoice_csv_row(invoice: Invoice) -> list[str]:
    if invoice.direction == "sales":
        party, party_tax_id = (invoice.buyer.name, invoice.buyer.tax_id) if invoice.buyer else ("", "")
    else:
        party, party_tax_id = invoice.supplier_name, invoice.supplier_tax_id
    cells: list[object] = [
        invoice.public_id,
        invoice.invoice_number,
        invoice.direction,
        invoice.document_type,
        party,
        party_tax_id,
        invoice.invoice_date,
        invoice.due_date,
        invoice.currency,
        _amount(invoice.subtotal, invoice.currency),
        _amount(invoice.tax_amount, invoice.currency),
        _amount(invoice.total, invoice.currency),
        _amount(invoice.amount_paid, invoice.currency),
        _amount(invoice.amount_due, invoice.currency),
        invoice.payment_status,
        invoice.status,
        invoice.state,
    ]
    return [csv_safe(cell) for cell in cells]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def invoices_csv_lines(invoices: QuerySet[Invoice] | Iterable[Invoice]) -> Iterator[str]:
    """The CSV's lines, header first; a queryset is read in chunks, with each invoice's buyer joined."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADER)  # the BOM makes Excel read the names as UTF-8
    rows = invoices.select_related("buyer").iterator(chunk_size=1000) if isinstance(invoices, QuerySet) else invoices
    for invoice in rows:
        yield writer.writerow(invoice_csv_row(invoice))
