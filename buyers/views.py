"""Dashboard pages for buyers: the list (sort, search, page size, what each owes, bulk export and delete),
a buyer with the sales invoices made out to it, and the form that creates or edits one. Every member reads
them; owners, admins and accountants write."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buyers.forms import BuyerForm
from buyers.models import Buyer
from buyers.selectors import buyer_dashboard_list
from buyers.services import buyer_create, buyer_delete, buyer_update
from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoices.listing import PAGE_SIZES, per_page, query_with, sort_headers
from invoices.models import Direction
from invoices.party_bulk import BATCH_LIMIT, parties_bulk_delete, parties_csv_lines
from invoices.selectors import invoice_payment_state, owed_by_party

SORT_COLUMNS = [("name", "Name"), ("open", "Open invoices")]


@company_page()
def buyer_list(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    search = request.GET.get("search", "").strip()[:200]
    buyers, sort = buyer_dashboard_list(company=company, search=search, sort=request.GET.get("sort", ""))
    page = Paginator(buyers, per_page(request)).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    owed = owed_by_party(company=company, party="buyer", party_ids=[row.pk for row in rows], today=timezone.localdate())
    for buyer in rows:
        buyer.owed = owed.get(buyer.pk, [])
    return render(
        request,
        "buyers/list.html",
        {
            "page": page,
            "rows": rows,
            "search": search,
            "has_any": bool(rows) or Buyer.objects.filter(company=company).exists(),
            "sort_headers": sort_headers(request.GET, sort, SORT_COLUMNS, descending_first=("open",)),
            "per_page": per_page(request),
            "page_sizes": PAGE_SIZES,
            "query": query_with(request.GET, page=None),
            "bulk_limit": BATCH_LIMIT,
            "sort": sort,
        },
    )


@require_POST
@company_page(edit=True)
def buyer_bulk(request: HttpRequest) -> HttpResponseBase:
    """The list's bulk actions: export the selected buyers (or all matching the search) as CSV, or delete
    the selected ones (the list's script asks for a confirmation first)."""
    company = page_company(request)
    query = request.POST.get("query", "")
    back = reverse("dashboard:buyers") + (f"?{query}" if query else "")
    action = request.POST.get("action", "")
    ids = request.POST.getlist("ids")
    params = QueryDict(query)
    matching, _ = buyer_dashboard_list(
        company=company, search=params.get("search", "").strip()[:200], sort=params.get("sort", "")
    )
    if action == "export":
        if request.POST.get("scope") != "all":
            matching = matching.filter(public_id__in=ids[:BATCH_LIMIT])
        lines = parties_csv_lines(company=company, party="buyer", parties=matching, today=timezone.localdate())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="buyers-{timezone.localdate().isoformat()}.csv"'
        return response
    if action != "delete":
        messages.error(request, "Choose an action for the selected buyers.")
    elif not ids:
        messages.error(request, "Select at least one buyer first.")
    elif len(ids) > BATCH_LIMIT:
        messages.error(request, f"Select at most {BATCH_LIMIT} buyers at once.")
    else:
        chosen = list(Buyer.objects.filter(company=company, public_id__in=ids).order_by("pk"))
        outcome = parties_bulk_delete(parties=chosen, delete=lambda buyer: buyer_delete(buyer=buyer))
        (messages.warning if outcome.kept else messages.success)(request, f"Buyers: {outcome.message()}")
    return redirect(back)


def _buyer(request: HttpRequest, buyer_id: str) -> Buyer:
    # Another company's buyer is a 404, as an unknown id is: its existence is not revealed.
    return get_object_or_404(Buyer, company=page_company(request), public_id=buyer_id)


@never_cache
@company_page()
def buyer_detail_page(request: HttpRequest, buyer_id: str) -> HttpResponse:
    buyer = _buyer(request, buyer_id)
    invoices = buyer.invoices.filter(company=buyer.company, direction=Direction.SALES).order_by(
        "-invoice_date", "-created_at", "-pk"
    )
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = list(page.object_list)
    for invoice in rows:
        invoice.payment = invoice_payment_state(invoice, today=today)
    owed = owed_by_party(company=buyer.company, party="buyer", party_ids=[buyer.pk], today=today)
    membership = current_membership(request)
    return render(
        request,
        "buyers/detail.html",
        {
            "buyer": buyer,
            "page": page,
            "rows": rows,
            "owed": owed.get(buyer.pk, []),
            "can_edit": membership is not None and membership.can_edit,
        },
    )


def _save(request: HttpRequest, form: BuyerForm, buyer: Buyer | None) -> Buyer | None:
    """The buyer created or changed by the service, or None with its refusals added to the form."""
    fields: dict[str, Any] = {name: form.cleaned_data[name] for name in form.fields}
    try:
        if buyer is None:
            return buyer_create(company=page_company(request), **fields)
        return buyer_update(buyer=buyer, **fields)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@never_cache
@company_page(edit=True)
def buyer_create_page(request: HttpRequest) -> HttpResponse:
    form = BuyerForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (buyer := _save(request, form, None)) is not None:
        messages.success(request, f"Buyer {buyer.name} added.")
        return redirect("dashboard:buyer-detail", buyer_id=buyer.public_id)
    return render(request, "buyers/form.html", {"form": form, "buyer": None})


@never_cache
@company_page(edit=True)
def buyer_edit_page(request: HttpRequest, buyer_id: str) -> HttpResponse:
    buyer = _buyer(request, buyer_id)
    # A copy: the form writes its values onto its instance while validating; the service re-reads the row.
    form = BuyerForm(request.POST or None, instance=Buyer.objects.get(pk=buyer.pk))
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form, buyer)) is not None:
        messages.success(request, f"Buyer {saved.name} saved.")
        return redirect("dashboard:buyer-detail", buyer_id=saved.public_id)
    return render(request, "buyers/form.html", {"form": form, "buyer": buyer})
