"""Finding the token behind a request's `Authorization: Bearer` header."""

import hmac
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from companies.models import Company
from tokens.format import parse_prefix
from tokens.models import ApiToken, hash_token


@dataclass(frozen=True)
class TokenResolution:
    token: ApiToken | None
    error: str | None  # None, "authentication_required", "invalid_api_key" or "token_expired"


def token_find(raw_token: str) -> TokenResolution:
    prefix = parse_prefix(raw_token)
    if prefix is None:
        return TokenResolution(None, "invalid_api_key")
    candidate = ApiToken.objects.select_related("company").filter(prefix=prefix).first()
    # The row is found by its public prefix; the secret itself is compared in constant time.
    if candidate is None or not hmac.compare_digest(candidate.key_hash, hash_token(raw_token)):
        return TokenResolution(None, "invalid_api_key")
    if candidate.is_revoked:
        return TokenResolution(None, "invalid_api_key")
    if candidate.is_expired:
        return TokenResolution(None, "token_expired")
    return TokenResolution(candidate, None)


def bearer_from_header(header: str) -> str | None:
    """The token in 'Bearer <token>', '' for a malformed header, None for no header at all."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return credentials.strip()


def resolve_request_token(request: HttpRequest) -> TokenResolution:
    """Resolve once per request; the rate limiter and the authentication class share the answer."""
    cached = getattr(request, "_token_resolution", None)
    if cached is not None:
        return cached
    raw = bearer_from_header(request.META.get("HTTP_AUTHORIZATION", ""))
    if raw is None:
        resolution = TokenResolution(None, "authentication_required")
    elif not raw:
        resolution = TokenResolution(None, "invalid_api_key")
    else:
        resolution = token_find(raw)
    request._token_resolution = resolution  # type: ignore[attr-defined]
    return resolution


def tokens_for_company(*, company: Company) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(company=company).select_related("created_by")
