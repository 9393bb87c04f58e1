"""Reads of a company's usage: the period's totals against the plan's limits, and the period by day.

API calls come from the `UsageDay` counters (sk_live_ calls only; sk_test_ calls are kept apart).
Invoices processed are the company's uploaded documents received in the period that count towards
usage (those sent with sk_test_ tokens do not), the same rule the monthly limit is checked with.
"""

from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from companies.models import Company
from invoices.models import Invoice, Source
from usage.models import UsageDay
from usage.periods import BillingPeriod


@dataclass(frozen=True)
class UsageStats:
    plan: str
    period: BillingPeriod
    invoices_processed: int
    invoices_limit: int
    api_calls: int
    api_calls_limit: int
    test_api_calls: int


@dataclass(frozen=True)
class DayUsage:
    day: date
    api_calls: int
    invoices_processed: int


def counted_invoices(*, company: Company, period: BillingPeriod) -> QuerySet[Invoice]:
    """The invoices that count against the plan's monthly invoice limit in `period`."""
    return Invoice.objects.filter(
        company=company,
        source=Source.UPLOAD,
        counts_towards_usage=True,
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_at,
    )


def invoices_processed_count(*, company: Company, period: BillingPeriod) -> int:
    return counted_invoices(company=company, period=period).count()


def usage_stats(*, company: Company, period: BillingPeriod) -> UsageStats:
    totals = UsageDay.objects.filter(company=company, date__gte=period.first_day, date__lte=period.last_day).aggregate(
        api_calls=Sum("api_calls"), test_api_calls=Sum("test_api_calls")
    )
    limits = company.plan_limits
    return UsageStats(
        plan=company.plan,
        period=period,
        invoices_processed=invoices_processed_count(company=company, period=period),
        invoices_limit=limits.invoices_per_month,
        api_calls=totals["api_calls"] or 0,
        api_calls_limit=limits.api_calls_per_month,
        test_api_calls=totals["test_api_calls"] or 0,
    )


def usage_by_day(*, company: Company, period: BillingPeriod) -> list[DayUsage]:
    """Every day of the period, days without usage included (as zeros)."""
    calls = dict(
        UsageDay.objects.filter(company=company, date__gte=period.first_day, date__lte=period.last_day).values_list(
            "date", "api_calls"
        )
    )
    invoices = dict(
        counted_invoices(company=company, period=period)
        .order_by()  # the model's ordering would otherwise split the groups
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return [
        DayUsage(day=day, api_calls=calls.get(day, 0), invoices_processed=invoices.get(day, 0)) for day in period.days()
    ]
