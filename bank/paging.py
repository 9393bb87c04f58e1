"""Pagination for bank pages with several lists on one page: each list has its own query parameter,
and its links keep every other parameter of the address (filters, the other lists' pages)."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


@dataclass
class UncountedPage:
    """A page of a list too costly to count (a text search reads every row once per count): it only
    knows whether a next page exists, from one row more than it shows."""

    object_list: list[Any]
    number: int
    total: None = None
    previous_url: str = ""
    next_url: str = ""


def paged(request: HttpRequest, items: Any, *, param: str = "page", size: int = 25) -> Page:
    """The requested page of `items`, with `total`, `previous_url` and `next_url` for bank/_pager.html."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    page.total = page.paginator.count  # type: ignore[attr-defined]
    page.previous_url = _url(request, param, page.previous_page_number()) if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_url = _url(request, param, page.next_page_number()) if page.has_next() else ""  # type: ignore[attr-defined]
    return page


def paged_uncounted(request: HttpRequest, items: Any, *, param: str = "page", size: int = 25) -> UncountedPage:
    """Like `paged`, without counting `items`."""
    try:
        number = max(int(request.GET.get(param) or 1), 1)
    except ValueError:
        number = 1
    rows = list(items[(number - 1) * size : number * size + 1])
    return UncountedPage(
        object_list=rows[:size],
        number=number,
        previous_url=_url(request, param, number - 1) if number > 1 else "",
        next_url=_url(request, param, number + 1) if len(rows) > size else "",
    )


def _url(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"
