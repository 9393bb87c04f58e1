"""Admin for the event outbox (read-only: events are facts)."""

from django.contrib import admin

from events.models import Event
from invoisx.admin import CompanyScopedAdmin


@admin.register(Event)
class EventAdmin(CompanyScopedAdmin):
    list_display = ["public_id", "type", "company", "created_at"]
    list_filter = ["company", "type"]
    search_fields = ["public_id"]
    readonly_fields = ["public_id", "company", "type", "data", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
