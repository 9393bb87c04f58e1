"""Dashboard pages for many invoices at once: the list and the upload."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dashboard.access import company_page, page_company
from invoices.forms import InvoiceUploadForm
from invoices.intake import invoice_upload
from invoices.models import Direction, Invoice, State, Status
from invoices.selectors import InvoiceFilter
from invoisx.errors import DomainError


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
            "states": State.choices,
            "directions": Direction.choices,
        },
    )


@company_page(edit=True)
def invoice_upload_page(request: HttpRequest) -> HttpResponse:
    """Upload a supplier invoice; the page's script shows upload progress, then opens the review."""
    form = InvoiceUploadForm(request.POST or None, request.FILES or None)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST":
        if form.is_valid():
            try:
                upload = invoice_upload(company=page_company(request), file=form.cleaned_data["file"])
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                review = reverse("dashboard:invoice-review", args=[upload.invoice.public_id])
                if upload.duplicate:
                    messages.info(request, "This file was uploaded before; here is the invoice it became.")
                if wants_json:
                    return JsonResponse({"id": upload.invoice.public_id, "url": review})
                return redirect(review)
        if wants_json:
            errors = [str(message) for messages_ in form.errors.values() for message in messages_]
            return JsonResponse({"errors": errors}, status=400)
    return render(request, "invoices/upload.html", {"form": form})
