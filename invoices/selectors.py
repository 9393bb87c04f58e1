"""Reads for invoices: seed 001's list filters, and single lookups within one company."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from companies.models import Company
from invoices.models import Direction, DocumentType, Invoice, PaymentStatus, State, Status
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from invoisx.money import clean_currency_field
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
        "lines", "allowances_charges"
    )


def invoice_list(*, company: Company, filters: Any) -> QuerySet[Invoice]:
    return apply_filters(InvoiceFilter, filters, _with_relations(Invoice.objects.filter(company=company)))


def invoice_get(*, company: Company, public_id: str) -> Invoice:
    invoice = _with_relations(Invoice.objects.filter(company=company, public_id=public_id)).first()
    if invoice is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No invoice with this id.")
    return invoice


def invoice_wait_until_settled(*, invoice: Invoice, seconds: float) -> Invoice:
    """The invoice once it has left `processing`, or as it is when `seconds` have passed."""
    wait_while_status(Invoice, invoice.pk, Status.PROCESSING, seconds=seconds)
    return invoice_get(company=invoice.company, public_id=invoice.public_id)
