"""Request ids on every response, and per-token rolling-hour rate limits on every API response."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from invoisx.api.errors import error_json_response
from invoisx.api.meta import CLIENT_REQUEST_ID, new_request_id
from invoisx.api.ratelimit import hit
from tokens.selectors import resolve_request_token

API_PREFIX = "/api/"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if CLIENT_REQUEST_ID.match(incoming) else new_request_id()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


def client_ip(request: HttpRequest) -> str:
    """The caller's address, trusting X-Forwarded-For only as far as the configured proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


class ApiRateLimitMiddleware:
    """Counts each API request against its token's plan limit, or its address when unauthenticated.

    The token is resolved here once and kept on the request, so authentication reuses it. A token
    that is missing, wrong, revoked or expired counts against the caller's address instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)

        token = resolve_request_token(request).token
        if token is not None:
            state = hit(f"token:{token.pk}", token.company.plan_limits.requests_per_hour)
        else:
            state = hit(f"ip:{client_ip(request)}", settings.API_ANON_RATE_LIMIT_PER_HOUR)

        if state.allowed:
            response = self.get_response(request)
        else:
            response = error_json_response(
                request,
                status_code=429,
                code="rate_limit_exceeded",
                message=f"Rate limit exceeded. Retry after {state.retry_after} seconds.",
            )
        for name, value in state.headers().items():
            response[name] = value
        return response
