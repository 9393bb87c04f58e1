"""Choose the subtotal, tax amount, total and tax rate together, so that they agree.

Labels alone are ambiguous ("Total" heads a column, ends each tax-rate block and closes the
invoice). Every combination of the labelled candidates is scored by the candidates' own scores
plus a bonus for each check that holds: subtotal + tax = total, tax = subtotal x rate, the line
items sum to the subtotal. The winner's fields get a confidence that reflects which checks held.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

MAX_PER_FIELD = 6  # candidates kept per field: 7^3 combinations at most
# Amounts are Decimals as printed, whatever the currency's minor unit: a cent's tolerance is exact for
# whole yen and a little loose for dinars (3 decimals). What is stored is rounded to the currency's
# minor unit afterwards (`invoices.intake`, `invoisx.money`).
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmountCandidate:
    value: Decimal
    score: float
    line: int  # the line it was read from; later lines win ties (totals close the invoice)


Chosen = dict[str, tuple[Decimal, float]]


def _top(candidates: Iterable[AmountCandidate]) -> list[AmountCandidate | None]:
    """The strongest candidate for each distinct value, best first, and None (field absent)."""
    best: dict[Decimal, AmountCandidate] = {}
    for candidate in candidates:
        kept = best.get(candidate.value)
        if kept is None or (candidate.score, candidate.line) > (kept.score, kept.line):
            best[candidate.value] = candidate
    ranked = sorted(best.values(), key=lambda c: (c.score, c.line), reverse=True)
    return [*ranked[:MAX_PER_FIELD], None]


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= CENT


def _rate_fits(subtotal: Decimal, tax: Decimal, rate: Decimal) -> bool:
    return abs(subtotal * rate / 100 - tax) <= max(CENT, abs(tax) * Decimal("0.005"))


def choose_amounts(
    *,
    subtotal: list[AmountCandidate],
    tax: list[AmountCandidate],
    total: list[AmountCandidate],
    rates: list[Decimal],
    line_sum: Decimal | None,
) -> Chosen:
    """The best agreeing subtotal / tax_amount / total / tax_rate, each with a confidence."""
    distinct_rates = sorted(set(rates))
    best: tuple[float, tuple[AmountCandidate | None, ...], dict[str, bool]] | None = None
    for s, t, g in product(_top(subtotal), _top(tax), _top(total)):
        checks: dict[str, bool] = {}
        score = sum(c.score for c in (s, t, g) if c is not None)
        if s and t and g:
            checks["sum"] = _close(s.value + t.value, g.value)
        elif s and g and t is None:
            checks["sum"] = _close(s.value, g.value) and not distinct_rates
        if s and g and abs(g.value) < abs(s.value):
            score -= 1.0  # a total below the net amount
        if s and t and distinct_rates:
            checks["rate"] = any(_rate_fits(s.value, t.value, r) for r in distinct_rates)
        if s and line_sum is not None:
            checks["lines"] = _close(s.value, line_sum)
        score += sum(1.2 if name == "sum" else 0.4 for name, ok in checks.items() if ok)
        if best is None or score > best[0]:
            best = (score, (s, t, g), checks)
    chosen: Chosen = {}
    if best is None:
        return chosen
    _, (s, t, g), checks = best
    agreed = checks.get("sum", False)
    for name, candidate in (("subtotal", s), ("tax_amount", t), ("total", g)):
        if candidate is not None:
            confidence = 0.6 + 0.4 * candidate.score if agreed else 0.75 * candidate.score
            chosen[name] = (candidate.value, round(min(confidence, 0.99), 3))
    if s and t:
        fitting = [r for r in distinct_rates if _rate_fits(s.value, t.value, r)]
        if len(distinct_rates) == 1 and fitting:
            chosen["tax_rate"] = (fitting[0], 0.95)
        elif len(fitting) == 1 and len(distinct_rates) <= 2:
            chosen["tax_rate"] = (fitting[0], 0.6)
    elif len(distinct_rates) == 1 and t is not None:
        chosen["tax_rate"] = (distinct_rates[0], 0.5)
    return chosen
