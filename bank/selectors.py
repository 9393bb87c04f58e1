"""Reads for bank statements, their transactions and reconciliations, always within one company."""

from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet

from bank.models import (
    BankImportJob,
    BankStatement,
    BankTransaction,
    ImportStatus,
    MatchAllocation,
    MatchState,
    MatchStatus,
    PaymentMatch,
    Reconciliation,
)
from companies.models import Company
from invoices.models import DocumentType, Invoice, PaymentStatus, State, Status
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

MONEY_DIGITS = {"max_digits": MONEY_MAX_DIGITS, "decimal_places": MONEY_DECIMAL_PLACES}

ISO_DATE = ["%Y-%m-%d"]  # YYYY-MM-DD only: 01/04/2026 is ambiguous between locales


class BankTransactionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", input_formats=ISO_DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", input_formats=ISO_DATE)
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", **MONEY_DIGITS)
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", **MONEY_DIGITS)
    # A ChoiceFilter, not a BooleanFilter: that one ignores a value it cannot read instead of refusing it.
    matched = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_matched")
    q = django_filters.CharFilter(method="filter_text", max_length=200)

    class Meta:
        model = BankTransaction
        fields: list[str] = []

    def filter_matched(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        if value == "true":
            return queryset.filter(match_status=MatchStatus.MATCHED)
        return queryset.exclude(match_status=MatchStatus.MATCHED)

    def filter_text(self, queryset: QuerySet[BankTransaction], name: str, value: str) -> QuerySet[BankTransaction]:
        return queryset.filter(
            Q(description__icontains=value) | Q(reference__icontains=value) | Q(counterparty__icontains=value)
        )


def statement_list(*, company: Company) -> QuerySet[BankStatement]:
    """The company's statements; one still being imported is not shown until its import completes."""
    return BankStatement.objects.filter(company=company, complete=True).select_related("account")


def file_statements(*, company: Company, file_sha256: str) -> QuerySet[BankStatement]:
    """The complete statements an uploaded file holds, in the order of the file."""
    return statement_list(company=company).filter(file_sha256=file_sha256).order_by("position")


def import_get(*, company: Company, public_id: str) -> BankImportJob:
    job = BankImportJob.objects.filter(company=company, public_id=public_id).first()
    if job is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No bank statement import with this id.")
    return job


def import_statements(*, job: BankImportJob) -> list[BankStatement]:
    """The statements of a completed job's file, in file order (the earlier ones for a duplicate)."""
    if job.status != ImportStatus.COMPLETED:
        return []
    return list(file_statements(company=job.company, file_sha256=job.file_sha256))


def statement_get(*, company: Company, public_id: str) -> BankStatement:
    statement = statement_list(company=company).filter(public_id=public_id).first()
    if statement is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No bank statement with this id.")
    return statement


def statement_transactions(*, statement: BankStatement, filters: Any = None) -> QuerySet[BankTransaction]:
    """Every line the statement shows, including those an earlier, overlapping statement brought first."""
    queryset = BankTransaction.objects.filter(company=statement.company, statements=statement).order_by("date", "pk")
    return apply_filters(BankTransactionFilter, filters or {}, queryset)


def reconciliation_list(*, company: Company, filters: Any = None) -> QuerySet[Reconciliation]:
    """Runs newest first, each with live counts of its matches by state (`count_confirmed`, ...)."""
    queryset = Reconciliation.objects.filter(company=company).select_related("statement")
    statement_id = (filters or {}).get("statement_id")
    if statement_id:
        queryset = queryset.filter(statement__public_id=statement_id)
    return queryset.order_by("-created_at", "-pk").annotate(
        count_confirmed=Count("matches", filter=Q(matches__state=MatchState.CONFIRMED)),
        count_suggested=Count("matches", filter=Q(matches__state=MatchState.SUGGESTED)),
        count_rejected=Count("matches", filter=Q(matches__state=MatchState.REJECTED)),
        count_lines_with_match=Count(
            "matches__transaction",
            filter=Q(matches__state__in=[MatchState.CONFIRMED, MatchState.SUGGESTED]),
            distinct=True,
        ),
    )


def reconciliation_get(*, company: Company, public_id: str) -> Reconciliation:
    reconciliation = reconciliation_list(company=company).filter(public_id=public_id).first()
    if reconciliation is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No reconciliation with this id.")
    return reconciliation


class PaymentMatchFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=MatchState.choices)
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte")

    class Meta:
        model = PaymentMatch
        fields: list[str] = []


def reconciliation_matches(*, reconciliation: Reconciliation, filters: Any = None) -> QuerySet[PaymentMatch]:
    queryset = (
        PaymentMatch.objects.filter(reconciliation=reconciliation)
        .select_related("transaction")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=MatchAllocation.objects.select_related("invoice__buyer", "invoice__supplier"),
            )
        )
        .order_by("transaction__date", "transaction_id", "pk")
    )
    return apply_filters(PaymentMatchFilter, filters or {}, queryset)


def match_get(*, reconciliation: Reconciliation, public_id: str) -> PaymentMatch:
    match = reconciliation_matches(reconciliation=reconciliation).filter(public_id=public_id).first()
    if match is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No match with this id in this reconciliation.")
    return match


def transaction_get(*, company: Company, public_id: str) -> BankTransaction:
    line = BankTransaction.objects.filter(company=company, public_id=public_id).first()
    if line is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No bank transaction with this id.")
    return line


OPEN_STATUSES = (Status.PROCESSED, Status.NEEDS_REVIEW)  # extracted and not failed: real invoices
# Drafts were never issued and void invoices are cancelled: neither is owed.
PAYABLE_STATES = (State.ISSUED, State.SENT, State.RECORDED)


def open_invoices(*, company: Company) -> QuerySet[Invoice]:
    """Invoices that can still receive money: real (processed or in review, issued or recorded, not a
    credit note), not yet paid, with a total and a currency."""
    return (
        Invoice.objects.filter(
            company=company,
            status__in=OPEN_STATUSES,
            state__in=PAYABLE_STATES,
            document_type=DocumentType.INVOICE,
            total__gt=0,
        )
        .exclude(payment_status=PaymentStatus.PAID)
        .exclude(currency="")
    )


def reconciliation_lines(*, reconciliation: Reconciliation) -> QuerySet[BankTransaction]:
    """The lines of the run's statement, within its dates, that still have money no match explains."""
    lines = statement_transactions(statement=reconciliation.statement).exclude(match_status=MatchStatus.MATCHED)
    if reconciliation.date_from:
        lines = lines.filter(date__gte=reconciliation.date_from)
    if reconciliation.date_to:
        lines = lines.filter(date__lte=reconciliation.date_to)
    return lines
