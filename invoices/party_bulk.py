"""Acting on many buyers or suppliers at once from their dashboard lists: a CSV of them, streamed, with
each party's open invoices and what is owed per currency; and deleting them, where a party with invoices
is kept (its invoices PROTECT it) and counted as such in one message.
"""

import csv
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

from companies.models import Company
from invoices.exports import csv_safe
from invoices.models import Direction, Invoice
from invoices.selectors import open_invoices_q, owed_by_party
from invoisx.errors import CONFLICT, DomainError

Party = Literal["buyer", "supplier"]
P = TypeVar("P", bound=Model)
# Deleting is a few queries per party; a page holds at most 100 rows.
BATCH_LIMIT = 200
CHUNK = 1000  # parties read (and their amounts owed summed) per query while exporting
HAS_INVOICES = "has invoices"

BUYER_COLUMNS = [
    ("name", "name"),
    ("email", "email"),
    ("tax id", "tax_id"),
    ("registration number", "registration_number"),
    ("contact name", "contact_name"),
    ("phone", "phone"),
    ("address line 1", "address_line1"),
    ("address line 2", "address_line2"),
    ("city", "city"),
    ("state", "state"),
    ("postal code", "postal_code"),
    ("country", "country"),
]
SUPPLIER_COLUMNS = [("name", "name"), ("tax id", "tax_id"), ("address", "address")]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def _owed_currencies(*, company: Company, party: Party, parties: QuerySet[Any]) -> list[str]:
    """The currencies the exported parties' open invoices are in: one "owed <currency>" column each."""
    direction = Direction.SALES if party == "buyer" else Direction.PURCHASE
    invoices = Invoice.objects.filter(company=company, direction=direction, **{f"{party}__in": parties.values("pk")})
    return sorted(set(invoices.filter(open_invoices_q()).values_list("currency", flat=True).distinct()))


def parties_csv_lines(*, company: Company, party: Party, parties: QuerySet[Any], today: date) -> Iterator[str]:
    """The CSV's lines, header first. `parties` (already limited to the company, annotated with
    `open_count`) is read in chunks; each chunk's amounts owed are summed in one grouped query."""
    columns = BUYER_COLUMNS if party == "buyer" else SUPPLIER_COLUMNS
    currencies = _owed_currencies(company=company, party=party, parties=parties)
    writer = csv.writer(_Echo())
    header = ["id", *(label for label, _ in columns), "open invoices", *(f"owed {c}" for c in currencies)]
    yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read the names as UTF-8
    chunk: list[Any] = []
    for row in parties.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from _chunk_lines(
                writer, company=company, party=party, chunk=chunk, currencies=currencies, today=today
            )
            chunk = []
    yield from _chunk_lines(writer, company=company, party=party, chunk=chunk, currencies=currencies, today=today)


def _chunk_lines(
    writer: Any,
    *,
    company: Company,
    party: Party,
    chunk: Sequence[Any],
    currencies: list[str],
    today: date,
) -> Iterator[str]:
    columns = BUYER_COLUMNS if party == "buyer" else SUPPLIER_COLUMNS
    owed = owed_by_party(company=company, party=party, party_ids=[row.pk for row in chunk], today=today)
    for row in chunk:
        amounts = {item.currency: item.amount for item in owed.get(row.pk, [])}
        cells: list[object] = [
            row.public_id,
            *(getattr(row, attribute) for _, attribute in columns),
            row.open_count,
            *(amounts.get(currency, "") for currency in currencies),
        ]
        yield writer.writerow([csv_safe(cell) for cell in cells])


@dataclass
class DeleteOutcome:
    deleted: int = 0
    kept: Counter[str] = field(default_factory=Counter)  # reason -> how many

    def message(self) -> str:
        """ "2 deleted, 1 kept: has invoices." """
        parts = [f"{self.deleted} deleted"]
        parts += [f"{count} kept: {reason}" for reason, count in self.kept.most_common()]
        return ", ".join(parts) + "."


def parties_bulk_delete(*, parties: Sequence[P], delete: Callable[[P], None]) -> DeleteOutcome:
    """Delete each with its service (`delete`), each in its own transaction so that one refusal keeps
    only that party; a refusal because of its invoices is counted as "has invoices"."""
    outcome = DeleteOutcome()
    for party in parties:
        try:
            with transaction.atomic():
                delete(party)
        except DomainError as error:
            outcome.kept[HAS_INVOICES if error.code == CONFLICT else error.message] += 1
        else:
            outcome.deleted += 1
    return outcome
