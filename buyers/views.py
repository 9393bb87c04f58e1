"""Dashboard pages for buyers: the list (sort, search, page size, what each owes), a buyer with the sales
invoices made out to it, and the form that creates or edits one. Every member reads them; owners, admins
and accountants write."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from buyers.forms import BuyerForm
from buyers.models import Buyer
from buyers.selectors import buyer_dashboard_list
from buyers.services import buyer_create, buyer_update
from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoices.listing import PAGE_SIZES, per_page, sort_headers
from invoices.models import Direction
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
            "sort": sort,
        },
    )


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
