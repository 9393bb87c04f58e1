"""Reads for bank statements and their transactions, always within one company."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from bank.models import BankStatement, BankTransaction, MatchStatus
from companies.models import Company
from invoisx.api.errors import ResourceNotFound
from invoisx.api.filtering import apply_filters

ISO_DATE = ["%Y-%m-%d"]  # YYYY-MM-DD only: 01/04/2026 is ambiguous between locales


class BankTransactionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", input_formats=ISO_DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", input_formats=ISO_DATE)
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", max_digits=16, decimal_places=2)
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", max_digits=16, decimal_places=2)
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
    return BankStatement.objects.filter(company=company).select_related("account")


def statement_get(*, company: Company, public_id: str) -> BankStatement:
    statement = statement_list(company=company).filter(public_id=public_id).first()
    if statement is None:
        raise ResourceNotFound("No bank statement with this id.")
    return statement


def statement_transactions(*, statement: BankStatement, filters: Any = None) -> QuerySet[BankTransaction]:
    """Every line the statement shows, including those an earlier, overlapping statement brought first."""
    queryset = BankTransaction.objects.filter(company=statement.company, statements=statement).order_by("date", "pk")
    return apply_filters(BankTransactionFilter, filters or {}, queryset)
