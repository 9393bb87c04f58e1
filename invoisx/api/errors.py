"""The one error contract of the API: exception types, the envelope they render to, the handler.

An error body is readable by clients of both seed documents:

    {"success": false, "message": "...", "error_code": "UNAUTHORIZED",
     "error": {"code": "invalid_api_key", "message": "...", "docs_url": "...", "details": {...}},
     "meta": {"timestamp": "...", "request_id": "..."}}

Services raise `invoisx.errors.DomainError` (or Django's ValidationError), which knows no HTTP;
`DOMAIN_ERROR_STATUS` below gives each code its status. The `ApiError` classes are for API-layer
code only (authentication, permissions, parsers, pagination, filtering). Views never build error
responses by hand. Anything that escapes is answered by `handler500` with `processing_error`.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

from invoisx import errors as domain
from invoisx.api.meta import response_meta
from invoisx.errors import flatten_errors

# error.code -> error_code where seed 000 has an upper-case code of its own.
SEED_000_CODES = {
    "authentication_required": "UNAUTHORIZED",
    "invalid_api_key": "UNAUTHORIZED",
    "token_expired": "TOKEN_EXPIRED",
    "insufficient_scope": "FORBIDDEN",
    "company_access_denied": "COMPANY_ACCESS_DENIED",
}

# DomainError.code -> HTTP status; statuses of seed 001's error table where it names the code.
DOMAIN_ERROR_STATUS = {
    domain.VALIDATION_ERROR: status.HTTP_400_BAD_REQUEST,
    domain.RESOURCE_NOT_FOUND: status.HTTP_404_NOT_FOUND,
    domain.PROCESSING_ERROR: status.HTTP_500_INTERNAL_SERVER_ERROR,
    domain.MONTHLY_LIMIT_REACHED: status.HTTP_429_TOO_MANY_REQUESTS,
    domain.CONFLICT: status.HTTP_409_CONFLICT,
    domain.IDEMPOTENCY_KEY_IN_USE: status.HTTP_409_CONFLICT,
    domain.IDEMPOTENCY_KEY_REUSED: status.HTTP_422_UNPROCESSABLE_ENTITY,
    domain.INTEGRATION_NOT_CONNECTED: status.HTTP_409_CONFLICT,
    domain.INTEGRATION_RECONNECT_REQUIRED: status.HTTP_409_CONFLICT,
    domain.INTEGRATION_CONNECT_FAILED: status.HTTP_400_BAD_REQUEST,
    domain.INVOICE_NOT_PUBLISHABLE: status.HTTP_409_CONFLICT,
    domain.PUBLISH_IN_PROGRESS: status.HTTP_409_CONFLICT,
    domain.PROVIDER_RATE_LIMITED: status.HTTP_503_SERVICE_UNAVAILABLE,
    domain.PROVIDER_VALIDATION_ERROR: status.HTTP_422_UNPROCESSABLE_ENTITY,
    domain.PROVIDER_UNAVAILABLE: status.HTTP_502_BAD_GATEWAY,
    domain.PROVIDER_TIMEOUT: status.HTTP_504_GATEWAY_TIMEOUT,
}
# A code missing from the table is still the client's request refused, not a server fault;
# test_domain_errors makes sure every code in invoisx.errors has its own entry.
UNKNOWN_DOMAIN_ERROR_STATUS = status.HTTP_400_BAD_REQUEST


class ApiError(drf_exceptions.APIException):
    """An error with a stable machine-readable code; `details` names the offending fields."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "validation_error"
    message = "The request failed."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.message
        self.details = details or {}
        super().__init__(detail=self.message, code=self.code)


class ValidationFailed(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "validation_error"
    message = "The request failed validation."


class AuthenticationRequired(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "authentication_required"
    message = "No API key was provided. Send it as 'Authorization: Bearer <token>'."


class InvalidApiKey(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_api_key"
    message = "The API key is invalid or has been revoked."


class TokenExpired(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_expired"
    message = "The API key has expired. Create a new token."


class InsufficientScope(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "insufficient_scope"
    message = "The API key does not have the required scope for this endpoint."


class CompanyAccessDenied(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "company_access_denied"
    message = "The API key is not linked to the company named in X-Company-ID."


class ResourceNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "resource_not_found"
    message = "The requested resource does not exist."


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state of the resource."


class RateLimitExceeded(ApiError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limit_exceeded"


def error_body(
    request: HttpRequest | None, *, code: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "docs_url": f"{settings.API_DOCS_BASE_URL}/{code}",
    }
    if details:
        error["details"] = details
    return {
        "success": False,
        "message": message,
        "error_code": SEED_000_CODES.get(code, code.upper()),
        "error": error,
        "meta": response_meta(request),
    }


def error_json_response(
    request: HttpRequest | None,
    *,
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> JsonResponse:
    """An error answered outside DRF (middleware, Django's error handlers)."""
    return JsonResponse(error_body(request, code=code, message=message, details=details), status=status_code)


def _validation_message(details: dict[str, list[str]]) -> str:
    field, messages = next(iter(details.items()))
    if field == "body":
        return messages[0]
    return f"Invalid value for '{field}': {messages[0]}"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    headers: dict[str, str] = {}
    status_code: int
    details: dict[str, Any]

    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages})
    elif isinstance(exc, Http404):
        exc = ResourceNotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = InsufficientScope()

    if isinstance(exc, domain.DomainError):
        code, message, details = exc.code, exc.message, exc.details
        status_code = DOMAIN_ERROR_STATUS.get(exc.code, UNKNOWN_DOMAIN_ERROR_STATUS)
        if exc.retry_after is not None:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, ApiError):
        code, message, details, status_code = exc.code, exc.message, exc.details, exc.status_code
    elif isinstance(exc, drf_exceptions.ValidationError):
        details = flatten_errors(exc.detail)
        code, message, status_code = "validation_error", _validation_message(details), 400
    elif isinstance(exc, drf_exceptions.ParseError):
        code, status_code = "validation_error", 400
        message = f"The request body could not be parsed: {exc.detail}"
        details = {"body": [message]}
    elif isinstance(exc, drf_exceptions.NotAuthenticated):
        code, message, details, status_code = AuthenticationRequired.code, AuthenticationRequired.message, {}, 401
    elif isinstance(exc, drf_exceptions.AuthenticationFailed):
        code, message, details, status_code = InvalidApiKey.code, InvalidApiKey.message, {}, 401
    elif isinstance(exc, drf_exceptions.PermissionDenied):
        code, message, details, status_code = InsufficientScope.code, str(exc.detail), {}, 403
    elif isinstance(exc, drf_exceptions.NotFound):
        code, message, details, status_code = ResourceNotFound.code, ResourceNotFound.message, {}, 404
    elif isinstance(exc, drf_exceptions.MethodNotAllowed):
        code, message, details, status_code = "method_not_allowed", str(exc.detail), {}, 405
    elif isinstance(exc, drf_exceptions.UnsupportedMediaType):
        code, message, status_code = "unsupported_media_type", str(exc.detail), 415
        details = {"Content-Type": [message]}
    elif isinstance(exc, drf_exceptions.NotAcceptable):
        code, message, details, status_code = "not_acceptable", str(exc.detail), {}, 406
    elif isinstance(exc, drf_exceptions.Throttled):
        code, message, details, status_code = RateLimitExceeded.code, str(exc.detail), {}, 429
    elif isinstance(exc, drf_exceptions.APIException):
        code, message, details, status_code = "processing_error", str(exc.detail), {}, exc.status_code
    else:
        return None

    if isinstance(exc, drf_exceptions.APIException):
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(int(wait))
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
    if status_code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')

    response = Response(
        error_body(request, code=code, message=message, details=details), status=status_code, headers=headers
    )
    response.exception = True
    return response
