"""From the database to the document: an invoice's lines, the company's profile and the buyer as one dict.

`invoice_computed` runs the EN 16931 arithmetic over the stored lines; `document_build` assembles
the document (`invoices.issuing.document`) that issuing freezes and a preview renders.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from buyers.models import Buyer
from companies.models import Company
from invoices.issuing.calc import AllowanceChargeInput, Computed, LineInput, TaxCategory, compute
from invoices.issuing.document import assemble_document, payment_block
from invoices.models import DocumentType, Invoice, InvoiceLine


def default_category(rate: Decimal | None) -> str:
    """The category of a line that gives only a rate: standard above 0, zero-rated at 0."""
    return TaxCategory.ZERO_RATED if rate == 0 else TaxCategory.STANDARD


def line_input(line: InvoiceLine | dict[str, Any], *, default_rate: Decimal | None) -> LineInput:
    """A stored line (or the API's line item dict) as the arithmetic's input; a line without its own tax
    takes the invoice's default rate."""
    get = line.get if isinstance(line, dict) else (lambda name, default=None: getattr(line, name, default))
    category = get("tax_category") or ""
    rate = get("tax_rate")
    if not category:
        rate = rate if rate is not None else default_rate
        category = default_category(rate)
    return LineInput(
        description=str(get("description")),
        quantity=Decimal(str(get("quantity"))),
        unit_price=Decimal(str(get("unit_price"))),
        tax_category=category,
        tax_rate=None if rate is None else Decimal(str(rate)),
        tax_exemption_reason=get("tax_exemption_reason") or "",
        unit=get("unit") or "C62",
        discount_amount=Decimal(str(get("discount_amount") or 0)),
        discount_reason=get("discount_reason") or "",
        charge_amount=Decimal(str(get("charge_amount") or 0)),
        charge_reason=get("charge_reason") or "",
    )


def invoice_computed(invoice: Invoice) -> Computed:
    lines = [line_input(line, default_rate=invoice.tax_rate) for line in invoice.line_list()]
    items = [
        AllowanceChargeInput(
            is_charge=item.is_charge,
            amount=item.amount,
            reason=item.reason,
            tax_category=item.tax_category,
            tax_rate=item.tax_rate,
        )
        for item in invoice.allowance_charge_list()
    ]
    return compute(currency=invoice.currency, lines=lines, allowances_charges=items, paid=Decimal(0))


def _address(party: Company | Buyer) -> dict[str, str]:
    return {
        "line1": party.address_line1,
        "line2": party.address_line2,
        "city": party.city,
        "state": party.state,
        "postal_code": party.postal_code,
        "country": party.country,
    }


def seller_party(company: Company) -> dict[str, Any]:
    return {
        "id": "",
        "name": company.name,
        "legal_name": company.legal_name,
        "tax_id": company.tax_id,
        "registration_number": company.registration_number,
        "email": company.email,
        "phone": company.phone,
        "address": _address(company),
    }


def buyer_party(buyer: Buyer) -> dict[str, Any]:
    return {
        "id": buyer.public_id,
        "name": buyer.name,
        "legal_name": "",
        "tax_id": buyer.tax_id,
        "registration_number": buyer.registration_number,
        "email": buyer.email,
        "phone": buyer.phone,
        "address": _address(buyer),
    }


def document_build(
    *, invoice: Invoice, computed: Computed, number: str, issue_date: date, due_date: date | None
) -> dict[str, Any]:
    """The invoice as the document its outputs are made from (a draft preview passes number "")."""
    company = invoice.company
    assert invoice.buyer is not None
    preceding = invoice.preceding_invoice
    return assemble_document(
        computed=computed,
        invoice_id=invoice.public_id,
        document_type=invoice.document_type,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        delivery_date=invoice.delivery_date,
        language=invoice.language or company.invoice_language or "en",
        paper=invoice.paper_size,
        supplier=seller_party(company),
        customer=buyer_party(invoice.buyer),
        payment=payment_block(
            number=number,
            terms_days=company.payment_terms_days,
            iban=company.iban,
            bic=company.bic,
            account_number=company.bank_account_number,
            bank_name=company.bank_name,
            account_name=company.legal_name or company.name,
        ),
        buyer_reference=invoice.buyer_reference,
        purchase_order=invoice.purchase_order,
        notes=invoice.notes,
        preceding={
            "id": preceding.public_id,
            "number": preceding.invoice_number,
            "issue_date": preceding.invoice_date.isoformat() if preceding.invoice_date else "",
        }
        if preceding
        else None,
    )


def issue_dates(invoice: Invoice) -> tuple[date, date | None]:
    """The dates the invoice is issued with: its own, else today, and a due date after the company's terms."""
    issue_date = invoice.invoice_date or timezone.localdate()
    due_date = invoice.due_date
    if due_date is None and invoice.document_type == DocumentType.INVOICE:
        due_date = issue_date + timedelta(days=invoice.company.payment_terms_days)
    if due_date is not None and due_date < issue_date:
        raise ValidationError({"due_date": ["The due date is before the issue date."]})
    return issue_date, due_date
