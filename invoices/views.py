"""Dashboard pages for one invoice: its review (or issued-invoice page) and its document."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoices.forms import InvoiceReviewForm
from invoices.issuing.views import invoice_detail
from invoices.models import Direction, Invoice, State
from invoices.services import invoice_update
from invoisx.errors import DomainError


def _review_context(invoice: Invoice, form: InvoiceReviewForm) -> dict[str, Any]:
    threshold = settings.EXTRACTION_REVIEW_THRESHOLD
    confidence = invoice.field_confidence or {}
    low = {name for name, score in confidence.items() if score < threshold}
    return {
        "invoice": invoice,
        "form": form,
        "low_confidence": low,
        "review_reasons": invoice.review_reasons or [],
        "field_confidence": confidence,
        "is_image": invoice.document_kind in ("png", "jpeg"),
        "is_pdf": invoice.document_kind == "pdf",
        "changes": invoice.changes.select_related("changed_by_user", "changed_by_token").order_by("-created_at")[:20],
    }


@company_page()
def invoice_review(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.select_related("supplier", "buyer", "company", "preceding_invoice"),
        company=page_company(request),
        public_id=invoice_id,
    )
    if invoice.direction == Direction.SALES and invoice.state != State.RECORDED:
        # Issued here: its page shows the lifecycle and its actions, each posting to its own address.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return invoice_detail(request, invoice)
    form = InvoiceReviewForm.for_invoice(invoice, request.POST or None)
    if request.method == "POST":
        membership = current_membership(request)
        if membership is None or not membership.can_edit:
            raise PermissionDenied("Your role in this company does not allow corrections.")
        if form.is_valid():
            try:
                invoice_update(invoice=invoice, changed_by_user=request.user, **form.update_fields())  # type: ignore[arg-type]
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    name = field.replace("totals.", "").replace("supplier.", "supplier_")
                    form.add_error(name if name in form.fields else None, errors)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Corrections saved.")
                return redirect("dashboard:invoice-review", invoice_id=invoice.public_id)
    return render(request, "invoices/review.html", _review_context(invoice, form))


@xframe_options_sameorigin
@company_page()
def invoice_document(request: HttpRequest, invoice_id: str) -> FileResponse:
    """The uploaded document, only to members of its company (never a public media URL)."""
    invoice = get_object_or_404(Invoice, company=page_company(request), public_id=invoice_id)
    if not invoice.document:
        raise Http404("This invoice has no document.")
    content_types = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
    response = FileResponse(
        invoice.document.open("rb"), content_type=content_types.get(invoice.document_kind, "application/xml")
    )
    response["Content-Disposition"] = f'inline; filename="{invoice.public_id}.{invoice.document_kind}"'
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
