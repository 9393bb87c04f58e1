"""Dashboard pages for suppliers: the list with what the company owes each (bulk export and delete), a
supplier with its purchase invoices, and the form that creates or edits one. Every member reads them;
editors write."""

from typing import Any

from django import forms
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

from dashboard.access import company_page, page_company
from invoices.listing import PAGE_SIZES, per_page, query_with, sort_headers
from invoices.models import Direction, Supplier
from invoices.party_bulk import BATCH_LIMIT, parties_bulk_delete, parties_csv_lines
from invoices.selectors import invoice_payment_state, owed_by_party
from invoices.supplier_selectors import supplier_dashboard_list
from invoices.suppliers import EDITABLE_FIELDS, supplier_create, supplier_delete, supplier_update

SORT_COLUMNS = [("name", "Name"), ("open", "Open invoices")]


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = list(EDITABLE_FIELDS)
        labels = {"tax_id": "Tax id (VAT, GST, SST or TIN)"}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


@company_page()
def supplier_list(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    search = request.GET.get("search", "").strip()[:200]
    listing = supplier_dashboard_list(company=company, search=search, sort=request.GET.get("sort", ""))
    page = Paginator(listing.suppliers, per_page(request)).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    owed = owed_by_party(
        company=company, party="supplier", party_ids=[row.pk for row in rows], today=timezone.localdate()
    )
    for supplier in rows:
        supplier.owed = owed.get(supplier.pk, [])
    return render(
        request,
        "suppliers/list.html",
        {
            "page": page,
            "rows": rows,
            "search": search,
            "has_any": bool(rows) or Supplier.objects.filter(company=company).exists(),
            "sort_headers": sort_headers(request.GET, listing.sort, SORT_COLUMNS, descending_first=("open",)),
            "per_page": per_page(request),
            "page_sizes": PAGE_SIZES,
            "query": query_with(request.GET, page=None),
            "bulk_limit": BATCH_LIMIT,
            "sort": listing.sort,
        },
    )


@require_POST
@company_page(edit=True)
def supplier_bulk(request: HttpRequest) -> HttpResponseBase:
    """The list's bulk actions: export the selected suppliers (or all matching the search) as CSV, or
    delete the selected ones (the list's script asks for a confirmation first)."""
    company = page_company(request)
    query = request.POST.get("query", "")
    back = reverse("dashboard:suppliers") + (f"?{query}" if query else "")
    action = request.POST.get("action", "")
    ids = request.POST.getlist("ids")
    params = QueryDict(query)
    matching = supplier_dashboard_list(
        company=company, search=params.get("search", "").strip()[:200], sort=params.get("sort", "")
    ).suppliers
    if action == "export":
        if request.POST.get("scope") != "all":
            matching = matching.filter(public_id__in=ids[:BATCH_LIMIT])
        lines = parties_csv_lines(company=company, party="supplier", parties=matching, today=timezone.localdate())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="suppliers-{timezone.localdate().isoformat()}.csv"'
        return response
    if action != "delete":
        messages.error(request, "Choose an action for the selected suppliers.")
    elif not ids:
        messages.error(request, "Select at least one supplier first.")
    elif len(ids) > BATCH_LIMIT:
        messages.error(request, f"Select at most {BATCH_LIMIT} suppliers at once.")
    else:
        chosen = list(Supplier.objects.filter(company=company, public_id__in=ids).order_by("pk"))
        outcome = parties_bulk_delete(parties=chosen, delete=lambda supplier: supplier_delete(supplier=supplier))
        (messages.warning if outcome.kept else messages.success)(request, f"Suppliers: {outcome.message()}")
    return redirect(back)


def _supplier(request: HttpRequest, supplier_id: str) -> Supplier:
    # Another company's supplier is a 404, as an unknown id is: its existence is not revealed.
    return get_object_or_404(Supplier, company=page_company(request), public_id=supplier_id)


@never_cache
@company_page()
def supplier_detail_page(request: HttpRequest, supplier_id: str) -> HttpResponse:
    supplier = _supplier(request, supplier_id)
    today = timezone.localdate()
    invoices = supplier.invoices.filter(company=supplier.company, direction=Direction.PURCHASE).order_by(
        "-invoice_date", "-created_at", "-pk"
    )
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for invoice in rows:
        invoice.payment = invoice_payment_state(invoice, today=today)
    owed = owed_by_party(company=supplier.company, party="supplier", party_ids=[supplier.pk], today=today)
    return render(
        request,
        "suppliers/detail.html",
        {"supplier": supplier, "page": page, "rows": rows, "owed": owed.get(supplier.pk, [])},
    )


def _save(request: HttpRequest, form: SupplierForm, supplier: Supplier | None) -> Supplier | None:
    """The supplier created or changed by the service, or None with its refusals added to the form."""
    fields: dict[str, Any] = {name: form.cleaned_data[name] for name in form.fields}
    try:
        if supplier is None:
            return supplier_create(company=page_company(request), **fields)
        return supplier_update(supplier=supplier, **fields)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@never_cache
@company_page(edit=True)
def supplier_create_page(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (supplier := _save(request, form, None)) is not None:
        messages.success(request, f"Supplier {supplier.name} added.")
        return redirect("dashboard:supplier-detail", supplier_id=supplier.public_id)
    return render(request, "suppliers/form.html", {"form": form, "supplier": None})


@never_cache
@company_page(edit=True)
def supplier_edit_page(request: HttpRequest, supplier_id: str) -> HttpResponse:
    supplier = _supplier(request, supplier_id)
    # A copy: the form writes its values onto its instance while validating; the service re-reads the row.
    form = SupplierForm(request.POST or None, instance=Supplier.objects.get(pk=supplier.pk))
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form, supplier)) is not None:
        messages.success(request, f"Supplier {saved.name} saved.")
        return redirect("dashboard:supplier-detail", supplier_id=saved.public_id)
    return render(request, "suppliers/form.html", {"form": form, "supplier": supplier})
