"""Running a django-filter FilterSet over query parameters, with bad values answered as a 400."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from invoisx.api.errors import ValidationFailed


def apply_filters(
    filterset_class: type[django_filters.FilterSet], params: Any, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    if not any(name in params for name in filterset_class.base_filters):
        # Nothing to filter by (a plain page of the list, the common call): the FilterSet would build
        # and validate a form of empty fields, several milliseconds, to change nothing.
        return queryset
    filterset = filterset_class(data=params, queryset=queryset)
    if not filterset.is_valid():
        details = {field: [str(message) for message in messages] for field, messages in filterset.errors.items()}
        field, messages = next(iter(details.items()))
        raise ValidationFailed(f"Invalid value for '{field}': {messages[0]}", details=details)
    return filterset.qs
