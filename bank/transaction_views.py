"""Dashboard lists of bank lines and statements: every line of the company across statements (sort,
filters in the address, page size, CSV export of the selected or filtered lines) and the statements
(sort, search, reconciling several at once)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bank.paging import paged, paged_uncounted
from bank.reconciliations import reconciliation_start
from bank.selectors import statement_list
from bank.transaction_list import (
    PAGE_SIZES,
    STATES,
    csv_rows,
    page_size,
    statements_sorted,
    transactions_filtered,
    with_matches,
)
from dashboard.access import company_page, page_company

FILTER_KEYS = ("statement", "currency", "state", "direction", "date_from", "date_to", "amount_min", "amount_max", "q")
EXPORT_SELECTED_MAX = 1000
RECONCILE_SELECTED_MAX = 20


def _sorts(request: HttpRequest, columns: tuple[str, ...], current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the address that sorts by it (the other way round when it is the current
    sort, first page, filters kept) and its `aria-sort` value."""
    headers = {}
    for column in columns:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{column}" if current == column else column
        state = "ascending" if current == column else "descending" if current == f"-{column}" else "none"
        headers[column] = {"url": f"?{query.urlencode()}", "aria": state}
    return headers


def _filtered(request: HttpRequest) -> bool:
    return any(request.GET.get(key) for key in FILTER_KEYS)


@company_page()
def transaction_list_page(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    lines, filterset = transactions_filtered(company=company, params=request.GET)
    # Counting a text search reads every line once more: its pages only say whether there is a next one.
    pager = paged_uncounted if request.GET.get("q") else paged
    page = pager(request, with_matches(lines), size=page_size(request.GET))
    return render(
        request,
        "bank/transactions.html",
        {
            "page": page,
            "filter_form": filterset.form,
            "errors": filterset.errors,
            "filtered": _filtered(request),
            "more_filters": any(request.GET.get(key) for key in (*FILTER_KEYS, "size") if key not in ("q", "state")),
            "sorts": _sorts(request, ("date", "amount", "description"), request.GET.get("sort", "-date")),
            "sizes": PAGE_SIZES,
            "size": page_size(request.GET),
            "states": STATES,
            "statements": statement_list(company=company).values("public_id", "file_name")[:200],
            "export_query": request.GET.urlencode(),
            "export_selected_max": EXPORT_SELECTED_MAX,
        },
    )


@company_page()
def transaction_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """CSV of the lines: the ones ticked (POST `ids`) or every line the address's filters select (GET)."""
    company = page_company(request)
    if request.method == "POST":
        ids = request.POST.getlist("ids")[:EXPORT_SELECTED_MAX]
        if not ids:
            messages.error(request, "Tick the lines to export first, or export all the lines the filters select.")
            back = request.POST.get("back", "")
            safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False)
            return redirect(back if back.startswith("/") and safe else "dashboard:bank-transactions")
        lines, _ = transactions_filtered(company=company, params={})
        lines = lines.filter(public_id__in=ids)
    else:
        lines, _ = transactions_filtered(company=company, params=request.GET)
    rows = csv_rows(with_matches(lines).iterator(chunk_size=2000))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    name = f"bank-transactions-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@company_page()
def statement_list_page(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    statements = statements_sorted(company=company, params=request.GET)
    page = paged(request, statements, size=page_size(request.GET, default=25))
    return render(
        request,
        "bank/statements.html",
        {
            "page": page,
            "filtered": bool(request.GET.get("q") or request.GET.get("currency")),
            "sorts": _sorts(request, ("uploaded", "period", "lines", "bank"), request.GET.get("sort", "-uploaded")),
            "search": request.GET.get("q", ""),
            "currency": request.GET.get("currency", ""),
            "sizes": PAGE_SIZES,
            "size": page_size(request.GET, default=25),
            "reconcile_max": RECONCILE_SELECTED_MAX,
        },
    )


@require_POST
@company_page(edit=True)
def statements_reconcile(request: HttpRequest) -> HttpResponse:
    """Start a reconciliation of each ticked statement (all their lines)."""
    company = page_company(request)
    ids = request.POST.getlist("ids")[:RECONCILE_SELECTED_MAX]
    statements = list(statement_list(company=company).filter(public_id__in=ids))
    if not statements:
        messages.error(request, "Tick the statements to reconcile first.")
        return redirect("dashboard:bank-statements")
    runs = [
        reconciliation_start(company=company, statement=statement, actor=request.user.get_username())
        for statement in statements
    ]
    if len(runs) == 1:
        return redirect("dashboard:reconciliation", reconciliation_id=runs[0].public_id)
    messages.success(request, f"Started {len(runs)} reconciliations; open each statement to review its matches.")
    return redirect("dashboard:bank-statements")
