"""Lookup tables over the open invoices, so each payment touches only the invoices it could settle.

Invoices are indexed by open amount in cents, by reference keys (number, payment reference, PO, their
digits-only forms), by counterparty name (first two words of the name without legal form) and by
counterparty account. A payment looks up only its own amount, words and name: no all-pairs scan.
"""

from collections import defaultdict
from dataclasses import dataclass

from bank.matching.normalise import cents, digit_core, fold, last_digit_group, name_core, ref_key
from bank.matching.types import OpenInvoice

REF_EXACT = 1.0  # the number or a payment reference, letter for letter
REF_DIGITS = 0.9  # only the digits of a reference, e.g. the prefix dropped


@dataclass
class IndexedInvoice:
    invoice: OpenInvoice
    open_cents: int
    core: str  # name words without legal form, space separated
    full_name: str  # folded full name
    keys: tuple[str, ...]  # reference keys, for the typo check
    tail: str  # last digit group of the number, for "0042, 0043" remittances within one counterparty


class InvoiceIndex:
    def __init__(self, invoices: list[OpenInvoice]) -> None:
        self.items: list[IndexedInvoice] = []
        self.by_amount: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        self.by_ref: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.by_name_head: dict[str, set[str]] = defaultdict(set)
        self.by_core: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_account: dict[str, list[int]] = defaultdict(list)
        for i, inv in enumerate(invoices):
            words = name_core(inv.counterparty)
            core = " ".join(words)
            keys = {ref_key(r) for r in (inv.number, *inv.references) if r}
            keys.discard("")
            item = IndexedInvoice(inv, cents(inv.amount_open), core, fold(inv.counterparty), tuple(keys), "")
            tail = last_digit_group(inv.number)
            item.tail = tail if len(tail) >= 3 else ""
            self.items.append(item)
            self.by_amount[(inv.direction, inv.currency, item.open_cents)].append(i)
            for key in keys:
                self.by_ref[key].append((i, REF_EXACT))
                digits = digit_core(key)
                if len(digits) >= 5 and digits != key:
                    self.by_ref[digits].append((i, REF_DIGITS))
            if words:
                self.by_name_head[" ".join(words[:2])].add(core)
                self.by_core[(inv.direction, core)].append(i)
            if inv.counterparty_account:
                self.by_account[ref_key(inv.counterparty_account)].append(i)
