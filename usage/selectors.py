"""Reads of a company's usage: the period's totals against the plan's limits, and the period by day.

API calls come from the `UsageDay` counters (sk_live_ calls only; sk_test_ calls are kept apart), plus
what has not reached them yet: this process's buffered calls are added to the rows first, and the
Redis counters' calls beyond the rows' marks are added to the figures (`usage.counters`), so the
figures are exact at any moment with Redis, and within USAGE_FLUSH_SECONDS of other processes' calls
without it.
Invoices processed are the company's uploaded documents received in the period that count towards
usage (those sent with sk_test_ tokens do not), the same rule the monthly limit is checked with.
"""

from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from companies.models import Company
from invoices.models import Invoice, Source
from usage import counters
from usage.models import UsageDay
from usage.periods import BillingPeriod
from usage.recording import UsageCall, own_calls_flush


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


def _calls_by_day(*, company: Company, period: BillingPeriod) -> dict[date, tuple[int, int]]:
    """The company's (live, test) calls on each day of the period that has any, counted so far."""
    own_calls_flush()
    client = counters.shared_redis()
    # Redis is read before the rows: a flush in between has then added to a row no more than the
    # reading holds, and the reading minus the row's mark is what the row still lacks (or, after the
    # flush, the negative of what it has beyond the reading), so every call is counted once.
    in_cache = (
        {}
        if client is None
        else {
            found.day: found for found in counters.company_counters(client, company_id=company.pk, days=period.days())
        }
    )
    rows = UsageDay.objects.filter(company=company, date__gte=period.first_day, date__lte=period.last_day)
    calls: dict[date, tuple[int, int]] = {}
    for row in rows:
        live, test = row.api_calls, row.test_api_calls
        cached = in_cache.pop(row.date, None)
        if cached is not None and cached.epoch >= row.cache_epoch:
            same_life = cached.epoch == row.cache_epoch
            live += cached.live[company.pk] - (row.cache_api_calls if same_life else 0)
            test += cached.test[company.pk] - (row.cache_test_api_calls if same_life else 0)
        calls[row.date] = (live, test)
    for day, cached in in_cache.items():  # days with no row yet
        calls[day] = (cached.live[company.pk], cached.test[company.pk])
    return calls


def usage_stats(*, company: Company, period: BillingPeriod, answering: UsageCall | None = None) -> UsageStats:
    """The period's figures; `answering` is the API call being answered, counted once its answer is made
    (`usage.middleware`), which the figures include."""
    calls = _calls_by_day(company=company, period=period).values()
    api_calls = sum(live for live, _ in calls)
    test_api_calls = sum(test for _, test in calls)
    if (
        answering is not None
        and answering.company_id == company.pk
        and period.first_day <= answering.day <= period.last_day
    ):
        api_calls += 0 if answering.is_test else 1
        test_api_calls += 1 if answering.is_test else 0
    limits = company.plan_limits
    return UsageStats(
        plan=company.plan,
        period=period,
        invoices_processed=invoices_processed_count(company=company, period=period),
        invoices_limit=limits.invoices_per_month,
        api_calls=api_calls,
        api_calls_limit=limits.api_calls_per_month,
        test_api_calls=test_api_calls,
    )


def usage_by_day(*, company: Company, period: BillingPeriod) -> list[DayUsage]:
    """Every day of the period, days without usage included (as zeros)."""
    calls = {day: live for day, (live, _) in _calls_by_day(company=company, period=period).items()}
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
