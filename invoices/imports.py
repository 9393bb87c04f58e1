"""Bulk invoice import: thousands of invoices in one call, all or nothing, errors named by row.

The ledger that bank reconciliation matches payments against usually lives in another system, so it
arrives in bulk: a JSON array of invoices in the shape `POST /api/v1/invoices` takes, or a CSV file
with one invoice per row (totals only, no line items). Every row is validated and created inside one
transaction; if any row fails, nothing is kept and the answer lists every failing row's problems as
`rows[<n>].<field>`, where n is the JSON array index or the CSV line number (the header is line 1).
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from companies.models import Company
from invoices.models import Invoice, Source
from invoices.services import invoice_create
from invoisx.errors import VALIDATION_ERROR, DomainError, flatten_errors

MAX_ROWS = 10_000
MAX_CSV_BYTES = 20 * 1024 * 1024
CSV_COLUMNS = (
    "direction",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "buyer_id",
    "supplier_name",
    "supplier_tax_id",
    "supplier_address",
    "subtotal",
    "tax_rate",
    "tax_amount",
    "total",
    "notes",
)
TOTAL_COLUMNS = ("subtotal", "tax_rate", "tax_amount", "total")
MAX_ERRORS = 200  # rows reported at most; the count says how many failed


@dataclass(frozen=True)
class ImportRow:
    number: int  # the JSON index or the CSV line number, as errors name it
    data: dict[str, Any]


def rows_from_json(payload: Any) -> list[ImportRow]:
    """The rows of a JSON body: an array of invoices, or `{"invoices": [...]}`."""
    if isinstance(payload, dict) and set(payload) == {"invoices"}:
        payload = payload["invoices"]
    if not isinstance(payload, list):
        raise DomainError(
            code=VALIDATION_ERROR,
            message="Send a JSON array of invoices, or a CSV file.",
            details={"body": ["Expected a list of invoices."]},
        )
    _check_count(len(payload))
    return [ImportRow(index, item) for index, item in enumerate(payload)]


def rows_from_csv(data: bytes) -> list[ImportRow]:
    """The rows of a CSV file with a header row naming `CSV_COLUMNS` (any order; unknown columns refused)."""
    if len(data) > MAX_CSV_BYTES:
        raise DomainError(
            code=VALIDATION_ERROR,
            message=f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.",
            details={"file": ["Too large."]},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            code=VALIDATION_ERROR, message="The CSV must be UTF-8.", details={"file": ["Not UTF-8 text."]}
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return _csv_rows(csv.DictReader(io.StringIO(text, newline=""), dialect=dialect))
    except csv.Error as error:
        raise DomainError(
            code=VALIDATION_ERROR,
            message=f"The CSV could not be read: {error}.",
            details={"file": [f"Not a readable CSV file: {error}."]},
        ) from None


def _csv_rows(reader: "csv.DictReader[str]") -> list[ImportRow]:
    header = [name.strip().lower() for name in reader.fieldnames or []]
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if not header or unknown:
        problem = f"Unknown columns: {', '.join(unknown)}." if unknown else "The file has no header row."
        raise DomainError(
            code=VALIDATION_ERROR, message=problem, details={"file": [f"{problem} Columns: {', '.join(CSV_COLUMNS)}."]}
        )
    reader.fieldnames = header
    rows = []
    for record in reader:
        if None in record:
            rows.append(ImportRow(reader.line_num, {"_": "extra"}))
            continue
        values = {key: (value or "").strip() for key, value in record.items()}
        if any(values.values()):
            rows.append(ImportRow(reader.line_num, _csv_invoice(values)))
        _check_count(len(rows))
    return rows


def _csv_invoice(values: dict[str, str]) -> dict[str, Any]:
    """A CSV row in the shape the invoice serializer takes; empty cells are left out."""
    invoice: dict[str, Any] = {
        key: value for key, value in values.items() if value and key in CSV_COLUMNS and not key.startswith("supplier_")
    }
    for column in TOTAL_COLUMNS:
        invoice.pop(column, None)
    totals = {column: values[column] for column in TOTAL_COLUMNS if values.get(column)}
    if totals:
        invoice["totals"] = totals
    supplier = {
        key.removeprefix("supplier_"): values[key]
        for key in ("supplier_name", "supplier_tax_id", "supplier_address")
        if values.get(key)
    }
    if supplier:
        invoice["supplier"] = supplier
    return invoice


def _check_count(count: int) -> None:
    if count > MAX_ROWS:
        raise DomainError(
            code=VALIDATION_ERROR,
            message=f"At most {MAX_ROWS} invoices can be imported in one call.",
            details={"body": ["Too many rows."]},
        )


def invoice_import(
    *, company: Company, rows: Iterable[ImportRow], validate: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[Invoice]:
    """Create every row's invoice, or none: a `DomainError` names each failing row's fields.

    `validate` turns a row into the keyword arguments of `invoice_create` (the API's serializer), or
    raises a `DomainError` whose details are the row's (nested) field errors.
    """
    rows = list(rows)
    if not rows:
        raise DomainError(
            code=VALIDATION_ERROR, message="There is nothing to import.", details={"body": ["No invoices given."]}
        )
    errors: dict[str, list[str]] = {}
    failed = 0
    with transaction.atomic():
        created: list[Invoice] = []
        for row in rows:
            prefix = f"rows[{row.number}]"
            if row.data == {"_": "extra"}:
                problems = {prefix: ["The row has more cells than the header."]}
            else:
                problems = _create_row(company, row, validate, prefix, created)
            if problems:
                failed += 1
                if failed <= MAX_ERRORS:
                    errors.update(problems)
        if failed:
            transaction.set_rollback(True)
    if failed:
        raise DomainError(
            code=VALIDATION_ERROR,
            message=f"{failed} of {len(rows)} invoices failed validation; nothing was imported.",
            details=errors,
        )
    return created


def _create_row(
    company: Company,
    row: ImportRow,
    validate: Callable[[dict[str, Any]], dict[str, Any]],
    prefix: str,
    created: list[Invoice],
) -> dict[str, list[str]]:
    if not isinstance(row.data, dict):
        return {prefix: ["Expected an invoice object."]}
    try:
        arguments = validate(row.data)
        with transaction.atomic():  # a savepoint: a failing row must not poison the rest of the check
            created.append(invoice_create(company=company, source=Source.IMPORT, **arguments))
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
        return flatten_errors(detail, prefix)
    except DomainError as error:
        return flatten_errors(error.details, prefix) if error.details else {prefix: [error.message]}
    return {}
