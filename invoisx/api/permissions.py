"""Scope checks: each API view names the scope each of its methods needs."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from companies.models import Company
from invoisx.api.errors import AuthenticationRequired, InsufficientScope
from tokens.models import ApiToken


def required_scope(view: Any, method: str) -> str:
    scopes: dict[str, str] = getattr(view, "required_scopes", {})
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    if method not in scopes:
        # A view that forgot to declare a scope is closed, not open.
        raise InsufficientScope(f"No scope grants {method} on this endpoint.")
    return scopes[method]


class HasRequiredScope(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise AuthenticationRequired()
        if not hasattr(view, (request.method or "").lower()):
            return True  # DRF answers 405 method_not_allowed
        scope = required_scope(view, request.method or "GET")
        if not token.has_scope(scope):
            raise InsufficientScope(
                f"This endpoint needs the '{scope}' scope, which the API key does not have.",
                details={"required_scope": scope, "token_scopes": token.scopes},
            )
        return True


class TokenAuthenticated(BasePermission):
    """Any valid API token, whatever its scopes: for endpoints that tell nothing of a company."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise AuthenticationRequired()
        return True


def request_token(request: Request) -> ApiToken:
    """The API token an authenticated request was made with."""
    token = request.auth
    if not isinstance(token, ApiToken):
        raise AuthenticationRequired()
    return token


def request_company(request: Request) -> Company:
    """The company an authenticated API request acts for (its token's company)."""
    return request_token(request).company
