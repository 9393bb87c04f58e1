"""Admin for idempotency keys: what was answered to which key, read-only."""

from typing import Any

from django.contrib import admin

from idempotency.models import IdempotentRequest
from invoisx.admin import CompanyScopedAdmin


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(CompanyScopedAdmin):
    list_display = ["key", "company", "method", "path", "response_status", "created_at"]
    list_filter = ["company", "method", "response_status"]
    search_fields = ["key", "path"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
