"""Admin for buyers."""

from django.contrib import admin

from buyers.models import Buyer
from invoisx.admin import CompanyScopedAdmin


@admin.register(Buyer)
class BuyerAdmin(CompanyScopedAdmin):
    list_display = ["name", "public_id", "company", "tax_id", "country", "created_at"]
    list_filter = ["company", "country"]
    search_fields = ["name", "public_id", "tax_id", "email"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
