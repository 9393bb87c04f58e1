"""Dashboard pages for buyers."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buyers.models import Buyer
from buyers.selectors import BuyerFilter
from dashboard.access import company_page, page_company


@company_page()
def buyer_list(request: HttpRequest) -> HttpResponse:
    filterset = BuyerFilter(request.GET, queryset=Buyer.objects.filter(company=page_company(request)))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(request, "buyers/list.html", {"page": page, "search": request.GET.get("search", "")})
