"""Admin for suppliers, invoices and their lines, the supplier layouts learned from corrections, and
what issuing adds: number series, issued documents, deliveries, and document discounts and charges.

Issuing is done by its services only: the admin never sets an invoice's lifecycle fields, changes
nothing of an issued invoice (it is corrected by a credit note), and shows issued documents and
deliveries read-only.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from invoices.models import (
    AllowanceCharge,
    Invoice,
    InvoiceChange,
    InvoiceDelivery,
    InvoiceLine,
    IssuedDocument,
    NumberSeries,
    Supplier,
    SupplierLayout,
)
from invoices.services import invoice_delete
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline
from invoisx.errors import DomainError


class InvoiceLineInline(CompanyScopedInline):
    model = InvoiceLine
    extra = 0


ALLOWANCE_CHARGE_FIELDS = ("position", "is_charge", "amount", "reason", "tax_category", "tax_rate")


class AllowanceChargeInline(CompanyScopedInline):
    """Shown, never edited here: a change would not recompute the invoice's totals."""

    model = AllowanceCharge
    extra = 0
    can_delete = False
    fields = ALLOWANCE_CHARGE_FIELDS
    readonly_fields = ALLOWANCE_CHARGE_FIELDS

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


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
    # The lifecycle (state, its dates, the series, the credit note's invoice) moves only through the
    # issuing services, which number, freeze and sign: never set by hand here.
    readonly_fields = [
        "public_id",
        "state",
        "document_type",
        "preceding_invoice",
        "series",
        "issued_at",
        "sent_at",
        "voided_at",
        "void_reason",
        "review_reasons",
        "duplicate_of",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["buyer", "supplier"]
    inlines = [InvoiceLineInline, AllowanceChargeInline, InvoiceChangeInline]

    # An issued invoice's content is frozen (what was signed and sent must stay what is stored): its
    # page is view-only, lines and discounts included, and a POST to it is refused.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_issued)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_issued)

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


@admin.register(NumberSeries)
class NumberSeriesAdmin(CompanyScopedAdmin):
    """Shown, and deleted when unused (invoices protect theirs); made and changed in Settings › Number
    series, whose service validates the format and keeps one default per document type."""

    list_display = ["name", "company", "document_type", "format", "is_default", "counters", "updated_at"]
    list_filter = ["company", "document_type", "is_default"]
    search_fields = ["name", "format", "public_id"]
    fields = readonly_fields = (
        "public_id",
        "company",
        "document_type",
        "name",
        "format",
        "start",
        "counters",
        "is_default",
    )

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(CompanyScopedAdmin):
    """The frozen record of what was issued and signed: never added, changed or deleted by hand."""

    list_display = ["invoice", "company", "digest", "created_at"]
    list_filter = ["company"]
    search_fields = ["invoice__invoice_number", "invoice__public_id", "digest"]
    fields = readonly_fields = ("invoice", "company", "digest", "pdf_sha256", "pdf", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(InvoiceDelivery)
class InvoiceDeliveryAdmin(CompanyScopedAdmin):
    """The record of each email sending: what the mail server said is evidence, kept as it was."""

    company_field = "invoice__company"
    list_display = ["public_id", "invoice", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["invoice__company", "status"]
    search_fields = ["public_id", "invoice__invoice_number", "invoice__public_id", "message_id"]
    fields = readonly_fields = (
        "public_id",
        "invoice",
        "to",
        "cc",
        "attachments",
        "status",
        "message_id",
        "error",
        "attempts",
        "requested_by_user",
        "requested_by_token",
        "created_at",
        "sent_at",
        "updated_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
