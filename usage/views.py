"""Dashboard page for usage: the plan, the billing period's counters against the limits, and the period by day."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import company_page, page_company
from usage.charts import bar_chart
from usage.periods import BillingPeriod, InvalidPeriod
from usage.selectors import usage_by_day, usage_stats


@dataclass(frozen=True)
class Meter:
    """One counter against its limit, as the page shows it."""

    used: int
    limit: int

    @property
    def percent(self) -> int:
        return min(100, self.used * 100 // self.limit) if self.limit else 0

    @property
    def reached(self) -> bool:
        return self.used >= self.limit


@company_page()
def usage_page(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    current = BillingPeriod.current()
    period = current
    if "period" in request.GET:
        try:
            period = BillingPeriod.parse(request.GET["period"])
        except InvalidPeriod:
            raise Http404("No such billing period.") from None
    stats = usage_stats(company=company, period=period)
    days = usage_by_day(company=company, period=period)
    context = {
        "stats": stats,
        "invoices": Meter(used=stats.invoices_processed, limit=stats.invoices_limit),
        "api_calls": Meter(used=stats.api_calls, limit=stats.api_calls_limit),
        "days": days,
        "api_calls_chart": bar_chart([(day.day, day.api_calls) for day in days]),
        "invoices_chart": bar_chart([(day.day, day.invoices_processed) for day in days]),
        "is_current": period == current,
        "previous_period": period.previous().key,
        "next_period": None if period == current else period.next().key,
    }
    return render(request, "usage/usage.html", context)
