"""The company-scoped admin: staff who are not superusers see and accept only their companies' rows.

Every ModelAdmin on the site derives from CompanyScopedAdmin or SuperuserOnlyAdmin, and every inline
from CompanyScopedInline; `invoisx/tests/test_admin.py` fails for one that does not.

One rule: the rows of a model that a staff member may see are those its admin's `get_queryset` gives
them. Lists and raw-id lookup popups (the changelist), change, delete and history views
(`get_object`), actions (the changelist's queryset) and autocomplete (the target admin's queryset and
search) follow from it in Django. Choices did not: Django offers every row of a foreign key's or
many-to-many field's model, so staff of one company could attach another's rows by raw id and read
them back through their own. Here choices follow the same rule, and another company's id is "not one
of the available choices" when the form is saved.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from companies.selectors import company_ids_for_user


def visible_rows(*, admin_site: admin.AdminSite, request: HttpRequest, model: type[Model]) -> QuerySet[Any]:
    """The rows of `model` this user may see or pick in the admin.

    All of them for a superuser; for other staff, what the model's company-scoped admin shows them,
    and none of a model without one (fail closed: an unregistered model is not a way around the rule).
    """
    if request.user.is_superuser:
        return model._default_manager.all()
    model_admin = admin_site._registry.get(model)
    if isinstance(model_admin, CompanyScopedAdmin):
        return model_admin.get_queryset(request)
    return model._default_manager.none()


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input that names the chosen row only if the user may see it.

    Django labels whatever id was typed; redisplaying a form that refused another company's id would
    otherwise print that row's name next to the error.
    """

    def __init__(self, *args: Any, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value) if visible else ("", "")


class CompanyScopedChoices(BaseModelAdmin):
    """Foreign-key and many-to-many choices limited to the rows the user may see (`visible_rows`)."""

    def choices_for(self, db_field: Any, request: HttpRequest) -> QuerySet[Any]:
        related_model = db_field.remote_field.model
        queryset = visible_rows(admin_site=self.admin_site, request=request, model=related_model)
        related_admin = self.admin_site._registry.get(related_model)
        ordering = related_admin.get_ordering(request) if related_admin else ()
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(db_field, request)
            if db_field.name in self.raw_id_fields and "widget" not in kwargs:
                kwargs["widget"] = ScopedRawIdWidget(
                    db_field.remote_field, self.admin_site, using=kwargs.get("using"), queryset=kwargs["queryset"]
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choices_for(db_field, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CompanyScopedAdmin(CompanyScopedChoices, admin.ModelAdmin):
    """The admin of a model whose rows belong to a company, reached from the model by `company_field`."""

    company_field = "company"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scoped = queryset.filter(**{f"{self.company_field}__in": company_ids_for_user(user=request.user)})
        # Through a to-many path (a user's memberships) a row would come back once per company.
        return scoped.distinct() if lookup_spawns_duplicates(self.opts, self.company_field) else scoped

    # A change page may be minutes old when it is saved. Each field carries the value the page showed
    # (a hidden initial), so `changed_data` holds only what this operator changed, and only that is
    # written: a stale page never writes back a payment, a correction or a revocation made meanwhile.
    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        plain = not db_field.many_to_many and not isinstance(db_field, models.FileField)
        if field is not None and plain and not field.disabled:
            field.show_hidden_initial = True
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        concrete = {field.name: field for field in obj._meta.concrete_fields}
        changed = [name for name in form.changed_data if name in concrete]
        if changed:
            stamps = [name for name, field in concrete.items() if getattr(field, "auto_now", False)]
            obj.save(update_fields=[*changed, *stamps])

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Django's plain related filter lists every row of the related model, every company's;
        # list only those that rows the user sees point at.
        return [
            (name, admin.RelatedOnlyFieldListFilter) if self.is_relation_path(name) else name
            for name in super().get_list_filter(request)
        ]

    def is_relation_path(self, name: Any) -> bool:
        return isinstance(name, str) and get_fields_from_path(self.model, name)[-1].is_relation


class CompanyScopedInline(CompanyScopedChoices, admin.TabularInline):
    """An inline whose choices are scoped; its rows are those of a parent the user may see."""


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """The admin of what belongs to no company (permission groups): only superusers see or touch it."""

    superuser_only_because = ""  # say why, for the reader and for the test that checks every admin

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
