"""Page-number pagination with seed 001's shape: `{"<plural>": [...], "pagination": {...}}`."""

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from invoisx.api.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


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


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(
            f"'{name}' must be a whole number.", details={name: ["Must be a whole number."]}
        ) from None
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"between 1 and {maximum}" if maximum else "1 or more"
        raise ValidationFailed(f"'{name}' must be {bound}.", details={name: [f"Must be {bound}."]})
    return value


def paginate(request: Request, queryset: QuerySet[Any]) -> Page:
    page = _positive_int(request, "page", 1)
    limit = _positive_int(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    total = queryset.count()
    offset = (page - 1) * limit
    return Page(items=list(queryset[offset : offset + limit]), page=page, limit=limit, total=total)


def paginated_data(key: str, page: Page, serialized: Any) -> dict[str, Any]:
    return {key: serialized, "pagination": page.pagination()}
