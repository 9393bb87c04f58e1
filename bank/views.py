"""Dashboard pages for bank statements: list, upload and import, a statement's lines, and the reconciliation review."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import DecimalField, F, Func, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bank.forms import ManualMatchForm, ReconcileForm, StatementUploadForm
from bank.models import (
    BankImportJob,
    BankStatement,
    BankTransaction,
    ImportStatus,
    MatchState,
    Reconciliation,
    ReconciliationStatus,
)
from bank.reconciliations import (
    ManualAllocation,
    match_confirm,
    match_manual,
    match_reject,
    matches_confirm_suggested,
    reconciliation_start,
)
from bank.selectors import (
    import_statements,
    open_invoices,
    reconciliation_lines,
    reconciliation_list,
    reconciliation_matches,
    statement_list,
    statement_transactions,
)
from bank.services import statement_import_start
from dashboard.access import company_page, page_company
from invoices.models import Direction, Invoice
from invoisx.errors import DomainError
from invoisx.waiting import wait_while_status

OPEN_INVOICE_CHOICES = 50  # invoices offered for a manual match, closest in amount first
ROWS_SHOWN = 200  # matches of each kind on the review page; the API pages through all of them


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _statement(request: HttpRequest, statement_id: str) -> BankStatement:
    return get_object_or_404(statement_list(company=page_company(request)), public_id=statement_id)


def _reconciliation(request: HttpRequest, reconciliation_id: str) -> Reconciliation:
    return get_object_or_404(reconciliation_list(company=page_company(request)), public_id=reconciliation_id)


@company_page()
def statement_list_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(statement_list(company=page_company(request)), 25).get_page(request.GET.get("page"))
    return render(request, "bank/statements.html", {"page": page})


@company_page(edit=True)
def statement_upload_page(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = statement_import_start(
                company=page_company(request), file=form.cleaned_data["file"], actor=_actor(request)
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            wait_while_status(BankImportJob, job.pk, ImportStatus.PROCESSING, seconds=settings.BANK_IMPORT_WAIT_SECONDS)
            job.refresh_from_db()
            if job.status == ImportStatus.FAILED:
                form.add_error("file", job.failure_reason)
            elif job.status == ImportStatus.COMPLETED:
                return _imported(request, job)
            else:
                return redirect("dashboard:bank-import", import_id=job.public_id)
    return render(request, "bank/upload.html", {"form": form})


def _imported(request: HttpRequest, job: BankImportJob) -> HttpResponse:
    """To the file's first statement, saying what the import brought."""
    if job.duplicate:
        messages.info(request, "This file was imported before; nothing new was stored.")
    else:
        known = job.duplicate_transactions_count
        messages.success(
            request,
            f"Imported {job.new_transactions_count} new transactions"
            + (f" ({known} already known)." if known else "."),
        )
    return redirect("dashboard:bank-statement", statement_id=import_statements(job=job)[0].public_id)


@company_page()
def import_page(request: HttpRequest, import_id: str) -> HttpResponse:
    """An import still running (this page refreshes until it ends) or failed (with the reason)."""
    job = get_object_or_404(BankImportJob, company=page_company(request), public_id=import_id)
    if job.status == ImportStatus.COMPLETED:
        return _imported(request, job)
    return render(request, "bank/import.html", {"job": job, "processing": job.status == ImportStatus.PROCESSING})


@company_page()
def statement_page(request: HttpRequest, statement_id: str) -> HttpResponse:
    company = page_company(request)
    statement = _statement(request, statement_id)
    lines = Paginator(statement_transactions(statement=statement), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "bank/statement.html",
        {
            "statement": statement,
            "page": lines,
            "form": ReconcileForm(),
            "auto_confirm_threshold": settings.RECONCILE_AUTO_CONFIRM_THRESHOLD,
            "reconciliations": reconciliation_list(company=company, filters={"statement_id": statement.public_id})[:10],
        },
    )


@require_POST
@company_page(edit=True)
def reconcile_page(request: HttpRequest, statement_id: str) -> HttpResponse:
    company = page_company(request)
    statement = _statement(request, statement_id)
    form = ReconcileForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("dashboard:bank-statement", statement_id=statement.public_id)
    reconciliation = reconciliation_start(
        company=company,
        statement=statement,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
        actor=_actor(request),
    )
    return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)


def _candidates(line: BankTransaction, invoices: QuerySet[Invoice]) -> list[Invoice]:
    """Open invoices of the line's direction, the closest in amount first."""
    direction = Direction.SALES if line.amount > 0 else Direction.PURCHASE
    return list(
        invoices.filter(direction=direction)
        .annotate(
            distance=Func(
                F("total") - F("amount_paid") - F("amount_written_off") - abs(line.amount),
                function="ABS",
                output_field=DecimalField(),
            )
        )
        .order_by("distance", "due_date", "pk")[:OPEN_INVOICE_CHOICES]
    )


@company_page()
def reconciliation_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    reconciliation = _reconciliation(request, reconciliation_id)
    matches = reconciliation_matches(reconciliation=reconciliation)
    invoices = open_invoices(company=reconciliation.company).select_related("buyer", "supplier")
    # Lines with a suggestion waiting are listed with the suggestions, not here.
    unmatched = list(
        reconciliation_lines(reconciliation=reconciliation).exclude(matches__state=MatchState.SUGGESTED)[:100]
    )
    return render(
        request,
        "bank/reconciliation.html",
        {
            "reconciliation": reconciliation,
            "processing": reconciliation.status == ReconciliationStatus.PROCESSING,
            # A large statement has thousands of matches: the page shows the first rows of each kind.
            "suggested": matches.filter(state=MatchState.SUGGESTED)[:ROWS_SHOWN],
            "confirmed": matches.filter(state=MatchState.CONFIRMED).order_by("-decided_at", "-pk")[:ROWS_SHOWN],
            "decided": matches.filter(state__in=[MatchState.REJECTED, MatchState.SUPERSEDED])[:ROWS_SHOWN],
            "rows_shown": ROWS_SHOWN,
            "unmatched": [(line, _candidates(line, invoices)) for line in unmatched],
            "open_invoices": invoices.order_by("due_date", "pk")[:100],
            "open_invoices_count": invoices.count(),
        },
    )


@require_POST
@company_page(edit=True)
def match_decide_page(request: HttpRequest, reconciliation_id: str, match_id: str, decision: str) -> HttpResponse:
    if decision not in ("confirm", "reject"):
        raise Http404("No such decision.")
    reconciliation = _reconciliation(request, reconciliation_id)
    match = get_object_or_404(reconciliation_matches(reconciliation=reconciliation), public_id=match_id)
    try:
        if decision == "confirm":
            match_confirm(match=match, actor=_actor(request))
            messages.success(request, f"Match confirmed: {match.transaction.description[:60]}.")
        else:
            was_confirmed = match.state == MatchState.CONFIRMED
            match_reject(match=match, actor=_actor(request))
            messages.success(request, "Match undone." if was_confirmed else "Suggestion rejected.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)


@require_POST
@company_page(edit=True)
def confirm_all_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    reconciliation = _reconciliation(request, reconciliation_id)
    confirmed = matches_confirm_suggested(reconciliation=reconciliation, actor=_actor(request))
    messages.success(request, f"Confirmed {len(confirmed)} suggestions.")
    return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)


@require_POST
@company_page(edit=True)
def manual_match_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    company = page_company(request)
    reconciliation = _reconciliation(request, reconciliation_id)
    form = ManualMatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a transaction and an invoice; the amount, if given, must be positive.")
        return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)
    line = get_object_or_404(
        BankTransaction,
        company=company,
        statements=reconciliation.statement,
        public_id=form.cleaned_data["transaction"],
    )
    invoice = get_object_or_404(
        Invoice.objects.select_related("buyer", "supplier"), company=company, public_id=form.cleaned_data["invoice"]
    )
    amount: Decimal | None = form.cleaned_data["amount"]
    try:
        match_manual(
            reconciliation=reconciliation,
            line=line,
            allocations=[ManualAllocation(invoice=invoice, amount=amount)],
            actor=_actor(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Matched to {invoice}.")
    return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)
