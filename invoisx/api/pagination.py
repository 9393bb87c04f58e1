"""Page-number pagination with seed 001's shape: `{"<plural>": [...], "pagination": {...}}`."""

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from invoisx.api.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Python reads any whole number, but the database's OFFSET is a 64-bit integer: bound the page so
# (page - 1) * limit always fits (and says so in the schema).
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    limit: int
    total: int

    def pagination(self) -> dict[str, int]:
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "total_pages": math.ceil(self.total / self.limit) if self.total else 0,
        }


def _positive_int(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:  # also a number too long to convert (over 4,300 digits)
        raise ValidationFailed(
            f"'{name}' must be a whole number.", details={name: ["Must be a whole number."]}
        ) from None
    if not 1 <= value <= maximum:
        bound = f"between 1 and {maximum}"
        raise ValidationFailed(f"'{name}' must be {bound}.", details={name: [f"Must be {bound}."]})
    return value


def paginate(request: Request, queryset: QuerySet[Any]) -> Page:
    page = _positive_int(request, "page", 1, MAX_PAGE)
    limit = _positive_int(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    # Counted as ids: the same rows without what reading them takes (joined rows, deferred columns),
    # which otherwise cost the ORM twice the count's own work on every page.
    total = queryset.values("pk").count()
    offset = (page - 1) * limit
    return Page(items=list(queryset[offset : offset + limit]), page=page, limit=limit, total=total)


def paginated_data(key: str, page: Page, serialized: Any) -> dict[str, Any]:
    return {key: serialized, "pagination": page.pagination()}
