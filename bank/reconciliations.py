"""Writes for reconciliations: run the matching engine over a statement, then confirm, reject or match by hand.

The chain:
1. `reconciliation_start` records a `processing` run and queues `bank.tasks.reconcile_statement`.
   The run is leased work (`RECONCILIATION`, see `invoisx.leases`): the task claims it, and
   `reconciliations_sweep` (beat) queues again a run whose message or worker was lost, or fails it
   once its worker stopped `RECONCILE_MAX_ATTEMPTS` times.
2. `reconciliation_run` (in the task) feeds the statement's lines that still have money unexplained
   and the company's open invoices to `bank.matching.reconcile`, stores each proposal as a suggested
   `PaymentMatch` and confirms those at least as confident as the company's threshold.
3. Staff confirm or reject suggestions (`match_confirm`, `match_reject`) or match by hand
   (`match_manual`). Undoing a confirmed match (`match_undo`) puts it back to suggested; rejecting a
   confirmed match undoes it and keeps that pairing out of later runs.

One rule keeps the books straight: a transaction's `match_status` and an invoice's payment fields
are always recomputed from the confirmed allocations (`_settle`), never adjusted step by step, and
every confirmation first locks the invoices it pays and checks they still owe that much.

Locks are always taken in one order, so two writers never wait on each other crosswise (a deadlock
on PostgreSQL): the transactions concerned first (`_lock_lines`, by pk), then the invoices (by pk).
Every change to a match's state happens under its transaction's lock, so that lock also keeps two
writers from spending the same part of one payment twice.
"""

import datetime
import logging
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
from invoisx.enqueue import enqueue_each_on_commit, enqueue_on_commit
from invoisx.errors import CONFLICT, VALIDATION_ERROR, DomainError
from invoisx.leases import LeasedWork, Lost
from invoisx.money import money_problem, round_money

logger = logging.getLogger(__name__)

IN_CHUNK = 2000
RECONCILIATION = LeasedWork(model=Reconciliation, busy=ReconciliationStatus.PROCESSING, prefix="", setting="RECONCILE")


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
            queued_at=timezone.now(),
        )
        _queue_run(reconciliation.pk)
    return reconciliation


def _queue_run(reconciliation_id: int) -> None:
    """Queue the run once the transaction commits; if the broker stays away, the sweep queues it."""
    from bank.tasks import reconcile_statement

    enqueue_on_commit(reconcile_statement, reconciliation_id)


def reconciliation_release(*, reconciliation_id: int) -> None:
    """Let go of the run after it stopped to be retried, so that the retry may claim it."""
    RECONCILIATION.release(reconciliation_id)


def reconciliation_fail(*, reconciliation_id: int, reason: str, lost_at: datetime.datetime | None = None) -> None:
    """End a `processing` run as `failed` with the reason. With `lost_at` (the sweep), only if no worker
    holds it at that time: one may have claimed it since the sweep looked."""
    runs = Reconciliation.objects.filter(pk=reconciliation_id, status=ReconciliationStatus.PROCESSING)
    if lost_at is not None:
        runs = runs.filter(RECONCILIATION.free(now=lost_at))
    runs.update(
        status=ReconciliationStatus.FAILED, failure_reason=reason, completed_at=timezone.now(), lease_until=None
    )


def reconciliations_sweep(*, now: datetime.datetime | None = None) -> Lost:
    """Queue again the runs that no message or worker will finish; fail those out of attempts."""
    from bank.tasks import reconcile_statement

    now = now or timezone.now()
    lost = RECONCILIATION.lost(now=now)
    for reconciliation_id in lost.exhausted:
        logger.warning(
            "reconciliation %s stopped %s times without finishing", reconciliation_id, RECONCILIATION.max_attempts
        )
        reconciliation_fail(
            reconciliation_id=reconciliation_id,
            reason=(
                f"The reconciliation was started {RECONCILIATION.max_attempts} times and stopped each time without "
                "finishing (the worker was lost); run it again."
            ),
            lost_at=now,
        )
    enqueue_each_on_commit(reconcile_statement, lost.requeue)
    return lost


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
    currency_of: dict[str, str]  # the engine's invoice ids -> their currencies

    def allocations(self) -> list[tuple[int, Decimal, Decimal]]:
        """(invoice pk, amount, write-off) of each allocation, rounded to the invoice's currency."""
        return [
            (
                int(a.invoice_id),
                round_money(a.amount, self.currency_of[a.invoice_id]),
                round_money(a.write_off, self.currency_of[a.invoice_id]),
            )
            for a in self.match.allocations
        ]


def reconciliation_run(*, reconciliation_id: int, new_attempt: bool = True) -> None:
    """Match the run's lines to open invoices. Safe to run twice: only a `processing` run that no other
    worker holds is touched. `new_attempt` is False for Celery's retries of one run."""
    if not RECONCILIATION.claim(reconciliation_id, now=timezone.now(), new_attempt=new_attempt):
        return
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
        proposals.append(
            _Proposal(line, match, round_money(min(uses, unexplained[line.pk]), line.currency), currency_of)
        )

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
        reconciliation.lease_until = None
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
            MatchAllocation(match=match, invoice_id=invoice_id, amount=amount, write_off=write_off)
            for match, p in zip(matches, proposals, strict=True)
            for invoice_id, amount, write_off in p.allocations()
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
        "amount_paid": round_money(invoice.amount_paid, invoice.currency),
        "amount_written_off": round_money(invoice.amount_written_off, invoice.currency),
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
            message=f"Only {round_money(abs(line.amount) - explained, line.currency)} of this transaction is "
            f"not yet matched; this match needs {round_money(amount, line.currency)}.",
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


def match_undo(*, match: PaymentMatch, actor: str) -> PaymentMatch:
    """Undo a confirmed match: its invoices owe again what it paid, the line is free again, and the
    match goes back to suggested, so a person can confirm it again, reject it, or match by hand, and
    a later run may propose it again (a rejection would keep it out of every later run)."""
    with transaction.atomic():
        _lock_lines([match.transaction_id])
        match = PaymentMatch.objects.select_for_update().get(pk=match.pk)
        if match.state == MatchState.SUGGESTED:
            return match
        if match.state != MatchState.CONFIRMED:
            raise DomainError(
                code=CONFLICT, message=f"This match is {match.state}; only a confirmed match can be undone."
            )
        invoices = list(_lock_invoices(match.allocations.values_list("invoice_id", flat=True)).values())
        match.state = MatchState.SUGGESTED
        match.auto_confirmed = False
        match.decided_by = actor[:200]
        match.decided_at = timezone.now()
        match.save(update_fields=["state", "auto_confirmed", "decided_by", "decided_at"])
        _settle(transaction_ids={match.transaction_id}, invoices=invoices)
    return match


@dataclass(frozen=True)
class ManualAllocation:
    invoice: Invoice
    amount: Decimal | None = None  # None: as much as the invoice owes and the payment has left
    write_off: Decimal = Decimal(0)


def match_manual(
    *,
    reconciliation: Reconciliation,
    line: BankTransaction,
    allocations: list[ManualAllocation],
    actor: str,
    same_currency_only: bool = False,
) -> PaymentMatch:
    """Match a transaction to invoices by hand: confirmed at once, with the amounts given or implied.

    Money in pays sales invoices and money out purchase invoices. Invoices in the transaction's
    currency take their amounts from it; invoices in another currency need their amounts given,
    and the match then uses whatever is left of the transaction. `same_currency_only` refuses
    invoices in another currency (the dashboard offers only those in the line's currency).
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
    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        invoices = _lock_invoices(a.invoice.pk for a in allocations)
        # Checked on the locked rows, not the caller's copies: an invoice may have been corrected
        # (another currency), or deleted, since the caller loaded it.
        currencies = _check_allocations(line, allocations, invoices)
        if same_currency_only and currencies != {line.currency}:
            other = next(
                invoices[a.invoice.pk] for a in allocations if invoices[a.invoice.pk].currency != line.currency
            )
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Invoice {other} is in {other.currency} and this payment in {line.currency}: "
                f"only invoices in {line.currency} can be matched to it here.",
                details={"allocations": [f"Must be in {line.currency}."]},
            )
        left = round_money(abs(line.amount) - _confirmed_use([line.pk]).get(line.pk, Decimal(0)), line.currency)
        if left <= 0:
            raise DomainError(code=CONFLICT, message="This transaction is already fully matched.")
        same_currency = currencies == {line.currency}
        rows = []
        budget = left
        for n, a in enumerate(allocations):
            invoice = invoices[a.invoice.pk]
            due = invoice.amount_due
            amount = a.amount if a.amount is not None else min(due - a.write_off, budget)
            if amount <= 0 or a.write_off < 0:
                raise DomainError(
                    code=VALIDATION_ERROR,
                    message=f"Nothing is left to apply to invoice {invoice}.",
                    details={f"allocations[{n}].amount": ["Must be greater than zero."]},
                )
            if amount + a.write_off > due:
                raise DomainError(
                    code=VALIDATION_ERROR,
                    message=f"Invoice {invoice} owes {due} {invoice.currency}; {amount + a.write_off} is more.",
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
            rows.append((invoice, amount, a.write_off))
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


def _check_allocations(
    line: BankTransaction, allocations: list[ManualAllocation], invoices: dict[int, Invoice]
) -> set[str]:
    """Refuse invoices that are gone, another company's, of the wrong direction, not processed, or in
    another currency without an amount; the currencies of the invoices."""
    direction = Direction.SALES if line.amount > 0 else Direction.PURCHASE
    currencies = set()
    for n, a in enumerate(allocations):
        invoice = invoices.get(a.invoice.pk)
        if invoice is None or invoice.company_id != line.company_id:
            raise DomainError(
                code=VALIDATION_ERROR,
                message="No invoice with this id.",
                details={f"allocations[{n}].invoice_id": ["Not found."]},
            )
        if invoice.direction != direction:
            money = "in" if line.amount > 0 else "out"
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Money {money} pays {direction} invoices; {invoice} is a {invoice.direction} invoice.",
                details={f"allocations[{n}].invoice_id": [f"Must be a {direction} invoice."]},
            )
        if invoice.status not in OPEN_STATUSES:
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Invoice {invoice} is {invoice.status}.",
                details={f"allocations[{n}].invoice_id": ["The invoice must be processed."]},
            )
        for name, value in (("amount", a.amount), ("write_off", a.write_off)):
            problem = money_problem(value, invoice.currency) if value is not None else None
            if problem:
                raise DomainError(
                    code=VALIDATION_ERROR, message=problem, details={f"allocations[{n}].{name}": [problem]}
                )
        if invoice.currency != line.currency and a.amount is None:
            raise DomainError(
                code=VALIDATION_ERROR,
                message=f"Invoice {invoice} is in {invoice.currency}, the payment in {line.currency}: give the amount.",
                details={f"allocations[{n}].amount": ["Required when the currencies differ."]},
            )
        currencies.add(invoice.currency)
    if len(currencies) > 1:
        raise DomainError(
            code=VALIDATION_ERROR,
            message="The invoices of one match must share a currency.",
            details={"allocations": ["Mixed currencies."]},
        )
    return currencies


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
