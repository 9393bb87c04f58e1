"""Writes of issuing: issue a draft, void an issued invoice, correct one with a credit note, send it.

Issuing takes the invoice's lock, checks everything EN 16931 asks of it (naming each field that is
missing or wrong), takes its number from the series, freezes the document and makes every output
(`outputs.issue_outputs`), all in one transaction: an invoice is issued whole or not at all, and a
number is used only by an invoice that was issued.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from buyers.models import Buyer
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoices.issuing.build import document_build, invoice_computed, issue_dates
from invoices.issuing.calc import Computed
from invoices.issuing.document import money_text
from invoices.issuing.email import new_message_id
from invoices.issuing.outputs import issue_outputs
from invoices.issuing.rules import document_problems
from invoices.issuing.series import number_take, series_default
from invoices.models import (
    DeliveryStatus,
    Direction,
    DocumentType,
    Invoice,
    InvoiceDelivery,
    InvoiceLine,
    IssuedDocument,
    State,
)
from invoices.services import invoice_create, invoice_event_data, invoice_lock
from invoisx.enqueue import enqueue_on_commit
from invoisx.errors import CONFLICT, DomainError
from invoisx.money import minor_unit
from tokens.models import ApiToken

# What EN 16931 requires of a seller before it may issue anything (BR-06, BR-08, BR-09); the rules
# that depend on the tax categories (a VAT id for standard-rated lines, ...) are `rules.document_problems`.
REQUIRED_SELLER_FIELDS = {
    "name": "The company needs a name.",
    "address_line1": "Invoices print the seller's address: add the street address in Settings › Company.",
    "city": "Invoices print the seller's address: add the city in Settings › Company.",
    "country": "EN 16931 requires the seller's country (BR-09): add it in Settings › Company.",
}
REQUIRED_BUYER_FIELDS = {
    "name": "The buyer needs a name (BR-07).",
    "country": "EN 16931 requires the buyer's country (BR-11): add it to the buyer.",
}


def seller_problems(company: Company) -> dict[str, list[str]]:
    return {
        f"company.{name}": [message] for name, message in REQUIRED_SELLER_FIELDS.items() if not getattr(company, name)
    }


def buyer_problems(buyer: Buyer | None) -> dict[str, list[str]]:
    if buyer is None:
        return {"buyer_id": ["A sales invoice needs a buyer."]}
    return {f"buyer.{name}": [message] for name, message in REQUIRED_BUYER_FIELDS.items() if not getattr(buyer, name)}


def issue_problems(*, invoice: Invoice, computed: Computed, document: dict[str, Any] | None) -> dict[str, list[str]]:
    """Everything that stops the invoice from being issued, keyed by the field to change."""
    problems = seller_problems(invoice.company) | buyer_problems(invoice.buyer) | dict(computed.problems)
    if not computed.lines:
        problems["line_items"] = ["An invoice needs at least one line (BR-16)."]
    if minor_unit(invoice.currency) > 2:
        problems["currency"] = [f"EN 16931 e-invoices carry at most 2 decimals; {invoice.currency} has 3."]
    if computed.tax_inclusive < 0:
        problems["totals.total"] = ["The total is negative: issue a credit note instead."]
    if document is not None and not problems:
        problems |= document_problems(document=document)
    return problems


@transaction.atomic
def invoice_issue(*, invoice: Invoice, user: User | None = None, token: ApiToken | None = None) -> Invoice:
    """Issue a draft: number it, freeze it, and make its signed PDF, e-invoices and envelope."""
    invoice = invoice_lock(invoice)
    if invoice.state != State.DRAFT:
        raise DomainError(
            code=CONFLICT,
            message=f"Only a draft can be issued; this invoice is {invoice.get_state_display().lower()}.",
        )
    company = Company.objects.get(pk=invoice.company_id)
    invoice.company = company
    computed = invoice_computed(invoice)
    if invoice.preceding_invoice is not None:
        _check_credit(note=invoice, preceding=invoice.preceding_invoice, total=computed.tax_inclusive)
    issue_date, due_date = issue_dates(invoice)
    problems = issue_problems(invoice=invoice, computed=computed, document=None)
    if problems:
        raise ValidationError(problems)
    # The preview document (number not yet taken) is checked first, so a refused issue takes no number.
    problems = document_problems(
        document=document_build(
            invoice=invoice, computed=computed, number="PENDING", issue_date=issue_date, due_date=due_date
        )
    )
    if problems:
        raise ValidationError(problems)

    series = invoice.series or series_default(company=company, document_type=invoice.document_type)
    number = number_take(series=series, on=issue_date)
    document = document_build(
        invoice=invoice, computed=computed, number=number, issue_date=issue_date, due_date=due_date
    )
    outputs = issue_outputs(company=company, invoice=invoice, document=document)

    invoice.invoice_number = number
    invoice.series = series
    invoice.invoice_date = issue_date
    invoice.due_date = due_date
    invoice.line_total = computed.line_total
    invoice.allowance_total = computed.allowance_total
    invoice.charge_total = computed.charge_total
    invoice.subtotal = computed.tax_exclusive
    invoice.tax_rate = computed.single_rate
    invoice.tax_amount = computed.tax_total
    invoice.total = computed.tax_inclusive
    invoice.refresh_payment_status()
    invoice.state = State.ISSUED
    invoice.issued_at = timezone.now()
    invoice.save()
    issued = IssuedDocument(
        invoice=invoice,
        company=company,
        document=document,
        digest=outputs.digest,
        envelope=outputs.envelope,
        pdf_sha256=outputs.pdf_sha256,
        cii=outputs.cii.decode(),
        ubl=outputs.ubl.decode(),
    )
    issued.pdf.save(f"{number}.pdf", ContentFile(outputs.pdf), save=False)
    issued.save()
    if invoice.document_type == DocumentType.CREDIT_NOTE and invoice.preceding_invoice_id:
        _credit(invoice_id=invoice.preceding_invoice_id, amount=invoice.total)
    kind = (
        EventType.CREDIT_NOTE_ISSUED if invoice.document_type == DocumentType.CREDIT_NOTE else EventType.INVOICE_ISSUED
    )
    event_record(company=company, type=kind, data=issued_event_data(invoice))
    return invoice


def _check_credit(*, note: Invoice, preceding: Invoice, total: Decimal) -> None:
    """A credit note is checked again when it is issued: its draft may have been changed since it was
    made, and its invoice voided or credited by another note meanwhile. The invoice's lock makes
    concurrent issues of its credit notes take turns."""
    preceding = invoice_lock(preceding)
    if preceding.state not in CREDITABLE_STATES:
        raise DomainError(
            code=CONFLICT,
            message=f"Invoice {preceding.invoice_number} is {preceding.get_state_display().lower()}: "
            "it can no longer be credited.",
        )
    already = credited_total(preceding, excluding=note)
    if already + total > preceding.total:
        raise ValidationError(
            {"line_items": [_over_credit_message(preceding, crediting=already + total, already=already)]}
        )


def _over_credit_message(invoice: Invoice, *, crediting: Decimal, already: Decimal) -> str:
    currency = invoice.currency
    return (
        f"Credit notes would credit {money_text(crediting, currency)} of an invoice of "
        f"{money_text(invoice.total, currency)} ({money_text(already, currency)} credited already)."
    )


def issued_event_data(invoice: Invoice) -> dict[str, Any]:
    data = invoice_event_data(invoice) | {
        "state": invoice.state,
        "document_type": invoice.document_type,
        "issued_at": invoice.issued_at.isoformat() if invoice.issued_at else None,
    }
    if invoice.preceding_invoice_id:
        data["preceding_invoice"] = invoice.preceding_invoice.public_id if invoice.preceding_invoice else None
    return data


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, user: User | None = None, token: ApiToken | None = None) -> Invoice:
    """Void an issued invoice: it stays, with its number (the series keeps no gap), marked void."""
    invoice = invoice_lock(invoice)
    if invoice.state not in (State.ISSUED, State.SENT):
        raise DomainError(
            code=CONFLICT,
            message="Only an issued invoice can be voided"
            + ("; delete a draft instead." if invoice.is_draft else f"; this one is {invoice.state}."),
        )
    if invoice.has_payments:
        raise DomainError(
            code=CONFLICT,
            message="Bank payments are matched to this invoice: reject those matches, or issue a credit note.",
        )
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the invoice is void."]})
    if invoice.credit_notes.filter(state__in=(State.ISSUED, State.SENT)).exists():
        raise DomainError(code=CONFLICT, message="Credit notes correct this invoice: void them first.")
    invoice.state = State.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason.strip()[:500]
    invoice.save(update_fields=["state", "voided_at", "void_reason", "updated_at"])
    if invoice.document_type == DocumentType.CREDIT_NOTE and invoice.preceding_invoice_id:
        _credit(invoice_id=invoice.preceding_invoice_id, amount=-invoice.total)
    event_record(
        company=invoice.company,
        type=EventType.INVOICE_VOIDED,
        data=issued_event_data(invoice) | {"reason": invoice.void_reason},
    )
    return invoice


def _credit(*, invoice_id: int, amount: Decimal) -> None:
    """Add what an issued credit note credits to the invoice it corrects (subtract it when voided)."""
    invoice = invoice_lock(Invoice(pk=invoice_id))
    invoice.amount_credited = max(invoice.amount_credited + amount, Decimal(0))
    invoice.refresh_payment_status()
    invoice.save(update_fields=["amount_credited", "payment_status", "updated_at"])


# What a credit note may correct: an invoice issued here (sent or not), or one recorded as issued elsewhere.
CREDITABLE_STATES = (State.ISSUED, State.SENT, State.RECORDED)


def credited_total(invoice: Invoice, *, excluding: Invoice | None = None) -> Decimal:
    """What credit notes not void have credited of the invoice so far (issued or still drafts)."""
    notes = invoice.credit_notes.exclude(state=State.VOID)
    if excluding is not None:
        notes = notes.exclude(pk=excluding.pk)
    return sum((note.total for note in notes), Decimal(0))


def credited_line_item(invoice: Invoice, line: InvoiceLine) -> dict[str, Any]:
    """One line of the invoice as a credit note's line item: the same goods, price and tax."""
    return {
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "unit": line.unit,
        "tax_category": line.tax_category,
        "tax_rate": line.tax_rate if line.tax_category else invoice.tax_rate,
        "tax_exemption_reason": line.tax_exemption_reason,
        "discount_amount": line.discount_amount,
        "discount_reason": line.discount_reason,
        "charge_amount": line.charge_amount,
        "charge_reason": line.charge_reason,
    }


@transaction.atomic
def credit_note_create(
    *,
    invoice: Invoice,
    reason: str,
    line_items: list[dict[str, Any]] | None = None,
    issue: bool = False,
    user: User | None = None,
    token: ApiToken | None = None,
) -> Invoice:
    """A credit note (UNTDID 381) for the invoice: all its lines, or the ones given; issued at once on `issue`.

    The credit notes of an invoice cannot together credit more than its total.
    """
    invoice = invoice_lock(invoice)
    if invoice.direction != Direction.SALES or invoice.document_type != DocumentType.INVOICE:
        raise DomainError(code=CONFLICT, message="Credit notes correct sales invoices.")
    if invoice.state not in CREDITABLE_STATES:
        raise DomainError(
            code=CONFLICT,
            message=f"Only an issued invoice can be credited; this one is {invoice.get_state_display().lower()}.",
        )
    if not reason.strip():
        raise ValidationError({"reason": ["Say what the credit note corrects."]})
    if line_items is None:
        line_items = [credited_line_item(invoice, line) for line in invoice.lines.all()]
        discounts = [
            {"amount": i.amount, "reason": i.reason, "tax_category": i.tax_category, "tax_rate": i.tax_rate}
            for i in invoice.allowances_charges.all()
            if not i.is_charge
        ]
        charges = [
            {"amount": i.amount, "reason": i.reason, "tax_category": i.tax_category, "tax_rate": i.tax_rate}
            for i in invoice.allowances_charges.all()
            if i.is_charge
        ]
    else:
        discounts, charges = [], []
    note = invoice_create(
        company=invoice.company,
        currency=invoice.currency,
        direction=Direction.SALES,
        buyer=invoice.buyer,
        line_items=line_items,
        totals={"tax_rate": invoice.tax_rate},
        discounts=discounts,
        charges=charges,
        notes=reason.strip(),
        document_type=DocumentType.CREDIT_NOTE,
        preceding_invoice=invoice,
        language=invoice.language or None,
        paper_size=invoice.paper_size,
        buyer_reference=invoice.buyer_reference,
        purchase_order=invoice.purchase_order,
    )
    if credited_total(invoice) > invoice.total:
        already = credited_total(invoice, excluding=note)
        raise ValidationError(
            {"line_items": [_over_credit_message(invoice, crediting=credited_total(invoice), already=already)]}
        )
    if issue:
        note = invoice_issue(invoice=note, user=user, token=token)
    return note


@transaction.atomic
def invoice_send(
    *,
    invoice: Invoice,
    to: list[str] | None = None,
    cc: list[str] | None = None,
    user: User | None = None,
    token: ApiToken | None = None,
) -> InvoiceDelivery:
    """Queue an email of the issued invoice to the buyer (or `to`); `delivery_attempt` sends it."""
    invoice = invoice_lock(invoice)
    if invoice.state not in (State.ISSUED, State.SENT):
        message = "Issue the invoice before sending it." if invoice.is_draft else f"This invoice is {invoice.state}."
        raise DomainError(code=CONFLICT, message=message)
    recipients = [address.strip() for address in (to or []) if address.strip()]
    if not recipients:
        if not (invoice.buyer and invoice.buyer.email):
            raise ValidationError({"to": ["The buyer has no email address: give one, or add it to the buyer."]})
        recipients = [invoice.buyer.email]
    delivery = InvoiceDelivery.objects.create(
        invoice=invoice,
        message_id=new_message_id(invoice_id=invoice.public_id),
        to=recipients,
        cc=[address.strip() for address in (cc or []) if address.strip()],
        status=DeliveryStatus.QUEUED,
        next_attempt_at=timezone.now(),
        requested_by_user=user,
        requested_by_token=token,
    )
    from invoices.tasks import send_invoice

    enqueue_on_commit(send_invoice, delivery.pk)
    return delivery
