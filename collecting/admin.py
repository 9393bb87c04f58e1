"""Admin of collecting: the customer's settings, its users, their tokens and credentials, and what the
credentials collected; shown, and changed only through the services.

No secret is among the fields: not a credential's sealed params or second factor (encrypted or not),
not a user token's hash. A credential may be collected again now (an action, through the service,
which also gives a disconnected one another try); a user, a credential or a token may be deleted.
Settings are changed in the dashboard or the API, where the callback is checked.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet
from django.http import HttpRequest

from collecting.models import CollectedDocument, CollectorUser, Credential, CustomerSettings, UserToken
from collecting.services import credential_collect_now
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline

# Neither `params_sealed` nor `two_fa_code_sealed` is in any of these.
CREDENTIAL_FIELDS = (
    "public_id",
    "company",
    "user",
    "collector",
    "note",
    "state",
    "message",
    "download_from",
    "last_collect_at",
    "next_collect_at",
    "login_failures",
    "collect_queued_at",
    "collect_lease_until",
    "collect_attempts",
    "two_fa_until",
    "created_at",
    "updated_at",
)


class ReadOnlyAdmin(CompanyScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CustomerSettings)
class CustomerSettingsAdmin(ReadOnlyAdmin):
    list_display = ["company", "callback", "updated_at"]
    fields = readonly_fields = ("company", "callback", "frame_ancestors", "updated_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CredentialInline(CompanyScopedInline):
    model = Credential
    extra = 0
    can_delete = False
    fields = readonly_fields = ("public_id", "collector", "note", "state", "last_collect_at", "next_collect_at")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CollectorUser)
class CollectorUserAdmin(ReadOnlyAdmin):
    list_display = ["remote_id", "public_id", "company", "locale", "created_at"]
    list_filter = ["company", "locale"]
    search_fields = ["remote_id", "public_id"]
    fields = readonly_fields = ("public_id", "company", "remote_id", "locale", "email", "created_at")
    inlines = [CredentialInline]


@admin.register(UserToken)
class UserTokenAdmin(ReadOnlyAdmin):
    """A token is shown by whose it is and when it expires; deleting it ends it at once."""

    company_field = "user__company"
    list_display = ["user", "created_at", "expires_at"]
    fields = readonly_fields = ("user", "created_at", "expires_at")  # never the hash


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "company", "user", "collector", "state", "last_collect_at", "next_collect_at"]
    list_filter = ["company", "collector", "state"]
    search_fields = ["public_id", "user__remote_id", "note"]
    fields = readonly_fields = CREDENTIAL_FIELDS
    actions = ["collect_now"]

    def has_collect_permission(self, request: HttpRequest) -> bool:
        # Collecting writes the credential (its state, its schedule): it takes the change permission,
        # which the read-only change page does not otherwise use.
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    @admin.action(description="Collect now (and try a disconnected one again)", permissions=["collect"])
    def collect_now(self, request: HttpRequest, queryset: QuerySet[Credential]) -> None:
        for credential in queryset:
            credential_collect_now(credential=credential)
        self.message_user(request, f"{len(queryset)} credential(s) queued for collection.", messages.SUCCESS)


@admin.register(CollectedDocument)
class CollectedDocumentAdmin(ReadOnlyAdmin):
    """Kept as it is: a deleted row would let its document be collected (and pushed) again."""

    list_display = ["file_name", "company", "credential", "mimetype", "pushed", "created_at"]
    list_filter = ["company", "pushed"]
    search_fields = ["file_name", "sha256", "credential__public_id"]
    fields = readonly_fields = (
        "company",
        "credential",
        "source_key",
        "sha256",
        "file_name",
        "mimetype",
        "issued_at",
        "invoice",
        "pushed",
        "created_at",
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
