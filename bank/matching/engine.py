"""Score every plausible (payment, invoices) pairing, then assign greedily by confidence.

For each payment the engine gathers candidate invoices from the index (same amount, a reference in the
remittance text, the counterparty's name or account), scores each on reference, name, amount relation
and date, looks for a subset of the counterparty's open invoices that adds up to the payment, and
lowers confidence when several candidates fit equally well. A global greedy pass then takes the
proposals best first, never applying more to an invoice than is still open on it.
"""

import difflib
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bank.matching.index import IndexedInvoice, InvoiceIndex
from bank.matching.normalise import (
    cents,
    fold,
    name_core,
    original_amount,
    ref_candidates,
    ref_key,
    within_one_edit,
)
from bank.matching.types import Allocation, Match, MatchConfig, OpenInvoice, Payment, ReconcileResult

REF_FUZZY = 0.8  # one typo away from a reference
REF_TAIL = 0.75  # the number's last digit group, among the counterparty's own invoices
NAME_STRONG = 0.85
AMBIGUITY_MARGIN = 0.03
AMBIGUITY_FACTOR = 0.6


@dataclass
class _Candidate:
    ref: float = 0.0
    name: float = 0.0
    amount_cents: int = 0  # the payment in the invoice's currency
    converted: bool = False


@dataclass
class _Proposal:
    confidence: float
    order: int  # payment position, breaks ties in statement order
    date_gap: int
    payment: int
    parts: list[tuple[int, int, int]]  # (invoice index, cents applied, cents written off)
    settles: bool  # needs the invoices untouched; a partial payment only needs something open
    kind: str
    reason: str | Callable[[], str]  # built only for proposals that are kept


def reconcile(
    invoices: list[OpenInvoice], payments: list[Payment], config: MatchConfig | None = None
) -> ReconcileResult:
    """Match payments to open invoices; see the package docstring for the contract."""
    config = config or MatchConfig()
    index = InvoiceIndex(invoices)
    result = ReconcileResult()
    proposals: list[_Proposal] = []
    seen_lines: dict[tuple[object, ...], str] = {}
    for order, payment in enumerate(payments):
        if config.skip_identical_lines:
            identity = (
                payment.date,
                payment.amount,
                payment.currency,
                payment.description,
                payment.reference,
                payment.counterparty,
                payment.counterparty_account,
            )
            if identity in seen_lines:
                result.notes[payment.id] = f"Identical to payment {seen_lines[identity]}: treated as a re-export."
                continue
            seen_lines[identity] = payment.id
        proposals.extend(_propose(index, payment, order, config))
    proposals.sort(key=lambda p: (-p.confidence, p.order, p.date_gap))
    remaining = [item.open_cents for item in index.items]
    matched: set[int] = set()
    for prop in proposals:
        if prop.payment in matched:
            continue
        if prop.settles:
            if any(remaining[i] != index.items[i].open_cents for i, _, _ in prop.parts):
                continue
            parts = prop.parts
        else:
            i, applied, _ = prop.parts[0]
            if remaining[i] <= 0:
                continue
            parts = [(i, min(applied, remaining[i]), 0)]
        for i, applied, written_off in parts:
            remaining[i] -= applied + written_off
        matched.add(prop.payment)
        payment = payments[prop.payment]
        result.matches.append(
            Match(
                payment_id=payment.id,
                allocations=tuple(
                    Allocation(index.items[i].invoice.id, _money(applied), _money(written_off))
                    for i, applied, written_off in parts
                ),
                confidence=round(prop.confidence, 3),
                reason=prop.reason if isinstance(prop.reason, str) else prop.reason(),
                kind=prop.kind,
                auto_confirm=prop.confidence >= config.auto_confirm_threshold,
            )
        )
    result.unmatched_payment_ids = [p.id for n, p in enumerate(payments) if n not in matched]
    return result


def _money(amount_cents: int) -> Decimal:
    return Decimal(amount_cents) / 100


@functools.lru_cache(maxsize=65536)
def _fuzzy_ratio(a: str, b: str) -> float:
    if abs(len(a) - len(b)) > max(len(a), len(b)) * 0.25:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _name_similarity(payment_name: str, payment_core: str, item: IndexedInvoice) -> float:
    if not payment_core:
        return 0.0
    if payment_core == item.core:
        return 1.0
    # Banks cut names at 18-35 characters; a long enough prefix of the full name is the same party.
    if len(payment_name) >= 10 and item.full_name.startswith(payment_name):
        return 0.95
    if len(payment_core) >= 10 and item.core.startswith(payment_core):
        return 0.9
    ratio = _fuzzy_ratio(payment_core, item.core)
    return ratio * 0.95 if ratio >= 0.88 else 0.0


def _gather_names(index: InvoiceIndex, payment: Payment, direction: str) -> dict[int, float]:
    """Invoices whose counterparty appears as the payment's counterparty, account or in its text."""
    found: dict[int, float] = {}
    if payment.counterparty_account:
        for i in index.by_account.get(ref_key(payment.counterparty_account), ()):
            found[i] = 1.0
    cp_name = fold(payment.counterparty)
    cp_core = " ".join(name_core(payment.counterparty))
    description = " " + fold(payment.description) + " "
    words = (cp_name + " " + description).split()
    cores: set[str] = set()
    for a, b in itertools.pairwise(words):
        cores |= index.by_name_head.get(a + " " + b, set())
    for core in cores:
        members = index.by_core.get((direction, core))
        if not members:
            continue
        score = _name_similarity(cp_name, cp_core, index.items[members[0]])
        if score < NAME_STRONG and " " + core + " " in description:
            score = max(score, 0.9)
        if score <= 0:
            continue
        for i in members:
            if found.get(i, 0.0) < score:
                found[i] = score
    return found


def _relation(pay: int, open_cents: int, config: MatchConfig) -> str:
    if pay == open_cents:
        return "exact"
    if pay > open_cents:
        return "overpaid"
    tolerance = max(config.fee_fixed, config.fee_percent * open_cents / 100 + config.fee_percent_fixed)
    tolerance = min(tolerance, config.fee_max_share * open_cents / 100)
    if open_cents - pay <= tolerance * 100:
        return "fee"
    return "partial"


_WITH_REF = {"exact": 0.97, "fee": 0.92, "overpaid": 0.88, "partial": 0.88}
_WITH_NAME = {"exact": 0.9, "fee": 0.8, "overpaid": 0.6, "partial": 0.45}


def _score(c: _Candidate, relation: str) -> float | None:
    if c.ref >= REF_TAIL:
        score = _WITH_REF[relation] - (1.0 - c.ref) * 0.2
        if c.name >= NAME_STRONG:
            score += 0.03
        elif relation != "exact" and c.ref < 1.0:
            score -= 0.15  # a loose reference alone does not explain a different amount
    elif c.name >= NAME_STRONG:
        score = _WITH_NAME[relation] - (1.0 - c.name) * 0.3
    elif relation == "exact":
        score = 0.7 if c.name >= 0.6 else 0.55
    else:
        return None
    if c.converted:
        score -= 0.02
    return min(score, 0.99)


def _date_gap(payment: Payment, inv: OpenInvoice, config: MatchConfig) -> tuple[int, bool]:
    due = inv.due_date or inv.invoice_date
    gap = abs((payment.date - due).days)
    early = (inv.invoice_date - payment.date).days
    late = (payment.date - due).days
    return gap, early <= config.days_before_invoice and late <= config.days_after_due


def _reason(item: IndexedInvoice, c: _Candidate, relation: str) -> str:
    inv = item.invoice
    bits = []
    if c.ref >= 1.0:
        bits.append(f"reference {inv.number} in the remittance")
    elif c.ref >= REF_FUZZY:
        bits.append(f"reference close to {inv.number}")
    elif c.ref > 0:
        bits.append(f"number ending of {inv.number} in the remittance")
    if c.name >= NAME_STRONG:
        bits.append(f"counterparty matches {inv.counterparty}")
    amount = {
        "exact": "amount equals the open amount",
        "fee": "amount short of the open amount by a bank fee",
        "overpaid": "amount exceeds the open amount",
        "partial": "amount is part of the open amount",
    }[relation]
    bits.append(amount + (" (in the original currency)" if c.converted else ""))
    return "; ".join(bits)


def _propose(index: InvoiceIndex, payment: Payment, order: int, config: MatchConfig) -> list[_Proposal]:
    if payment.amount == 0:
        return []
    direction = "sales" if payment.amount > 0 else "purchase"
    pay = cents(payment.amount)
    original = (
        (payment.original_amount, payment.original_currency)
        if payment.original_amount is not None and payment.original_currency
        else original_amount(payment.description)
    )
    orig_cents, orig_currency = (cents(original[0]), original[1]) if original else (0, "")

    def amount_in(inv: OpenInvoice) -> tuple[int, bool] | None:
        if inv.currency == payment.currency:
            return pay, False
        if inv.currency == orig_currency:
            return orig_cents, True
        return None  # a currency the payment says nothing about: refused

    cands: dict[int, _Candidate] = {}

    def cand(i: int) -> _Candidate | None:
        c = cands.get(i)
        if c is None:
            inv = index.items[i].invoice
            if inv.direction != direction:
                return None
            converted = amount_in(inv)
            if converted is None:
                return None
            c = cands[i] = _Candidate(amount_cents=converted[0], converted=converted[1])
        return c

    text = payment.description + " " + (payment.reference or "")
    refs = ref_candidates(text)
    for r in refs:
        for i, strength in index.by_ref.get(r, ()):
            c = cand(i)
            if c is not None and c.ref < strength:
                c.ref = strength
    for i, similarity in _gather_names(index, payment, direction).items():
        c = cand(i)
        if c is not None:
            c.name = max(c.name, similarity)
    for i in index.by_amount.get((direction, payment.currency, pay), ()):
        cand(i)
    if orig_currency:
        for i in index.by_amount.get((direction, orig_currency, orig_cents), ()):
            cand(i)

    # The typo check runs only when no reference matched exactly: a payment quoting one invoice
    # correctly is not also a misspelling of another.
    exact_hit = any(c.ref >= 0.9 for c in cands.values())
    long_refs = [] if exact_hit else [r for r in refs if len(r) >= 5]
    words = set(fold(text).split())
    out: list[_Proposal] = []
    singles: list[_Proposal] = []
    for i, c in cands.items():
        item = index.items[i]
        if c.ref == 0:
            if long_refs and any(
                within_one_edit(r, k) or (len(r) >= 6 and k.endswith(r)) for k in item.keys for r in long_refs
            ):
                c.ref = REF_FUZZY
            elif c.name >= NAME_STRONG and item.tail and item.tail in words:
                c.ref = REF_TAIL
        if item.open_cents <= 0:
            continue
        relation = _relation(c.amount_cents, item.open_cents, config)
        score = _score(c, relation)
        if score is None:
            continue
        gap, in_window = _date_gap(payment, item.invoice, config)
        if not in_window:
            score -= 0.2
        applied = min(c.amount_cents, item.open_cents)
        written_off = item.open_cents - c.amount_cents if relation == "fee" else 0
        kind = relation if (c.ref or c.name >= NAME_STRONG) else "amount_only"
        singles.append(
            _Proposal(
                score,
                order,
                gap,
                order,
                [(i, applied, written_off)],
                relation != "partial",
                kind,
                functools.partial(_reason, item, c, relation),
            )
        )
    _lower_ambiguous(singles)
    out.extend(singles)
    best = max((p.confidence for p in singles), default=0.0)
    if best < 0.95:
        out.extend(_subsets(index, cands, order, config, best))
    return [p for p in out if p.confidence >= config.min_confidence]


def _lower_ambiguous(props: list[_Proposal]) -> None:
    """Several invoices fitting a payment equally well: lower them all rather than pick one."""
    if len(props) < 2:
        return
    best = max(p.confidence for p in props)
    rivals = [p for p in props if p.confidence >= best - AMBIGUITY_MARGIN]
    if len(rivals) < 2:
        return
    for p in rivals:
        p.confidence *= AMBIGUITY_FACTOR
        p.reason = _suffixed(p.reason, f"; ambiguous: {len(rivals)} open invoices fit this payment equally well")


def _suffixed(reason: str | Callable[[], str], suffix: str) -> Callable[[], str]:
    return lambda: (reason if isinstance(reason, str) else reason()) + suffix


def _subsets(
    index: InvoiceIndex, cands: dict[int, _Candidate], order: int, config: MatchConfig, best_single: float
) -> list[_Proposal]:
    """One payment for several invoices of one counterparty: exact subset sums, bounded in size."""
    pool = [
        i
        for i, c in cands.items()
        if (c.name >= NAME_STRONG or c.ref >= REF_FUZZY) and 0 < index.items[i].open_cents < c.amount_cents
    ]
    if len(pool) < 2:
        return []
    pool.sort(key=lambda i: (-cands[i].ref, -cands[i].name))
    pool = pool[: config.max_subset_pool]
    found: list[tuple[float, tuple[int, ...]]] = []
    for combo in _exact_sums(pool, index, cands, config.max_subset):
        names = {index.items[i].core for i in combo}
        if len(names) > 1:
            continue  # one transfer settles invoices of one counterparty
        size = len(combo)
        hits = sum(1 for i in combo if cands[i].ref >= REF_FUZZY)
        if hits == size:
            score = 0.97
        elif hits:
            score = 0.9 + 0.03 * hits / size
        elif all(cands[i].name >= NAME_STRONG for i in combo):
            score = 0.88
        else:
            continue
        found.append((score, combo))
    if not found:
        return []
    found.sort(key=lambda f: -f[0])
    top = found[0][0]
    rivals = [f for f in found if f[0] >= top - AMBIGUITY_MARGIN]
    out = []
    for score, combo in rivals:
        reason = (
            f"sum of {len(combo)} open invoices of {index.items[combo[0]].invoice.counterparty} "
            f"({', '.join(index.items[i].invoice.number for i in combo)}) equals the amount"
        )
        if len(rivals) > 1:
            score *= AMBIGUITY_FACTOR
            reason += f"; ambiguous: {len(rivals)} combinations add up"
        parts = [(i, index.items[i].open_cents, 0) for i in combo]
        out.append(_Proposal(score, order, 0, order, parts, True, "multi", reason))
    return out


def _exact_sums(
    pool: list[int], index: InvoiceIndex, cands: dict[int, _Candidate], max_size: int
) -> list[tuple[int, ...]]:
    """Subsets of 2..max_size pool invoices whose open amounts add up to the payment exactly.

    Pairs and triples use a lookup of the missing amount (O(n) and O(n^2) in the pool size); larger
    subsets fall back to enumeration, which the pool bound keeps small.
    """
    target = cands[pool[0]].amount_cents
    pool = [i for i in pool if cands[i].amount_cents == target]  # one currency per payment
    by_open: dict[int, list[int]] = {}
    for pos, i in enumerate(pool):
        by_open.setdefault(index.items[i].open_cents, []).append(pos)
    opens = [index.items[i].open_cents for i in pool]
    out: list[tuple[int, ...]] = []
    if max_size >= 2:
        for a in range(len(pool)):
            for b in by_open.get(target - opens[a], ()):
                if b > a:
                    out.append((pool[a], pool[b]))
    if max_size >= 3:
        for a in range(len(pool)):
            for b in range(a + 1, len(pool)):
                for c in by_open.get(target - opens[a] - opens[b], ()):
                    if c > b:
                        out.append((pool[a], pool[b], pool[c]))
    for size in range(4, max_size + 1):
        for combo in itertools.combinations(range(len(pool)), size):
            if sum(opens[p] for p in combo) == target:
                out.append(tuple(pool[p] for p in combo))
    return out
