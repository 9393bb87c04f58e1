"""Admin for suppliers, invoices and their lines, and the supplier layouts learned from corrections."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from invoices.models import Invoice, InvoiceChange, InvoiceLine, Supplier, SupplierLayout
from invoices.services import invoice_delete
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline
from invoisx.errors import DomainError


class InvoiceLineInline(CompanyScopedInline):
    model = InvoiceLine
    extra = 0


CHANGE_FIELDS = ["field", "old_value", "new_value", "changed_by_user", "changed_by_token", "created_at"]


class InvoiceChangeInline(CompanyScopedInline):
    model = InvoiceChange
    extra = 0
    can_delete = False
    readonly_fields = CHANGE_FIELDS

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(CompanyScopedAdmin):
    list_display = [
        "public_id",
        "invoice_number",
        "direction",
        "company",
        "status",
        "invoice_date",
        "total",
        "currency",
    ]
    list_filter = ["company", "direction", "status", "currency", "source"]
    search_fields = ["public_id", "invoice_number", "supplier_name", "supplier__name", "buyer__name"]
    # Computed by `invoices.review`; read-only also keeps other companies' invoices out of a duplicate_of picker.
    readonly_fields = ["public_id", "review_reasons", "duplicate_of", "reviewed_at", "created_at", "updated_at"]
    raw_id_fields = ["buyer", "supplier"]
    inlines = [InvoiceLineInline, InvoiceChangeInline]

    # Through the service, as the API and the dashboard delete: matched payments refuse it, the event
    # is recorded, and the stored document is deleted once the deletion commits.
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            invoice_delete(invoice=obj)
        except DomainError as error:
            self.message_user(request, f"{obj}: {error.message}", level=messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for invoice in queryset:
            self.delete_model(request, invoice)


@admin.register(Supplier)
class SupplierAdmin(CompanyScopedAdmin):
    list_display = ["name", "public_id", "company", "tax_id", "created_at"]
    list_filter = ["company"]
    search_fields = ["name", "public_id", "tax_id"]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(CompanyScopedAdmin):
    company_field = "invoice__company"
    list_display = ["invoice", "position", "description", "quantity", "unit_price", "amount"]
    list_filter = ["invoice__company"]
    search_fields = ["description", "invoice__invoice_number"]
    raw_id_fields = ["invoice"]


@admin.register(InvoiceChange)
class InvoiceChangeAdmin(CompanyScopedAdmin):
    company_field = "invoice__company"
    list_display = ["invoice", "field", "changed_by_user", "changed_by_token", "created_at"]
    list_filter = ["invoice__company", "field"]
    search_fields = ["invoice__public_id", "invoice__invoice_number"]
    readonly_fields = [
        "invoice",
        "field",
        "old_value",
        "new_value",
        "changed_by_user",
        "changed_by_token",
        "created_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SupplierLayout)
class SupplierLayoutAdmin(CompanyScopedAdmin):
    """Learned layouts can be inspected and deleted (to forget a bad one), never written by hand."""

    list_display = ["supplier", "company", "learned_fields", "times_learned", "times_applied", "last_applied_at"]
    list_filter = ["company"]
    search_fields = ["supplier__name", "supplier__public_id", "supplier__tax_id"]
    readonly_fields = [
        "company",
        "supplier",
        "template",
        "learned_from",
        "times_learned",
        "times_applied",
        "last_applied_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
