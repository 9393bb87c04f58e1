"""Dashboard pages for one invoice: its review (or issued-invoice page), its document and page images,
publishing it, and the review queue."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from companies.current import current_membership
from dashboard.access import company_page, page_company
from integrations.models import Provider
from integrations.publishing import invoice_publish
from invoices.einvoice_view import einvoice_rendering
from invoices.forms import BaseInvoiceLineFormSet, InvoiceReviewForm, line_formset
from invoices.issuing.views import invoice_detail
from invoices.models import Direction, Invoice, State, Status
from invoices.page_images import NoSuchPage, page_count, page_image
from invoices.review_selectors import invoice_payment_detail, invoice_publish_targets, review_queue, review_queue_next
from invoices.services import invoice_approve, invoice_update
from invoisx.errors import DomainError

QUEUE_PAGE_SIZE = 25
# The review form's fields in the order read, each with the confidence key it is shown with.
SUPPLIER_FIELDS = ("supplier_name", "supplier_address", "supplier_tax_id")


def _confidence_rows(form: InvoiceReviewForm, invoice: Invoice) -> list[dict[str, Any]]:
    """Each form field with its confidence (a number and a level worded for people) and its box."""
    threshold = settings.EXTRACTION_REVIEW_THRESHOLD
    confidence = invoice.field_confidence or {}
    boxes = invoice.field_boxes or {}
    reasons = {reason["field"] for reason in invoice.review_reasons or []}
    rows = []
    for field in form:
        score = confidence.get(field.name)
        if score is None:
            level, word = "", ""
        elif score >= 0.9:
            level, word = "high", "sure"
        elif score >= threshold:
            level, word = "medium", "fairly sure"
        else:
            level, word = "low", "unsure"
        rows.append(
            {
                "field": field,
                "score": score,
                "level": level,
                "word": word,
                "has_box": field.name in boxes,
                "flagged": field.name in reasons or level == "low",
            }
        )
    return rows


def _page_boxes(invoice: Invoice, pages: int) -> list[dict[str, Any]]:
    """The pages to show, each with its boxes in a 1000 × 1000 viewBox stretched over the page image."""
    boxes = invoice.field_boxes or {}
    shown = []
    for number in range(1, pages + 1):
        drawn = [
            {
                "field": field,
                "x": round(box["x0"] * 1000, 1),
                "y": round(box["y0"] * 1000, 1),
                "width": round(max(box["x1"] - box["x0"], 0.002) * 1000, 1),
                "height": round(max(box["y1"] - box["y0"], 0.002) * 1000, 1),
            }
            for field, box in sorted(boxes.items())
            if box.get("page") == number
        ]
        shown.append({"number": number, "boxes": drawn})
    return shown


def _review_context(
    request: HttpRequest, invoice: Invoice, form: InvoiceReviewForm, lines: BaseInvoiceLineFormSet
) -> dict[str, Any]:
    membership = current_membership(request)
    can_edit = membership is not None and membership.can_edit
    pages = page_count(invoice)
    next_invoice = review_queue_next(company=invoice.company, after=invoice)
    return {
        "invoice": invoice,
        "form": form,
        "lines": lines,
        "rows": _confidence_rows(form, invoice),
        "threshold": settings.EXTRACTION_REVIEW_THRESHOLD,
        "can_edit": can_edit,
        "review_reasons": invoice.review_reasons or [],
        "is_image": invoice.document_kind in ("png", "jpeg"),
        "pages": _page_boxes(invoice, pages),
        "einvoice": einvoice_rendering(invoice) if invoice.document_kind in ("ubl", "cii") else None,
        "in_queue": invoice.status in (Status.NEEDS_REVIEW, Status.FAILED),
        "next_invoice": next_invoice,
        "payment": invoice_payment_detail(invoice),
        "publish_targets": invoice_publish_targets(invoice),
        "changes": invoice.changes.select_related("changed_by_user", "changed_by_token").order_by("-created_at")[:20],
    }


def _get_invoice(request: HttpRequest, invoice_id: str) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("supplier", "buyer", "company", "preceding_invoice", "duplicate_of"),
        company=page_company(request),
        public_id=invoice_id,
    )


@company_page()
def invoice_review(request: HttpRequest, invoice_id: str) -> HttpResponse:
    """A recorded invoice's page: the document beside its fields, Save / Approve / Save and next."""
    invoice = _get_invoice(request, invoice_id)
    if invoice.direction == Direction.SALES and invoice.state != State.RECORDED:
        # Issued here: its page shows the lifecycle and its actions, each posting to its own address.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return invoice_detail(request, invoice)
    membership = current_membership(request)
    can_edit = membership is not None and membership.can_edit
    form, lines = _forms(invoice, request.POST or None, can_edit=can_edit)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Your role in this company does not allow corrections.")
        action = request.POST.get("action", "save")
        saved = _save(request, invoice, form, lines)
        if saved is not None:
            if action == "approve":
                try:
                    saved = invoice_approve(invoice=saved, approved_by=request.user)  # type: ignore[arg-type]
                except DomainError as error:
                    # The corrections are saved: the page shows them, and why approving waits.
                    invoice = _get_invoice(request, invoice_id)
                    form, lines = _forms(invoice, None, can_edit=can_edit)
                    context = _review_context(request, invoice, form, lines) | {"refusal": error.message}
                    return render(request, "invoices/review.html", context, status=409)
                messages.success(request, "Approved.")
            else:
                messages.success(request, "Corrections saved." if saved is not invoice else "Nothing to save.")
            if action == "next":
                following = review_queue_next(company=invoice.company, after=invoice)
                if following is not None:
                    return redirect("dashboard:invoice-review", invoice_id=following.public_id)
                messages.info(request, "The review queue is empty.")
                return redirect("dashboard:review-queue")
            return redirect("dashboard:invoice-review", invoice_id=invoice.public_id)
    return render(request, "invoices/review.html", _review_context(request, invoice, form, lines))


def _forms(invoice: Invoice, data: Any, *, can_edit: bool) -> tuple[InvoiceReviewForm, BaseInvoiceLineFormSet]:
    form = InvoiceReviewForm.for_invoice(invoice, data)
    # A post without the line-item rows (a page from before they were editable, a script) leaves them as they are.
    lines = line_formset(invoice, data if data is not None and "lines-TOTAL_FORMS" in data else None)
    if invoice.direction == Direction.SALES:
        for name in SUPPLIER_FIELDS:  # a sales invoice's party is its buyer, shown beside the form
            del form.fields[name]
    if not can_edit:
        for field in [*form.fields.values(), *(f for line in lines.forms for f in line.fields.values())]:
            field.disabled = True
    return form, lines


def _save(
    request: HttpRequest, invoice: Invoice, form: InvoiceReviewForm, lines: BaseInvoiceLineFormSet
) -> Invoice | None:
    """Save the corrections without approving; the invoice (as saved) or None when the form has errors."""
    if not (form.is_valid() and (not lines.is_bound or lines.is_valid())):
        return None
    fields = form.update_fields()
    if lines.is_bound and lines.has_changed():
        fields["line_items"] = lines.line_items()
    if not fields:
        return invoice
    try:
        return invoice_update(invoice=invoice, changed_by_user=request.user, vouch=False, **fields)  # type: ignore[arg-type]
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            name = field.replace("totals.", "").replace("supplier.", "supplier_")
            form.add_error(name if name in form.fields else None, errors)
    except DomainError as error:
        form.add_error(None, error.message)
    return None


@company_page()
def review_queue_page(request: HttpRequest) -> HttpResponse:
    """Invoices waiting for a person, oldest first, each with why."""
    page = Paginator(review_queue(company=page_company(request)), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "invoices/queue.html", {"page": page})


@company_page()
def invoice_page_image(request: HttpRequest, invoice_id: str, page: int) -> HttpResponse:
    """Page `page` of the invoice's document as an image, only to members of its company."""
    invoice = get_object_or_404(Invoice, company=page_company(request), public_id=invoice_id)
    try:
        content, content_type = page_image(invoice, page=page)
    except NoSuchPage:
        raise Http404("No such page.") from None
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@xframe_options_sameorigin
@company_page()
def invoice_document(request: HttpRequest, invoice_id: str) -> FileResponse:
    """The uploaded document, only to members of its company (never a public media URL).

    With `?download=1` it is sent as an attachment under the name it was uploaded with."""
    invoice = get_object_or_404(Invoice, company=page_company(request), public_id=invoice_id)
    if not invoice.document:
        raise Http404("This invoice has no document.")
    content_types = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
    filename = f"{invoice.public_id}.{invoice.document_kind if invoice.document_kind in content_types else 'xml'}"
    response = FileResponse(
        invoice.document.open("rb"),
        content_type=content_types.get(invoice.document_kind, "application/xml"),
        as_attachment=request.GET.get("download") == "1",
        filename=(invoice.document_name or filename) if request.GET.get("download") == "1" else filename,
    )
    if request.GET.get("download") != "1":
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


@require_POST
@company_page(edit=True)
def invoice_publish_page(request: HttpRequest, invoice_id: str, provider: str) -> HttpResponse:
    """Publish a purchase invoice to a connected accounting system, then back to its page."""
    invoice = _get_invoice(request, invoice_id)
    if provider not in Provider.values:
        raise Http404("No such accounting system.")
    label = Provider(provider).label
    try:
        publication = invoice_publish(company=invoice.company, invoice=invoice, target=provider)
    except DomainError as error:
        messages.error(request, f"Not published to {label}: {error.message}")
    else:
        if publication.status == "published":
            messages.success(request, f"Published to {label}.")
        else:
            messages.info(request, f"Publishing to {label} is under way.")
    return redirect(reverse("dashboard:invoice-review", args=[invoice.public_id]) + "#publishing")
