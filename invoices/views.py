"""Dashboard pages for invoices."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import company_page, page_company
from invoices.models import Direction, Invoice, Status
from invoices.selectors import InvoiceFilter


@company_page()
def invoice_list(request: HttpRequest) -> HttpResponse:
    queryset = Invoice.objects.filter(company=page_company(request)).select_related("supplier", "buyer")
    filterset = InvoiceFilter(request.GET, queryset=queryset)
    invoices = filterset.qs if filterset.is_valid() else queryset.none()
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "invoices/list.html",
        {
            "page": page,
            "filters": request.GET,
            "errors": filterset.errors,
            "statuses": Status.choices,
            "directions": Direction.choices,
        },
    )
