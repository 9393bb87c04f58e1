"""What every dashboard list shares: the page size (`?per_page=`), sortable column headings (`?sort=`,
"-" for descending) and query strings that keep the filters when one parameter changes."""

from typing import Any

from django.http import HttpRequest, QueryDict

PAGE_SIZES = (25, 50, 100)


def per_page(request: HttpRequest) -> int:
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PAGE_SIZES else PAGE_SIZES[0]


def query_with(params: QueryDict, **changes: str | None) -> str:
    """The query string of `params` with `changes` applied (None removes a key)."""
    data = params.copy()
    for key, value in changes.items():
        data.pop(key, None)
        if value is not None:
            data[key] = value
    return data.urlencode()


def sort_headers(
    params: QueryDict, current: str, columns: list[tuple[str, str]], *, descending_first: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """A heading per (key, label): the link that sorts by it (again: reversed) and its `aria-sort`."""
    headers = []
    for key, label in columns:
        ascending, descending = current == key, current == f"-{key}"
        first = f"-{key}" if key in descending_first else key
        following = key if descending else f"-{key}" if ascending else first
        headers.append(
            {
                "key": key,
                "label": label,
                "href": "?" + query_with(params, sort=following, page=None),
                "aria_sort": "ascending" if ascending else "descending" if descending else "none",
                "numeric": key in ("total", "open"),
            }
        )
    return headers
