"""Admin for webhook endpoints and deliveries: read them here; change them in the dashboard or the API.

The signing secret is never shown: it is stored encrypted and left out of every admin page.
"""

from typing import Any

from django.contrib import admin

from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint

# The encrypted signing secret is in neither list.
ENDPOINT_FIELDS = ("public_id", "company", "url", "description", "event_types", "active", "created_at", "updated_at")
ATTEMPT_FIELDS = ("number", "status", "started_at", "duration_ms", "response_status", "response_body", "error")


class ReadOnlyAdmin(CompanyScopedAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "company", "url", "active", "created_at", "updated_at"]
    list_filter = ["company", "active"]
    search_fields = ["public_id", "url", "description"]
    fields = readonly_fields = ENDPOINT_FIELDS


class DeliveryAttemptInline(CompanyScopedInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ATTEMPT_FIELDS

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "company",
        "endpoint",
        "event",
        "status",
        "attempts_count",
        "last_response_status",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["company", "status"]
    search_fields = ["public_id", "event__public_id", "endpoint__public_id", "endpoint__url"]
    raw_id_fields = ["endpoint", "event"]
    inlines = [DeliveryAttemptInline]
