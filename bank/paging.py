"""Pagination for bank pages with several lists on one page: each list has its own query parameter,
and its links keep every other parameter of the address (filters, the other lists' pages)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paged(request: HttpRequest, items: Any, *, param: str = "page", size: int = 25) -> Page:
    """The requested page of `items`, with `previous_url` and `next_url` for bank/_pager.html."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    page.previous_url = _url(request, param, page.previous_page_number()) if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_url = _url(request, param, page.next_page_number()) if page.has_next() else ""  # type: ignore[attr-defined]
    return page


def _url(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"
