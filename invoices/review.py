"""Why an invoice needs a person: one rule, computed from the invoice's data and confidences.

`review_reasons` lists `{code, field, message}` items; `invoice_review_refresh` stores them on the
invoice, points a purchase invoice at the earliest one received with the same number from the same
supplier (`duplicate_of`), and sets `needs_review` exactly when the list is not empty. Extraction
(`intake`) and every create or correction (`services`) call it, so a list filtered by status is one
indexed query.

Two kinds of reason:
- what the reader was unsure of (`low_confidence`, `currency_guessed`, `missing_field`): only for
  invoices read from a document, and only until a person corrects the invoice, vouching for it;
- what the data itself says (`line_items_mismatch`, `totals_mismatch`, `due_before_invoice_date`,
  `possible_duplicate`): for every invoice, until the data changes. Amounts the reader did not find
  are reported as missing, not compared.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings

from invoices.models import Direction, Invoice, Source, Status, Supplier
from invoisx.money import round_money, smallest_amount


class ReviewReason(TypedDict):
    code: str
    field: str | None
    message: str


LOW_CONFIDENCE = "low_confidence"
MISSING_FIELD = "missing_field"
CURRENCY_GUESSED = "currency_guessed"
LINE_ITEMS_MISMATCH = "line_items_mismatch"
TOTALS_MISMATCH = "totals_mismatch"
DUE_BEFORE_INVOICE_DATE = "due_before_invoice_date"
POSSIBLE_DUPLICATE = "possible_duplicate"
CODES = (
    LOW_CONFIDENCE,
    MISSING_FIELD,
    CURRENCY_GUESSED,
    LINE_ITEMS_MISMATCH,
    TOTALS_MISMATCH,
    DUE_BEFORE_INVOICE_DATE,
    POSSIBLE_DUPLICATE,
)

LABELS = {
    "supplier_name": "supplier name",
    "supplier_address": "supplier address",
    "supplier_tax_id": "supplier tax id",
    "invoice_number": "invoice number",
    "invoice_date": "invoice date",
    "due_date": "due date",
    "currency": "currency",
    "subtotal": "subtotal",
    "tax_rate": "tax rate",
    "tax_amount": "tax amount",
    "total": "total",
    "line_items": "line items",
}
# What an extracted invoice cannot be booked without.
REQUIRED = ("supplier_name", "invoice_number", "invoice_date", "currency", "total")
# The fields whose doubtful reading needs a person: who, which invoice, when, and how much. A doubtful
# address or due date alone does not (the review page still highlights them).
CHECKED = ("supplier_name", "invoice_number", "invoice_date", "subtotal", "tax_amount", "total")


def _amount(value: Decimal, currency: str) -> str:
    return f"{round_money(value, currency):,}"


def _reason(code: str, field: str | None, message: str) -> ReviewReason:
    return {"code": code, "field": field, "message": message}


def _shown(value: Any) -> str:
    text = str(value)
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def _doubts(invoice: Invoice) -> list[ReviewReason]:
    """What the reader was unsure of, or did not find."""
    threshold = settings.EXTRACTION_REVIEW_THRESHOLD
    confidence = invoice.field_confidence or {}
    reasons = [
        _reason(MISSING_FIELD, name, f"No {LABELS[name]} was found on the document.")
        for name in REQUIRED
        # An amount the reader did not find is stored as 0.00, which a document may well print.
        if (name not in confidence if name == "total" else not getattr(invoice, name))
    ]
    missing = {reason["field"] for reason in reasons}
    for name in CHECKED:
        score = confidence.get(name)
        if score is not None and score < threshold and name not in missing:
            reasons.append(
                _reason(
                    LOW_CONFIDENCE,
                    name,
                    f"The {LABELS[name]} {_shown(getattr(invoice, name))} was read with confidence {score:.2f}, "
                    f"below {threshold:.2f}.",
                )
            )
    score = confidence.get("currency")
    if invoice.currency and score is not None and score < threshold:
        reasons.append(
            _reason(
                CURRENCY_GUESSED,
                "currency",
                f"The currency {invoice.currency} is not printed as a code the reader could be sure of; "
                f"it was guessed (confidence {score:.2f}).",
            )
        )
    overall = invoice.confidence
    if not reasons and overall is not None and overall < threshold:
        reasons.append(
            _reason(LOW_CONFIDENCE, None, f"The invoice was read with confidence {overall:.2f}, below {threshold:.2f}.")
        )
    return reasons


def _mismatches(invoice: Invoice, line_amounts: Sequence[Decimal]) -> list[ReviewReason]:
    """Figures that do not agree with each other, comparing only amounts that are known."""
    extracted = invoice.source == Source.UPLOAD and invoice.reviewed_at is None
    found = invoice.field_confidence or {}

    def known(name: str) -> bool:
        return not extracted or name in found

    unit = smallest_amount(invoice.currency)

    def shown(value: Decimal) -> str:
        return _amount(value, invoice.currency)

    reasons = []
    if line_amounts and known("subtotal"):
        lines_sum = sum(line_amounts, Decimal(0))
        if abs(lines_sum - invoice.subtotal) > unit * len(line_amounts):
            reasons.append(
                _reason(
                    LINE_ITEMS_MISMATCH,
                    "line_items",
                    f"Line items sum to {shown(lines_sum)} but the subtotal is {shown(invoice.subtotal)}.",
                )
            )
    if known("subtotal") and known("tax_amount") and known("total"):
        expected = invoice.subtotal + invoice.tax_amount
        if abs(expected - invoice.total) > unit:
            reasons.append(
                _reason(
                    TOTALS_MISMATCH,
                    "total",
                    f"Subtotal {shown(invoice.subtotal)} + tax {shown(invoice.tax_amount)} = "
                    f"{shown(expected)}, but the total is {shown(invoice.total)}.",
                )
            )
    if invoice.invoice_date and invoice.due_date and invoice.due_date < invoice.invoice_date:
        reasons.append(
            _reason(
                DUE_BEFORE_INVOICE_DATE,
                "due_date",
                f"The due date {invoice.due_date.isoformat()} is before the invoice date "
                f"{invoice.invoice_date.isoformat()}.",
            )
        )
    return reasons


def review_reasons(invoice: Invoice, *, line_amounts: Sequence[Decimal]) -> list[ReviewReason]:
    """Why `invoice` needs a person, as its data stands (with these line amounts); empty when nothing does."""
    reasons = []
    if invoice.source == Source.UPLOAD and invoice.reviewed_at is None:
        reasons += _doubts(invoice)
    reasons += _mismatches(invoice, line_amounts)
    earlier = invoice.duplicate_of
    if earlier is not None:
        reasons.append(
            _reason(
                POSSIBLE_DUPLICATE,
                "invoice_number",
                f"Invoice number {invoice.invoice_number} from this supplier was already received as "
                f"{earlier.public_id}.",
            )
        )
    return reasons


def earliest_with_number(invoice: Invoice) -> Invoice | None:
    """The company's earliest other purchase invoice from the same supplier with the same number, if any."""
    if invoice.direction != Direction.PURCHASE or invoice.supplier_id is None or not invoice.invoice_number:
        return None
    # Holding the supplier's row until commit makes two invoices with one number, saved at once,
    # take turns: the second one sees the first and is marked its duplicate. No key lock: invoices
    # that merely reference the supplier are not held up.
    list(Supplier.objects.select_for_update(no_key=True).filter(pk=invoice.supplier_id).values_list("pk", flat=True))
    return (
        Invoice.objects.filter(
            company_id=invoice.company_id,
            direction=Direction.PURCHASE,
            supplier_id=invoice.supplier_id,
            invoice_number=invoice.invoice_number,
        )
        .exclude(pk=invoice.pk)
        .order_by("created_at", "pk")
        .first()
    )


def invoice_review_refresh(invoice: Invoice, *, line_amounts: Sequence[Decimal]) -> None:
    """Set `duplicate_of`, `review_reasons` and, for a settled invoice, its status; the caller saves it.

    Call inside the transaction that saves the invoice.
    """
    invoice.duplicate_of = earliest_with_number(invoice)
    invoice.review_reasons = list(review_reasons(invoice, line_amounts=line_amounts))
    if invoice.status in (Status.PROCESSED, Status.NEEDS_REVIEW):
        invoice.status = Status.NEEDS_REVIEW if invoice.review_reasons else Status.PROCESSED
