"""Reads of issuing: an invoice's tax breakdown, its issued document, its deliveries, the company's series."""

from django.db.models import QuerySet

from companies.models import Company
from invoices.issuing.build import invoice_computed
from invoices.issuing.calc import TaxSubtotal
from invoices.models import Invoice, InvoiceDelivery, IssuedDocument, NumberSeries
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError


def invoice_taxes(invoice: Invoice) -> list[TaxSubtotal]:
    """The tax per category and rate: as issued for an issued invoice, computed from the lines otherwise.

    An invoice recorded with one tax figure for the whole (no tax of its own on the lines) shows that
    figure as its only row.
    """
    if invoice.is_issued or any(line.tax_category for line in invoice.line_list()) or invoice.is_draft:
        return invoice_computed(invoice).taxes
    if not invoice.tax_amount and invoice.tax_rate is None:
        return []
    return [TaxSubtotal("S", invoice.tax_rate, invoice.subtotal, invoice.tax_amount, "")]


def issued_document_get(*, invoice: Invoice) -> IssuedDocument:
    """The invoice's issued document; a draft or an invoice issued elsewhere has none (409)."""
    issued = IssuedDocument.objects.filter(invoice=invoice).first()
    if issued is None:
        state = invoice.get_state_display().lower()
        raise DomainError(
            code=CONFLICT,
            message=f"This invoice is {state}: only an invoice issued here has a signed PDF, e-invoice and envelope.",
        )
    return issued


def series_list(*, company: Company) -> QuerySet[NumberSeries]:
    return NumberSeries.objects.filter(company=company)


def series_get(*, company: Company, public_id: str) -> NumberSeries:
    series = NumberSeries.objects.filter(company=company, public_id=public_id).first()
    if series is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No number series with this id.")
    return series


def deliveries_of(*, invoice: Invoice) -> QuerySet[InvoiceDelivery]:
    return InvoiceDelivery.objects.filter(invoice=invoice)
