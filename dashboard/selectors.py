"""Reads for the overview: money owed both ways and how late it is, per currency; what waits for a person;
the month's invoicing against what was received; the first-run checklist.

Every figure is summed or counted by the database in a few grouped queries, never row by row in
Python, so the overview costs the same handful of queries with ten invoices or ten thousand.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from bank.models import BankStatement, BankTransaction, MatchAllocation, MatchState, MatchStatus
from buyers.models import Buyer
from companies.models import Company
from invoices.models import Direction, DocumentType, Invoice, PaymentStatus, Source, State, Status
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, round_money
from tokens.models import ApiToken

MONEY: DecimalField = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
ZERO = Value(Decimal(0), output_field=MONEY)


@dataclass(frozen=True)
class Bucket:
    """Days past the due date, from `first` to `last` (inclusive; None: open-ended)."""

    key: str
    label: str
    short: str  # under a chart's bar
    first: int | None
    last: int | None

    def condition(self, today: date) -> Q:
        """The invoices whose due date puts them in this bucket on `today`."""
        if self.key == "current":
            # Not yet due, due today, or with no due date: nothing says it is late.
            return Q(due_date__isnull=True) | Q(due_date__gte=today)
        condition = Q()
        if self.first is not None:
            condition &= Q(due_date__lte=today - timedelta(days=self.first))
        if self.last is not None:
            condition &= Q(due_date__gte=today - timedelta(days=self.last))
        return condition


BUCKETS = (
    Bucket("current", "Current", "Current", None, 0),
    Bucket("d1_30", "1–30 days", "1–30", 1, 30),
    Bucket("d31_60", "31–60 days", "31–60", 31, 60),
    Bucket("d61_90", "61–90 days", "61–90", 61, 90),
    Bucket("d90_plus", "Over 90 days", "90+", 91, None),
)
OVERDUE_BUCKETS = BUCKETS[1:]


@dataclass(frozen=True)
class BucketAmount:
    bucket: Bucket
    amount: Decimal
    count: int


@dataclass(frozen=True)
class Aging:
    """What one direction's open invoices in one currency owe, by how late they are."""

    direction: str
    currency: str
    due: Decimal
    count: int
    buckets: list[BucketAmount]

    @property
    def overdue(self) -> Decimal:
        return sum((b.amount for b in self.buckets if b.bucket.key != "current"), Decimal(0))

    @property
    def overdue_count(self) -> int:
        return sum(b.count for b in self.buckets if b.bucket.key != "current")

    def bucket(self, key: str) -> BucketAmount:
        return next(b for b in self.buckets if b.bucket.key == key)


def amount_due() -> ExpressionWrapper:
    """What is still owed on an invoice: its total less payments, write-offs and credit notes."""
    return ExpressionWrapper(
        F("total") - F("amount_paid") - F("amount_written_off") - F("amount_credited"), output_field=MONEY
    )


def open_invoices(*, company: Company) -> QuerySet[Invoice]:
    """Invoices with money still owed, annotated with `due_amount`.

    Sales invoices once issued (issued, sent, or recorded from another system), never drafts or void
    ones; purchase invoices once read (processed or needing review), not while extracting or after a
    failed extraction. Credit notes are not owed: they reduce what their invoice owes.
    """
    sales = Q(direction=Direction.SALES, state__in=[State.ISSUED, State.SENT, State.RECORDED])
    purchases = Q(direction=Direction.PURCHASE, status__in=[Status.PROCESSED, Status.NEEDS_REVIEW])
    return (
        # A paid invoice owes nothing: leaving them out first lets the database use its payment status
        # index and compute the amount due of the few invoices still open only.
        Invoice.objects.filter(
            company=company,
            document_type=DocumentType.INVOICE,
            payment_status__in=[PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID],
        )
        .filter(sales | purchases)
        .annotate(due_amount=amount_due())
        .filter(due_amount__gt=0)
    )


def aging(*, company: Company, today: date) -> list[Aging]:
    """Receivables and payables per currency, split into the aging buckets; one grouped query."""
    sums = {
        f"{bucket.key}_amount": Sum(Case(When(bucket.condition(today), then=F("due_amount")), default=ZERO))
        for bucket in BUCKETS
    }
    counts = {f"{bucket.key}_count": Count("pk", filter=bucket.condition(today)) for bucket in BUCKETS}
    rows = (
        open_invoices(company=company)
        .order_by()
        .values("direction", "currency")
        .annotate(due=Sum("due_amount"), count=Count("pk"), **sums, **counts)
        .order_by("direction", "-count", "currency")
    )
    return [
        Aging(
            direction=row["direction"],
            currency=row["currency"],
            due=round_money(row["due"] or Decimal(0), row["currency"]),
            count=row["count"],
            buckets=[
                BucketAmount(
                    bucket=bucket,
                    amount=round_money(row[f"{bucket.key}_amount"] or Decimal(0), row["currency"]),
                    count=row[f"{bucket.key}_count"],
                )
                for bucket in BUCKETS
            ],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Overdue:
    invoice: Invoice
    days_late: int


def most_overdue(*, company: Company, today: date, limit: int = 5) -> list[Overdue]:
    """The open invoices furthest past their due date, either direction."""
    invoices = (
        open_invoices(company=company)
        .filter(due_date__lt=today)
        .select_related("buyer", "supplier")
        .order_by("due_date", "pk")[:limit]
    )
    return [
        Overdue(invoice=invoice, days_late=(today - invoice.due_date).days) for invoice in invoices if invoice.due_date
    ]


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    invoiced: Decimal
    received: Decimal


@dataclass(frozen=True)
class CashFlow:
    """Sales invoiced against payments received on sales invoices, month by month, in one currency."""

    currency: str
    months: list[MonthFigures]
    currencies: list[str] = field(default_factory=list)  # every currency with figures in the window


def month_starts(*, today: date, months: int) -> list[date]:
    """The first day of each of the last `months` months, the current one last."""
    first = today.replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def cash_flow(*, company: Company, today: date, months: int = 6, currency: str = "") -> CashFlow:
    """Invoiced: sales invoices (not credit notes, drafts or void) by invoice date. Received: confirmed
    bank payments applied to sales invoices, by the payment's booking date. Both in the invoices'
    currency; shown for `currency`, else the company's default currency, else its busiest one."""
    starts = month_starts(today=today, months=months)
    ends = [*(start - timedelta(days=1) for start in starts[1:]), today]

    def by_month(date_field: str, amount_field: str) -> dict[str, Any]:
        # One conditional sum per month rather than a truncated date to group by: SQLite truncates
        # dates in a Python function called once per row.
        return {
            f"m{index}": Sum(
                Case(When(Q(**{f"{date_field}__range": (start, end)}), then=F(amount_field)), default=ZERO)
            )
            for index, (start, end) in enumerate(zip(starts, ends, strict=True))
        }

    invoiced = (
        Invoice.objects.filter(
            company=company,
            direction=Direction.SALES,
            document_type=DocumentType.INVOICE,
            state__in=[State.ISSUED, State.SENT, State.RECORDED],
            invoice_date__gte=starts[0],
            invoice_date__lte=today,
        )
        .order_by()
        .values("currency")
        .annotate(**by_month("invoice_date", "total"))
    )
    received = (
        MatchAllocation.objects.filter(
            match__company=company,
            match__state=MatchState.CONFIRMED,
            invoice__direction=Direction.SALES,
            match__transaction__date__gte=starts[0],
            match__transaction__date__lte=today,
        )
        .order_by()
        .annotate(currency=F("invoice__currency"))
        .values("currency")
        .annotate(**by_month("match__transaction__date", "amount"))
    )
    figures: dict[tuple[str, date, str], Decimal] = {}
    volume: dict[str, Decimal] = {}
    for kind, rows in (("invoiced", invoiced), ("received", received)):
        for row in rows:
            for index, start in enumerate(starts):
                amount = row[f"m{index}"] or Decimal(0)
                figures[(row["currency"], start, kind)] = amount
                volume[row["currency"]] = volume.get(row["currency"], Decimal(0)) + amount
    currencies = sorted(volume, key=lambda code: (-volume[code], code))
    chosen = currency if currency in volume else ""
    if not chosen:
        chosen = company.default_currency if company.default_currency in volume else ""
    if not chosen:
        chosen = currencies[0] if currencies else company.default_currency
    return CashFlow(
        currency=chosen,
        currencies=currencies,
        months=[
            MonthFigures(
                month=start,
                invoiced=round_money(figures.get((chosen, start, "invoiced"), Decimal(0)), chosen),
                received=round_money(figures.get((chosen, start, "received"), Decimal(0)), chosen),
            )
            for start in starts
        ],
    )


@dataclass(frozen=True)
class WorkCounts:
    invoices: int
    needs_review: int
    unmatched_lines: int
    partly_matched_lines: int


def work_counts(*, company: Company) -> WorkCounts:
    """What waits for a person: invoices to review and bank lines not (fully) matched to invoices."""
    invoices = Invoice.objects.filter(company=company).aggregate(
        total=Count("pk"), needs_review=Count("pk", filter=Q(status=Status.NEEDS_REVIEW))
    )
    # A line whose statement is still being imported is not shown anywhere yet.
    lines = BankTransaction.objects.filter(company=company, statement__complete=True).aggregate(
        unmatched=Count("pk", filter=Q(match_status=MatchStatus.UNMATCHED)),
        partly=Count("pk", filter=Q(match_status=MatchStatus.PARTIALLY_MATCHED)),
    )
    return WorkCounts(
        invoices=invoices["total"],
        needs_review=invoices["needs_review"],
        unmatched_lines=lines["unmatched"],
        partly_matched_lines=lines["partly"],
    )


@dataclass(frozen=True)
class FirstSteps:
    """The first-run checklist: what a new company has done of the four first steps."""

    uploaded_invoice: bool
    added_buyer: bool
    imported_statement: bool
    created_token: bool

    @property
    def done(self) -> int:
        return sum([self.uploaded_invoice, self.added_buyer, self.imported_statement, self.created_token])

    @property
    def complete(self) -> bool:
        return self.done == 4


def first_steps(*, company: Company) -> FirstSteps:
    """One query: an EXISTS per step."""
    found = (
        Company.objects.filter(pk=company.pk)
        .annotate(
            uploaded_invoice=Exists(Invoice.objects.filter(company=OuterRef("pk"), source=Source.UPLOAD)),
            added_buyer=Exists(Buyer.objects.filter(company=OuterRef("pk"))),
            imported_statement=Exists(BankStatement.objects.filter(company=OuterRef("pk"), complete=True)),
            created_token=Exists(ApiToken.objects.filter(company=OuterRef("pk"))),
        )
        .values("uploaded_invoice", "added_buyer", "imported_statement", "created_token")
        .get()
    )
    return FirstSteps(**{name: bool(value) for name, value in found.items()})
