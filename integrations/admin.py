"""Admin for connections and publications: status only. Tokens are never shown, not even encrypted."""

from typing import Any

from django.contrib import admin

from integrations.models import Connection, Publication
from invoisx.admin import CompanyScopedAdmin


@admin.register(Connection)
class ConnectionAdmin(CompanyScopedAdmin):
    list_display = ["company", "provider", "external_company_name", "needs_reconnect", "connected_at", "last_sync_at"]
    list_filter = ["company", "provider", "needs_reconnect"]
    search_fields = ["external_company_name", "external_company_id", "company__name"]
    # Only what is safe to show; the encrypted token columns are not even listed.
    fields = (
        "company",
        "provider",
        "external_company_id",
        "external_company_name",
        "access_token_expires_at",
        "refresh_token_expires_at",
        "needs_reconnect",
        "connected_by",
        "connected_at",
        "refreshed_at",
        "last_sync_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # connections are made through the OAuth flow in the dashboard

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(CompanyScopedAdmin):
    list_display = ["public_id", "company", "invoice", "target", "sandbox", "status", "external_id", "published_at"]
    list_filter = ["company", "target", "status", "sandbox"]
    search_fields = ["public_id", "external_id", "invoice__public_id", "invoice__invoice_number"]
    readonly_fields = (
        "public_id",
        "company",
        "invoice",
        "target",
        "sandbox",
        "status",
        "external_id",
        "external_contact_id",
        "attachment_id",
        "claimed_at",
        "published_at",
        "failure_reason",
        "attempts",
    )
    fields = readonly_fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False
