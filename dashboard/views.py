"""Dashboard shell pages: login (rate limited), home, and switching company."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from buyers.models import Buyer
from companies.current import choose_company
from dashboard.access import company_page, page_company
from invoices.models import Invoice, Status
from invoisx.throttles import throttle_login
from tokens.models import ApiToken


@method_decorator(throttle_login, name="post")
class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True


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


@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        choose_company(request, request.POST.get("company", ""))
    return redirect("dashboard:home")
