"""Reads for invoices: seed 001's list filters, the dashboard list (sorting, overdue), and single lookups
within one company."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
    prefetch_related_objects,
)
from django.http import QueryDict

from buyers.models import Buyer
from companies.models import Company
from invoices.models import (
    AllowanceCharge,
    Direction,
    DocumentType,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentStatus,
    State,
    Status,
    Supplier,
)
from invoices.models.invoices import PREFETCHED_ALLOWANCES_CHARGES, PREFETCHED_LINES
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, clean_currency_field, round_money
from invoisx.waiting import wait_while_status

ISO_DATE = ["%Y-%m-%d"]  # YYYY-MM-DD only: 01/04/2026 is ambiguous between locales


class InvoiceFilterForm(forms.Form):
    def clean_currency(self) -> str:
        return clean_currency_field(self.cleaned_data.get("currency") or "")


class InvoiceFilter(django_filters.FilterSet):
    supplier = django_filters.CharFilter(field_name="supplier_name", lookup_expr="icontains", max_length=200)
    buyer = django_filters.CharFilter(field_name="buyer__public_id", max_length=40)
    date_from = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte", input_formats=ISO_DATE)
    date_to = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte", input_formats=ISO_DATE)
    currency = django_filters.CharFilter(field_name="currency", max_length=3)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    state = django_filters.ChoiceFilter(choices=State.choices)
    document_type = django_filters.ChoiceFilter(choices=DocumentType.choices)
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    payment_status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    duplicate_of = django_filters.CharFilter(field_name="duplicate_of__public_id", max_length=40)
    remote_id = django_filters.CharFilter(field_name="collected_from__remote_id", max_length=200)
    credential = django_filters.CharFilter(field_name="collected_from__credential_id", max_length=40)
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    ordering = django_filters.OrderingFilter(fields=["invoice_date", "due_date", "total", "created_at"])

    class Meta:
        model = Invoice
        fields: list[str] = []
        form = InvoiceFilterForm

    def filter_search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return queryset.filter(
            Q(invoice_number__icontains=value) | Q(supplier_name__icontains=value) | Q(buyer__name__icontains=value)
        )


def _with_relations(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.select_related("supplier", "buyer", "duplicate_of", "preceding_invoice", "series").prefetch_related(
        Prefetch("lines", to_attr=PREFETCHED_LINES),
        Prefetch("allowances_charges", to_attr=PREFETCHED_ALLOWANCES_CHARGES),
    )


# What a list page does not show of each invoice: the text it was read from (the detail's `text`), the
# boxes of its fields, and of its buyer all but its id, name and tax id.
LIST_DEFERRED = (
    "extracted_text",
    "field_boxes",
    *(
        f"buyer__{field.name}"
        for field in Buyer._meta.concrete_fields
        if not field.primary_key and field.name not in {"public_id", "name", "tax_id"}
    ),
)
# Of the supplier record, the series and the invoices an invoice refers to, a list shows only their public
# ids: a page reads them by id (`<relation>_public_id`), one small query per relation some invoice on it
# has, rather than joining whole rows (the self-joins are whole invoices) to every invoice of the list.
LISTED_RELATION_IDS: tuple[tuple[str, type[Model]], ...] = (
    ("supplier", Supplier),
    ("series", NumberSeries),
    ("duplicate_of", Invoice),
    ("preceding_invoice", Invoice),
)
LISTED_ID_SUFFIX = "_public_id"


def invoice_list(*, company: Company, filters: Any) -> QuerySet[Invoice]:
    """The company's invoices as the API lists them; complete a page of them with `invoice_page_read`.

    Each row says whether the invoice has lines and discounts/charges at all, so a page asks for them
    only when some invoice on it has any: documents without lines (imported headers, most receipts)
    and, on most invoices, the document-level discounts and charges cost no query.
    """
    queryset = (
        Invoice.objects.filter(company=company)
        .select_related("buyer")
        .defer(*LIST_DEFERRED)
        .annotate(
            has_lines=Exists(InvoiceLine.objects.filter(invoice=OuterRef("pk"))),
            has_allowances_charges=Exists(AllowanceCharge.objects.filter(invoice=OuterRef("pk"))),
        )
    )
    return apply_filters(InvoiceFilter, filters, queryset)


def invoice_page_read(invoices: list[Invoice]) -> None:
    """Read what a page of `invoice_list` shows beyond its rows, asking only for what some invoice has.

    Its lines and discounts/charges (one query each at most), and the public ids of its supplier
    record, series and referred invoices (one query per relation)."""
    for has_any, relation, to_attr in (
        ("has_lines", "lines", PREFETCHED_LINES),
        ("has_allowances_charges", "allowances_charges", PREFETCHED_ALLOWANCES_CHARGES),
    ):
        having = [invoice for invoice in invoices if getattr(invoice, has_any)]
        for invoice in invoices:
            if not getattr(invoice, has_any):
                setattr(invoice, to_attr, [])
        if having:
            prefetch_related_objects(having, Prefetch(relation, to_attr=to_attr))
    for relation, model in LISTED_RELATION_IDS:
        ids = {getattr(invoice, f"{relation}_id") for invoice in invoices} - {None}
        public_ids = dict(model._default_manager.filter(pk__in=ids).values_list("pk", "public_id")) if ids else {}
        for invoice in invoices:
            setattr(invoice, f"{relation}{LISTED_ID_SUFFIX}", public_ids.get(getattr(invoice, f"{relation}_id")))


def invoice_get(*, company: Company, public_id: str) -> Invoice:
    invoice = _with_relations(Invoice.objects.filter(company=company, public_id=public_id)).first()
    if invoice is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No invoice with this id.")
    return invoice


def invoice_wait_until_settled(*, invoice: Invoice, seconds: float) -> Invoice:
    """The invoice once it has left `processing`, or as it is when `seconds` have passed."""
    wait_while_status(Invoice, invoice.pk, Status.PROCESSING, seconds=seconds)
    return invoice_get(company=invoice.company, public_id=invoice.public_id)


# --- The dashboard's invoice list: the API's filters, plus sorting, "overdue" and page size. ---

# `?sort=` values the list accepts (a leading "-" reverses), and the columns each one orders by.
INVOICE_SORTS: dict[str, tuple[str, ...]] = {
    "number": ("invoice_number",),
    "party": ("party",),
    "date": ("invoice_date",),
    "due": ("due_date",),
    "total": ("total",),
    "status": ("status",),
    "payment": ("payment_status",),
    "created": ("created_at",),
}
OVERDUE = "overdue"
# Labels for the filter fields, so that an error reads "From date: …" rather than "date_from: …".
FILTER_LABELS = {
    "search": "Search",
    "supplier": "Supplier",
    "buyer": "Buyer",
    "date_from": "From date",
    "date_to": "To date",
    "currency": "Currency",
    "status": "Status",
    "state": "State",
    "document_type": "Document type",
    "direction": "Direction",
    "payment_status": "Payment",
    "ordering": "Order",
}


def invoice_sort_key(value: str) -> str:
    """The `?sort=` value if the list knows it, else the default (newest invoice date first)."""
    return value if value.lstrip("-") in INVOICE_SORTS else "-date"


def _sorted(queryset: QuerySet[Invoice], sort: str) -> QuerySet[Invoice]:
    descending = sort.startswith("-")
    columns = INVOICE_SORTS[sort.lstrip("-")]
    order = [F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True) for column in columns]
    tie = "-pk" if descending else "pk"  # stable across pages
    return queryset.order_by(*order, tie)


def overdue_q(*, today: date) -> Q:
    """Invoices past their due date with something still owed (drafts and void ones owe nothing)."""
    return (
        Q(due_date__lt=today, payment_status__in=[PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID])
        & ~Q(state__in=[State.DRAFT, State.VOID])
        & ~Q(status=Status.FAILED)
    )


@dataclass(frozen=True)
class InvoiceListing:
    invoices: QuerySet[Invoice]
    errors: dict[str, list[str]]  # by field label
    sort: str
    filtered: bool  # any filter given: an empty result means "nothing matches", not "nothing yet"


def invoice_dashboard_list(*, company: Company, params: QueryDict, today: date) -> InvoiceListing:
    """The company's invoices as the dashboard list shows them: filtered, sorted, with the party to sort on.

    `payment_status=overdue` is the dashboard's own value; every other filter is the API's `InvoiceFilter`.
    """
    data = params.copy()
    overdue = data.get("payment_status") == OVERDUE
    if overdue:
        data.pop("payment_status")
    for dashboard_only in ("sort", "per_page", "page"):
        data.pop(dashboard_only, None)
    queryset = (
        Invoice.objects.filter(company=company)
        .select_related("buyer")
        .annotate(
            party=Case(
                When(direction=Direction.SALES, then=F("buyer__name")),
                default=F("supplier_name"),
                output_field=CharField(),
            )
        )
    )
    filterset = InvoiceFilter(data, queryset=queryset)
    sort = invoice_sort_key(params.get("sort", ""))
    filtered = any(value for key, value in data.items() if key in filterset.filters) or overdue
    if not filterset.is_valid():
        errors = {
            FILTER_LABELS.get(field, field.replace("_", " ").capitalize()): [
                "Enter the date as YYYY-MM-DD." if field in ("date_from", "date_to") else str(message)
                for message in messages
            ]
            for field, messages in filterset.errors.items()
        }
        return InvoiceListing(invoices=queryset.none(), errors=errors, sort=sort, filtered=True)
    invoices = filterset.qs
    if overdue:
        invoices = invoices.filter(overdue_q(today=today))
    return InvoiceListing(invoices=_sorted(invoices, sort), errors={}, sort=sort, filtered=filtered)


def invoices_selected(*, company: Company, public_ids: list[str]) -> QuerySet[Invoice]:
    """The company's invoices among these ids: another company's ids select nothing."""
    return Invoice.objects.filter(company=company, public_id__in=public_ids).select_related("buyer", "company")


@dataclass(frozen=True)
class PaymentState:
    key: str  # unpaid, partially_paid, paid, overdue, or "" where nothing is owed (drafts, void, unread)
    label: str


def invoice_payment_state(invoice: Invoice, *, today: date) -> PaymentState:
    """Paid, partly paid, unpaid or overdue, from the invoice's own columns (no query)."""
    if invoice.state in (State.DRAFT, State.VOID) or invoice.status in (Status.PROCESSING, Status.FAILED):
        return PaymentState("", "—")
    if invoice.payment_status == PaymentStatus.PAID or invoice.amount_due <= 0:
        return PaymentState(PaymentStatus.PAID, "Paid")
    if invoice.due_date is not None and invoice.due_date < today:
        partly = " (partly paid)" if invoice.payment_status == PaymentStatus.PARTIALLY_PAID else ""
        return PaymentState(OVERDUE, f"Overdue{partly}")
    if invoice.payment_status == PaymentStatus.PARTIALLY_PAID:
        return PaymentState(PaymentStatus.PARTIALLY_PAID, "Partly paid")
    return PaymentState(PaymentStatus.UNPAID, "Unpaid")


def open_invoices_q(prefix: str = "") -> Q:
    """Invoices that still owe money: issued or recorded, read, not paid. `prefix` for a relation ("invoices__")."""
    return (
        Q(**{f"{prefix}payment_status__in": [PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID]})
        & ~Q(**{f"{prefix}state__in": [State.DRAFT, State.VOID]})
        & Q(**{f"{prefix}status__in": [Status.PROCESSED, Status.NEEDS_REVIEW]})
    )


@dataclass(frozen=True)
class Owed:
    currency: str
    amount: Decimal
    overdue: Decimal


def owed_by_party(*, company: Company, party: str, party_ids: list[int], today: date) -> dict[int, list[Owed]]:
    """What each party's open invoices still owe, per currency, and how much of it is overdue: one grouped
    query for a page of parties. `party` is "buyer" (sales invoices) or "supplier" (purchase invoices)."""
    if not party_ids:
        return {}
    due = ExpressionWrapper(
        F("total") - F("amount_paid") - F("amount_written_off") - F("amount_credited"),
        output_field=DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
    )
    direction = Direction.SALES if party == "buyer" else Direction.PURCHASE
    rows = (
        Invoice.objects.filter(company=company, direction=direction, **{f"{party}_id__in": party_ids})
        .filter(open_invoices_q())
        .values(f"{party}_id", "currency")
        .annotate(owed=Sum(due), overdue=Sum(due, filter=Q(due_date__lt=today)))
        .order_by(f"{party}_id", "currency")
    )
    owed: dict[int, list[Owed]] = {}
    for row in rows:
        currency = row["currency"]
        owed.setdefault(row[f"{party}_id"], []).append(
            Owed(
                currency=currency,
                amount=round_money(row["owed"] or Decimal(0), currency),
                overdue=round_money(row["overdue"] or Decimal(0), currency),
            )
        )
    return owed
