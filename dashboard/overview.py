"""The overview: what a finance team looks at first.

Receivables and payables due and how late, per currency; what waits for a person (invoices to review,
bank lines to match); the last six months invoiced against received; this month's usage; and, until a
new company has done them, the first steps. The figures come from `dashboard.selectors`.
"""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dashboard import selectors
from dashboard.access import company_page, page_company
from dashboard.charts import grouped_bar_chart
from invoices.models import Direction
from usage.periods import BillingPeriod
from usage.selectors import usage_stats
from usage.views import Meter


@company_page()
def home(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    today = timezone.localdate()
    aging = selectors.aging(company=company, today=today)
    receivables = [row for row in aging if row.direction == Direction.SALES]
    payables = [row for row in aging if row.direction == Direction.PURCHASE]
    flow = selectors.cash_flow(company=company, today=today, currency=request.GET.get("currency", "").upper()[:3])
    chart_currency = flow.currency
    receivable = next((row for row in receivables if row.currency == chart_currency), None)
    payable = next((row for row in payables if row.currency == chart_currency), None)
    aging_chart = grouped_bar_chart(
        [
            (
                bucket.short,
                [
                    receivable.buckets[index].amount if receivable else Decimal(0),
                    payable.buckets[index].amount if payable else Decimal(0),
                ],
            )
            for index, bucket in enumerate(selectors.BUCKETS)
        ]
    )
    flow_chart = grouped_bar_chart([(m.month.strftime("%b %Y"), [m.invoiced, m.received]) for m in flow.months])
    work = selectors.work_counts(company=company)
    stats = usage_stats(company=company, period=BillingPeriod.current())
    context = {
        "today": today,
        "receivables": receivables,
        "payables": payables,
        "buckets": selectors.BUCKETS,
        "most_overdue": selectors.most_overdue(company=company, today=today),
        "flow": flow,
        "chart_currency": chart_currency,
        "aging_chart": aging_chart,
        "flow_chart": flow_chart,
        "work": work,
        "invoice_count": work.invoices,
        "review_url": reverse("dashboard:review-queue"),
        "usage": stats,
        "usage_invoices": Meter(used=stats.invoices_processed, limit=stats.invoices_limit),
        "usage_api_calls": Meter(used=stats.api_calls, limit=stats.api_calls_limit),
        "first_steps": selectors.first_steps(company=company),
    }
    return render(request, "dashboard/home.html", context)
