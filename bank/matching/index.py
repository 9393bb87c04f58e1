"""Lookup tables over the open invoices, so each payment touches only the invoices it could settle.

Invoices are indexed by open amount in thousandths (`normalise.mills`), by reference keys (number,
payment reference, PO, their digits-only forms), by counterparty name (first two words of the name
without legal form) and by counterparty account. A payment looks up only its own amount, words and
name: no all-pairs scan.

Everything a payment compares against (folded names, reference keys, date ordinals) is computed here
once per invoice, or once per distinct counterparty name, never per payment.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from bank.matching.normalise import core_words, digit_core, fold, last_digit_group, mills, ref_key
from bank.matching.types import OpenInvoice

K = TypeVar("K")

REF_EXACT = 1.0  # the number or a payment reference, letter for letter
REF_DIGITS = 0.9  # only the digits of a reference, e.g. the prefix dropped


@dataclass(slots=True)
class IndexedInvoice:
    invoice: OpenInvoice
    open_mills: int
    core: str  # name words without legal form, space separated
    full_name: str  # folded full name
    keys: tuple[str, ...]  # reference keys, for the typo check
    tail: str  # last digit group of the number, for "0042, 0043" remittances within one counterparty
    direction: str
    currency: str
    invoice_day: int  # invoice date as an ordinal
    due_day: int  # due date (or invoice date) as an ordinal
    account: str  # counterparty account as a reference key, "" when unknown


def _add_entry(table: dict[K, int | list[int]], key: K, entry: int) -> None:
    held = table.get(key)
    if held is None:
        table[key] = entry
    elif isinstance(held, int):
        table[key] = [held, entry]
    else:
        held.append(entry)


def entries(held: int | list[int] | None) -> list[int] | tuple[int, ...]:
    """The invoices of a `by_ref` or `by_amount` value (None when the key is absent), in order."""
    if held is None:
        return ()
    return (held,) if isinstance(held, int) else held


def index_side(direction: str, currency: str) -> str:
    """Which way the money goes and in what currency, as one string: "sales EUR"."""
    return direction + " " + currency


class InvoiceIndex:
    def __init__(self, invoices: list[OpenInvoice]) -> None:
        self.items: list[IndexedInvoice] = []
        self.sides: list[str] = []  # `index_side` of each item, for the admissibility check per candidate
        # A key held by one invoice maps to its plain int, one held by several to a list (`entries`):
        # most keys have one invoice, and a list each would cost about a sixth of the engine's memory.
        self.by_amount: dict[tuple[str, str, int], int | list[int]] = {}
        # Reference key -> invoices: i for the number or a reference letter for letter (`REF_EXACT`),
        # -1 - i for its digits only (`REF_DIGITS`); plain ints, as there are several per invoice.
        self.by_ref: dict[str, int | list[int]] = {}
        self.by_name_head: dict[str, dict[str, None]] = defaultdict(dict)  # an ordered set of cores
        # (direction, core) -> counterparty account ("" when unknown) -> invoices, so a payment from a
        # known account skips the invoices of other parties with the same name without visiting them.
        self.by_core: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
        self.by_account: dict[str, list[int]] = defaultdict(list)
        self.by_tail: dict[str, int | list[int]] = {}  # `IndexedInvoice.tail` -> invoices (`entries`)
        # (direction, core) -> the `index_side` all its invoices share, "" when their currencies differ
        self.core_sides: dict[tuple[str, str], str] = {}
        names: dict[str, tuple[str, tuple[str, ...], str]] = {}  # counterparty -> (folded, core words, core)
        accounts: dict[str, str] = {}
        # One object per distinct side and day: every payment compares against them, and a few shared
        # objects stay in the CPU cache where 100,000 copies would not.
        side_of: dict[tuple[str, str], str] = {}
        day_of: dict[int, int] = {}
        named: list[tuple[str, tuple[str, ...], str]] = []
        for inv in invoices:
            name = names.get(inv.counterparty)
            if name is None:
                folded = fold(inv.counterparty)
                words = core_words(folded)
                name = names[inv.counterparty] = (folded, words, " ".join(words))
            named.append(name)
        # The entries are made one counterparty name after another, so that the invoices a payment
        # compares against lie together in memory (a payer's candidates are mostly one core's).
        made: list[IndexedInvoice | None] = [None] * len(invoices)
        by_party: dict[tuple[str, str], list[int]] = {}
        for i, inv in enumerate(invoices):
            by_party.setdefault((inv.direction, named[i][2]), []).append(i)
        for i in itertools.chain.from_iterable(by_party[party] for party in sorted(by_party)):
            inv = invoices[i]
            full_name, words, core = named[i]
            account = ""
            if inv.counterparty_account:
                account = accounts.get(inv.counterparty_account, "")
                if not account:
                    account = accounts[inv.counterparty_account] = ref_key(inv.counterparty_account)
            keys = {ref_key(r) for r in (inv.number, *inv.references) if r}
            keys.discard("")
            tail = last_digit_group(inv.number)
            invoice_day = inv.invoice_date.toordinal()
            due_day = (inv.due_date or inv.invoice_date).toordinal()
            made[i] = IndexedInvoice(
                invoice=inv,
                open_mills=mills(inv.amount_open),
                core=core,
                full_name=full_name,
                keys=tuple(keys),
                tail=tail if len(tail) >= 3 else "",
                direction=inv.direction,
                currency=inv.currency,
                invoice_day=day_of.setdefault(invoice_day, invoice_day),
                due_day=day_of.setdefault(due_day, due_day),
                account=account,
            )
        self.items = [item for item in made if item is not None]
        by_amount, by_ref = self.by_amount, self.by_ref
        for i, item in enumerate(self.items):
            inv = item.invoice
            words = named[i][1]
            core, account = item.core, item.account
            side = side_of.get((inv.direction, inv.currency))
            if side is None:
                side = side_of[inv.direction, inv.currency] = index_side(inv.direction, inv.currency)
            self.sides.append(side)
            _add_entry(by_amount, (inv.direction, inv.currency, item.open_mills), i)
            for key in item.keys:
                _add_entry(by_ref, key, i)
                digits = digit_core(key)
                if len(digits) >= 5 and digits != key:
                    _add_entry(by_ref, digits, -1 - i)
            if words:
                self.by_name_head[" ".join(words[:2])][core] = None
                self.by_core[(inv.direction, core)].setdefault(account, []).append(i)
                if self.core_sides.setdefault((inv.direction, core), side) != side:
                    self.core_sides[(inv.direction, core)] = ""
            if account:
                self.by_account[account].append(i)
            if item.tail:
                _add_entry(self.by_tail, item.tail, i)
        self.ref_lengths = frozenset(len(key) for key in by_ref)  # the lengths a reference key has
