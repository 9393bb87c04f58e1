"""Content-Security-Policy on every HTML page, with a fresh nonce per request.

The policy allows scripts, styles, images, fonts and frames from our own origin only, no inline
script or style unless it carries the request's nonce (templates read it as `{{ csp_nonce }}`,
context processor `csp_nonce`), no plugins, no `<base>` elsewhere, forms posting only to us, and no
framing of our pages by anyone. Inline event handlers (`onclick=`) and `style=` attributes are
refused: templates use `static/js/app.js` listeners and CSS classes instead.

A view that needs more (a form that leaves for an OAuth provider, Swagger UI's data: images) says
so with `@csp_extend(...)`; a response that already carries a policy (an uploaded document served
sandboxed) keeps its own.
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


def csp_extend(**directives: Iterable[str]) -> Callable[[View], View]:
    """Adds sources to the policy of one view's pages: `@csp_extend(img_src=["data:"])`."""
    extra = {name.replace("_", "-"): tuple(sources) for name, sources in directives.items()}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.csp_extra = extra  # type: ignore[attr-defined]
            return response

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
