"""Reads for the dashboard's supplier pages: the list with each supplier's open invoices, one supplier."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from companies.models import Company
from invoices.models import Supplier
from invoices.selectors import open_invoices_q

SUPPLIER_SORTS = {"name": ("name",), "open": ("open_count",), "created": ("created_at",)}


@dataclass(frozen=True)
class SupplierListing:
    suppliers: QuerySet[Supplier]
    sort: str


def supplier_dashboard_list(*, company: Company, search: str, sort: str) -> SupplierListing:
    """The company's suppliers, searched by name or tax id, each with its number of open purchase invoices."""
    suppliers = Supplier.objects.filter(company=company).annotate(
        open_count=Count("invoices", filter=open_invoices_q("invoices__") & Q(invoices__direction="purchase"))
    )
    if search:
        suppliers = suppliers.filter(Q(name__icontains=search) | Q(tax_id__icontains=search))
    sort = sort if sort.lstrip("-") in SUPPLIER_SORTS else "name"
    descending = sort.startswith("-")
    columns = [f"-{column}" if descending else column for column in SUPPLIER_SORTS[sort.lstrip("-")]]
    return SupplierListing(suppliers=suppliers.order_by(*columns, "-pk" if descending else "pk"), sort=sort)
