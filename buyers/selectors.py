"""Reads for buyers: filtered lists and single lookups, always within one company."""

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet

from buyers.models import Buyer
from companies.models import Company
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError


class BuyerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=200)
    tax_id = django_filters.CharFilter(lookup_expr="iexact", max_length=50)
    email = django_filters.CharFilter(lookup_expr="iexact", max_length=254)
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2)
    created_from = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(fields=["name", "created_at", "updated_at"])

    class Meta:
        model = Buyer
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Buyer], name: str, value: str) -> QuerySet[Buyer]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(tax_id__icontains=value)
            | Q(registration_number__icontains=value)
            | Q(contact_name__icontains=value)
        )


def buyer_list(*, company: Company, filters: Any) -> QuerySet[Buyer]:
    return apply_filters(BuyerFilter, filters, Buyer.objects.filter(company=company))


def buyer_get(*, company: Company, public_id: str) -> Buyer:
    buyer = Buyer.objects.filter(company=company, public_id=public_id).first()
    if buyer is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No buyer with this id.")
    return buyer


BUYER_SORTS = {"name": ("name",), "open": ("open_count",), "created": ("created_at",)}


def buyer_dashboard_list(*, company: Company, search: str, sort: str) -> tuple[QuerySet[Buyer], str]:
    """The company's buyers, searched by name, email or tax id, each with its number of open sales
    invoices (counted in the query); and the sort used."""
    from invoices.selectors import open_invoices_q  # invoices' models import this app's

    buyers = Buyer.objects.filter(company=company).annotate(
        open_count=Count("invoices", filter=open_invoices_q("invoices__") & Q(invoices__direction="sales"))
    )
    if search:
        buyers = buyers.filter(Q(name__icontains=search) | Q(email__icontains=search) | Q(tax_id__icontains=search))
    sort = sort if sort.lstrip("-") in BUYER_SORTS else "name"
    descending = sort.startswith("-")
    columns = [f"-{column}" if descending else column for column in BUYER_SORTS[sort.lstrip("-")]]
    return buyers.order_by(*columns, "-pk" if descending else "pk"), sort
