"""Reads for the dashboard's lists of bank lines and statements: filters from the address, sorting by a
column, and each line's match state and the invoices it paid, in a fixed number of queries per page."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from bank.models import BankStatement, BankTransaction, MatchAllocation, MatchState, MatchStatus, PaymentMatch
from bank.selectors import ISO_DATE, MONEY_DIGITS, statement_list
from companies.models import Company
from invoisx.money import round_money

SUGGESTED = "suggested"
STATES = [
    (MatchStatus.UNMATCHED.value, "Unmatched"),
    (SUGGESTED, "Suggestion waiting"),
    (MatchStatus.PARTIALLY_MATCHED.value, "Partly matched"),
    (MatchStatus.MATCHED.value, "Matched"),
]
TRANSACTION_SORTS = {
    "date": ("date", "pk"),
    "-date": ("-date", "-pk"),
    "amount": ("amount", "pk"),
    "-amount": ("-amount", "-pk"),
    "description": ("description", "pk"),
    "-description": ("-description", "-pk"),
}
STATEMENT_SORTS = {
    "uploaded": ("created_at", "pk"),
    "-uploaded": ("-created_at", "-pk"),
    "period": ("period_from", "pk"),
    "-period": ("-period_from", "-pk"),
    "lines": ("transactions_count", "pk"),
    "-lines": ("-transactions_count", "-pk"),
    "bank": ("bank_name", "pk"),
    "-bank": ("-bank_name", "-pk"),
}
PAGE_SIZES = (25, 50, 100, 200)
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _suggestion_waiting() -> Exists:
    return Exists(PaymentMatch.objects.filter(transaction=OuterRef("pk"), state=MatchState.SUGGESTED))


class TransactionListFilter(django_filters.FilterSet):
    statement = django_filters.CharFilter(field_name="statements__public_id", max_length=40, label="Statement")
    currency = django_filters.CharFilter(method="filter_currency", max_length=3, label="Currency")
    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state", label="Match state", empty_label="Any")
    direction = django_filters.ChoiceFilter(
        choices=[("in", "Money in"), ("out", "Money out")],
        method="filter_direction",
        label="Direction",
        empty_label="Any",
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", input_formats=ISO_DATE, widget=DATE_INPUT, label="From"
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", input_formats=ISO_DATE, widget=DATE_INPUT, label="To"
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label="Amount from", **MONEY_DIGITS
    )
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label="Amount to", **MONEY_DIGITS)
    q = django_filters.CharFilter(method="filter_text", max_length=200, label="Search")

    class Meta:
        model = BankTransaction
        fields: list[str] = []

    def filter_currency(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        return queryset.filter(currency=value.upper())

    def filter_state(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        if value == SUGGESTED:
            return queryset.filter(_suggestion_waiting())
        return queryset.filter(match_status=value)

    def filter_direction(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        return queryset.filter(amount__gt=0) if value == "in" else queryset.filter(amount__lt=0)

    def filter_text(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        return queryset.filter(
            Q(description__icontains=value) | Q(reference__icontains=value) | Q(counterparty__icontains=value)
        )


def transactions_filtered(*, company: Company, params: Any) -> tuple[QuerySet[BankTransaction], TransactionListFilter]:
    """Every complete statement's lines of the company, filtered by `params` (the address's query) and sorted
    by its `sort`; nothing when a filter is invalid (the filterset then carries the errors)."""
    queryset = BankTransaction.objects.filter(company=company)
    # Lines still being imported are hidden; a join on their statement for that would cost every count a
    # pass over the whole table, and at most a few statements are being imported at any time.
    importing = list(BankStatement.objects.filter(company=company, complete=False).values_list("pk", flat=True))
    if importing:
        queryset = queryset.exclude(statement_id__in=importing)
    filterset = TransactionListFilter(params, queryset=queryset)
    lines = filterset.qs if filterset.is_valid() else queryset.none()
    return lines.order_by(*TRANSACTION_SORTS.get(params.get("sort", ""), TRANSACTION_SORTS["-date"])), filterset


def with_matches(lines: QuerySet[BankTransaction]) -> QuerySet[BankTransaction]:
    """Each line with its first statement, whether a suggestion waits (`suggestion_waiting`), and its
    confirmed matches' allocations and invoices (`confirmed_matches`): a fixed number of queries."""
    return (
        lines.select_related("statement")
        .annotate(suggestion_waiting=_suggestion_waiting())
        .prefetch_related(
            Prefetch(
                "matches",
                queryset=PaymentMatch.objects.filter(state=MatchState.CONFIRMED).prefetch_related(
                    Prefetch("allocations", queryset=MatchAllocation.objects.select_related("invoice"))
                ),
                to_attr="confirmed_matches",
            )
        )
    )


def statements_sorted(*, company: Company, params: Any) -> QuerySet[BankStatement]:
    """The company's statements, narrowed by `q` (file or bank name) and `currency`, sorted by `sort`."""
    statements = statement_list(company=company)
    text = (params.get("q") or "").strip()[:200]
    if text:
        statements = statements.filter(Q(file_name__icontains=text) | Q(bank_name__icontains=text))
    currency = (params.get("currency") or "").strip()[:3]
    if currency:
        statements = statements.filter(currency=currency.upper())
    return statements.order_by(*STATEMENT_SORTS.get(params.get("sort", ""), STATEMENT_SORTS["-uploaded"]))


def page_size(params: Any, default: int = 50) -> int:
    try:
        size = int(params.get("size", default))
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


CSV_HEADER = [
    "id",
    "date",
    "amount",
    "currency",
    "counterparty",
    "description",
    "reference",
    "match_status",
    "suggestion_waiting",
    "invoices_paid",
    "statement_id",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not run: a cell starting like a formula gets a leading apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def csv_rows(lines: Iterable[BankTransaction]) -> Iterator[str]:
    """The export's lines as CSV text, header first; `lines` must come from `with_matches`."""
    buffer = _Echo()
    writer = csv.writer(buffer)
    yield writer.writerow(CSV_HEADER)
    for line in lines:
        invoices = [
            allocation.invoice.invoice_number or allocation.invoice.public_id
            for match in getattr(line, "confirmed_matches", [])
            for allocation in match.allocations.all()
        ]
        yield writer.writerow(
            [
                line.public_id,
                line.date.isoformat(),
                str(round_money(line.amount, line.currency)),
                line.currency,
                safe_cell(line.counterparty),
                safe_cell(line.description),
                safe_cell(line.reference),
                line.match_status,
                "yes" if getattr(line, "suggestion_waiting", False) else "no",
                safe_cell(" ".join(invoices)),
                line.statement.public_id,
            ]
        )


class _Echo:
    def write(self, value: str) -> str:
        return value
