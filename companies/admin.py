"""Admin for companies, memberships, users and permission groups.

Staff who are not superusers see only their companies and the users who belong to them. They change
(or set a password for) only users who belong to no other company and are not superusers, so a
shared user is no way into another company; only a superuser grants staff or superuser status,
groups or permissions, and only a superuser sees groups, which hold permissions across companies.
"""

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from companies.models import Company, Invitation, Membership, Role
from companies.roles import ROLES
from companies.selectors import company_ids_for_user
from companies.services import PROFILE_FIELDS, profile_problems
from companies.team import invitation_revoke
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline, SuperuserOnlyAdmin

User = get_user_model()

# What only a superuser grants: each is a way past the company scoping.
GRANTS = ("is_staff", "is_superuser", "groups", "user_permissions")


class CompanyAdminForm(forms.ModelForm):
    """The seller profile is checked as Settings › Company and the API check it (tax id, IBAN, country…)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = copy.copy(self.instance)
        for name in PROFILE_FIELDS:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        for field, messages in profile_problems(candidate).items():
            if field in self.fields:
                self.add_error(field, messages)
        for name in PROFILE_FIELDS:  # tidied (tax id normalised, IBAN without spaces, ...)
            if name in cleaned and name not in self.errors:
                cleaned[name] = getattr(candidate, name)
        return cleaned


ROLE_HELP = " ".join(f"{info.label}: {info.description}" for info in ROLES)
LAST_OWNER = "A company needs at least one owner: make another member an owner first."


def _other_owner_exists(membership: Membership) -> bool:
    others = Membership.objects.filter(company_id=membership.company_id, role=Role.OWNER).exclude(pk=membership.pk)
    return others.exists()


class MembershipAdminForm(forms.ModelForm):
    """The last owner rule of Settings › Team and the API (`companies.team`), here for a role changed."""

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        stored = Membership.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        if stored and stored.role == Role.OWNER and role != Role.OWNER and not _other_owner_exists(stored):
            raise forms.ValidationError(LAST_OWNER)
        return role


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    """Deleting rows in the company's page keeps an owner too."""

    def clean(self) -> None:
        super().clean()
        kept_owner = any(
            form.cleaned_data.get("role") == Role.OWNER and not form.cleaned_data.get("DELETE")
            for form in self.forms
            if form.cleaned_data
        )
        had_owner = any(form.instance.pk and form.initial.get("role") == Role.OWNER for form in self.forms)
        if had_owner and not kept_owner:
            raise forms.ValidationError(LAST_OWNER)


class MembershipInline(CompanyScopedInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["public_id"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "role" and field is not None:
            field.help_text = ROLE_HELP  # the roles as companies/roles.py describes them
        return field


@admin.register(Company)
class CompanyAdmin(CompanyScopedAdmin):
    company_field = "pk"
    list_display = ["name", "public_id", "plan", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name", "public_id"]
    form = CompanyAdminForm
    # The logo is uploaded in Settings › Company, which checks the image and re-encodes it.
    readonly_fields = ["public_id", "logo", "created_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # a company made by staff would have no member, out of their sight


@admin.register(Membership)
class MembershipAdmin(CompanyScopedAdmin):
    list_display = ["user", "company", "role", "public_id", "created_at"]
    list_filter = ["company", "role"]
    search_fields = ["user__username", "user__email", "company__name", "public_id"]
    autocomplete_fields = ["user", "company"]
    readonly_fields = ["public_id"]
    form = MembershipAdminForm

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        if obj is not None and obj.role == Role.OWNER and not _other_owner_exists(obj):
            return False  # the last owner
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:  # the bulk action: every last owner stays
            if membership.role != Role.OWNER or _other_owner_exists(membership):
                membership.delete()

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "role" and field is not None:
            field.help_text = ROLE_HELP
        return field


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(CompanyScopedAdmin, DjangoUserAdmin):
    company_field = "memberships__company"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # a user made here belongs to no company, out of staff's sight

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, *GRANTS]

    def may_manage(self, request: HttpRequest, user: Any) -> bool:
        if user is None or request.user.is_superuser:
            return True
        if user.is_superuser:
            return False
        theirs = company_ids_for_user(user=request.user)
        return not Membership.objects.filter(user=user).exclude(company__in=theirs).exists()


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdmin, DjangoGroupAdmin):
    superuser_only_because = "A group holds permissions, which are the same in every company."


@admin.register(Invitation)
class InvitationAdmin(CompanyScopedAdmin):
    """Open and past invitations, to see who was invited and revoke a link. They are made in Settings › Team
    or the API, which email the link: the admin has no link to send, so it adds none."""

    list_display = ["email", "company", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["company", "role"]
    search_fields = ["email", "company__name", "public_id"]
    shown = ("public_id", "company", "email", "role", "invited_by", "created_at", "expires_at")
    fields = readonly_fields = (*shown, "accepted_at", "accepted_by", "revoked_at")  # never the token's hash
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            invitation_revoke(invitation=invitation)  # as an operator, like the command line
