"""Admin for API tokens: operators can see and revoke tokens, never read a secret (none is stored)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from invoisx.admin import CompanyScopedAdmin
from tokens.models import ApiToken
from tokens.services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(CompanyScopedAdmin):
    list_display = ["name", "prefix", "company", "is_test", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["company", "is_test", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "public_id"]
    readonly_fields = [
        "public_id",
        "company",
        "prefix",
        "scopes",
        "is_test",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_by",
        "created_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued in the dashboard or with `manage.py createtoken`, shown once

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
        messages.success(request, "The selected tokens are revoked.")
