"""Dashboard pages for many invoices at once: the list (sort, filters, page size, bulk actions, CSV) and
the upload of several documents, each followed by its own extraction status."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.access import company_page, page_company
from integrations.models import Provider
from invoices.bulk import (
    BATCH_LIMIT,
    PUBLISH_BATCH_LIMIT,
    BulkOutcome,
    invoices_bulk_approve,
    invoices_bulk_delete,
    invoices_bulk_publish,
    publish_targets,
)
from invoices.exports import invoices_csv_lines
from invoices.intake import invoice_upload
from invoices.listing import PAGE_SIZES, per_page, query_with, sort_headers
from invoices.models import Direction, Invoice, PaymentStatus, State, Status
from invoices.selectors import OVERDUE, invoice_dashboard_list, invoice_payment_state, invoices_selected
from invoisx.errors import DomainError

# The columns the list sorts by: (the `?sort=` key, the heading).
SORT_COLUMNS = [
    ("number", "Number"),
    ("party", "Party"),
    ("date", "Date"),
    ("due", "Due"),
    ("total", "Total"),
    ("status", "Status"),
    ("payment", "Payment"),
]
# What the upload accepts (`reading.sniff` decides from the bytes; this only narrows the picker).
UPLOAD_ACCEPT = ".pdf,.png,.jpg,.jpeg,.xml,application/pdf,image/png,image/jpeg,application/xml,text/xml"
UPLOAD_MAX_FILES = 20  # in one post without the page's script (the script sends one file per request)


@require_GET
@company_page()
def invoice_list(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    today = timezone.localdate()
    listing = invoice_dashboard_list(company=company, params=request.GET, today=today)
    page = Paginator(listing.invoices, per_page(request)).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for invoice in rows:
        invoice.payment = invoice_payment_state(invoice, today=today)
    # Only an empty page asks whether the company has invoices at all.
    has_any = bool(rows) or Invoice.objects.filter(company=company).exists()
    return render(
        request,
        "invoices/list.html",
        {
            "page": page,
            "rows": rows,
            "has_any": has_any,
            "filtered": listing.filtered,
            "filters": request.GET,
            "errors": listing.errors,
            "sort": listing.sort,
            "sort_headers": sort_headers(
                request.GET, listing.sort, SORT_COLUMNS, descending_first=("date", "due", "total")
            ),
            "per_page": per_page(request),
            "page_sizes": PAGE_SIZES,
            "statuses": Status.choices,
            "states": State.choices,
            "directions": Direction.choices,
            "payment_statuses": [*PaymentStatus.choices, (OVERDUE, "Overdue")],
            "query": query_with(request.GET, page=None),
            "publish_targets": [(target, Provider(target).label) for target in publish_targets(company=company)],
            "publish_limit": PUBLISH_BATCH_LIMIT,
        },
    )


def _outcome_message(request: HttpRequest, outcome: BulkOutcome, *, verb: str) -> None:
    noun = "invoice" if outcome.done == 1 else "invoices"
    parts = [f"{outcome.done} {noun} {verb}."]
    if outcome.skipped:
        parts.append(f"{outcome.skipped} skipped (not waiting for review).")
    level = messages.success if not outcome.refused_count else messages.warning
    level(request, " ".join(parts))
    for reason, count in outcome.refused.most_common():
        messages.error(request, f"{count} refused: {reason}")


@require_POST
@company_page(edit=True)
def invoice_bulk(request: HttpRequest) -> HttpResponseBase:
    """One form for every bulk action on the list: the selected rows, or (export) all that match the filters."""
    company = page_company(request)
    query = request.POST.get("query", "")
    back = reverse("dashboard:invoices") + (f"?{query}" if query else "")
    action = request.POST.get("action", "")
    ids = request.POST.getlist("ids")
    if action == "export":
        if request.POST.get("scope") == "all":
            listing = invoice_dashboard_list(company=company, params=QueryDict(query), today=timezone.localdate())
            matching = listing.invoices
        else:
            matching = invoices_selected(company=company, public_ids=ids).order_by("-invoice_date", "-pk")
        response = StreamingHttpResponse(invoices_csv_lines(matching), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invoices-{timezone.localdate().isoformat()}.csv"'
        return response
    if not ids:
        messages.error(request, "Select at least one invoice first.")
        return redirect(back)
    limit = PUBLISH_BATCH_LIMIT if action.startswith("publish:") else BATCH_LIMIT
    if len(ids) > limit:
        messages.error(request, f"Select at most {limit} invoices for this action.")
        return redirect(back)
    invoices = list(invoices_selected(company=company, public_ids=ids))
    user = request.user
    assert isinstance(user, User)  # company_page requires a login
    if action == "approve":
        _outcome_message(request, invoices_bulk_approve(invoices=invoices, approved_by=user), verb="approved")
    elif action == "delete":
        _outcome_message(request, invoices_bulk_delete(invoices=invoices), verb="deleted")
    elif action.startswith("publish:") and action.removeprefix("publish:") in publish_targets(company=company):
        target = action.removeprefix("publish:")
        outcome = invoices_bulk_publish(company=company, invoices=invoices, target=target)
        _outcome_message(request, outcome, verb=f"published to {Provider(target).label}")
    else:
        messages.error(request, "Choose an action for the selected invoices.")
    return redirect(back)


def _upload_answer(invoice: Invoice, *, duplicate: bool) -> dict[str, Any]:
    return {
        "id": invoice.public_id,
        "url": reverse("dashboard:invoice-review", args=[invoice.public_id]),
        "status_url": reverse("dashboard:invoice-upload-status", args=[invoice.public_id]),
        "duplicate": duplicate,
        **invoice_upload_state(invoice),
    }


def invoice_upload_state(invoice: Invoice) -> dict[str, Any]:
    """Where the extraction of an uploaded invoice stands, as the upload page's rows show it."""
    if invoice.status == Status.FAILED:
        message = invoice.failure_reason or "The document could not be read."
    elif invoice.status == Status.NEEDS_REVIEW:
        message = "; ".join(str(reason.get("message", "")) for reason in invoice.review_reasons if reason)
    else:
        message = ""
    return {
        "status": invoice.status,
        "label": invoice.get_status_display(),
        "done": invoice.status != Status.PROCESSING,
        "number": invoice.invoice_number,
        "message": message,
    }


@company_page(edit=True)
def invoice_upload_page(request: HttpRequest) -> HttpResponse:
    """Upload supplier invoices. The page's script sends each file in its own request (JSON answer) and
    follows its extraction; without it the form posts one or several files, answered by the review page
    (one file) or a list of what became of each."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    results: list[dict[str, Any]] = []
    error = ""
    if request.method == "POST":
        files = request.FILES.getlist("file")
        if not files:
            error = "Choose a file to upload."
        elif len(files) > UPLOAD_MAX_FILES:
            error = f"Upload at most {UPLOAD_MAX_FILES} files at once."
        if error:
            if wants_json:
                return JsonResponse({"errors": [error]}, status=400)
        else:
            company = page_company(request)
            for file in files:
                try:
                    upload = invoice_upload(company=company, file=file)
                except DomainError as refusal:
                    results.append({"name": file.name, "error": refusal.message})
                else:
                    # Extraction may have run already (on commit, without a broker): answer where it stands.
                    upload.invoice.refresh_from_db()
                    results.append({"name": file.name, "invoice": upload.invoice, "duplicate": upload.duplicate})
            if wants_json:
                first = results[0]
                if "error" in first:
                    return JsonResponse({"errors": [first["error"]]}, status=400)
                return JsonResponse(_upload_answer(first["invoice"], duplicate=first["duplicate"]))
            if len(results) == 1 and "invoice" in results[0]:
                if results[0]["duplicate"]:
                    messages.info(request, "This file was uploaded before; here is the invoice it became.")
                return redirect("dashboard:invoice-review", invoice_id=results[0]["invoice"].public_id)
    return render(
        request,
        "invoices/upload.html",
        {"error": error, "results": results, "accept": UPLOAD_ACCEPT, "max_files": UPLOAD_MAX_FILES},
        status=400 if error and request.method == "POST" else 200,
    )


@require_GET
@company_page()
def invoice_upload_status(request: HttpRequest, invoice_id: str) -> JsonResponse:
    """The extraction state of one of the company's invoices, polled by the upload page."""
    invoice = get_object_or_404(Invoice, company=page_company(request), public_id=invoice_id)
    response = JsonResponse({"id": invoice.public_id, **invoice_upload_state(invoice)})
    response["Cache-Control"] = "no-store"
    return response
