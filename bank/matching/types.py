"""The engine's inputs, outputs and settings as plain dataclasses.

Amounts are `Decimal`s. A payment is signed from the account holder's side (money in positive, money
out negative); an invoice's `amount_open` is what is still owed, always positive, in its currency.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Direction = Literal["sales", "purchase"]


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice that can still receive money: sales invoices are paid in, purchase invoices out."""

    id: str
    direction: Direction
    number: str
    counterparty: str  # the buyer of a sales invoice, the supplier of a purchase invoice
    currency: str
    amount_open: Decimal
    invoice_date: datetime.date
    due_date: datetime.date | None = None
    references: tuple[str, ...] = ()  # payment reference (e.g. an RF creditor reference), PO number
    counterparty_account: str | None = None  # IBAN or account number the counterparty pays from / to


@dataclass(frozen=True)
class Payment:
    """One bank statement line."""

    id: str
    date: datetime.date
    amount: Decimal  # signed: money in +, money out -
    currency: str
    description: str = ""
    reference: str | None = None
    counterparty: str | None = None
    counterparty_account: str | None = None
    # The instructed amount before conversion, when the bank gives it (CAMT InstdAmt, MT940 /OCMT/).
    # When absent, the engine looks for it in the description ("ORIG USD 1,234.00").
    original_amount: Decimal | None = None
    original_currency: str | None = None


@dataclass(frozen=True)
class Allocation:
    """Part of a payment applied to one invoice, in the invoice's currency."""

    invoice_id: str
    amount: Decimal
    write_off: Decimal = Decimal("0")  # the short-paid rest treated as a bank fee, settling the invoice


@dataclass(frozen=True)
class Match:
    payment_id: str
    allocations: tuple[Allocation, ...]
    confidence: float
    reason: str
    kind: str  # exact, fee, partial, overpaid, multi, amount_only
    auto_confirm: bool


@dataclass(frozen=True)
class MatchConfig:
    """Tuning knobs; the defaults suit a typical small-business account."""

    auto_confirm_threshold: float = 0.85
    min_confidence: float = 0.3  # proposals below this are not returned at all
    fee_fixed: Decimal = Decimal("25.00")  # a short payment up to this much is a bank fee...
    fee_percent: Decimal = Decimal("0.03")  # ...or up to this share of the invoice plus fee_percent_fixed
    fee_percent_fixed: Decimal = Decimal("0.30")
    fee_max_share: Decimal = Decimal("0.25")  # never more than this share of the invoice
    days_before_invoice: int = 45  # prepayments
    days_after_due: int = 180
    max_subset: int = 3  # invoices combined for one payment
    max_subset_pool: int = 40  # a counterparty's open invoices searched for subset sums
    skip_identical_lines: bool = True  # a line identical to an earlier one is a re-export, not a payment


@dataclass
class ReconcileResult:
    matches: list[Match] = field(default_factory=list)
    unmatched_payment_ids: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # payment id -> why it was left alone
