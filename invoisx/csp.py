"""Content-Security-Policy on every HTML page, with a fresh nonce per request.

The policy allows scripts, styles, images, fonts and frames from our own origin only, no inline
script or style unless it carries the request's nonce (templates read it as `{{ csp_nonce }}`,
context processor `csp_nonce`), no plugins, no `<base>` elsewhere, forms posting only to us, and no
framing of our pages by anyone. Inline event handlers (`onclick=`) and `style=` attributes are
refused: templates use `static/js/app.js` listeners and CSS classes instead.

A view that needs more (a form that leaves for an OAuth provider, Swagger UI's data: images) says
so with `@csp_extend(...)` or `csp_allow(response, ...)`; a response that already carries a policy
(an uploaded document served sandboxed) keeps its own.
"""

import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
NONCE = "'nonce-{nonce}'"

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", NONCE),
    "style-src": ("'self'", NONCE),
    "img-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

View = Callable[..., Any]


def _header(nonce: str, extra: dict[str, tuple[str, ...]]) -> str:
    directives = {name: list(sources) for name, sources in POLICY.items()}
    for name, sources in extra.items():
        directives.setdefault(name, list(POLICY["default-src"])).extend(sources)
    return "; ".join(
        f"{name} {' '.join(source.format(nonce=nonce) for source in sources)}" for name, sources in directives.items()
    )


def _directives(sources_by_name: dict[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {name.replace("_", "-"): tuple(sources) for name, sources in sources_by_name.items()}


def csp_allow(response: HttpResponse, **directives: Iterable[str]) -> HttpResponse:
    """Adds sources to the policy of this one response: `csp_allow(response, form_action=[origin])`."""
    extra: dict[str, tuple[str, ...]] = dict(getattr(response, "csp_extra", {}))
    for name, sources in _directives(directives).items():
        extra[name] = extra.get(name, ()) + sources
    response.csp_extra = extra  # type: ignore[attr-defined]
    return response


def csp_extend(**directives: Iterable[str]) -> Callable[[View], View]:
    """Adds sources to the policy of every page of one view: `@csp_extend(img_src=["data:"])`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return csp_allow(view(request, *args, **kwargs), **directives)

        return wrapped

    return decorator


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: `{{ csp_nonce }}` for the inline `<script>` or `<style>` a page must have."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A new unguessable nonce per response: a script injected into the page cannot know it.
        request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response and response.get("Content-Type", "").startswith("text/html"):
            response[HEADER] = _header(request.csp_nonce, getattr(response, "csp_extra", {}))  # type: ignore[attr-defined]
        return response
