"""The rows of a PDF statement's table, and their signs worked out from the running balance.

`pdf` reads each table line into a `Row`: its date, description and amounts by column role. Where a
line's amount carries no sign and the columns give no direction, `signs` finds the direction that moves
each printed balance to the next (the fewest credits where several do); `reread` takes the other
reading of a line read as "amount, balance" where the balances refute it and confirm the other; and
`confirms` says whether an opening balance printed above the table fits the lines up to the first
printed balance. See `pdf` for the whole story.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product

from reading.lines import WordRun
from reading.words import Word

# Sign searches over a day's lines between two printed balances stop at this many lines.
MAX_SIGN_SEARCH = 12


@dataclass
class Money(WordRun):
    value: Decimal
    signed: bool  # carried its own sign: "-", "()", "CR"/"DR"
    words: list[Word]


@dataclass
class Reading:
    amount: Money
    description: str


@dataclass
class Row:
    date: datetime.date | None
    description: list[str]
    amounts: dict[str, Decimal] = field(default_factory=dict)  # role -> value as printed (signed if marked)
    marked: set[str] = field(default_factory=set)  # roles whose amount carried its own sign
    value_date: datetime.date | None = None
    page: int = 0
    y1: float = 0.0
    # Without a heading, a line with two amounts reads as "amount, balance"; the other reading: its last
    # amount is the line's, the number before it part of the description ("CCC GBP 14.80 0.40").
    alternative: Reading | None = None


def signs(rows: list[Row], opening: Decimal | None) -> list[int]:
    """The direction of each unsigned single-column amount, from the running balance where it can tell."""
    # A column that prints money out as "-12.50" or "(12.50)" prints money in without a sign.
    if any("amount" in r.marked and r.amounts["amount"] < 0 for r in rows):
        return [1] * len(rows)
    signs = [-1] * len(rows)
    settled: set[int] = set()
    previous = opening
    since: list[int] = []  # the rows after the last printed balance, up to this one
    for index, row in enumerate(rows):
        since.append(index)
        if "balance" not in row.amounts:
            continue
        balance = row.amounts["balance"]
        unknown = [i for i in since if "amount" in rows[i].amounts and "amount" not in rows[i].marked]
        if previous is not None and unknown:
            fixed = sum((fixed_amount(rows[i]) for i in since if i not in unknown), Decimal(0))
            if _settle(rows, unknown, balance - previous - fixed, signs):
                settled.update(unknown)
        previous, since = balance, []
    _sign_like_settled(rows, settled, signs)
    return signs


def fixed_amount(row: Row) -> Decimal:
    amounts = row.amounts
    if "debit" in amounts or "credit" in amounts:
        return abs(amounts.get("credit", Decimal(0))) - abs(amounts.get("debit", Decimal(0)))
    return amounts.get("amount", Decimal(0)) if "amount" in row.marked else Decimal(0)


def _settle(rows: list[Row], group: list[int], change: Decimal, signs: list[int]) -> bool:
    """Signs for the lines in `group` that add up to `change`, preferring the fewest credits; whether any do."""
    if len(group) > MAX_SIGN_SEARCH:
        return False
    best = _combination([abs(rows[i].amounts["amount"]) for i in group], change)
    if best is None:
        return False
    for index, sign in zip(group, best, strict=True):
        signs[index] = sign
    return True


def _sign_like_settled(rows: list[Row], settled: set[int], signs: list[int]) -> None:
    """An unsigned line the balances did not settle takes the direction of the settled lines with its
    description, where they all agree."""
    directions: dict[str, set[int]] = {}
    for index in settled:
        directions.setdefault(_description_key(rows[index]), set()).add(signs[index])
    for index, row in enumerate(rows):
        if index in settled or "amount" not in row.amounts or "amount" in row.marked:
            continue
        found = directions.get(_description_key(row), set())
        if len(found) == 1:
            signs[index] = next(iter(found))


def _description_key(row: Row) -> str:
    return " ".join(" ".join(row.description).casefold().split())


def _combination(values: list[Decimal], change: Decimal) -> tuple[int, ...] | None:
    """The signs for `values` that add up to `change` with the fewest credits, if any."""
    best: tuple[int, ...] | None = None
    for combination in product((-1, 1), repeat=len(values)):
        if sum(v * s for v, s in zip(values, combination, strict=True)) == change and (
            best is None or combination.count(1) < best.count(1)
        ):
            best = combination
    return best


def _fits(rows: list[Row], change: Decimal) -> bool | None:
    """Whether the amounts of `rows` can move a running balance by `change`; None when too many to try."""
    unknown = [r for r in rows if "amount" in r.amounts and "amount" not in r.marked]
    if len(unknown) > MAX_SIGN_SEARCH:
        return None
    fixed = sum((fixed_amount(r) for r in rows if all(r is not u for u in unknown)), Decimal(0))
    return _combination([abs(r.amounts["amount"]) for r in unknown], change - fixed) is not None


def confirms(rows: list[Row], opening: Decimal) -> bool:
    """Whether the lines up to the first printed balance can move `opening` to it."""
    first = next((i for i, r in enumerate(rows) if "balance" in r.amounts), None)
    if first is None:
        return False
    return bool(_fits(rows[: first + 1], rows[first].amounts["balance"] - opening))


def reread(rows: list[Row], opening: Decimal | None) -> None:
    """Takes the other reading of a line read as "amount, balance" (see `Row.alternative`) where the running
    balance refutes the printed one (no signs move the balance before it to it, or it to the next) and
    confirms the other (the line's last amount moves the balance before it to the next one)."""
    marks = [i for i, row in enumerate(rows) if "balance" in row.amounts]
    previous, start = opening, 0  # the last balance kept, and the first row after it
    for position, index in enumerate(marks):
        row = rows[index]
        balance = row.amounts["balance"]
        following = marks[position + 1] if position + 1 < len(marks) else None
        if row.alternative is not None and previous is not None and following is not None:
            after = rows[following].amounts["balance"]
            refuted = _fits(rows[start : index + 1], balance - previous) is False or (
                _fits(rows[index + 1 : following + 1], after - balance) is False
            )
            other = Row(date=row.date, description=[], amounts={"amount": row.alternative.amount.value})
            if row.alternative.amount.signed:
                other.marked.add("amount")
            span = [*rows[start:index], other, *rows[index + 1 : following + 1]]
            if refuted and _fits(span, after - previous):
                row.amounts, row.marked = other.amounts, other.marked
                row.description[0] = row.alternative.description
                row.alternative = None
                continue
        previous, start = balance, index + 1
