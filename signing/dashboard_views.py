"""Settings › Signing in the dashboard: the certificate that signs the company's PDFs, and replacing
it with one from a PKCS#12 file.

Every member sees the certificate; only managers (owner, admin) upload one. The password opens the
file once, in `signing_certificate_upload`, and is never stored, logged, or shown back in the form.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoisx.errors import DomainError
from signing.selectors import certificate_summary, certificates_replaced
from signing.services import MAX_PKCS12_BYTES, signing_certificate_upload, signing_identity_ensure


class CertificateUploadForm(forms.Form):
    file = forms.FileField(label="PKCS#12 file (.p12 or .pfx)", help_text="At most 1 MB")
    # render_value=False (the default), said here because it matters: a refused form never echoes it.
    password = forms.CharField(
        required=False, strip=False, max_length=1000, widget=forms.PasswordInput(render_value=False)
    )

    def clean_file(self) -> object:
        file = self.cleaned_data["file"]
        if file.size is not None and file.size > MAX_PKCS12_BYTES:
            raise forms.ValidationError("A PKCS#12 file is at most 1 MB.")
        return file


@never_cache
@sensitive_post_parameters("password")
@company_page()
def signing_page(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    can_manage = membership is not None and membership.can_manage
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Only an owner or admin changes the signing certificate.")
    company = page_company(request)
    form = CertificateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = signing_certificate_upload(
                company=company, pkcs12=form.cleaned_data["file"].read(), password=form.cleaned_data["password"]
            )
        except DomainError as error:
            for field, errors in (error.details or {"__all__": [error.message]}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"PDFs are signed with {certificate.subject} from now on.")
            return redirect("dashboard:signing")
    # The certificate issuing would sign with: made now for a company that has none yet.
    active = signing_identity_ensure(company=company).certificate
    return render(
        request,
        "signing/certificate.html",
        {
            "form": form,
            "can_manage": can_manage,
            "certificate": certificate_summary(active),
            "replaced": [certificate_summary(item) for item in certificates_replaced(company=company)[:20]],
        },
    )
