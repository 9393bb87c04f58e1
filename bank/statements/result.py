"""What the statement reader produces: statements, their transactions, and the balance check.

Every reader (CSV, OFX, MT940, CAMT.053, PDF) returns `Statement`s built from these dataclasses, so
the importer and the reconciliation engine never see a format. Amounts are signed from the account
holder's side: money in is positive, money out negative. `StatementError` is the one exception the
package raises for a file it cannot or will not read; its `message` is meant for the uploader.
"""

import datetime
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal


class StatementError(ValueError):
    """The file is empty, too large, corrupt, encrypted, unsafe or not a statement; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_text(text: str | None) -> str:
    """Case-folded, accent-free, single-spaced text: the form descriptions are compared and hashed in."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def normalise_account(account: str | None) -> str:
    """An account identifier reduced to its letters and digits, upper case: "NL91 ABNA 0417" -> "NL91ABNA0417"."""
    if not account:
        return ""
    return re.sub(r"[^0-9A-Za-z]", "", account).upper()


def last4(account: str | None) -> str | None:
    """The last four letters or digits of an account identifier, or None when it has fewer than four."""
    cleaned = normalise_account(account)
    return cleaned[-4:] if len(cleaned) >= 4 else None


@dataclass
class Transaction:
    date: datetime.date  # the booking (posting) date
    amount: Decimal  # signed: money in +, money out -
    description: str
    reference: str | None = None
    value_date: datetime.date | None = None
    currency: str | None = None  # ISO 4217 of the line; the account's when the file gives no other
    counterparty: str | None = None
    counterparty_account: str | None = None
    row: int | None = field(default=None, compare=False)  # the record number in a CSV file, from 1
    # Set by the statement holding the line: its account and which of several identical lines this is.
    account: str = field(default="", compare=False, repr=False)
    occurrence: int = field(default=0, compare=False, repr=False)

    def checksum(self) -> str:
        """A SHA-256 hex digest that is the same for the same line in any upload of the same account.

        Two identical lines on one day (two coffees of 2.80) are told apart by `occurrence`, their
        position among the identical lines of the statement, so they are not merged into one.
        """
        parts = [
            normalise_account(self.account),
            self.date.isoformat(),
            canonical_amount(self.amount),
            normalise_text(self.description),
            normalise_text(self.reference),
            str(self.occurrence),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def identity(self) -> tuple[str, str, str, str]:
        """What makes two lines of one account "identical" for the occurrence count."""
        return (
            self.date.isoformat(),
            canonical_amount(self.amount),
            normalise_text(self.description),
            normalise_text(self.reference),
        )


@dataclass(frozen=True)
class BalanceCheck:
    """Whether opening + the transactions = closing. `ok` is None when a balance is missing."""

    ok: bool | None
    opening: Decimal | None
    closing: Decimal | None
    total: Decimal  # the sum of the transactions
    difference: Decimal | None  # closing - (opening + total)

    @property
    def message(self) -> str:
        if self.ok is None or self.opening is None:
            return "The statement does not give both an opening and a closing balance."
        if self.ok:
            return "Opening balance plus transactions equals the closing balance."
        return (
            f"Opening balance {self.opening} plus transactions {self.total} is {self.opening + self.total}"
            f" but the closing balance is {self.closing} (difference {self.difference})."
        )


@dataclass
class Statement:
    format: str  # "csv", "ofx", "mt940", "camt053", "pdf"
    transactions: list[Transaction]
    bank_name: str | None = None
    account_number: str | None = None  # as the file prints it
    account_number_last4: str | None = None  # filled from account_number when not given
    period_from: datetime.date | None = None
    period_to: datetime.date | None = None
    currency: str | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None

    def __post_init__(self) -> None:
        if self.account_number_last4 is None:
            self.account_number_last4 = last4(self.account_number)
        self.number_transactions()

    def number_transactions(self) -> None:
        """Give each line the statement's account and its occurrence among identical lines.

        Call again after changing `transactions` or the account.
        """
        seen: Counter[tuple[str, str, str, str]] = Counter()
        account = self.account_number or ""
        for transaction in self.transactions:
            key = transaction.identity()
            transaction.account = account
            transaction.occurrence = seen[key]
            seen[key] += 1
            if transaction.currency is None:
                transaction.currency = self.currency

    def balance_check(self) -> BalanceCheck:
        total = sum((t.amount for t in self.transactions), Decimal(0))
        if self.opening_balance is None or self.closing_balance is None:
            return BalanceCheck(None, self.opening_balance, self.closing_balance, total, None)
        difference = self.closing_balance - (self.opening_balance + total)
        return BalanceCheck(difference == 0, self.opening_balance, self.closing_balance, total, difference)


def canonical_amount(amount: Decimal) -> str:
    """At least two decimals, no trailing zeros beyond them: 8.850 -> "8.85", -29 -> "-29.00"."""
    if amount == 0:
        return "0.00"
    whole, _, fraction = format(amount, "f").partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
