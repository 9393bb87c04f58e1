"""Score every plausible (payment, invoices) pairing, then assign greedily by confidence.

For each payment the engine gathers candidate invoices from the index (same amount, a reference in the
remittance text, the counterparty's name or account), scores each on reference, name, amount relation
and date, looks for a subset of the counterparty's open invoices that adds up to the payment, and
lowers confidence when several candidates fit equally well. A global greedy pass then takes the
proposals best first, never applying more to an invoice than is still open on it.

Cost: the work per payment is proportional to the candidates the index hands it, so the whole run is
near-linear in payments + invoices. Scoring runs on plain numbers; a proposal object is made only for
a score that clears `min_confidence`, and its reason text only when it becomes a match.
"""

import gc
import heapq
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from bank.matching.index import IndexedInvoice, InvoiceIndex
from bank.matching.proposer import Parts, Proposal, Proposer
from bank.matching.scoring import NAME_STRONG, REF_FUZZY
from bank.matching.types import Allocation, Match, MatchConfig, OpenInvoice, Payment, ReconcileResult


class _Evidence(NamedTuple):
    """Why one invoice fits a payment; put into words only when the proposal becomes a match.

    Proposals carry it as a plain tuple; `_reason` turns it back into this.
    """

    ref: float
    name: float
    relation: str  # exact, fee, overpaid, partial
    converted: bool  # compared in the payment's original currency


def reconcile(
    invoices: list[OpenInvoice], payments: list[Payment], config: MatchConfig | None = None
) -> ReconcileResult:
    """Match payments to open invoices; see the package docstring for the contract."""
    # The index and the proposals are many small objects that live until the end: the cyclic garbage
    # collector would rescan them again and again (a third of the run at 100k invoices) to free none.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _reconcile(invoices, payments, config or MatchConfig())
    finally:
        if collecting:
            gc.enable()


def _reconcile(invoices: list[OpenInvoice], payments: list[Payment], config: MatchConfig) -> ReconcileResult:
    index = InvoiceIndex(invoices)
    proposer = Proposer(index, config)
    result = ReconcileResult()
    # Each payment enters the greedy pass with its best proposal only. When that one is refused (an
    # invoice already taken) the payment's proposals are worked out again and the next one enters:
    # the same order as sorting every proposal of every payment, without holding them all (about one
    # payment in twelve is refused at 100k invoices; most payments have ten weak proposals or more).
    heap: list[Proposal] = []
    # A line's identity is looked up by its hash (-> the first line with that hash) rather than kept
    # as a tuple per line; lines whose hash another, different line already has go to `collided`.
    seen_lines: dict[int, int] = {}
    collided: dict[tuple[object, ...], str] = {}
    to_propose: list[int] = []
    for order, payment in enumerate(payments):
        if config.skip_identical_lines:
            identity = _identity(payment)
            first = seen_lines.setdefault(hash(identity), order)
            if first != order:
                earlier = payments[first].id if _identity(payments[first]) == identity else collided.get(identity)
                if earlier is not None:
                    result.notes[payment.id] = f"Identical to payment {earlier}: treated as a re-export."
                    continue
                collided[identity] = payment.id
        to_propose.append(order)
    # A payer's payments are worked out one after another: they look at the same invoices, which then
    # are still in the CPU's cache. Each payment's proposals do not depend on the order.
    to_propose.sort(key=lambda order: (payments[order].amount > 0, (payments[order].counterparty or "").upper()))
    for order in to_propose:
        proposals = proposer.propose(payments[order], order, best_only=True)
        if proposals:
            heap.append(min(proposals))
    heapq.heapify(heap)
    rest: dict[int, Iterator[Proposal]] = {}  # payment position -> its proposals after the refused ones
    items = index.items
    opened = [item.open_mills for item in items]  # each invoice's open amount before the run
    remaining = opened.copy()
    matched: set[int] = set()
    while heap:
        negative_confidence, position, _, _, parts, settles, kind, evidence, rivals = heapq.heappop(heap)
        if settles:
            refused = any(remaining[i] != opened[i] for i, _, _ in parts)
        else:
            i, applied, _ = parts[0]
            refused = remaining[i] <= 0
            parts = ((i, min(applied, remaining[i]), 0),)
        if refused:
            later = rest.get(position)
            if later is None:
                # The refused proposal was the payment's best: the first of its proposals in order.
                later = rest[position] = iter(sorted(proposer.propose(payments[position], position))[1:])
            following = next(later, None)
            if following is not None:
                heapq.heappush(heap, following)
            continue
        for i, applied, written_off in parts:
            remaining[i] -= applied + written_off
        matched.add(position)
        confidence = -negative_confidence
        result.matches.append(
            Match(
                payment_id=payments[position].id,
                allocations=tuple(
                    Allocation(items[i].invoice.id, _money(applied), _money(written_off))
                    for i, applied, written_off in parts
                ),
                confidence=round(confidence, 3),
                reason=_reason(items, parts, evidence, rivals),
                kind=kind,
                auto_confirm=confidence >= config.auto_confirm_threshold,
            )
        )
    result.unmatched_payment_ids = [p.id for n, p in enumerate(payments) if n not in matched]
    return result


def _identity(payment: Payment) -> tuple[object, ...]:
    """What makes two statement lines the same line exported twice."""
    return (
        payment.date,
        payment.amount,
        payment.currency,
        payment.description,
        payment.reference,
        payment.counterparty,
        payment.counterparty_account,
    )


def _money(amount_mills: int) -> Decimal:
    return Decimal(amount_mills).scaleb(-3) if amount_mills else _NO_MONEY


_NO_MONEY = Decimal(0).scaleb(-3)  # most allocations write nothing off


_RELATION_WORDS = {
    "exact": "amount equals the open amount",
    "fee": "amount short of the open amount by a bank fee",
    "overpaid": "amount exceeds the open amount",
    "partial": "amount is part of the open amount",
}


def _reason(
    items: list[IndexedInvoice],
    parts: Parts,
    evidence_values: tuple[float, float, str, bool] | None,
    rivals: int,
) -> str:
    if evidence_values is None:
        first = items[parts[0][0]].invoice
        numbers = ", ".join(items[i].invoice.number for i, _, _ in parts)
        reason = f"sum of {len(parts)} open invoices of {first.counterparty} ({numbers}) equals the amount"
        if rivals > 1:
            reason += f"; ambiguous: {rivals} combinations add up"
        return reason
    evidence = _Evidence(*evidence_values)
    inv = items[parts[0][0]].invoice
    bits = []
    if evidence.ref >= 1.0:
        bits.append(f"reference {inv.number} in the remittance")
    elif evidence.ref >= REF_FUZZY:
        bits.append(f"reference close to {inv.number}")
    elif evidence.ref > 0:
        bits.append(f"number ending of {inv.number} in the remittance")
    if evidence.name >= NAME_STRONG:
        bits.append(f"counterparty matches {inv.counterparty}")
    bits.append(_RELATION_WORDS[evidence.relation] + (" (in the original currency)" if evidence.converted else ""))
    reason = "; ".join(bits)
    if rivals > 1:
        reason += f"; ambiguous: {rivals} open invoices fit this payment equally well"
    return reason
