"""Dashboard pages for a reconciliation: the review (suggested, confirmed, unmatched), the decisions on a
match (confirm, reject, undo), and the manual match of one line against its ranked candidates."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bank.candidates import CANDIDATE_POOL, match_candidates, preselected
from bank.forms import ManualMatchForm
from bank.models import BankTransaction, MatchState, Reconciliation, ReconciliationStatus
from bank.paging import paged
from bank.reconciliations import (
    ManualAllocation,
    match_confirm,
    match_manual,
    match_reject,
    match_undo,
    matches_confirm_suggested,
)
from bank.selectors import reconciliation_lines, reconciliation_matches
from dashboard.access import company_page, page_company
from invoices.models import Invoice
from invoisx.errors import DomainError

MATCHES_PER_PAGE = 25  # of each kind on the review page
LINES_PER_PAGE = 25
CANDIDATES_PER_PAGE = 10


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _reconciliation(request: HttpRequest, reconciliation_id: str) -> Reconciliation:
    # Not `reconciliation_list`: its live counts cost a pass over the run's matches, and the review
    # page counts each kind of match for its pages anyway.
    return get_object_or_404(
        Reconciliation.objects.select_related("statement"), company=page_company(request), public_id=reconciliation_id
    )


def _review(reconciliation: Reconciliation) -> HttpResponse:
    return redirect("dashboard:reconciliation", reconciliation_id=reconciliation.public_id)


@company_page()
def reconciliation_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    reconciliation = _reconciliation(request, reconciliation_id)
    matches = reconciliation_matches(reconciliation=reconciliation)
    # Lines with a suggestion waiting are listed with the suggestions, not here.
    unmatched = reconciliation_lines(reconciliation=reconciliation).exclude(matches__state=MatchState.SUGGESTED)
    suggested = matches.filter(state=MatchState.SUGGESTED)
    confirmed = matches.filter(state=MatchState.CONFIRMED).order_by("-decided_at", "-pk")
    decided = matches.filter(state__in=[MatchState.REJECTED, MatchState.SUPERSEDED])
    return render(
        request,
        "bank/reconciliation.html",
        {
            "reconciliation": reconciliation,
            "processing": reconciliation.status == ReconciliationStatus.PROCESSING,
            "suggested": paged(request, suggested, param="suggested", size=MATCHES_PER_PAGE),
            "confirmed": paged(request, confirmed, param="confirmed", size=MATCHES_PER_PAGE),
            "decided": paged(request, decided, param="decided", size=MATCHES_PER_PAGE),
            "unmatched": paged(request, unmatched, param="lines", size=LINES_PER_PAGE),
        },
    )


@require_POST
@company_page(edit=True)
def match_decide_page(request: HttpRequest, reconciliation_id: str, match_id: str, decision: str) -> HttpResponse:
    if decision not in ("confirm", "reject", "undo"):
        raise Http404("No such decision.")
    reconciliation = _reconciliation(request, reconciliation_id)
    match = get_object_or_404(reconciliation_matches(reconciliation=reconciliation), public_id=match_id)
    try:
        if decision == "confirm":
            match_confirm(match=match, actor=_actor(request))
            messages.success(request, f"Match confirmed: {match.transaction.description[:60]}.")
        elif decision == "undo":
            match_undo(match=match, actor=_actor(request))
            messages.success(request, "Match undone: it is a suggestion again and the invoice owes again.")
        else:
            was_confirmed = match.state == MatchState.CONFIRMED
            match_reject(match=match, actor=_actor(request))
            messages.success(request, "Match undone and rejected." if was_confirmed else "Suggestion rejected.")
    except DomainError as error:
        messages.error(request, error.message)
    return _review(reconciliation)


@require_POST
@company_page(edit=True)
def confirm_all_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    reconciliation = _reconciliation(request, reconciliation_id)
    confirmed = matches_confirm_suggested(reconciliation=reconciliation, actor=_actor(request))
    messages.success(request, f"Confirmed {len(confirmed)} suggestions.")
    return _review(reconciliation)


def _line(request: HttpRequest, reconciliation: Reconciliation, transaction_id: str) -> BankTransaction:
    return get_object_or_404(
        BankTransaction.objects.select_related("company"),
        company=page_company(request),
        statements=reconciliation.statement,
        public_id=transaction_id,
    )


@company_page()
def line_match_page(request: HttpRequest, reconciliation_id: str, transaction_id: str) -> HttpResponse:
    """One line and the open invoices it could pay (its direction and currency), the closest first."""
    reconciliation = _reconciliation(request, reconciliation_id)
    line = _line(request, reconciliation, transaction_id)
    search = request.GET.get("q", "")[:100]
    ranked = match_candidates(line=line, search=search)
    page = paged(request, ranked, size=CANDIDATES_PER_PAGE)
    invoices = Invoice.objects.select_related("buyer").in_bulk([c.pk for c in page.object_list])
    best = preselected(line=line, candidates=ranked)
    return render(
        request,
        "bank/line_match.html",
        {
            "reconciliation": reconciliation,
            "line": line,
            "search": search,
            "page": page,
            "rows": [(c, invoices[c.pk]) for c in page.object_list if c.pk in invoices],
            "preselected": best,
            "pool_full": len(ranked) >= CANDIDATE_POOL,
            "direction": "sales" if line.amount > 0 else "purchase",
        },
    )


@require_POST
@company_page(edit=True)
def manual_match_page(request: HttpRequest, reconciliation_id: str) -> HttpResponse:
    """Match a line by hand to an invoice in its currency; refusals go back to the line's candidates."""
    reconciliation = _reconciliation(request, reconciliation_id)
    form = ManualMatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an invoice; the amount, if given, must be positive.")
        transaction_id = request.POST.get("transaction", "")
        if BankTransaction.objects.filter(company=page_company(request), public_id=transaction_id).exists():
            return redirect("dashboard:reconciliation-line", reconciliation.public_id, transaction_id)
        return _review(reconciliation)
    line = _line(request, reconciliation, form.cleaned_data["transaction"])
    invoice = get_object_or_404(
        Invoice.objects.select_related("buyer", "supplier"),
        company=page_company(request),
        public_id=form.cleaned_data["invoice"],
    )
    amount: Decimal | None = form.cleaned_data["amount"]
    try:
        match_manual(
            reconciliation=reconciliation,
            line=line,
            allocations=[ManualAllocation(invoice=invoice, amount=amount)],
            actor=_actor(request),
            same_currency_only=True,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:reconciliation-line", reconciliation.public_id, line.public_id)
    messages.success(request, f"Matched to {invoice}.")
    return _review(reconciliation)
