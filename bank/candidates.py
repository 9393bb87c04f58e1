"""Open invoices offered for matching one bank line by hand, best first.

Only invoices that line could pay: the company's open invoices of its direction (money in pays sales
invoices, money out purchase invoices) and in its currency. They are ranked as Xero ranks a manual
match: the smallest difference between what the invoice still owes and the line's amount first, then
the invoice number found in the line's text, then the counterparty's name found there, then the due
date (or invoice date) nearest the booking date.

The database orders by the amount difference and hands over the closest `CANDIDATE_POOL` rows; the
finer ranking of those is done here with the matching engine's normal forms.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Func, Q, QuerySet

from bank.matching.normalise import core_words, fold, ref_candidates_folded, ref_key
from bank.models import BankTransaction
from bank.selectors import open_invoices
from invoices.models import Direction, Invoice
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

CANDIDATE_POOL = 2000  # the closest in amount; a search narrows a longer list
SENSIBLE_SHARE = Decimal("0.05")  # a named invoice off by at most this share of the amount is preselected

_MONEY: DecimalField = DecimalField(max_digits=MONEY_MAX_DIGITS + 1, decimal_places=MONEY_DECIMAL_PLACES)


@dataclass(frozen=True)
class Candidate:
    """One invoice offered for a line, with what made it rank where it does."""

    pk: int
    difference: Decimal  # |owed - the line's amount|, in the line's currency
    reference_hit: bool  # the invoice number appears in the line's text
    name_hit: bool  # the counterparty's name appears in the line's text
    days: int  # from the booking date to the invoice's due (or invoice) date, unsigned

    @property
    def rank(self) -> tuple[Decimal, bool, bool, int, int]:
        return (self.difference, not self.reference_hit, not self.name_hit, self.days, self.pk)


def candidate_invoices(*, line: BankTransaction, search: str = "") -> QuerySet[Invoice]:
    """The open invoices the line could pay, optionally narrowed by a number or name search."""
    direction = Direction.SALES if line.amount > 0 else Direction.PURCHASE
    queryset = open_invoices(company=line.company).filter(direction=direction, currency=line.currency)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(invoice_number__icontains=search) | Q(buyer__name__icontains=search) | Q(supplier_name__icontains=search)
        )
    owed = ExpressionWrapper(
        F("total") - F("amount_paid") - F("amount_written_off") - F("amount_credited"), output_field=_MONEY
    )
    return queryset.annotate(owed=owed).filter(owed__gt=0)


def match_candidates(*, line: BankTransaction, search: str = "") -> list[Candidate]:
    """The ranked candidates for the line (at most `CANDIDATE_POOL`), best first."""
    amount = abs(line.amount)
    rows = (
        candidate_invoices(line=line, search=search)
        .annotate(difference=Func(F("owed") - amount, function="ABS", output_field=_MONEY))
        .order_by("difference", "pk")
        .values_list("pk", "difference", "invoice_number", "buyer__name", "supplier_name", "due_date", "invoice_date")
    )[:CANDIDATE_POOL]
    text = fold(" ".join(filter(None, [line.description, line.reference, line.counterparty])))
    references = set(ref_candidates_folded(text))
    words = set(text.split())
    candidates = [
        Candidate(
            pk=pk,
            difference=Decimal(difference),
            reference_hit=_reference_in(number, references),
            name_hit=_name_in(buyer_name or supplier_name, words),
            days=_days(line.date, due_date or invoice_date),
        )
        for pk, difference, number, buyer_name, supplier_name, due_date, invoice_date in rows
    ]
    return sorted(candidates, key=lambda candidate: candidate.rank)


def preselected(*, line: BankTransaction, candidates: list[Candidate]) -> int | None:
    """The best candidate's pk when it is a sensible match: the exact amount and no equal rival (the same
    amount twice needs the number or name to tell them apart), or its number or name in the line's text
    and the amount within a few percent. None otherwise: nothing is chosen for the person."""
    if not candidates:
        return None
    best = candidates[0]
    named = best.reference_hit or best.name_hit
    if best.difference == 0:
        rival = len(candidates) > 1 and candidates[1].difference == 0
        if not rival or (named and not (candidates[1].reference_hit or candidates[1].name_hit)):
            return best.pk
        return None
    if named and best.difference <= abs(line.amount) * SENSIBLE_SHARE:
        return best.pk
    return None


def _reference_in(number: str, references: set[str]) -> bool:
    key = ref_key(number)
    return len(key) >= 3 and key in references


def _name_in(name: str | None, words: set[str]) -> bool:
    core = core_words(fold(name))
    return bool(core) and all(word in words for word in core)


def _days(booked: datetime.date, due: datetime.date | None) -> int:
    return abs((due - booked).days) if due else 10**6
