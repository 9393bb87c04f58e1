"""One CSV column typed by its content: dates and their order, amounts and their decimal mark, marks.

`Column` measures what share of a column's values read as each type and whether the content agrees
with a role a header proposes (`accepts`). Date order and decimal mark are voted once per column over
a sample of its values; the file-wide votes (`order_hint`, `decimal_hint`) settle a column whose own
values cannot decide ("03/04/2026", "1,234").
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from bank.statements.headers import CREDIT_MARKS, DEBIT_MARKS, normalise_header
from bank.statements.result import normalise_text
from reading.amounts import decimal_mark_vote, parse_amount
from reading.currencies import currency_code
from reading.dates import date_orders, parse_date_in_order

# A column takes a typed role when at least this share of its non-empty cells read as that type.
TYPED_SHARE = 0.8
# Typing a column and voting on its date order and decimal mark look at this many of its values.
VOTE_SAMPLE = 2000


@dataclass
class Column:
    index: int
    header: str
    values: list[str]
    decimal_hint: str | None = None
    order_hint: str | None = None
    name: str = ""
    header_currency: str | None = None

    def __post_init__(self) -> None:
        self.name, self.header_currency = normalise_header(self.header)

    @cached_property
    def filled(self) -> list[str]:
        return [v for v in self.values if v]

    @cached_property
    def sample(self) -> list[str]:
        """The non-empty values shares are measured on: typing a column needs no more."""
        return self.filled[:VOTE_SAMPLE]

    @cached_property
    def constant(self) -> bool:
        return len(self.values) >= 2 and len(set(self.values)) == 1 and bool(self.values[0])

    @cached_property
    def date_order(self) -> str | None:
        votes: Counter[str] = Counter()
        for value in self.sample:
            votes.update(date_orders(value))
        if not votes:
            return None
        best = max(votes.values())
        tied = [order for order in ("ymd", "dmy", "mdy", "named") if votes[order] == best]
        if len(tied) > 1 and self.order_hint in tied:
            return self.order_hint
        return tied[0]

    @cached_property
    def unsettled_date(self) -> str | None:
        """A value that reads as two different dates when nothing settled day-first or month-first.

        The column then reads day-first only to be typed; the reader refuses it rather than guess.
        """
        if self.order_hint is not None or self.date_order not in ("dmy", "mdy"):
            return None
        votes: Counter[str] = Counter()
        for value in self.sample:
            votes.update(date_orders(value))
        if votes["dmy"] != votes["mdy"]:
            return None
        for value in self.sample:
            day_first, month_first = parse_date_in_order(value, "dmy"), parse_date_in_order(value, "mdy")
            if day_first is not None and month_first is not None and day_first != month_first:
                return value
        return None

    @cached_property
    def dates(self) -> list[date | None]:
        order = self.date_order
        return [parse_date_in_order(v, order) if order else None for v in self.values]

    @cached_property
    def date_share(self) -> float:
        order = self.date_order
        return self.share(lambda v: order is not None and parse_date_in_order(v, order) is not None)

    @cached_property
    def decimal_mark(self) -> str | None:
        votes = Counter(vote for v in self.sample if (vote := decimal_mark_vote(v)))
        if votes and votes["."] != votes[","]:
            return votes.most_common(1)[0][0]
        return self.decimal_hint

    @cached_property
    def amounts(self) -> list[Decimal | None]:
        return [parse_amount(v, decimal_hint=self.decimal_mark, holder_side=True) for v in self.values]

    @cached_property
    def amount_share(self) -> float:
        if self.date_share >= TYPED_SHARE:
            return 0.0
        return self.share(lambda v: parse_amount(v, decimal_hint=self.decimal_mark, holder_side=True) is not None)

    @cached_property
    def fractional(self) -> bool:
        """Most amounts carry decimals: money, not a count or a code."""
        return self.share(lambda v: bool(re.search(r"[.,]\d{1,2}(?:\D*)$", v))) >= 0.5

    def share(self, test: Callable[[str], bool]) -> float:
        return share_of(sum(1 for v in self.sample if test(v)), len(self.sample))

    def accepts(self, role: str) -> bool:
        """Whether the content agrees with a role a header proposed."""
        if not self.filled:
            return role in ("debit", "credit", "description", "counterparty", "reference")
        if role in ("date", "value_date", "period_from", "period_to"):
            return self.date_share >= TYPED_SHARE
        if role in ("amount", "balance", "opening", "closing"):
            return self.amount_share >= TYPED_SHARE
        if role in ("debit", "credit"):
            # The side a row does not use may hold "-" or "n/a" instead of nothing.
            money = [v for v in self.sample if not is_placeholder(v)]
            readable = sum(
                1 for v in money if parse_amount(v, decimal_hint=self.decimal_mark, holder_side=True) is not None
            )
            return not money or share_of(readable, len(money)) >= TYPED_SHARE
        if role == "currency":
            return self.share(lambda v: currency_code(v) is not None) >= TYPED_SHARE
        if role == "indicator":
            return self.share(is_mark) >= TYPED_SHARE
        if role == "account":  # a bank writes its customer's account on every row
            return len(self.filled) == len(self.values) and self.share(has_digits) >= TYPED_SHARE
        if role == "counterparty_account":
            return self.share(has_digits) >= TYPED_SHARE
        if role == "reference":  # references may be all digits, but not money
            return self.date_share < TYPED_SHARE and not (self.amount_share >= TYPED_SHARE and self.fractional)
        return self.date_share < TYPED_SHARE and self.amount_share < TYPED_SHARE


# What exports print in an empty cell: not an amount, but not an unreadable one either.
_PLACEHOLDER = re.compile(r"^(?:[-–—.*/]+|n/?a|nil|none|null)$", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value))


def has_digits(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 4


def share_of(count: int, total: int) -> float:
    return count / total if total else 0.0


def _mark(value: str) -> str:
    return normalise_text(value).rstrip(".")


def is_mark(value: str) -> bool:
    return _mark(value) in DEBIT_MARKS | CREDIT_MARKS


def sign_of_mark(value: str) -> int:
    mark = _mark(value)
    if mark in DEBIT_MARKS:
        return -1
    if mark in CREDIT_MARKS:
        return 1
    return 0
