"""The viewer's locale for numbers on dashboard pages: the best match of the browser's Accept-Language
among the locales we format for, English by default.

It is set per request by `ViewerLocaleMiddleware` into a context variable, so template filters (the
`money` filter) read it without a request at hand. It affects how amounts are written only (thousands
separator and decimal mark), never the language of the pages or of an issued invoice.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

SUPPORTED_LOCALES = ("en", "ms", "de", "fr", "nl", "es", "it")
DEFAULT_LOCALE = "en"

_viewer_locale: ContextVar[str] = ContextVar("viewer_locale", default=DEFAULT_LOCALE)


def viewer_locale() -> str:
    """The locale amounts are written in for the current request ("en" outside one)."""
    return _viewer_locale.get()


def best_locale(accept_language: str) -> str:
    """The supported locale the header prefers most ("de-DE,de;q=0.9,en;q=0.8" -> "de")."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in SUPPORTED_LOCALES and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else DEFAULT_LOCALE


class ViewerLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _viewer_locale.set(best_locale(request.headers.get("Accept-Language", "")))
        try:
            return self.get_response(request)
        finally:
            _viewer_locale.reset(token)
