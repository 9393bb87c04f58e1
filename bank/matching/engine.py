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

import difflib
import functools
import gc
import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from bank.matching.index import REF_DIGITS, REF_EXACT, IndexedInvoice, InvoiceIndex, index_side
from bank.matching.normalise import (
    MILLS,
    core_words,
    fold,
    mills,
    original_amount,
    ref_candidates_folded,
    ref_key,
    within_one_edit,
)
from bank.matching.types import Allocation, Match, MatchConfig, OpenInvoice, Payment, ReconcileResult

REF_FUZZY = 0.8  # one typo away from a reference
REF_TAIL = 0.75  # the number's last digit group, among the counterparty's own invoices
NAME_STRONG = 0.85
NAME_FUZZY = 0.88  # the least similarity ratio of two names that still count as one party
AMBIGUITY_MARGIN = 0.03
AMBIGUITY_FACTOR = 0.6
# Proposals below the auto-confirm threshold kept per payment. They cannot change what is auto-confirmed
# (the greedy pass takes every proposal above the threshold first); the greedy pass reaches a weaker one
# only when every better one of the payment is taken, and a counterparty with dozens of open invoices
# would otherwise add dozens of near-identical guesses per payment.
WEAK_PROPOSALS_PER_PAYMENT = 10


class _Evidence(NamedTuple):
    """Why one invoice fits a payment; put into words only when the proposal becomes a match.

    Proposals carry it as a plain tuple; `_reason` turns it back into this.
    """

    ref: float
    name: float
    relation: str  # exact, fee, overpaid, partial
    converted: bool  # compared in the payment's original currency


# A proposal is a plain tuple, not a class: a large ledger makes millions, and the garbage collector
# stops tracking tuples of plain values, so they cost nothing in its full collections:
# (-confidence, payment position, date gap, creation sequence, parts, settles, kind, evidence, rivals).
# Sorting puts the best first, ties in statement order, and the sequence (unique within the payment)
# keeps the sort from ever comparing further. parts: ((invoice index, mills applied, mills written
# off), ...). settles: needs the invoices untouched (a partial payment only needs something open).
# evidence: an `_Evidence` as a plain tuple, None for a combination of invoices. rivals: proposals of
# the payment that fit equally well, 1 when unambiguous.
_Parts = tuple[tuple[int, int, int], ...]
_Proposal = tuple[float, int, int, int, _Parts, bool, str, "tuple[float, float, str, bool] | None", int]


# A single-invoice score before the ambiguity check and the `min_confidence` cut, as a plain tuple
# (there is one per candidate): (score, date gap, invoice index, payment in the invoice's currency in
# mills, ref, name, relation, converted).
_Scored = tuple[float, int, int, int, float, float, str, bool]


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
    proposer = _Proposer(index, config)
    result = ReconcileResult()
    # Each payment enters the greedy pass with its best proposal only. When that one is refused (an
    # invoice already taken) the payment's proposals are worked out again and the next one enters:
    # the same order as sorting every proposal of every payment, without holding them all (about one
    # payment in twelve is refused at 100k invoices; most payments have ten weak proposals or more).
    heap: list[_Proposal] = []
    # A line's identity is looked up by its hash (-> the first line with that hash) rather than kept
    # as a tuple per line; lines whose hash another, different line already has go to `collided`.
    seen_lines: dict[int, int] = {}
    collided: dict[tuple[object, ...], str] = {}
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
        proposals = proposer.propose(payment, order, best_only=True)
        if proposals:
            heap.append(min(proposals))
    heapq.heapify(heap)
    rest: dict[int, Iterator[_Proposal]] = {}  # payment position -> its proposals after the refused ones
    items = index.items
    remaining = [item.open_mills for item in items]
    matched: set[int] = set()
    while heap:
        negative_confidence, position, _, _, parts, settles, kind, evidence, rivals = heapq.heappop(heap)
        if settles:
            refused = any(remaining[i] != items[i].open_mills for i, _, _ in parts)
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
    return Decimal(amount_mills).scaleb(-3)


@functools.lru_cache(maxsize=65536)
def _fuzzy_ratio(a: str, b: str) -> float:
    """difflib's similarity ratio of a and b, or 0.0 where it is certainly below `NAME_FUZZY`."""
    if abs(len(a) - len(b)) > max(len(a), len(b)) * 0.25:
        return 0.0
    # The characters a and b have in common (as multisets) bound the ratio from above, like difflib's
    # quick_ratio, and rule out most pairs of different names without the much slower full ratio.
    if 2.0 * (Counter(a) & Counter(b)).total() / (len(a) + len(b)) < NAME_FUZZY:
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
    return ratio * 0.95 if ratio >= NAME_FUZZY else 0.0


_WITH_REF = {"exact": 0.97, "fee": 0.92, "overpaid": 0.88, "partial": 0.88}
_WITH_NAME = {"exact": 0.9, "fee": 0.8, "overpaid": 0.6, "partial": 0.45}


@functools.lru_cache(maxsize=8192)  # few distinct arguments, called for every candidate
def _score(ref: float, name: float, relation: str, converted: bool) -> float | None:
    if ref >= REF_TAIL:
        score = _WITH_REF[relation] - (1.0 - ref) * 0.2
        if name >= NAME_STRONG:
            score += 0.03
        elif relation != "exact" and ref < 1.0:
            score -= 0.15  # a loose reference alone does not explain a different amount
    elif name >= NAME_STRONG:
        score = _WITH_NAME[relation] - (1.0 - name) * 0.3
    elif relation == "exact":
        score = 0.7 if name >= 0.6 else 0.55
    else:
        return None
    if converted:
        score -= 0.02
    return min(score, 0.99)


def _near_reference(keys: tuple[str, ...], long_refs: list[str]) -> bool:
    """A reference in the text is one typo away from, or the tail of, one of the invoice's keys."""
    for key in keys:
        for ref in long_refs:
            if within_one_edit(ref, key) or (len(ref) >= 6 and key.endswith(ref)):
                return True
    return False


class _Proposer:
    """Turns one payment at a time into proposals; holds what is worth keeping between payments."""

    def __init__(self, index: InvoiceIndex, config: MatchConfig) -> None:
        self.index = index
        self.config = config
        self.fee_limits: dict[int, int] = {}  # open amount -> largest shortfall (mills) still a fee
        # (direction, folded payer name) -> counterparty core -> name similarity, -1.0 for a core with
        # no invoices that way: a payer pays many times, and each name fuzzy-matches dozens of cores.
        self.similarities: dict[tuple[str, str], dict[str, float]] = {}

    def propose(self, payment: Payment, order: int, *, best_only: bool = False) -> list[_Proposal]:
        """The payment's proposals that clear `min_confidence`, in the order they were found.

        The same payment always gives the same proposals: the greedy pass asks again for a payment
        whose best proposal it refused. With `best_only` the single-invoice proposals are cut to the
        best one (its best proposal overall is still the least of the list).
        """
        out: list[_Proposal] = []
        if payment.amount == 0:
            return out
        index, config = self.index, self.config
        items = index.items
        direction = "sales" if payment.amount > 0 else "purchase"
        pay = mills(payment.amount)
        original = (
            (payment.original_amount, payment.original_currency)
            if payment.original_amount is not None and payment.original_currency
            else original_amount(payment.description)
        )
        orig_mills, orig_currency = (mills(original[0]), original[1]) if original else (0, "")

        description = fold(payment.description)
        text = " ".join(part for part in (description, fold(payment.reference)) if part)
        refs = ref_candidates_folded(text)

        # Only invoices the money can be for: the right way, in a currency the payment names.
        sides = index.sides
        allowed = {index_side(direction, payment.currency), index_side(direction, orig_currency)}
        ref_of: dict[int, float] = {}
        by_ref = index.by_ref
        for r in refs:
            for entry in by_ref.get(r, ()):
                i, strength = (entry, REF_EXACT) if entry >= 0 else (-1 - entry, REF_DIGITS)
                if ref_of.get(i, 0.0) < strength and sides[i] in allowed:
                    ref_of[i] = strength
        name_of = self._gather_names(payment, direction, description, allowed)
        # Candidates in the order first seen: by reference, by name or account, by amount.
        candidates = dict.fromkeys(ref_of)
        candidates.update(dict.fromkeys(name_of))
        candidates.update(dict.fromkeys(index.by_amount.get((direction, payment.currency, pay), ())))
        if orig_currency:
            candidates.update(dict.fromkeys(index.by_amount.get((direction, orig_currency, orig_mills), ())))

        # The typo check runs only when no reference matched exactly: a payment quoting one invoice
        # correctly is not also a misspelling of another.
        exact_hit = any(strength >= 0.9 for strength in ref_of.values())
        long_refs = [] if exact_hit else [r for r in refs if len(r) >= 5]
        # Several parties use the same invoice numbers: once the payer is named as the party of one
        # invoice carrying the reference, the same number on another party's invoice is a coincidence.
        payer_named = any(name_of.get(i, 0.0) >= NAME_STRONG for i, strength in ref_of.items() if strength >= 0.9)
        words = set(text.split())
        day = payment.date.toordinal()
        days_before, days_after = config.days_before_invoice, config.days_after_due
        currency = payment.currency
        fee_limits = self.fee_limits
        scored: list[_Scored] = []
        for i in candidates:
            item = items[i]
            ref = ref_of.get(i, 0.0)
            name = name_of.get(i, 0.0)
            if payer_named and name < NAME_STRONG and ref:
                ref = 0.0
                del ref_of[i]
            if ref == 0:
                if long_refs and _near_reference(item.keys, long_refs):
                    ref = ref_of[i] = REF_FUZZY
                elif name >= NAME_STRONG and item.tail and item.tail in words:
                    ref = ref_of[i] = REF_TAIL
            open_mills = item.open_mills
            if open_mills <= 0:
                continue
            converted = item.currency != currency
            amount = orig_mills if converted else pay
            if amount == open_mills:
                relation = "exact"
            elif amount > open_mills:
                relation = "overpaid"
            else:  # short by a bank fee, or a partial payment
                limit = fee_limits.get(open_mills)
                if limit is None:
                    limit = self._fee_limit(open_mills)
                relation = "fee" if open_mills - amount <= limit else "partial"
            score = _score(ref, name, relation, converted)
            if score is None:
                continue
            if item.invoice_day - day > days_before or day - item.due_day > days_after:
                score -= 0.2
            scored.append((score, abs(day - item.due_day), i, amount, ref, name, relation, converted))

        best = self._add_singles(scored, order, out, best_only)
        if best < 0.95:
            self._add_subsets(candidates, ref_of, name_of, pay, orig_mills, payment.currency, order, out)
        return out

    def _fee_limit(self, open_mills: int) -> int:
        """The largest shortfall (mills) of a payment on this open amount that is still a bank fee."""
        config = self.config
        tolerance = max(config.fee_fixed, config.fee_percent * open_mills / MILLS + config.fee_percent_fixed)
        tolerance = min(tolerance, config.fee_max_share * open_mills / MILLS)
        limit = self.fee_limits[open_mills] = math.floor(tolerance * MILLS)
        return limit

    def _gather_names(self, payment: Payment, direction: str, description: str, allowed: set[str]) -> dict[int, float]:
        """Invoices whose counterparty appears as the payment's counterparty, account or in its text.

        Only invoices whose side (`index_side`) is `allowed`, each with its best name similarity, in
        the order first found. When the payment's account is one the ledger knows, a similar name on
        invoices recorded with a different account is another party of that name, not the payer: it
        earns no name credit.
        """
        index = self.index
        items = index.items
        sides = index.sides
        found: dict[int, float] = {}
        known_account = ""
        if payment.counterparty_account:
            account = ref_key(payment.counterparty_account)
            for i in index.by_account.get(account, ()):
                if sides[i] in allowed:
                    found[i] = 1.0
                known_account = account
        by_account_hits = bool(found)
        cp_name = fold(payment.counterparty)
        cp_core = " ".join(core_words(cp_name))
        padded = " " + description + " "
        words = (cp_name + " " + description).split()
        cores: dict[str, None] = {}
        by_name_head = index.by_name_head
        for a, b in itertools.pairwise(words):
            head = by_name_head.get(a + " " + b)
            if head:
                cores.update(head)
        similarities = self.similarities.get((direction, cp_name))
        if similarities is None:
            similarities = self.similarities[direction, cp_name] = {}
        by_core = index.by_core
        for core in cores:
            score = similarities.get(core)
            if score is None:
                by_account = by_core.get((direction, core))
                # The name of the first invoice stands for the counterparty: all share the core.
                score = similarities[core] = (
                    _name_similarity(cp_name, cp_core, items[next(iter(by_account.values()))[0]])
                    if by_account
                    else -1.0
                )
            if score < 0:
                continue
            if score < NAME_STRONG and " " + core + " " in padded:
                score = max(score, 0.9)
            if score <= 0:
                continue
            by_account = by_core[direction, core]
            if known_account:
                groups = [by_account.get(known_account, []), by_account.get("", [])]
            else:
                groups = list(by_account.values())
            # An invoice belongs to one core, so only an account hit can already be in `found`.
            if not by_account_hits and index.core_sides[direction, core] in allowed:
                for members in groups:
                    found.update(dict.fromkeys(members, score))
                continue
            for members in groups:
                for i in members:
                    if found.get(i, 0.0) < score and sides[i] in allowed:
                        found[i] = score
        return found

    def _add_singles(self, scored: list[_Scored], order: int, out: list[_Proposal], best_only: bool) -> float:
        """Propose each scored invoice on its own; returns the best confidence after the ambiguity check.

        Several invoices fitting a payment equally well lowers them all rather than picking one. Of the
        proposals below the auto-confirm threshold only the best `WEAK_PROPOSALS_PER_PAYMENT` are kept;
        with `best_only`, only the best of all.
        """
        if not scored:
            return 0.0
        top = max(s[0] for s in scored)
        rivals = sum(1 for s in scored if s[0] >= top - AMBIGUITY_MARGIN)
        ambiguous = rivals > 1
        best = 0.0
        min_confidence = self.config.min_confidence
        kept: list[tuple[float, int, int, _Scored]] = []  # (-confidence, gap, position, scored)
        for position, entry in enumerate(scored):
            score = entry[0]
            if ambiguous and score >= top - AMBIGUITY_MARGIN:
                score *= AMBIGUITY_FACTOR
            best = max(best, score)
            if score >= min_confidence:
                kept.append((-score, entry[1], position, entry))
        if best_only:
            kept = [min(kept)] if kept else []
        else:
            kept.sort()
        threshold = self.config.auto_confirm_threshold
        weak = 0
        items = self.index.items
        for negative_score, gap, _, (raw_score, _, i, amount, ref, name, relation, converted) in kept:
            if -negative_score < threshold:
                weak += 1
                if weak > WEAK_PROPOSALS_PER_PAYMENT:
                    break
            open_mills = items[i].open_mills
            written_off = open_mills - amount if relation == "fee" else 0
            kind = relation if (ref or name >= NAME_STRONG) else "amount_only"
            out.append(
                (
                    negative_score,
                    order,
                    gap,
                    len(out),
                    ((i, min(amount, open_mills), written_off),),
                    relation != "partial",
                    kind,
                    (ref, name, relation, converted),
                    rivals if ambiguous and raw_score >= top - AMBIGUITY_MARGIN else 1,
                )
            )
        return best

    def _add_subsets(
        self,
        candidates: dict[int, None],
        ref_of: dict[int, float],
        name_of: dict[int, float],
        pay: int,
        orig_mills: int,
        currency: str,
        order: int,
        out: list[_Proposal],
    ) -> None:
        """One payment for several invoices of one counterparty: exact subset sums, bounded in size."""
        items = self.index.items

        def amount_of(i: int) -> int:
            return pay if items[i].currency == currency else orig_mills

        pool = [
            i
            for i in candidates
            if (name_of.get(i, 0.0) >= NAME_STRONG or ref_of.get(i, 0.0) >= REF_FUZZY)
            and 0 < items[i].open_mills < amount_of(i)
        ]
        if len(pool) < 2:
            return
        pool.sort(key=lambda i: (-ref_of.get(i, 0.0), -name_of.get(i, 0.0)))
        pool = pool[: self.config.max_subset_pool]
        target = amount_of(pool[0])
        pool = [i for i in pool if amount_of(i) == target]  # one currency per payment
        found: list[tuple[float, tuple[int, ...]]] = []
        for combo in _exact_sums([items[i].open_mills for i in pool], target, self.config.max_subset):
            invoices = tuple(pool[p] for p in combo)
            if len({items[i].core for i in invoices}) > 1:
                continue  # one transfer settles invoices of one counterparty
            size = len(invoices)
            hits = sum(1 for i in invoices if ref_of.get(i, 0.0) >= REF_FUZZY)
            if hits == size:
                score = 0.97
            elif hits:
                score = 0.9 + 0.03 * hits / size
            elif all(name_of.get(i, 0.0) >= NAME_STRONG for i in invoices):
                score = 0.88
            else:
                continue
            found.append((score, invoices))
        if not found:
            return
        found.sort(key=lambda f: -f[0])
        top = found[0][0]
        rivals = [f for f in found if f[0] >= top - AMBIGUITY_MARGIN]
        for score, invoices in rivals:
            if len(rivals) > 1:
                score *= AMBIGUITY_FACTOR
            if score < self.config.min_confidence:
                continue
            parts = tuple((i, items[i].open_mills, 0) for i in invoices)
            out.append((-score, order, 0, len(out), parts, True, "multi", None, len(rivals)))


def _exact_sums(opens: list[int], target: int, max_size: int) -> list[tuple[int, ...]]:
    """Positions of 2..max_size amounts in `opens` that add up to `target` exactly.

    Each combination is a sorted tuple of positions; pairs come first, then triples, then larger sets,
    each group in lexicographic order. Pairs and triples look the missing amount up (the triple loop
    walks the amounts in ascending order and stops once the rest cannot fit); larger subsets fall
    back to enumeration, which the pool bound keeps small.
    """
    by_open: dict[int, list[int]] = {}
    for pos, amount in enumerate(opens):
        by_open.setdefault(amount, []).append(pos)
    out: list[tuple[int, ...]] = []
    if max_size >= 2:
        for a, amount in enumerate(opens):
            for b in by_open.get(target - amount, ()):
                if b > a:
                    out.append((a, b))
    if max_size >= 3:
        out.extend(sorted(_triples(opens, target)))
    for size in range(4, max_size + 1):
        for combo in itertools.combinations(range(len(opens)), size):
            if sum(opens[p] for p in combo) == target:
                out.append(combo)
    return out


def _triples(opens: list[int], target: int) -> Iterator[tuple[int, ...]]:
    """Every set of three positions whose amounts add up to `target` (amounts are positive)."""
    ascending = sorted(range(len(opens)), key=opens.__getitem__)
    rank_by_open: dict[int, list[int]] = {}
    for rank, pos in enumerate(ascending):
        rank_by_open.setdefault(opens[pos], []).append(rank)
    for x, a in enumerate(ascending):
        if 3 * opens[a] > target:
            break
        for y in range(x + 1, len(ascending)):
            b = ascending[y]
            need = target - opens[a] - opens[b]
            if need < opens[b]:
                break  # every later amount is at least opens[b]
            for z in rank_by_open.get(need, ()):
                if z > y:
                    yield tuple(sorted((a, b, ascending[z])))


_RELATION_WORDS = {
    "exact": "amount equals the open amount",
    "fee": "amount short of the open amount by a bank fee",
    "overpaid": "amount exceeds the open amount",
    "partial": "amount is part of the open amount",
}


def _reason(
    items: list[IndexedInvoice],
    parts: _Parts,
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
