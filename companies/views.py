"""Settings › Company in the dashboard: the seller details printed on the company's invoices.

Every member sees the profile; only managers (owner, admin) change it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from companies.current import current_membership
from companies.forms import CompanyProfileForm
from companies.models import Company
from companies.services import company_profile_update
from dashboard.access import company_page, page_company


@never_cache
@company_page()
def company_profile_page(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    can_manage = membership is not None and membership.can_manage
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Only an owner or admin changes the company profile.")
    company = page_company(request)
    # A copy: the form writes its values onto its instance while validating.
    form = CompanyProfileForm(
        request.POST or None, instance=Company.objects.get(pk=company.pk), read_only=not can_manage
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            company_profile_update(company=company, actor=request.user, **fields)  # type: ignore[arg-type]
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Company profile saved.")
            return redirect("dashboard:company-profile")
    return render(request, "companies/profile.html", {"form": form, "can_manage": can_manage, "company": company})
