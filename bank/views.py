"""Dashboard pages for bank statements: list, upload and import, a statement's lines, and starting a
reconciliation (its review is in `bank.reconciliation_views`, the transactions list in `bank.transaction_views`)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bank.forms import ReconcileForm, StatementUploadForm
from bank.models import (
    BankImportJob,
    BankStatement,
    ImportStatus,
)
from bank.reconciliations import (
    reconciliation_start,
)
from bank.selectors import (
    import_statements,
    reconciliation_list,
    statement_list,
    statement_transactions,
)
from bank.services import statement_import_start
from dashboard.access import company_page, page_company
from invoisx.errors import DomainError
from invoisx.waiting import wait_while_status


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _statement(request: HttpRequest, statement_id: str) -> BankStatement:
    return get_object_or_404(statement_list(company=page_company(request)), public_id=statement_id)


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
