"""Admin helpers: staff who are not superusers see only the companies they belong to."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from companies.selectors import company_ids_for_user


class CompanyScopedAdmin(admin.ModelAdmin):
    company_field = "company"

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Django's plain related filter lists every company; list only those with visible rows.
        return [
            (name, admin.RelatedOnlyFieldListFilter) if name in ("company", self.company_field) else name
            for name in super().get_list_filter(request)
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.company_field}__in": company_ids_for_user(user=request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "company" and not request.user.is_superuser:
            from companies.models import Company

            kwargs["queryset"] = Company.objects.filter(pk__in=company_ids_for_user(user=request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
