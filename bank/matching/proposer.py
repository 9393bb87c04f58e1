"""Per payment: gather candidate invoices from the index, score them, propose the fitting ones.

Where the time goes at 100,000 invoices: folding the payment's texts, looking its reference runs up,
and gathering and scoring every invoice of the parties its name fits (a common name is shared by
dozens). The first pass of the engine needs only each payment's best proposal, and a payment quoting
one invoice's reference usually has a best that nothing else can reach: it is found from the few
invoices with the reference or the amount, without gathering the rest (`Proposer.propose`). So does a
partial payment or an instalment quoting one, when no combination of invoices could beat it
(`Proposer._best_of_likely`). When the rest must be gathered, those that cannot be the best go
unscored (`Proposer._score_likely`).
"""

import itertools
from collections.abc import Iterable

from bank.matching.index import REF_DIGITS, REF_EXACT, InvoiceIndex, entries, index_side
from bank.matching.normalise import core_words, fold, mills, original_amount, ref_candidates_folded, ref_key
from bank.matching.scoring import (
    AMBIGUITY_FACTOR,
    AMBIGUITY_MARGIN,
    NAME_STRONG,
    REF_FUZZY,
    REF_TAIL,
    WEAK_PROPOSALS_PER_PAYMENT,
    FeeRule,
    name_similarity,
    near_reference,
    score_of,
)
from bank.matching.subsets import exact_sums
from bank.matching.types import MatchConfig, Payment

# A proposal is a plain tuple, not a class: a large ledger makes millions, and the garbage collector
# stops tracking tuples of plain values, so they cost nothing in its full collections:
# (-confidence, payment position, date gap, creation sequence, parts, settles, kind, evidence, rivals).
# Sorting puts the best first, ties in statement order, and the sequence (unique within the payment)
# keeps the sort from ever comparing further. parts: ((invoice index, mills applied, mills written
# off), ...). settles: needs the invoices untouched (a partial payment only needs something open).
# evidence: an engine `_Evidence` as a plain tuple, None for a combination of invoices. rivals: proposals of
# the payment that fit equally well, 1 when unambiguous.
Parts = tuple[tuple[int, int, int], ...]
Proposal = tuple[float, int, int, int, Parts, bool, str, "tuple[float, float, str, bool] | None", int]


# A single-invoice score before the ambiguity check and the `min_confidence` cut, as a plain tuple
# (there is one per candidate): (score, date gap, invoice index, payment in the invoice's currency in
# mills, ref, name, relation, converted).
Scored = tuple[float, int, int, int, float, float, str, bool]


class _Payer:
    """Who a payment says pays (see `Proposer._payer`); its name cores are worked out when first asked."""

    __slots__ = (
        "account_hits",
        "cores",
        "cp_core",
        "cp_name",
        "direction",
        "known_account",
        "padded",
        "similarities",
        "spaced",
    )

    def __init__(
        self,
        account_hits: dict[int, float],
        known_account: str,
        direction: str,
        cp_name: str,
        cp_core: str,
        description: str,
        similarities: dict[str, float],
    ) -> None:
        self.account_hits = account_hits
        self.known_account = known_account
        self.direction = direction
        self.cp_name, self.cp_core = cp_name, cp_core
        self.padded = " " + description + " "
        self.spaced = f" {cp_name} {description} "  # the payer's name and the text, to look words up in
        self.similarities = similarities
        self.cores: dict[str, float] | None = None


# The best score of an invoice of the payment's amount whose reference is not in the text: at most its
# number's tail (`REF_TAIL`, looked for only among the named payer's invoices).
SAME_AMOUNT_CEILING = score_of(REF_TAIL, 1.0, "exact", False) or 0.0

# The score of a combination of the payer's invoices none of which has its reference in the text.
MULTI_BY_NAME = 0.88

# The best score of an invoice with neither the payment's amount nor a reference in the text.
NAME_ONLY_CEILING = max(score_of(0.0, 1.0, relation, False) or 0.0 for relation in ("fee", "overpaid", "partial"))

# The best score of an invoice without a reference found in the text (at most its number's tail,
# `REF_TAIL`: a typo'd reference is looked for only when no reference matched exactly) whose open
# amount differs from the payment's.
INEXACT_CEILING = max(
    score_of(ref, 1.0, relation, False) or 0.0 for ref in (0.0, REF_TAIL) for relation in ("fee", "overpaid", "partial")
)


def _clear_top(scored: list[Scored]) -> float | None:
    """The best score when no other comes within `AMBIGUITY_MARGIN` of it; None when one does or none scored."""
    if not scored:
        return None
    top = max(s[0] for s in scored)
    cut = top - AMBIGUITY_MARGIN
    return top if sum(1 for s in scored if s[0] >= cut) == 1 else None


class Proposer:
    """Turns one payment at a time into proposals; holds what is worth keeping between payments."""

    def __init__(self, index: InvoiceIndex, config: MatchConfig) -> None:
        self.index = index
        self.config = config
        self.fee_rule = FeeRule(config)
        self.shortcut = True  # tests turn it off to compare with the full gathering
        # (direction, folded payer name) -> counterparty core -> name similarity, -1.0 for a core with
        # no invoices that way: a payer pays many times, and each name fuzzy-matches dozens of cores.
        self.similarities: dict[tuple[str, str], dict[str, float]] = {}
        # The same payer and account come back on many lines: their normal forms are worked out once.
        self.payer_names: dict[str | None, tuple[str, str]] = {}  # counterparty -> (folded, core)
        # (counterparty account, allowed sides) -> (its invoices of those sides, the account's key when known)
        self.account_hits: dict[tuple[str, ...], tuple[dict[int, float], str]] = {}

    def propose(self, payment: Payment, order: int, *, best_only: bool = False) -> list[Proposal]:
        """The payment's proposals that clear `min_confidence`, in the order they were found.

        The same payment always gives the same proposals: the greedy pass asks again for a payment
        whose best proposal it refused. With `best_only` the single-invoice proposals are cut to the
        best one (its best proposal overall is still the least of the list).
        """
        out: list[Proposal] = []
        if payment.amount == 0:
            return out
        index = self.index
        direction = "sales" if payment.amount > 0 else "purchase"
        pay = mills(payment.amount)
        original = (
            (payment.original_amount, payment.original_currency)
            if payment.original_amount is not None and payment.original_currency
            else original_amount(payment.description)
        )
        orig_mills, orig_currency = (mills(original[0]), original[1]) if original else (0, "")

        description = fold(payment.description)
        reference = fold(payment.reference)
        # Banks often repeat the reference field in the description: its words are read once.
        text = description
        if reference and f" {reference} " not in f" {description} ":
            text = f"{description} {reference}".lstrip()
        refs = ref_candidates_folded(text)

        # Only invoices the money can be for: the right way, in a currency the payment names.
        sides = index.sides
        allowed = {index_side(direction, payment.currency), index_side(direction, orig_currency)}
        ref_of: dict[int, float] = {}
        by_ref, ref_lengths = index.by_ref, index.ref_lengths
        for r in refs:
            if len(r) not in ref_lengths:  # a cheap miss, before a lookup in a table far too large to cache
                continue
            held = by_ref.get(r)
            if held is None:
                continue
            for entry in (held,) if isinstance(held, int) else held:
                i, strength = (entry, REF_EXACT) if entry >= 0 else (-1 - entry, REF_DIGITS)
                if ref_of.get(i, 0.0) < strength and sides[i] in allowed:
                    ref_of[i] = strength
        # The typo check runs only when no reference matched exactly: a payment quoting one invoice
        # correctly is not also a misspelling of another.
        exact_hit = any(strength >= 0.9 for strength in ref_of.values())
        long_refs = [] if exact_hit else [r for r in refs if len(r) >= 5]
        words = set(text.split())
        payer = self._payer(payment, direction, description, allowed)
        same_amount = entries(index.by_amount.get((direction, payment.currency, pay)))
        if orig_currency:
            same_amount = [*same_amount, *entries(index.by_amount.get((direction, orig_currency, orig_mills)))]
        if best_only and exact_hit and self.shortcut:
            # Most payments quote one invoice's reference: when it scores above anything an invoice
            # of a different amount without a reference can reach, and above every other invoice with
            # the reference or the amount, it is the payment's best and the rest need not be gathered.
            names = {i: self._name_of_one(payer, i) for i in ref_of}
            scored = self._score_candidates(names, dict(ref_of), names, long_refs, words, payment, pay, orig_mills)
            top = max((s[0] for s in scored), default=0.0)
            if top - AMBIGUITY_MARGIN <= SAME_AMOUNT_CEILING and any(i not in names for i in same_amount):
                # An invoice of the same amount could come within the ambiguity margin: score them all.
                names.update((i, self._name_of_one(payer, i)) for i in same_amount if i not in names)
                scored = self._score_candidates(names, dict(ref_of), names, long_refs, words, payment, pay, orig_mills)
            clear_top = _clear_top(scored)
            if clear_top is not None and clear_top >= 0.95 and clear_top - AMBIGUITY_MARGIN > INEXACT_CEILING:
                self._add_singles(scored, order, out, best_only)
                return out
            likely = self._best_of_likely(payer, allowed, ref_of, same_amount, names, words, payment, pay, orig_mills)
            if likely is not None:
                self._add_singles(likely, order, out, best_only)
                return out

        name_of = self._gather_names(payer, direction, allowed)
        # Candidates in the order first seen: by reference, by name or account, by amount.
        candidates = dict.fromkeys(ref_of)
        candidates.update(dict.fromkeys(name_of))
        candidates.update(dict.fromkeys(same_amount))
        if best_only and exact_hit and self.shortcut:
            scored = self._score_likely(candidates, same_amount, ref_of, name_of, words, payment, pay, orig_mills)
        else:
            scored = self._score_candidates(candidates, ref_of, name_of, long_refs, words, payment, pay, orig_mills)
        best = self._add_singles(scored, order, out, best_only)
        if best < 0.95:
            self._add_subsets(candidates, ref_of, name_of, pay, orig_mills, payment.currency, order, out)
        return out

    def _score_candidates(
        self,
        candidates: Iterable[int],
        ref_of: dict[int, float],
        name_of: dict[int, float],
        long_refs: list[str],
        words: set[str],
        payment: Payment,
        pay: int,
        orig_mills: int,
    ) -> list[Scored]:
        """Score each candidate on its own, in order; `ref_of` gets the references the scoring settles."""
        items = self.index.items
        # Several parties use the same invoice numbers: once the payer is named as the party of one
        # invoice carrying the reference, the same number on another party's invoice is a coincidence.
        payer_named = any(name_of.get(i, 0.0) >= NAME_STRONG for i, strength in ref_of.items() if strength >= 0.9)
        day = payment.date.toordinal()
        days_before, days_after = self.config.days_before_invoice, self.config.days_after_due
        currency = payment.currency
        fee_limit = self.fee_rule.limit
        scored: list[Scored] = []
        for i in candidates:
            item = items[i]
            ref = ref_of.get(i, 0.0)
            name = name_of.get(i, 0.0)
            if payer_named and name < NAME_STRONG and ref:
                ref = 0.0
                del ref_of[i]
            if ref == 0:
                if long_refs and near_reference(item.keys, long_refs):
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
                relation = "fee" if open_mills - amount <= fee_limit(open_mills) else "partial"
            score = score_of(ref, name, relation, converted)
            if score is None:
                continue
            if item.invoice_day - day > days_before or day - item.due_day > days_after:
                score -= 0.2
            scored.append((score, abs(day - item.due_day), i, amount, ref, name, relation, converted))
        return scored

    def _best_of_likely(
        self,
        payer: _Payer,
        allowed: set[str],
        ref_of: dict[int, float],
        same_amount: Iterable[int],
        names: dict[int, float],
        words: set[str],
        payment: Payment,
        pay: int,
        orig_mills: int,
    ) -> list[Scored] | None:
        """The scored likely candidates of a payment quoting a reference exactly, when they alone
        decide its best proposal; None when the payer's other invoices must be gathered.

        A partial payment or an instalment scores below the shortcut's bar. Its likely candidates
        are the invoices with the reference, the amount, or the payer's invoices whose number's tail
        is in the text. When their best is unambiguous and beyond what any other invoice reaches
        alone (`NAME_ONLY_CEILING`) or in a combination without a referenced invoice
        (`MULTI_BY_NAME`), and no referenced invoice fits in a combination, nothing else can be the
        best. `names` (the name found for each invoice so far) gets the likely candidates' names.
        """
        index = self.index
        items, sides = index.items, index.sides
        names.update((i, self._name_of_one(payer, i)) for i in same_amount if i not in names)
        for word in words:
            if word.isdigit():
                for i in entries(index.by_tail.get(word)):
                    if i not in names and sides[i] in allowed:
                        name = self._name_of_one(payer, i)
                        if name >= NAME_STRONG:  # a tail counts only for the payer's own invoices
                            names[i] = name
        refs = dict(ref_of)
        scored = self._score_candidates(names, refs, names, [], words, payment, pay, orig_mills)
        top = _clear_top(scored)
        if top is None or top - AMBIGUITY_MARGIN <= NAME_ONLY_CEILING or top <= MULTI_BY_NAME:
            return None
        for i, strength in refs.items():
            item = items[i]
            amount = pay if item.currency == payment.currency else orig_mills
            if strength >= REF_FUZZY and 0 < item.open_mills < amount:
                return None  # a combination with a referenced invoice could score higher
        return scored

    def _score_likely(
        self,
        candidates: dict[int, None],
        same_amount: Iterable[int],
        ref_of: dict[int, float],
        name_of: dict[int, float],
        words: set[str],
        payment: Payment,
        pay: int,
        orig_mills: int,
    ) -> list[Scored]:
        """What `_score_candidates` gives for choosing the best proposal, without scoring what cannot be.

        For a payment quoting a reference exactly (so no typo check runs): an invoice without a
        reference, its number's tail or the payment's amount in the text scores at most
        `NAME_ONLY_CEILING`. When the others' best is unambiguous and above that by more than the
        ambiguity margin, those invoices are neither the best proposal nor its rivals, and a payer's
        dozens of other invoices go unscored; they score nothing into `ref_of` either.
        """
        items = self.index.items
        amount_hits = set(same_amount)
        likely = [
            i for i in candidates if i in ref_of or i in amount_hits or (items[i].tail != "" and items[i].tail in words)
        ]
        scored = self._score_candidates(likely, ref_of, name_of, [], words, payment, pay, orig_mills)
        if len(likely) == len(candidates):
            return scored
        top = _clear_top(scored)
        if top is not None and top - AMBIGUITY_MARGIN > NAME_ONLY_CEILING:
            return scored
        # Scoring again is the same for the likely ones: what the first round put into `ref_of` it reads back.
        return self._score_candidates(candidates, ref_of, name_of, [], words, payment, pay, orig_mills)

    def _payer(self, payment: Payment, direction: str, description: str, allowed: set[str]) -> _Payer:
        """Who the payment says pays: its account's invoices, and the counterparty cores its names fit.

        The account hits are the invoices (of an `allowed` side) recorded with the payment's account;
        `known_account` is that account when the ledger knows it at all. The counterparty cores whose
        name appears as the payment's counterparty or in its text come from `_cores` when needed.
        """
        index = self.index
        sides = index.sides
        account_hits: dict[int, float] = {}
        known_account = ""
        if payment.counterparty_account:
            # Shared between the payments from one account to one side: nobody changes them.
            key = (payment.counterparty_account, *sorted(allowed))
            cached = self.account_hits.get(key)
            if cached is None:
                account = ref_key(payment.counterparty_account)
                for i in index.by_account.get(account, ()):
                    if sides[i] in allowed:
                        account_hits[i] = 1.0
                    known_account = account
                cached = self.account_hits[key] = (account_hits, known_account)
            account_hits, known_account = cached
        names = self.payer_names.get(payment.counterparty)
        if names is None:
            cp_folded = fold(payment.counterparty)
            names = self.payer_names[payment.counterparty] = (cp_folded, " ".join(core_words(cp_folded)))
        cp_name, cp_core = names
        similarities = self.similarities.get((direction, cp_name))
        if similarities is None:
            similarities = self.similarities[direction, cp_name] = {}
        return _Payer(account_hits, known_account, direction, cp_name, cp_core, description, similarities)

    def _cores(self, payer: _Payer) -> dict[str, float]:
        """Each core whose name appears as the payer or in the text, with its name score (above 0)."""
        if payer.cores is None:
            heads: dict[str, None] = {}
            by_name_head = self.index.by_name_head
            for a, b in itertools.pairwise(payer.spaced.split()):
                head = by_name_head.get(a + " " + b)
                if head:
                    heads.update(head)
            payer.cores = {}
            for core in heads:
                score = self._core_score(payer, core)
                if score > 0:
                    payer.cores[core] = score
        return payer.cores

    def _core_score(self, payer: _Payer, core: str) -> float:
        """The name score of a core whose first two words appear as a pair of the payer's words."""
        score = payer.similarities.get(core)
        if score is None:
            by_account = self.index.by_core.get((payer.direction, core))
            # The name of the first invoice stands for the counterparty: all share the core.
            score = payer.similarities[core] = (
                name_similarity(payer.cp_name, payer.cp_core, self.index.items[next(iter(by_account.values()))[0]])
                if by_account
                else -1.0
            )
        if score < 0:
            return 0.0
        if score < NAME_STRONG and " " + core + " " in payer.padded:
            score = max(score, 0.9)
        return score

    def _one_core(self, payer: _Payer, core: str) -> float:
        """`_cores(payer).get(core, 0.0)`, without working out the payer's other cores."""
        if payer.cores is not None:
            return payer.cores.get(core, 0.0)
        head = " ".join(core.split()[:2])  # the `by_name_head` key of the core
        if " " not in head or " " + head + " " not in payer.spaced:
            return 0.0
        return self._core_score(payer, core)

    def _gather_names(self, payer: _Payer, direction: str, allowed: set[str]) -> dict[int, float]:
        """Invoices whose counterparty appears as the payment's counterparty, account or in its text.

        Only invoices whose side (`index_side`) is `allowed`, each with its best name similarity, in
        the order first found. When the payment's account is one the ledger knows, a similar name on
        invoices recorded with a different account is another party of that name, not the payer: it
        earns no name credit.
        """
        index = self.index
        sides = index.sides
        found = dict(payer.account_hits)
        by_account_hits = bool(found)
        known_account = payer.known_account
        by_core = index.by_core
        core_sides = index.core_sides
        for core, score in self._cores(payer).items():
            by_account = by_core[direction, core]
            if by_account_hits:
                # The known account's own invoices are all in `found` already at 1.0 (or not admissible).
                groups = [by_account.get("", [])]
            elif known_account:
                groups = [by_account.get(known_account, []), by_account.get("", [])]
            else:
                groups = list(by_account.values())
            # None of these is in `found` yet: an invoice belongs to one core, and the account hits are
            # the known account's own invoices, left out above.
            if core_sides[direction, core] in allowed:
                for members in groups:
                    found.update(dict.fromkeys(members, score))
                continue
            for members in groups:
                for i in members:
                    if sides[i] in allowed:
                        found[i] = score
        return found

    def _name_of_one(self, payer: _Payer, i: int) -> float:
        """What `_gather_names` finds for invoice i (0.0 when nothing), for an i of an allowed side."""
        if i in payer.account_hits:
            return 1.0
        item = self.index.items[i]
        score = self._one_core(payer, item.core) if item.core else 0.0
        if score <= 0:
            return 0.0
        if payer.account_hits:
            return score if item.account == "" else 0.0
        if payer.known_account:
            return score if item.account in ("", payer.known_account) else 0.0
        return score

    def _add_singles(self, scored: list[Scored], order: int, out: list[Proposal], best_only: bool) -> float:
        """Propose each scored invoice on its own; returns the best confidence after the ambiguity check.

        Several invoices fitting a payment equally well lowers them all rather than picking one. Of the
        proposals below the auto-confirm threshold only the best `WEAK_PROPOSALS_PER_PAYMENT` are kept;
        with `best_only`, only the best of all.
        """
        if not scored:
            return 0.0
        top = max(s[0] for s in scored)
        cut = top - AMBIGUITY_MARGIN
        rivals = sum(1 for s in scored if s[0] >= cut)
        ambiguous = rivals > 1
        best = 0.0
        min_confidence = self.config.min_confidence
        kept: list[tuple[float, int, int, Scored]] = []  # (-confidence, gap, position, scored)
        if best_only:
            # The least of what `kept` would hold: highest confidence, then smallest gap, then first.
            chosen: Scored | None = None
            chosen_score, chosen_gap = 0.0, 0
            for entry in scored:
                score = entry[0]
                if ambiguous and score >= cut:
                    score *= AMBIGUITY_FACTOR
                if score > best:
                    best = score
                if score >= min_confidence and (
                    chosen is None or score > chosen_score or (score == chosen_score and entry[1] < chosen_gap)
                ):
                    chosen, chosen_score, chosen_gap = entry, score, entry[1]
            if chosen is not None:
                kept.append((-chosen_score, chosen_gap, 0, chosen))
        else:
            for position, entry in enumerate(scored):
                score = entry[0]
                if ambiguous and score >= cut:
                    score *= AMBIGUITY_FACTOR
                best = max(best, score)
                if score >= min_confidence:
                    kept.append((-score, entry[1], position, entry))
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
                    rivals if ambiguous and raw_score >= cut else 1,
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
        out: list[Proposal],
    ) -> None:
        """One payment for several invoices of one counterparty: exact subset sums, bounded in size."""
        items = self.index.items

        def amount_of(i: int) -> int:
            return pay if items[i].currency == currency else orig_mills

        larger = max(pay, orig_mills)  # the amount tested first, as most invoices are not below it
        pool = [
            i
            for i in candidates
            if 0 < items[i].open_mills < larger
            and items[i].open_mills < amount_of(i)
            and (name_of.get(i, 0.0) >= NAME_STRONG or ref_of.get(i, 0.0) >= REF_FUZZY)
        ]
        if len(pool) < 2:
            return
        pool.sort(key=lambda i: (-ref_of.get(i, 0.0), -name_of.get(i, 0.0)))
        pool = pool[: self.config.max_subset_pool]
        target = amount_of(pool[0])
        pool = [i for i in pool if amount_of(i) == target]  # one currency per payment
        found: list[tuple[float, tuple[int, ...]]] = []
        for combo in exact_sums([items[i].open_mills for i in pool], target, self.config.max_subset):
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
                score = MULTI_BY_NAME
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
