"""The role of each column of a CSV statement: date, amount, debit, credit, balance, description...

Headers propose a role and the content must agree (`Column.accepts`); roles no header claimed are
then given by content: among several date columns the booking date is the one latest in the most rows
(a booking follows the transaction), the running balance is the numeric column that moves by each
row's amount (`balance_chain`), and text columns that are neither constant nor codes make the
description. `row_amount` reads a row's signed amount from the columns so assigned.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from bank.statements.csv_columns import TYPED_SHARE, Column, is_mark, sign_of_mark
from bank.statements.headers import header_roles
from bank.statements.parsing import is_iban, looks_like_iban
from reading.amounts import amount_marker
from reading.currencies import currency_code

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_CODE = re.compile(r"^[A-Z0-9]{1,4}$")


@dataclass
class Roles:
    single: dict[str, Column] = field(default_factory=dict)
    description: list[Column] = field(default_factory=list)
    counterparty: list[Column] = field(default_factory=list)
    balance_before: bool = False  # the balance column gives the balance before each row
    balance_reversed: bool = False  # the balance runs from the last row up (newest first)
    chained: bool = False  # the balance column moves by each row's amount (so balances can be derived)
    card: bool = False  # a card statement: spend printed positive, payments marked CR or negative

    def assigned(self) -> set[int]:
        columns = [*self.single.values(), *self.description, *self.counterparty]
        return {c.index for c in columns}


def assign_roles(columns: list[Column], has_header: bool) -> Roles:
    roles = Roles()
    if has_header:
        proposals = [(score, -c.index, role, c) for c in columns for score, role in header_roles(c.name)]
        for _score, _, role, column in sorted(proposals, key=lambda p: (p[0], p[1]), reverse=True):
            if column.index in roles.assigned() or not column.accepts(role):
                continue
            if role in ("description", "counterparty"):
                # Text the same on every row describes the account, and "DEBIT"/"CREDIT" is a direction.
                if not column.constant and column.share(is_mark) < 0.95:
                    getattr(roles, role).append(column)
                continue
            if role == "account" and role in roles.single:
                role = "counterparty_account"  # a second account column is the other party's
            if role not in roles.single:
                roles.single[role] = column
    roles.description.sort(key=lambda c: c.index)
    roles.counterparty.sort(key=lambda c: c.index)
    _roles_by_content(columns, roles)
    return roles


def _free(columns: list[Column], roles: Roles) -> list[Column]:
    taken = roles.assigned()
    return [c for c in columns if c.index not in taken and c.filled]


def _roles_by_content(columns: list[Column], roles: Roles) -> None:
    single = roles.single
    if "date" not in single:
        if "value_date" in single:
            single["date"] = single["value_date"]
        else:
            candidates = [c for c in _free(columns, roles) if c.date_share >= TYPED_SHARE]
            if candidates:
                single["date"] = _booking_date(candidates)
    if not ({"amount", "debit", "credit"} & single.keys()):
        _amount_by_content(columns, roles)
    if "indicator" not in single and "amount" in single:
        for column in _free(columns, roles):
            if column.share(is_mark) >= 0.95:
                single["indicator"] = column
                break
    _balance_by_content(columns, roles)
    if "currency" not in single:
        for column in _free(columns, roles):
            if column.share(lambda v: currency_code(v) is not None and v.isupper()) >= TYPED_SHARE:
                single["currency"] = column
                break
    ibans = [c for c in _free(columns, roles) if c.share(looks_like_iban) >= 0.95]
    # Real account numbers pass the IBAN check; a column of other ids of the same shape does not.
    for column in sorted(ibans, key=lambda c: -c.share(is_iban)):
        if "account" not in single and column.constant:
            single["account"] = column
        elif "counterparty_account" not in single and not column.constant:
            single["counterparty_account"] = column
    # Without a header naming the text, every free text column describes the line.
    if not roles.description and not roles.counterparty:
        roles.description = [c for c in _free(columns, roles) if _is_text(c)]


def _numeric(columns: list[Column], roles: Roles) -> list[Column]:
    return [c for c in _free(columns, roles) if c.amount_share >= TYPED_SHARE and c.fractional]


def _amount_by_content(columns: list[Column], roles: Roles) -> None:
    """The amount column of a file whose headers name none: the one a running balance moves by, else the first."""
    numeric = _numeric(columns, roles)
    for amount in numeric:
        for balance in numeric:
            if amount is not balance and balance_chain(amount.amounts, balance.amounts) is not None:
                roles.single["amount"] = amount
                return
    if numeric:
        roles.single["amount"] = numeric[0]


def _balance_by_content(columns: list[Column], roles: Roles) -> None:
    if not ({"amount", "debit", "credit"} & roles.single.keys()):
        return
    amounts = [row_amount(roles, row) for row in range(len(columns[0].values))]
    candidates = [roles.single["balance"]] if "balance" in roles.single else _numeric(columns, roles)
    for balance in candidates:
        chain = balance_chain(amounts, balance.amounts)
        if chain is not None:
            roles.single["balance"] = balance
            (roles.balance_before, roles.balance_reversed), roles.chained = chain, True
            return
    # Payment processors print gross and net: the amount is the one the balance moves by.
    if "balance" in roles.single and "amount" in roles.single and "indicator" not in roles.single:
        balance = roles.single["balance"]
        for column in _numeric(columns, roles):
            chain = balance_chain(column.amounts, balance.amounts)
            if chain is not None and any(role == "amount" for _, role in header_roles(column.name)):
                roles.single["amount"] = column
                (roles.balance_before, roles.balance_reversed), roles.chained = chain, True
                return
    # A lone row cannot show a chain; read its balance as the balance after it, the common case.
    roles.chained = "balance" in roles.single and sum(a is not None for a in amounts) == 1


def _is_text(column: Column) -> bool:
    if column.constant or column.date_share >= 0.5 or column.amount_share >= 0.5:
        return False
    if column.share(lambda v: bool(_CODE.match(v) or _EMAIL.match(v))) >= 0.95:
        return False  # transaction codes ("OV", "NGM"), flags, e-mail addresses
    return column.share(lambda v: bool(re.search(r"[^\W\d_]{2}", v))) >= 0.5


def _booking_date(candidates: list[Column]) -> Column:
    """Among several date columns, the one that is latest in the most rows: bookings follow transactions."""
    if len(candidates) == 1:
        return candidates[0]
    wins: Counter[int] = Counter()
    for row in range(len(candidates[0].values)):
        dates = [(day, c.index) for c in candidates if (day := c.dates[row]) is not None]
        if dates:
            latest = max(day for day, _ in dates)
            wins.update(index for day, index in dates if day == latest)
    return max(candidates, key=lambda c: (wins[c.index], -c.index))


def balance_chain(amounts: list[Decimal | None], balances: list[Decimal | None]) -> tuple[bool, bool] | None:
    """How the balances move by the amounts row by row: (before, reversed), where `before` says each is
    the balance before its row and `reversed` that they run from the last row up; None if they do not."""
    pairs = [(a, b) for a, b in zip(amounts, balances, strict=True) if a is not None and b is not None]
    if len(pairs) < 2:
        return None
    steps = len(pairs) - 1
    for reversed_ in (False, True):
        ordered = pairs[::-1] if reversed_ else pairs
        after = sum(1 for (_, b0), (a1, b1) in pairwise(ordered) if b0 + a1 == b1)
        before = sum(1 for (a0, b0), (_, b1) in pairwise(ordered) if b0 + a0 == b1)
        if after >= 0.9 * steps and after >= before:
            return False, reversed_
        if before >= 0.9 * steps:
            return True, reversed_
    return None


def row_amount(roles: Roles, row: int) -> Decimal | None:
    single = roles.single
    if "amount" in single:
        amount = single["amount"].amounts[row]
        if amount is not None and roles.card:
            # A payment or refund (CR, brackets, minus) is money to the holder; spend is money out.
            credited = amount_marker(single["amount"].values[row]) == "CR" or amount < 0
            return abs(amount) if credited else -amount
        if amount is not None and "indicator" in single:
            sign = sign_of_mark(single["indicator"].values[row])
            if sign:
                amount = abs(amount) * sign
        return amount
    debit = single["debit"].amounts[row] if "debit" in single else None
    credit = single["credit"].amounts[row] if "credit" in single else None
    if debit is None and credit is None:
        return None
    return (abs(credit) if credit else Decimal(0)) - (abs(debit) if debit else Decimal(0))
