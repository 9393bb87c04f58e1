"""Settings › Company in the dashboard: the seller details printed on the company's invoices, and its logo.

Every member sees the profile and the logo; only managers (owner, admin) change them.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from companies.current import current_membership
from companies.forms import CompanyLogoForm, CompanyProfileForm
from companies.models import Company
from companies.services import company_logo_remove, company_logo_set, company_profile_update
from dashboard.access import company_page, page_company

LOGO_CONTENT_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _can_manage(request: HttpRequest) -> bool:
    membership = current_membership(request)
    return membership is not None and membership.can_manage


def _profile_page(
    request: HttpRequest, *, form: CompanyProfileForm | None = None, logo_form: CompanyLogoForm | None = None
) -> HttpResponse:
    company = page_company(request)
    can_manage = _can_manage(request)
    if form is None:
        form = CompanyProfileForm(instance=Company.objects.get(pk=company.pk), read_only=not can_manage)
    context = {
        "form": form,
        "logo_form": logo_form or CompanyLogoForm(),
        "can_manage": can_manage,
        "company": Company.objects.get(pk=company.pk),  # the logo as stored now
    }
    return render(request, "companies/profile.html", context)


@never_cache
@company_page()
def company_profile_page(request: HttpRequest) -> HttpResponse:
    can_manage = _can_manage(request)
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
    return _profile_page(request, form=form)


@require_POST
@company_page(manage=True)
def company_logo_upload(request: HttpRequest) -> HttpResponse:
    logo_form = CompanyLogoForm(request.POST, request.FILES)
    if logo_form.is_valid():
        try:
            company_logo_set(company=page_company(request), file=logo_form.cleaned_data["logo"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                logo_form.add_error(field if field in logo_form.fields else None, errors)
        else:
            messages.success(request, "Logo saved: it is printed on the invoices issued from now on.")
            return redirect("dashboard:company-profile")
    return _profile_page(request, logo_form=logo_form)


@require_POST
@company_page(manage=True)
def company_logo_delete(request: HttpRequest) -> HttpResponse:
    company_logo_remove(company=page_company(request))
    messages.success(request, "Logo removed.")
    return redirect("dashboard:company-profile")


@require_safe
@company_page()
def company_logo_image(request: HttpRequest) -> FileResponse:
    """The logo, to members of its company only (never a public media URL)."""
    company = Company.objects.get(pk=page_company(request).pk)
    if not company.logo:
        raise Http404("The company has no logo.")
    try:
        file = company.logo.open("rb")
    except OSError:
        raise Http404("The logo file is missing.") from None
    head = file.read(4)
    file.seek(0)
    content_type = next((kind for magic, kind in LOGO_CONTENT_TYPES.items() if head.startswith(magic)), None)
    if content_type is None:  # stored by hand (the admin, a shell): not served as anything a browser runs
        file.close()
        raise Http404("The logo is not a PNG or JPEG image.")
    response = FileResponse(file, content_type=content_type)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
