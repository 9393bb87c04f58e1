"""The issued document: one JSON-safe dict that every output of an issued invoice is derived from.

Built once when the invoice is issued and kept (`IssuedDocument.document`); the PDF, the CII and UBL
XML and the signed envelope are all made from it, so they can never disagree, and a later change to
the company's profile or the buyer never rewrites an invoice already issued.

Amounts are strings with exactly the currency's decimals ("1210.00", "1000" for JPY); quantities,
unit prices and rates are plain decimal strings ("2", "12.5"); dates ISO 8601. Empty text is "".
Shape (every key always present)::

    {
      "id": "inv_…",                    # the invoice's public id
      "type": "invoice" | "credit_note",
      "type_code": "380" | "381",      # UNTDID 1001
      "number": "INV-2026-00001",      # BT-1; "" on a draft preview
      "issue_date": "2026-12-05",      # BT-2
      "due_date": "2027-01-04" | "",   # BT-9
      "delivery_date": "2026-12-01" | "",  # BT-72; "" when not given (builders use issue_date where a rule needs one)
      "currency": "EUR",               # BT-5
      "language": "en" | "ms" | "fr" | "de",
      "paper": "A4" | "Letter",
      "buyer_reference": "",           # BT-10
      "purchase_order": "",            # BT-13
      "notes": "",                     # BT-22
      "preceding": null | {"id": "inv_…", "number": "INV-2026-00001", "issue_date": "2026-11-30"},  # BG-3
      "supplier": PARTY,               # BG-4 seller
      "customer": PARTY,               # BG-7 buyer
      "lines": [LINE, ...],            # BG-25
      "discounts": [ALLOWANCE, ...],   # BG-20 document-level allowances
      "charges": [ALLOWANCE, ...],     # BG-21 document-level charges
      "taxes": [{"category": "S", "rate": "19" | null, "base": "100.00", "amount": "19.00",
                 "exemption_reason": ""}],                                 # BG-23
      "totals": {"sum": …,            # BT-106 sum of line net amounts
                 "discount": …,       # BT-107
                 "charge": …,         # BT-108
                 "total": …,          # BT-109 total without tax
                 "tax": …,            # BT-110
                 "total_with_tax": …, # BT-112
                 "paid": …,           # BT-113
                 "payable": …},       # BT-115 amount due
      "payment": {"means_code": "30" | "1",  # UNTDID 4461: 30 credit transfer (an account is given), 1 otherwise
                  "terms_days": 30 | null,
                  "terms": "Payment within 30 days",  # BT-20, English (the PDF words it in its own language)
                  "iban": "", "bic": "", "account_number": "", "bank_name": "",
                  "account_name": "",     # BT-85, the seller's legal name
                  "reference": "INV-2026-00001"},     # BT-83 remittance information
    }

    PARTY = {"id": "byr_…" | "",  "name": "", "legal_name": "", "tax_id": "",  # VAT id (BT-31 / BT-48)
             "registration_number": "", "email": "", "phone": "",
             "address": {"line1": "", "line2": "", "city": "", "state": "", "postal_code": "",
                         "country": "DE"}}
    LINE = {"index": 1, "description": "", "quantity": "2", "unit": "C62", "unit_price": "50",
            "gross_amount": "100.00",  # quantity × unit price
            "discount": null | {"amount": "5.00", "reason": "Loyalty"},
            "charge": null | {"amount": "2.00", "reason": "Packing"},
            "amount": "97.00",         # BT-131 net
            "tax": {"category": "S", "rate": "19" | null, "exemption_reason": ""}}
    ALLOWANCE = {"amount": "10.00", "reason": "Early order",
                 "tax": {"category": "S", "rate": "19" | null}}
"""

from datetime import date
from decimal import Decimal
from typing import Any

from invoices.issuing.calc import Computed, TaxCategory
from invoisx.money import round_money

TYPE_CODES = {"invoice": "380", "credit_note": "381"}
CREDIT_TRANSFER = "30"
PAYMENT_MEANS_NOT_DEFINED = "1"


def decimal_text(value: Decimal | None) -> str | None:
    """A quantity, price or rate as plain digits without exponent or trailing zeros ("12.5", "19")."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def money_text(value: Decimal, currency: str) -> str:
    """An amount with exactly the currency's decimals."""
    return format(round_money(value, currency), "f")


def assemble_document(
    *,
    computed: Computed,
    invoice_id: str,
    document_type: str,
    number: str,
    issue_date: date,
    due_date: date | None,
    delivery_date: date | None = None,
    language: str,
    paper: str,
    supplier: dict[str, Any],
    customer: dict[str, Any],
    payment: dict[str, Any],
    buyer_reference: str = "",
    purchase_order: str = "",
    notes: str = "",
    preceding: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The document dict (shape in this module's docstring) from computed amounts and the parties."""
    currency = computed.currency

    def money(value: Decimal) -> str:
        return money_text(value, currency)

    lines = []
    for index, line in enumerate(computed.lines, start=1):
        source = line.source
        lines.append(
            {
                "index": index,
                "description": source.description,
                "quantity": decimal_text(source.quantity),
                "unit": source.unit or "C62",
                "unit_price": decimal_text(source.unit_price),
                "gross_amount": money(line.gross_amount),
                "discount": {"amount": money(source.discount_amount), "reason": source.discount_reason or "Discount"}
                if source.discount_amount
                else None,
                "charge": {"amount": money(source.charge_amount), "reason": source.charge_reason or "Charge"}
                if source.charge_amount
                else None,
                "amount": money(line.net_amount),
                "tax": {
                    "category": source.tax_category,
                    "rate": decimal_text(_rate(source.tax_category, source.tax_rate)),
                    "exemption_reason": source.tax_exemption_reason,
                },
            }
        )

    def allowance(item: Any) -> dict[str, Any]:
        return {
            "amount": money(item.amount),
            "reason": item.reason,
            "tax": {"category": item.tax_category, "rate": decimal_text(_rate(item.tax_category, item.tax_rate))},
        }

    return {
        "id": invoice_id,
        "type": document_type,
        "type_code": TYPE_CODES[document_type],
        "number": number,
        "issue_date": issue_date.isoformat(),
        "due_date": due_date.isoformat() if due_date else "",
        "delivery_date": delivery_date.isoformat() if delivery_date else "",
        "currency": currency,
        "language": language,
        "paper": paper,
        "buyer_reference": buyer_reference,
        "purchase_order": purchase_order,
        "notes": notes,
        "preceding": preceding,
        "supplier": supplier,
        "customer": customer,
        "lines": lines,
        "discounts": [allowance(item) for item in computed.allowances_charges if not item.is_charge],
        "charges": [allowance(item) for item in computed.allowances_charges if item.is_charge],
        "taxes": [
            {
                "category": tax.category,
                "rate": decimal_text(tax.rate),
                "base": money(tax.taxable_amount),
                "amount": money(tax.tax_amount),
                "exemption_reason": tax.exemption_reason,
            }
            for tax in computed.taxes
        ],
        "totals": {
            "sum": money(computed.line_total),
            "discount": money(computed.allowance_total),
            "charge": money(computed.charge_total),
            "total": money(computed.tax_exclusive),
            "tax": money(computed.tax_total),
            "total_with_tax": money(computed.tax_inclusive),
            "paid": money(computed.paid),
            "payable": money(computed.payable),
        },
        "payment": payment,
    }


def _rate(category: str, rate: Decimal | None) -> Decimal | None:
    if category == TaxCategory.NOT_SUBJECT:
        return None
    if category in TaxCategory.ZERO_RATE:
        return Decimal(0)
    return rate


def payment_block(
    *, number: str, terms_days: int | None, iban: str, bic: str, account_number: str, bank_name: str, account_name: str
) -> dict[str, Any]:
    """The document's `payment`: credit transfer when the seller gives an account to pay into."""
    return {
        "means_code": CREDIT_TRANSFER if (iban or account_number) else PAYMENT_MEANS_NOT_DEFINED,
        "terms_days": terms_days,
        "terms": f"Payment within {terms_days} days" if terms_days else "",
        "iban": iban,
        "bic": bic,
        "account_number": account_number,
        "bank_name": bank_name,
        "account_name": account_name,
        "reference": number,
    }
