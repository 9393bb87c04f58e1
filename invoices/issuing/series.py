"""Number series: the formats a company numbers its invoices and credit notes with, and taking a number.

A format is text with placeholders: `{seq}` the running number (`{seq:05}` zero-padded to 5 digits),
`{YYYY}` / `{YY}` the year and `{MM}` the month of the issue date. With a year in the format the
numbers start again each year; without one they run on for ever. A number is taken inside the
issuing transaction, under the series row's lock (`number_take`), so it is committed with the invoice
it numbers or not at all: gapless, and never reused.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from companies.models import Company
from invoices.models import SERIES_PLACEHOLDER, DocumentType, Invoice, NumberSeries
from invoisx.errors import CONFLICT, DomainError

DEFAULT_FORMATS = {DocumentType.INVOICE: "INV-{YYYY}-{seq:05}", DocumentType.CREDIT_NOTE: "CN-{YYYY}-{seq:05}"}
DEFAULT_NAMES = {DocumentType.INVOICE: "Invoices", DocumentType.CREDIT_NOTE: "Credit notes"}
MAX_NUMBER_LENGTH = 100  # Invoice.invoice_number


def format_problem(value: str) -> str | None:
    """Why a series format cannot number documents, or None when it can."""
    if "{seq" not in value or not any(m.group(1).startswith("seq") for m in SERIES_PLACEHOLDER.finditer(value)):
        return "The format needs the running number: {seq}, or {seq:05} for 5 digits with leading zeros."
    leftover = SERIES_PLACEHOLDER.sub("", value)
    if "{" in leftover or "}" in leftover:
        return "Unknown placeholder: use {seq}, {seq:05}, {YYYY}, {YY} and {MM}."
    if sum(1 for m in SERIES_PLACEHOLDER.finditer(value) if m.group(1).startswith("seq")) > 1:
        return "The running number may appear only once."
    if any(ch in value for ch in "/\\\n\r\t") or not value.strip():
        return "Letters, digits, spaces and - _ . # only around the placeholders."
    if "{MM}" in value and "{YY" not in value:
        return "A month needs a year beside it ({YYYY} or {YY}), or numbers would repeat every year."
    return None


def render_number(*, format: str, sequence: int, on: date) -> str:
    def placeholder(match: Any) -> str:
        placeholder_name = match.group(1)
        if placeholder_name == "YYYY":
            return f"{on.year:04d}"
        if placeholder_name == "YY":
            return f"{on.year % 100:02d}"
        if placeholder_name == "MM":
            return f"{on.month:02d}"
        width = int(match.group(2) or 0)
        return f"{sequence:0{width}d}"

    return SERIES_PLACEHOLDER.sub(placeholder, format)


def period_of(*, format: str, on: date) -> str:
    """The counter a date's number comes from: the year (and month) the format prints, or "" for none."""
    if "{MM}" in format:
        return f"{on.year:04d}-{on.month:02d}"
    if "{YYYY}" in format or "{YY}" in format:
        return f"{on.year:04d}"
    return ""


def _validate(*, company: Company, name: str, format: str, start: int) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the series a name."]
    if problem := format_problem(format):
        errors["format"] = [problem]
    elif len(render_number(format=format, sequence=max(start, 1) * 10**6, on=date(2099, 12, 1))) > MAX_NUMBER_LENGTH:
        errors["format"] = [f"Numbers would be longer than {MAX_NUMBER_LENGTH} characters."]
    if start < 1:
        errors["start"] = ["Numbers start at 1 or above."]
    if errors:
        raise ValidationError(errors)


def _save(series: NumberSeries) -> NumberSeries:
    try:
        with transaction.atomic():
            series.save()
    except IntegrityError:
        raise DomainError(
            code=CONFLICT,
            message=f"The company already has a series named '{series.name}'.",
            details={"name": ["Already used."]},
        ) from None
    return series


@transaction.atomic
def series_create(
    *,
    company: Company,
    document_type: str,
    name: str,
    format: str,
    start: int = 1,
    is_default: bool = False,
) -> NumberSeries:
    _validate(company=company, name=name, format=format, start=start)
    if is_default:
        _clear_default(company=company, document_type=document_type)
    series = NumberSeries(
        company=company,
        document_type=document_type,
        name=name.strip(),
        format=format.strip(),
        start=start,
        is_default=is_default,
    )
    return _save(series)


@transaction.atomic
def series_update(*, series: NumberSeries, **fields: Any) -> NumberSeries:
    """Rename a series, change its format or start, or make it the default for its document type.

    A format change applies to the numbers taken from now on; the counters run on, so a number already
    issued is never given again (a new format with the same counters cannot repeat an old number
    unless it drops the year, which `format_problem` cannot know: numbers are also checked unique).
    """
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    for name in ("name", "format", "start"):
        if name in fields:
            setattr(series, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    _validate(company=series.company, name=series.name, format=series.format, start=series.start)
    if fields.get("is_default") and not series.is_default:
        _clear_default(company=series.company, document_type=series.document_type)
        series.is_default = True
    elif fields.get("is_default") is False and series.is_default:
        raise ValidationError({"is_default": ["Make another series the default instead."]})
    return _save(series)


def _clear_default(*, company: Company, document_type: str) -> None:
    NumberSeries.objects.select_for_update().filter(
        company=company, document_type=document_type, is_default=True
    ).update(is_default=False)


def series_default(*, company: Company, document_type: str) -> NumberSeries:
    """The company's default series for the type, created (INV-{YYYY}-{seq:05} / CN-…) the first time."""
    series = NumberSeries.objects.filter(company=company, document_type=document_type, is_default=True).first()
    if series is not None:
        return series
    try:
        with transaction.atomic():
            return NumberSeries.objects.create(
                company=company,
                document_type=document_type,
                name=DEFAULT_NAMES[DocumentType(document_type)],
                format=DEFAULT_FORMATS[DocumentType(document_type)],
                start=company.next_invoice_sequence if document_type == DocumentType.INVOICE else 1,
                is_default=True,
            )
    except IntegrityError:
        # Created meanwhile by a concurrent issue (or a series of that name exists, not default).
        existing = NumberSeries.objects.filter(company=company, document_type=document_type, is_default=True).first()
        if existing is None:
            raise DomainError(
                code=CONFLICT,
                message=f"Choose the default {DocumentType(document_type).label.lower()} series in Settings.",
            ) from None
        return existing


def number_take(*, series: NumberSeries, on: date) -> str:
    """The next number of the series for a document dated `on`. Call inside the issuing transaction.

    The series row stays locked until that transaction ends, so concurrent issues queue here one at a
    time; a number already used (an invoice recorded with it by hand) is skipped, never given twice.
    """
    locked = NumberSeries.objects.select_for_update().get(pk=series.pk)
    period = period_of(format=locked.format, on=on)
    sequence = int(locked.counters.get(period, locked.start))
    taken = Invoice.objects.filter(company_id=locked.company_id, direction="sales")
    while taken.filter(
        invoice_number=(number := render_number(format=locked.format, sequence=sequence, on=on))
    ).exists():
        sequence += 1
    locked.counters = {**locked.counters, period: sequence + 1}
    locked.save(update_fields=["counters", "updated_at"])
    return number
