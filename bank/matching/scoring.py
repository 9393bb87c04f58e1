"""How well one invoice fits one payment: name similarity, reference closeness and the score table."""

import difflib
import functools
import math

from bank.matching.index import IndexedInvoice
from bank.matching.normalise import MILLS, within_one_edit
from bank.matching.types import MatchConfig

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


@functools.lru_cache(maxsize=65536)
def fuzzy_ratio(a: str, b: str) -> float:
    """difflib's similarity ratio of a and b, or 0.0 where it is certainly below `NAME_FUZZY`."""
    if abs(len(a) - len(b)) > max(len(a), len(b)) * 0.25:
        return 0.0
    # The characters a and b have in common (as multisets) bound the ratio from above, like difflib's
    # quick_ratio, and rule out most pairs of different names without the much slower full ratio.
    if 2.0 * sum([min(a.count(c), b.count(c)) for c in set(a)]) / (len(a) + len(b)) < NAME_FUZZY:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def name_similarity(payment_name: str, payment_core: str, item: IndexedInvoice) -> float:
    if not payment_core:
        return 0.0
    if payment_core == item.core:
        return 1.0
    # Banks cut names at 18-35 characters; a long enough prefix of the full name is the same party.
    if len(payment_name) >= 10 and item.full_name.startswith(payment_name):
        return 0.95
    if len(payment_core) >= 10 and item.core.startswith(payment_core):
        return 0.9
    ratio = fuzzy_ratio(payment_core, item.core)
    return ratio * 0.95 if ratio >= NAME_FUZZY else 0.0


_WITH_REF = {"exact": 0.97, "fee": 0.92, "overpaid": 0.88, "partial": 0.88}
_WITH_NAME = {"exact": 0.9, "fee": 0.8, "overpaid": 0.6, "partial": 0.45}


@functools.lru_cache(maxsize=8192)  # few distinct arguments, called for every candidate
def score_of(ref: float, name: float, relation: str, converted: bool) -> float | None:
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


def near_reference(keys: tuple[str, ...], long_refs: list[str]) -> bool:
    """A reference in the text is one typo away from, or the tail of, one of the invoice's keys."""
    for key in keys:
        for ref in long_refs:
            if within_one_edit(ref, key) or (len(ref) >= 6 and key.endswith(ref)):
                return True
    return False


class FeeRule:
    """The largest shortfall (mills) of a payment on an open amount that still counts as a bank fee.

    The config's rule, max(fee_fixed, fee_percent * open + fee_percent_fixed) capped at fee_max_share
    * open and floored to a whole mill, in integers: every setting is a fraction n / d, all are put
    over one common denominator, and floor(min(max(a, b), c)) is min(max(a, b), c) // denominator.
    Exactly what the Decimal arithmetic gives (it is exact at these sizes), at a fraction of its cost.
    """

    __slots__ = ("denominator", "fixed", "max_share", "percent", "percent_fixed")

    def __init__(self, config: MatchConfig) -> None:
        ratios = [
            (config.fee_fixed * MILLS).as_integer_ratio(),
            config.fee_percent.as_integer_ratio(),
            (config.fee_percent_fixed * MILLS).as_integer_ratio(),
            config.fee_max_share.as_integer_ratio(),
        ]
        denominator = math.lcm(*(d for _, d in ratios))
        self.denominator = denominator
        self.fixed, self.percent, self.percent_fixed, self.max_share = (n * (denominator // d) for n, d in ratios)

    def limit(self, open_mills: int) -> int:
        share = self.percent * open_mills + self.percent_fixed
        return min(max(self.fixed, share), self.max_share * open_mills) // self.denominator
