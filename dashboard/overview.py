"""The overview: what a finance team looks at first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buyers.models import Buyer
from dashboard.access import company_page, page_company
from invoices.models import Invoice, Status
from tokens.models import ApiToken


@company_page()
def home(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    invoices = Invoice.objects.filter(company=company)
    context = {
        "buyer_count": Buyer.objects.filter(company=company).count(),
        "invoice_count": invoices.count(),
        "review_count": invoices.filter(status=Status.NEEDS_REVIEW).count(),
        "token_count": ApiToken.objects.filter(company=company, revoked_at__isnull=True).count(),
        "recent_invoices": invoices.select_related("supplier", "buyer")[:5],
    }
    return render(request, "dashboard/home.html", context)
