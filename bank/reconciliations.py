"""Writes for reconciliations: run the matching engine over a statement, then confirm, reject or match by hand.

The chain:
1. `reconciliation_start` records a `processing` run and queues `bank.tasks.reconcile_statement`.
2. `reconciliation_run` (in the task) feeds the statement's lines that still have money unexplained
   and the company's open invoices to `bank.matching.reconcile`, stores each proposal as a suggested
   `PaymentMatch` and confirms those at least as confident as the company's threshold.
3. Staff confirm or reject suggestions (`match_confirm`, `match_reject`) or match by hand
   (`match_manual`). Rejecting a confirmed match undoes it.

One rule keeps the books straight: a transaction's `match_status` and an invoice's payment fields
are always recomputed from the confirmed allocations (`_settle`), never adjusted step by step, and
every confirmation first locks the invoices it pays and checks they still owe that much.

Locks are always taken in one order, so two writers never wait on each other crosswise (a deadlock
on PostgreSQL): the transactions concerned first (`_lock_lines`, by pk), then the invoices (by pk).
Every change to a match's state happens under its transaction's lock, so that lock also keeps two
writers from spending the same part of one payment twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from bank.matching import Match as EngineMatch
from bank.matching import MatchConfig, OpenInvoice, Payment, reconcile
from bank.models import (
    BankStatement,
    BankTransaction,
    MatchAllocation,
    MatchKind,
    MatchState,
    MatchStatus,
    PaymentMatch,
    Reconciliation,
    ReconciliationStatus,
)
from bank.selectors import OPEN_STATUSES, open_invoices, reconciliation_lines
from companies.models import Company
from events.models import EventType
from events.services import event_record, events_record
from invoices.models import Direction, Invoice, PaymentStatus
from invoices.services import invoice_event_data
from invoisx.errors import CONFLICT, VALIDATION_ERROR, DomainError

IN_CHUNK = 2000


def reconciliation_start(
    *,
    company: Company,
    statement: BankStatement,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    actor: str = "",
) -> Reconciliation:
    """Record a run over the statement's lines (those booked within the dates, when given) and queue it."""
    if statement.company_id != company.pk:  # the callers look it up within the company; never trust that blindly
        raise DomainError(
            code=VALIDATION_ERROR, message="No bank statement with this id.", details={"statement_id": ["Not found."]}
        )
    if date_from and date_to and date_from > date_to:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="date_from is after date_to.",
            details={"date_from": ["Must be on or before date_to."]},
        )
    with transaction.atomic():
        reconciliation = Reconciliation.objects.create(
            company=company,
            statement=statement,
            date_from=date_from,
            date_to=date_to,
            auto_confirm_threshold=settings.RECONCILE_AUTO_CONFIRM_THRESHOLD,
            created_by=actor[:200],
        )
        transaction.on_commit(lambda: _queue_run(reconciliation.pk))
    return reconciliation


def _queue_run(reconciliation_id: int) -> None:
    from bank.tasks import reconcile_statement

    reconcile_statement.delay(reconciliation_id)


def reconciliation_fail(*, reconciliation_id: int, reason: str) -> None:
    Reconciliation.objects.filter(pk=reconciliation_id, status=ReconciliationStatus.PROCESSING).update(
        status=ReconciliationStatus.FAILED, failure_reason=reason, completed_at=timezone.now()
    )


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids in ascending order, a few thousand at a time: one `IN (...)` per chunk stays within
    SQLite's limit on query parameters, and ascending order keeps the lock order (module docstring)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def _lock_lines(transaction_ids: Iterable[int]) -> dict[int, BankTransaction]:
    """Lock the transactions, by pk; taken before any invoice lock (see the module docstring)."""
    locked = {}
    for chunk in _chunks(transaction_ids):
        for line in BankTransaction.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            locked[line.pk] = line
    return locked


def _lock_invoices(invoice_ids: Iterable[int]) -> dict[int, Invoice]:
    locked = {}
    for chunk in _chunks(invoice_ids):
        for invoice in Invoice.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            locked[invoice.pk] = invoice
    return locked


def _confirmed_use(transaction_ids: Iterable[int]) -> dict[int, Decimal]:
    """How much of each transaction confirmed matches have already explained."""
    used: dict[int, Decimal] = {}
    for chunk in _chunks(transaction_ids):
        rows = (
            PaymentMatch.objects.filter(transaction_id__in=chunk, state=MatchState.CONFIRMED)
            .values("transaction_id")
            .annotate(used=Sum("amount"))
        )
        used.update((row["transaction_id"], row["used"]) for row in rows)
    return used


def _open_invoices(company: Company) -> list[OpenInvoice]:
    rows = open_invoices(company=company).values(
        "pk",
        "direction",
        "invoice_number",
        "buyer__name",
        "supplier__name",
        "currency",
        "total",
        "amount_paid",
        "amount_written_off",
        "invoice_date",
        "due_date",
        "created_at",
    )
    invoices = []
    for row in rows.iterator(chunk_size=5000):
        due = row["total"] - row["amount_paid"] - row["amount_written_off"]
        if due <= 0:
            continue
        invoices.append(
            OpenInvoice(
                id=str(row["pk"]),
                direction="sales" if row["direction"] == Direction.SALES else "purchase",
                number=row["invoice_number"],
                counterparty=(row["buyer__name"] if row["direction"] == Direction.SALES else row["supplier__name"])
                or "",
                currency=row["currency"],
                amount_open=due,
                invoice_date=row["invoice_date"] or row["created_at"].date(),
                due_date=row["due_date"],
            )
        )
    return invoices


def _payment(line: BankTransaction, unexplained: Decimal) -> Payment:
    return Payment(
        id=str(line.pk),
        date=line.date,
        amount=unexplained if line.amount > 0 else -unexplained,
        currency=line.currency,
        description=line.description,
        reference=line.reference or None,
        counterparty=line.counterparty or None,
        counterparty_account=line.counterparty_account or None,
    )


@dataclass(frozen=True)
class _Proposal:
    line: BankTransaction
    match: EngineMatch
    uses: Decimal  # of the transaction, in its currency


def reconciliation_run(*, reconciliation_id: int) -> None:
    """Match the run's lines to open invoices. Safe to run twice: only a `processing` run is touched."""
    reconciliation = (
        Reconciliation.objects.select_related("company", "statement")
        .filter(pk=reconciliation_id, status=ReconciliationStatus.PROCESSING)
        .first()
    )
    if reconciliation is None:
        return
    lines = list(reconciliation_lines(reconciliation=reconciliation))
    used = _confirmed_use(line.pk for line in lines)
    unexplained = {line.pk: abs(line.amount) - used.get(line.pk, Decimal(0)) for line in lines}
    lines = [line for line in lines if unexplained[line.pk] > 0]
    invoices = _open_invoices(reconciliation.company)
    config = MatchConfig(auto_confirm_threshold=reconciliation.auto_confirm_threshold)
    result = reconcile(invoices, [_payment(line, unexplained[line.pk]) for line in lines], config)

    by_id = {str(line.pk): line for line in lines}
    currency_of = {inv.id: inv.currency for inv in invoices}
    rejected = _rejected_pairings(lines)
    proposals = []
    for match in result.matches:
        line = by_id[match.payment_id]
        invoice_ids = frozenset(int(a.invoice_id) for a in match.allocations)
        if (line.pk, invoice_ids) in rejected:
            continue  # a person already said no to exactly this
        same_currency = all(currency_of[a.invoice_id] == line.currency for a in match.allocations)
        if not same_currency and used.get(line.pk):
            # The engine converts with the original amount the bank printed ("ORIG USD 1,234.00"),
            # which is the whole payment's, not what is left of it: it would pay too much.
            continue
        uses = sum((a.amount for a in match.allocations), Decimal(0)) if same_currency else unexplained[line.pk]
        proposals.append(_Proposal(line, match, min(uses, unexplained[line.pk])))

    with transaction.atomic():
        reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation_id)
        if reconciliation.status != ReconciliationStatus.PROCESSING:
            return
        locked = _lock_lines(line.pk for line in lines)
        # A person may have matched some of these lines while the engine ran: propose only what is left.
        used = _confirmed_use(locked)
        proposals = [p for p in proposals if p.uses <= abs(p.line.amount) - used.get(p.line.pk, Decimal(0))]
        # Earlier runs' open suggestions for these lines are replaced by this run's.
        for chunk in _chunks(locked):
            PaymentMatch.objects.filter(transaction_id__in=chunk, state=MatchState.SUGGESTED).exclude(
                reconciliation=reconciliation
            ).update(state=MatchState.SUPERSEDED)
        matches = _store_proposals(reconciliation, proposals)
        auto = [m for m, p in zip(matches, proposals, strict=True) if p.match.auto_confirm]
        confirmed = _confirm_many(auto, actor="auto", auto=True) if auto else []
        reconciliation.status = ReconciliationStatus.COMPLETED
        reconciliation.transactions_count = len(lines)
        reconciliation.open_invoices_count = len(invoices)
        reconciliation.suggested_count = len(matches)
        reconciliation.auto_confirmed_count = len(confirmed)
        reconciliation.completed_at = timezone.now()
        reconciliation.save()
        event_record(
            company=reconciliation.company, type=EventType.BANK_RECONCILED, data=reconciled_event_data(reconciliation)
        )


def reconciled_event_data(reconciliation: Reconciliation) -> dict[str, Any]:
    return {
        "id": reconciliation.public_id,
        "statement_id": reconciliation.statement.public_id,
        "status": reconciliation.status,
        "transactions_count": reconciliation.transactions_count,
        "suggested_count": reconciliation.suggested_count,
        "auto_confirmed_count": reconciliation.auto_confirmed_count,
        "unmatched_count": reconciliation.transactions_count - reconciliation.suggested_count,
    }


def _rejected_pairings(lines: list[BankTransaction]) -> set[tuple[int, frozenset[int]]]:
    pairings: dict[int, tuple[int, set[int]]] = {}
    for chunk in _chunks(line.pk for line in lines):
        rows = MatchAllocation.objects.filter(
            match__transaction_id__in=chunk, match__state=MatchState.REJECTED
        ).values_list("match_id", "match__transaction_id", "invoice_id")
        for match_id, transaction_id, invoice_id in rows:
            pairings.setdefault(match_id, (transaction_id, set()))[1].add(invoice_id)
    return {(transaction_id, frozenset(invoices)) for transaction_id, invoices in pairings.values()}


def _store_proposals(reconciliation: Reconciliation, proposals: list[_Proposal]) -> list[PaymentMatch]:
    matches = PaymentMatch.objects.bulk_create(
        [
            PaymentMatch(
                company=reconciliation.company,
                reconciliation=reconciliation,
                transaction=p.line,
                kind=p.match.kind,
                confidence=p.match.confidence,
                reason=p.match.reason[:1].upper() + p.match.reason[1:] + ".",
                amount=p.uses,
            )
            for p in proposals
        ],
        batch_size=2000,
    )
    MatchAllocation.objects.bulk_create(
        [
            MatchAllocation(match=match, invoice_id=int(a.invoice_id), amount=a.amount, write_off=a.write_off)
            for match, p in zip(matches, proposals, strict=True)
            for a in p.match.allocations
        ],
        batch_size=2000,
    )
    return matches


def _confirm_many(matches: list[PaymentMatch], *, actor: str, auto: bool = False) -> list[PaymentMatch]:
    """Confirm the matches whose invoices still owe what they apply; return those confirmed.

    Must run inside a transaction: the transactions and invoices are locked until it commits, so two
    confirmations (a person and a run, two runs) cannot both spend the same payment or open amount.
    """
    lines = _lock_lines({m.transaction_id for m in matches})
    allocations: dict[int, list[MatchAllocation]] = defaultdict(list)
    for chunk in _chunks(m.pk for m in matches):
        for allocation in MatchAllocation.objects.filter(match_id__in=chunk):
            allocations[allocation.match_id].append(allocation)
    invoices = _lock_invoices({a.invoice_id for group in allocations.values() for a in group})
    due = {pk: inv.amount_due for pk, inv in invoices.items() if inv.status in OPEN_STATUSES}
    used = _confirmed_use(lines)
    room = {pk: abs(line.amount) - used.get(pk, Decimal(0)) for pk, line in lines.items()}
    confirmed = []
    now = timezone.now()
    for match in matches:
        group = allocations.get(match.pk, [])
        if not group or any(a.invoice_id not in due or a.amount + a.write_off > due[a.invoice_id] for a in group):
            continue  # paid meanwhile, or deleted: left for a person to look at
        if match.amount > room.get(match.transaction_id, Decimal(0)):
            continue  # the payment was matched to something else meanwhile
        room[match.transaction_id] -= match.amount
        for a in group:
            due[a.invoice_id] -= a.amount + a.write_off
        match.state = MatchState.CONFIRMED
        match.auto_confirmed = auto
        match.decided_by = actor[:200]
        match.decided_at = now
        confirmed.append(match)
    for chunk in _chunks(m.pk for m in confirmed):
        PaymentMatch.objects.filter(pk__in=chunk).update(
            state=MatchState.CONFIRMED, auto_confirmed=auto, decided_by=actor[:200], decided_at=now
        )
    _settle(
        transaction_ids={m.transaction_id for m in confirmed},
        invoices=[invoices[a.invoice_id] for m in confirmed for a in allocations[m.pk]],
    )
    return confirmed


def _settle(*, transaction_ids: set[int], invoices: list[Invoice]) -> None:
    """Recompute match status and payment fields from confirmed allocations; record `invoice.paid`.

    `invoices` must be locked. Lines are updated in one statement per status; invoices one by one,
    since each has its own amounts (bulk_update's CASE expressions cost far more at this size).
    """
    used = _confirmed_use(transaction_ids)
    by_status: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(transaction_ids):
        for pk, amount in BankTransaction.objects.filter(pk__in=chunk).values_list("pk", "amount"):
            explained = used.get(pk, Decimal(0))
            if explained <= 0:
                by_status[MatchStatus.UNMATCHED].append(pk)
            elif explained >= abs(amount):
                by_status[MatchStatus.MATCHED].append(pk)
            else:
                by_status[MatchStatus.PARTIALLY_MATCHED].append(pk)
    for status, pks in by_status.items():
        for chunk in _chunks(pks):
            BankTransaction.objects.filter(pk__in=chunk).update(match_status=status)

    unique = {inv.pk: inv for inv in invoices}
    totals: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(unique):
        rows = (
            MatchAllocation.objects.filter(invoice_id__in=chunk, match__state=MatchState.CONFIRMED)
            .values("invoice_id")
            .annotate(paid=Sum("amount"), written_off=Sum("write_off"), last=Max("match__transaction__date"))
        )
        totals.update((row["invoice_id"], row) for row in rows)
    newly_paid = []
    now = timezone.now()
    for pk, invoice in unique.items():
        row = totals.get(pk, {})
        was_paid = invoice.payment_status == PaymentStatus.PAID
        invoice.set_payments(
            paid=row.get("paid") or Decimal(0),
            written_off=row.get("written_off") or Decimal(0),
            last_payment_date=row.get("last"),
        )
        Invoice.objects.filter(pk=pk).update(
            payment_status=invoice.payment_status,
            amount_paid=invoice.amount_paid,
            amount_written_off=invoice.amount_written_off,
            last_payment_date=invoice.last_payment_date,
            updated_at=now,
        )
        if invoice.payment_status == PaymentStatus.PAID and not was_paid:
            newly_paid.append(pk)
    if newly_paid:
        _record_paid(newly_paid)


def _record_paid(invoice_ids: list[int]) -> None:
    by_company: dict[int, list[dict[str, Any]]] = defaultdict(list)
    companies = {}
    for chunk in _chunks(invoice_ids):
        for invoice in Invoice.objects.filter(pk__in=chunk).select_related("company", "supplier", "buyer"):
            companies[invoice.company_id] = invoice.company
            by_company[invoice.company_id].append(invoice_paid_event_data(invoice))
    for company_id, data in by_company.items():
        events_record(company=companies[company_id], type=EventType.INVOICE_PAID, data=data)


def invoice_paid_event_data(invoice: Invoice) -> dict[str, Any]:
    return {
        **invoice_event_data(invoice),
        "payment_status": invoice.payment_status,
        "amount_paid": float(invoice.amount_paid),
        "amount_written_off": float(invoice.amount_written_off),
        "last_payment_date": invoice.last_payment_date.isoformat() if invoice.last_payment_date else None,
    }


def match_confirm(*, match: PaymentMatch, actor: str) -> PaymentMatch:
    """Confirm a suggested match; refused when its invoices no longer owe what it applies."""
    with transaction.atomic():
        _lock_lines([match.transaction_id])
        match = PaymentMatch.objects.select_for_update().get(pk=match.pk)
        if match.state == MatchState.CONFIRMED:
            return match
        if match.state != MatchState.SUGGESTED:
            raise DomainError(
                code=CONFLICT, message=f"This match is {match.state}; only a suggested match can be confirmed."
            )
        _check_transaction_room(match.transaction, match.amount)
        if not _confirm_many([match], actor=actor):
            raise DomainError(
                code=CONFLICT,
                message="The invoices of this match no longer owe what it applies; match the payment by hand.",
            )
    return match


def _check_transaction_room(line: BankTransaction, amount: Decimal) -> None:
    explained = _confirmed_use([line.pk]).get(line.pk, Decimal(0))
    if explained + amount > abs(line.amount):
        raise DomainError(
            code=CONFLICT,
            message=f"Only {abs(line.amount) - explained} of this transaction is not yet matched; "
            f"this match needs {amount}.",
        )


def match_reject(*, match: PaymentMatch, actor: str) -> PaymentMatch:
    """Reject a suggestion, or undo a confirmed match: its invoices owe again what it paid."""
    with transaction.atomic():
        _lock_lines([match.transaction_id])
        match = PaymentMatch.objects.select_for_update().get(pk=match.pk)
        if match.state == MatchState.REJECTED:
            return match
        if match.state == MatchState.SUPERSEDED:
            raise DomainError(
                code=CONFLICT, message="A later reconciliation replaced this suggestion; decide on that one instead."
            )
        was_confirmed = match.state == MatchState.CONFIRMED
        invoices = list(_lock_invoices(match.allocations.values_list("invoice_id", flat=True)).values())
        match.state = MatchState.REJECTED
        match.decided_by = actor[:200]
        match.decided_at = timezone.now()
        match.save(update_fields=["state", "decided_by", "decided_at"])
        if was_confirmed:
            _settle(transaction_ids={match.transaction_id}, invoices=invoices)
    return match


@dataclass(frozen=True)
class ManualAllocation:
    invoice: Invoice
    amount: Decimal | None = None  # None: as much as the invoice owes and the payment has left
    write_off: Decimal = Decimal(0)


def match_manual(
    *, reconciliation: Reconciliation, line: BankTransaction, allocations: list[ManualAllocation], actor: str
) -> PaymentMatch:
    """Match a transaction to invoices by hand: confirmed at once, with the amounts given or implied.

    Money in pays sales invoices and money out purchase invoices. Invoices in the transaction's
    currency take their amounts from it; invoices in another currency need their amounts given,
    and the match then uses whatever is left of the transaction.
    """
    if not allocations:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="Name at least one invoice.",
            details={"allocations": ["This list may not be empty."]},
        )
    if len({a.invoice.pk for a in allocations}) != len(allocations):
        raise DomainError(
            code=VALIDATION_ERROR, message="An invoice is named twice.", details={"allocations": ["Each invoice once."]}
        )
    if reconciliation.status != ReconciliationStatus.COMPLETED:
        raise DomainError(
            code=CONFLICT,
            message=f"This reconciliation is {reconciliation.status}; match by hand once it has completed.",
        )
    # The API looks every id up within the caller's company; refuse a mix-up here all the same.
    if line.company_id != reconciliation.company_id:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="No bank transaction with this id.",
            details={"transaction_id": ["Not found."]},
        )
    if not line.statements.filter(pk=reconciliation.statement_id).exists():
        raise DomainError(
            code=VALIDATION_ERROR,
            message="The transaction is not on this reconciliation's statement.",
            details={"transaction_id": ["Not on the reconciled statement."]},
        )
    direction = Direction.SALES if line.amount > 0 else Direction.PURCHASE
    currencies = {a.invoice.currency for a in allocations}
    for n, a in enumerate(allocations):
        if a.invoice.company_id != line.company_id:
            raise DomainError(
                code=VALIDATION_ERROR,
                message="No invoice with this id.",
                details={f"allocations[{n}].invoice_id": ["Not found."]},
            )
        if a.invoice.direction != direction:
            money = "in" if line.amount > 0 else "out"
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Money {money} pays {direction} invoices; {a.invoice} is a {a.invoice.direction} invoice.",
                details={f"allocations[{n}].invoice_id": [f"Must be a {direction} invoice."]},
            )
        if a.invoice.status not in OPEN_STATUSES:
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Invoice {a.invoice} is {a.invoice.status}.",
                details={f"allocations[{n}].invoice_id": ["The invoice must be processed."]},
            )
        if a.invoice.currency != line.currency and a.amount is None:
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Invoice {a.invoice} is in {a.invoice.currency}, "
                f"the payment in {line.currency}: give the amount.",
                details={f"allocations[{n}].amount": ["Required when the currencies differ."]},
            )
    if len(currencies) > 1:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="The invoices of one match must share a currency.",
            details={"allocations": ["Mixed currencies."]},
        )

    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        invoices = _lock_invoices(a.invoice.pk for a in allocations)
        left = abs(line.amount) - _confirmed_use([line.pk]).get(line.pk, Decimal(0))
        if left <= 0:
            raise DomainError(code=CONFLICT, message="This transaction is already fully matched.")
        same_currency = currencies == {line.currency}
        rows = []
        budget = left
        for n, a in enumerate(allocations):
            due = invoices[a.invoice.pk].amount_due
            amount = a.amount if a.amount is not None else min(due - a.write_off, budget)
            if amount <= 0 or a.write_off < 0:
                raise DomainError(
                    code=VALIDATION_ERROR,
                    message=f"Nothing is left to apply to invoice {a.invoice}.",
                    details={f"allocations[{n}].amount": ["Must be greater than zero."]},
                )
            if amount + a.write_off > due:
                raise DomainError(
                    code=VALIDATION_ERROR,
                    message=f"Invoice {a.invoice} owes {due} {a.invoice.currency}; {amount + a.write_off} is more.",
                    details={f"allocations[{n}].amount": [f"At most {due}."]},
                )
            if same_currency:
                budget -= amount
                if budget < 0:
                    raise DomainError(
                        code=VALIDATION_ERROR,
                        message=f"The invoices take more than the {left} {line.currency} left of the payment.",
                        details={f"allocations[{n}].amount": ["More than the payment has left."]},
                    )
            rows.append((invoices[a.invoice.pk], amount, a.write_off))
        match = PaymentMatch.objects.create(
            company=line.company,
            reconciliation=reconciliation,
            transaction=line,
            state=MatchState.CONFIRMED,
            kind=MatchKind.MANUAL,
            confidence=1.0,
            reason=f"Matched by hand by {actor}.",
            amount=left - budget if same_currency else left,
            decided_by=actor[:200],
            decided_at=timezone.now(),
        )
        MatchAllocation.objects.bulk_create(
            MatchAllocation(match=match, invoice=invoice, amount=amount, write_off=write_off)
            for invoice, amount, write_off in rows
        )
        PaymentMatch.objects.filter(transaction=line, state=MatchState.SUGGESTED).update(state=MatchState.SUPERSEDED)
        _settle(transaction_ids={line.pk}, invoices=list(invoices.values()))
    return match


def matches_confirm_suggested(
    *, reconciliation: Reconciliation, actor: str, min_confidence: float = 0.0
) -> list[PaymentMatch]:
    """Confirm every open suggestion of a run at least `min_confidence` sure, best first."""
    if not 0 <= min_confidence <= 1:  # also refuses NaN, which compares false with everything
        raise DomainError(
            code=VALIDATION_ERROR,
            message="min_confidence must be between 0 and 1.",
            details={"min_confidence": ["Between 0 and 1."]},
        )
    suggested = PaymentMatch.objects.filter(
        reconciliation=reconciliation, state=MatchState.SUGGESTED, confidence__gte=min_confidence
    ).exclude(transaction__match_status=MatchStatus.MATCHED)
    with transaction.atomic():
        _lock_lines(suggested.values_list("transaction_id", flat=True))
        pending = list(suggested.select_for_update(of=("self",)).order_by("-confidence", "pk"))
        return _confirm_many(pending, actor=actor) if pending else []
