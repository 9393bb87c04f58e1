"""Admin for usage counters: operators read them; only counted API calls change them."""

from typing import Any

from django.contrib import admin

from invoisx.admin import CompanyScopedAdmin
from usage.models import UsageDay


@admin.register(UsageDay)
class UsageDayAdmin(CompanyScopedAdmin):
    list_display = ["company", "date", "api_calls", "test_api_calls"]
    list_filter = ["company"]
    date_hierarchy = "date"

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
