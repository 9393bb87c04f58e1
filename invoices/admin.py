"""Admin for suppliers, invoices and their lines."""

from django.contrib import admin

from invoices.models import Invoice, InvoiceLine, Supplier
from invoisx.admin import CompanyScopedAdmin


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0


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
    search_fields = ["public_id", "invoice_number", "supplier__name", "buyer__name"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    raw_id_fields = ["buyer", "supplier"]
    inlines = [InvoiceLineInline]


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
